// Unit tests of LetterParser: the hand-written samples against their expected records, and
// targeted layouts (wrapped headers, decisions alone, partial authorizations, bad bytes).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "imrdex/extract/parser.hpp"
#include "letter_compare.hpp"
#include "letter_print.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

using imrdex::WarningCode;
using imrdex::testing::read_file;

const imrdex::LetterParser& parser() {
    static const imrdex::LetterParser p;
    return p;
}

imrdex::Letter parse(std::string_view text, std::string_view id = "fallback") {
    return parser().parse(text, id, "test.txt");
}

bool has_warning(const imrdex::Letter& l, WarningCode code) {
    return std::any_of(l.warnings.begin(), l.warnings.end(),
                       [&](const imrdex::Warning& w) { return w.code == code; });
}

std::string codes(const imrdex::Letter& l) {
    std::string out;
    for (const auto& w : l.warnings) out += std::string(to_string(w.code)) + "(" + w.detail + ") ";
    return out;
}

TEST(ParserSamples, EverySampleMatchesItsExpectedRecord) {
    const fs::path dir(IMRDEX_SAMPLES_DIR);
    std::vector<fs::path> samples;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".txt") samples.push_back(e.path());
    }
    std::sort(samples.begin(), samples.end());
    ASSERT_GE(samples.size(), 12u) << "samples missing in " << dir;
    simdjson::dom::parser want_parser;
    simdjson::dom::parser got_parser;
    for (const fs::path& txt : samples) {
        const std::string stem = txt.stem().string();
        fs::path expected = txt;
        expected.replace_extension(".expected.json");
        ASSERT_TRUE(fs::exists(expected)) << "no " << expected;
        const imrdex::Letter letter =
            parser().parse(read_file(txt), stem, txt.filename().string());
        const std::string got_json = imrdex::to_json(letter);
        const std::string want_json = read_file(expected);
        simdjson::dom::element want;
        simdjson::dom::element got;
        ASSERT_FALSE(want_parser.parse(want_json).get(want)) << expected << " is not valid JSON";
        ASSERT_FALSE(got_parser.parse(got_json).get(got)) << "to_json gave invalid JSON";
        const auto diffs = imrdex::testing::compare_records(want, got, stem);
        std::string all;
        for (const auto& d : diffs) all += "\n  " + imrdex::testing::describe(d);
        EXPECT_TRUE(diffs.empty()) << txt.filename() << ":" << all;
    }
}

// ---- targeted layouts ----------------------------------------------------------------------

const char* const kHead =
    "CLINICAL CASE SUMMARY\n"
    "The expert reviewer developed the following clinical case summary based on a review of the\n"
    "case file, including all medical records:\n"
    "The injured worker is a 40 year old female who was injured on 05/06/2015. She has pain.\n"
    "IMR ISSUES, DECISIONS AND RATIONALES\n"
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:\n";

std::string item(std::string_view header, std::string_view rationale = "It is fine.") {
    std::string s(header);
    s += "\nClaims Administrator guideline: Decision based on MTUS.\n";
    s += "MAXIMUS guideline: Decision based on Non-MTUS Citation ODG.\n";
    s += "Decision rationale: ";
    s += rationale;
    s += "\n";
    return s;
}

TEST(ParserItems, WrappedHeaderJoinsLines) {
    const auto l = parse(std::string(kHead) + item("First request: Upheld", "Short.") +
                         item("Second request that is long enough to wrap onto\nthe next line: Overturned"));
    ASSERT_EQ(l.items.size(), 2u) << codes(l);
    EXPECT_EQ(l.items[1].request, "Second request that is long enough to wrap onto the next line");
    EXPECT_EQ(l.items[1].decision, imrdex::Decision::overturned);
    EXPECT_EQ(l.items[0].rationale, "Short.");
}

TEST(ParserItems, DecisionAloneOnNextLine) {
    const auto l = parse(std::string(kHead) + item("Knee brace for the left knee:\nOverturned"));
    ASSERT_EQ(l.items.size(), 1u) << codes(l);
    EXPECT_EQ(l.items[0].request, "Knee brace for the left knee");
    EXPECT_EQ(l.items[0].decision, imrdex::Decision::overturned);
}

TEST(ParserItems, TwoSpacesTrailingSpacesAndFormFeed) {
    const auto l = parse(std::string(kHead) + item("XANAX 1MG #30:  Upheld   ", "Done.") +
                         item("\f\fNORCO 10/325MG #60:  Overturned"));
    ASSERT_EQ(l.items.size(), 2u) << codes(l);
    EXPECT_EQ(l.items[0].request, "XANAX 1MG #30");
    EXPECT_EQ(l.items[1].request, "NORCO 10/325MG #60");
    EXPECT_EQ(l.items[1].strength, "10/325MG");
    EXPECT_EQ(l.items[1].quantity, "60");
}

TEST(ParserItems, PartialAuthorizationRemainingPortion) {
    const auto l = parse(std::string(kHead) +
                         item("Physical therapy 12 sessions was the original request. Physical therapy\n"
                              "6 sessions was authorized by the Claims Administrator. The remaining IMR\n"
                              "eligible portion of the original request, Physical therapy 6 sessions is: Upheld",
                              "The request for \"Physical therapy 12 sessions was the original request. "
                              "The remaining IMR eligible portion\" is not medically necessary."));
    ASSERT_EQ(l.items.size(), 1u) << codes(l);
    EXPECT_EQ(l.items[0].request, "Physical therapy 6 sessions");
    EXPECT_EQ(l.items[0].original_request, "Physical therapy 12 sessions");
}

TEST(ParserItems, PartialAuthorizationLeavingEligible) {
    const auto l = parse(std::string(kHead) + item("Brace was the original request.\n"
                                                   "The Claims Administrator authorized a sleeve,\n"
                                                   "leaving the original request IMR eligible. The original request, Brace\n"
                                                   "is: Overturned"));
    ASSERT_EQ(l.items.size(), 1u) << codes(l);
    EXPECT_EQ(l.items[0].request, "Brace");
    EXPECT_EQ(l.items[0].original_request, "Brace");
    EXPECT_EQ(l.items[0].decision, imrdex::Decision::overturned);
}

// The original request itself wraps, and its first line ends in a colon ("DOS:") that must
// not be taken for a header whose decision is on the next line.
TEST(ParserItems, PartialAuthorizationWithWrappedOriginalEndingInColon) {
    const auto l = parse(std::string(kHead) + item("First request: Upheld", "Short.") +
                         item("Retrospective senna 8.6mg tablet, one tablet daily #60 DOS:\n"
                              "03-2-15 was the original request. Senna #30 was authorized.\n"
                              "The remaining IMR eligible portion of the original request,\n"
                              "Retrospective senna 8.6mg #30 DOS: 03-2-15 is: Upheld"));
    ASSERT_EQ(l.items.size(), 2u) << codes(l);
    EXPECT_EQ(l.items[0].rationale, "Short.");
    EXPECT_EQ(l.items[1].original_request,
              "Retrospective senna 8.6mg tablet, one tablet daily #60 DOS: 03-2-15");
    EXPECT_EQ(l.items[1].request, "Retrospective senna 8.6mg #30 DOS: 03-2-15");
}

TEST(ParserItems, RationaleQuotingAHeaderIsNotAnItem) {
    // A rationale line ending in ": Upheld" is only a header when a label follows it.
    const auto l = parse(std::string(kHead) +
                         item("Gym membership: Upheld", "The prior review said gym membership:\nUpheld\nand so do we.") +
                         item("Pool therapy: Upheld"));
    ASSERT_EQ(l.items.size(), 2u) << codes(l);
    EXPECT_EQ(l.items[1].request, "Pool therapy");
}

TEST(ParserItems, UnknownDecisionWarns) {
    const auto l = parse(std::string(kHead) + item("A request: Upheld") +
                         item("Another request: Partially certified"));
    ASSERT_EQ(l.items.size(), 2u) << codes(l);
    EXPECT_EQ(l.items[1].decision, imrdex::Decision::unknown);
    EXPECT_EQ(l.items[1].request, "Another request");
    EXPECT_TRUE(has_warning(l, WarningCode::decision_unrecognised)) << codes(l);
}

TEST(ParserItems, TruncatedLetterKeepsCompleteItems) {
    const std::string full = std::string(kHead) + item("A request: Upheld", "Reason one.") +
                             item("B request: Overturned", "Reason two is long and");
    const auto l = parse(full);
    ASSERT_EQ(l.items.size(), 2u) << codes(l);
    EXPECT_EQ(l.items[0].rationale, "Reason one.");
    EXPECT_TRUE(has_warning(l, WarningCode::truncated_item)) << codes(l);
    // Cut inside the second item's guideline lines: no rationale for it.
    const std::string cut = full.substr(0, full.find("MAXIMUS", full.find("B request")));
    const auto l2 = parse(cut);
    ASSERT_GE(l2.items.size(), 1u);
    EXPECT_EQ(l2.items[0].request, "A request");
    EXPECT_TRUE(has_warning(l2, WarningCode::truncated_item)) << codes(l2);
}

TEST(ParserItems, ALastSentenceWithoutItsPeriodIsNoTruncation) {
    const std::string whole =
        std::string(kHead) + item("A request: Upheld", "Reason one.") +
        item("B request: Overturned",
             "The exam shows weakness.\nHence the left arm EMG is medically necessary\n\f\n");
    const auto l = parse(whole);
    ASSERT_EQ(l.items.size(), 2u) << codes(l);
    EXPECT_EQ(l.items[1].rationale,
              "The exam shows weakness. Hence the left arm EMG is medically necessary");
    EXPECT_TRUE(has_warning(l, WarningCode::no_final_period)) << codes(l);
    EXPECT_FALSE(has_warning(l, WarningCode::truncated_item)) << codes(l);
    // The same letter cut inside that sentence is truncated.
    const auto cut = parse(whole.substr(0, whole.find(" is medically necessary")));
    ASSERT_EQ(cut.items.size(), 2u) << codes(cut);
    EXPECT_TRUE(has_warning(cut, WarningCode::truncated_item)) << codes(cut);
    EXPECT_FALSE(has_warning(cut, WarningCode::no_final_period)) << codes(cut);
}

TEST(ParserItems, NoItemsIsUnusable) {
    const auto l = parse(std::string(kHead) + "Nothing here.\n");
    EXPECT_FALSE(l.usable());
    EXPECT_TRUE(has_warning(l, WarningCode::no_items));
}

// ---- patient sentence and dates -------------------------------------------------------------

struct PatientCase {
    const char* sentence;
    int age;
    const char* sex;
    const char* injury;
};

TEST(ParserSummary, PatientSentenceForms) {
    const PatientCase cases[] = {
        {"The patient is a 48 year old male who was injured on 02/04/2003.", 48, "male", "2003-02-04"},
        {"The patient is a 60-year-old female who reported an injury on 11/07/2002.", 60, "female",
         "2002-11-07"},
        {"This case involves a now 56-year-old female with a date of injury on 12/09/2008.", 56,
         "female", "2008-12-09"},
        {"The 58 year old female injured worker was injured in December of 2001.", 58, "female",
         "2001-12"},
        {"The injured worker is a(n) 57 year old male, injured on January 6, 2010.", 57, "male",
         "2010-01-06"},
        {"This is a 78 year old male injured on 10-13-16.", 78, "male", "2016-10-13"},
        {"The injured worker was a 31 year old male, who sustained an industrial injury on October 24,\n2016.",
         31, "male", "2016-10-24"},
        {"The applicant is a 33-year-old male with an industrial injury date of 12-03-2016.", 33,
         "male", "2016-12-03"},
        {"He is a 45 year old gentleman injured in 1999.", 45, "male", "1999"},
        {"She is a 45 year old woman with a history of an occupational claim from 10/26/2016.", 45,
         "female", "2016-10-26"},
        {"A 50 year old lady who was injured on Sept. 3, 2011.", 50, "female", "2011-09-03"},
        {"A 29 year old Hispanic man who was injured on 3/4/99.", 29, "male", "1999-03-04"},
    };
    for (const PatientCase& c : cases) {
        std::string text = "CLINICAL CASE SUMMARY\nThe expert reviewer developed the following clinical "
                           "case summary based on a review of the\ncase file, including all medical "
                           "records:\n";
        text += c.sentence;
        text += "\nIMR ISSUES, DECISIONS AND RATIONALES\n" + item("X: Upheld");
        const auto l = parse(text);
        EXPECT_EQ(l.age, c.age) << c.sentence;
        EXPECT_EQ(l.sex, c.sex) << c.sentence;
        EXPECT_EQ(l.injury_date, c.injury) << c.sentence;
        EXPECT_EQ(l.summary.rfind("The expert", 0), std::string::npos) << l.summary;
    }
}

TEST(ParserSummary, MissingAgeAndSexWarn) {
    const auto l = parse("CLINICAL CASE SUMMARY\nA worker hurt a knee.\nIMR ISSUES, DECISIONS AND "
                         "RATIONALES\n" + item("X: Upheld"));
    EXPECT_EQ(l.age, -1);
    EXPECT_TRUE(has_warning(l, WarningCode::no_age));
    EXPECT_TRUE(has_warning(l, WarningCode::no_sex));
    EXPECT_TRUE(has_warning(l, WarningCode::no_injury_date));
}

// ---- cover block ------------------------------------------------------------------------------

TEST(ParserCover, ValuesMatchedByShapeInLabelOrder) {
    const std::string cover =
        "Case Number:\nDate Assigned:\nDecision Date:\nPriority:\n\nCM16-0000042\n11/09/2016\n"
        "12/09/2016\nExpedited\n\nDate of Injury:\nUR Denial Date:\nApplication\nReceived:\n\n"
        "10/13/2016\n11/03/2016\n11/04/2016\n\n";
    const auto l = parse(cover + kHead + item("X: Upheld"));
    EXPECT_EQ(l.id, "CM16-0000042");
    EXPECT_EQ(l.date_assigned, "2016-11-09");
    EXPECT_EQ(l.decision_date, "2016-12-09");
    EXPECT_EQ(l.priority, "expedited");
    EXPECT_EQ(l.injury_date, "2016-10-13");  // the cover block wins over the summary
    EXPECT_EQ(l.ur_denial_date, "2016-11-03");
    EXPECT_EQ(l.received_date, "2016-11-04");
    EXPECT_FALSE(has_warning(l, WarningCode::cover_block_mismatch)) << codes(l);
}

TEST(ParserCover, SameLinePairsAndMissingValueWarn) {
    const auto l = parse(std::string("Case Number: CM17-0000007\nDate Assigned: 01/02/2017 Date of "
                                     "Injury: 12/01/2016\nDecision Date: UR Denial Date: 12/20/2016\n"
                                     "Priority: Standard Application\nReceived:\n") +
                         kHead + item("X: Upheld"));
    EXPECT_EQ(l.id, "CM17-0000007");
    EXPECT_EQ(l.date_assigned, "2017-01-02");
    EXPECT_EQ(l.injury_date, "2016-12-01");
    EXPECT_TRUE(has_warning(l, WarningCode::cover_block_mismatch)) << codes(l);
}

TEST(ParserCover, NoCoverBlockUsesFallbackId) {
    const auto l = parse(std::string(kHead) + item("X: Upheld"), "my-stem");
    EXPECT_EQ(l.id, "my-stem");
    EXPECT_TRUE(has_warning(l, WarningCode::no_cover_block));
    EXPECT_EQ(l.injury_date, "2015-05-06");
}

// ---- bad input ---------------------------------------------------------------------------------

TEST(ParserRobustness, EmptyInput) {
    const auto l = parse("");
    EXPECT_FALSE(l.usable());
    EXPECT_EQ(l.id, "fallback");
    EXPECT_TRUE(has_warning(l, WarningCode::no_items));
}

TEST(ParserRobustness, InvalidUtf8AndNulBytes) {
    std::string text = std::string(kHead) + item("Caf\xC3 \xFF\xFE request: Upheld");
    text.insert(10, std::string("\0\0", 2));
    const auto l = parse(text);
    EXPECT_TRUE(has_warning(l, WarningCode::invalid_utf8)) << codes(l);
    EXPECT_TRUE(has_warning(l, WarningCode::nul_bytes)) << codes(l);
    ASSERT_EQ(l.items.size(), 1u);
    const std::string json = imrdex::to_json(l);
    simdjson::dom::parser p;
    simdjson::dom::element e;
    EXPECT_FALSE(p.parse(json).get(e)) << "to_json must stay valid JSON";
}

TEST(ParserRobustness, TenMegabyteLine) {
    std::string text(kHead);
    text += item("Big: Upheld", std::string(10u << 20, 'a'));
    text += std::string(10u << 20, ':');
    text += "\n";
    const auto l = parse(text);
    ASSERT_EQ(l.items.size(), 1u) << codes(l);
    EXPECT_EQ(l.items[0].rationale.size(), (10u << 20) * 2 + 1);
}

// What holds for the record of any text: valid JSON, an id that is the fallback or a case number
// taken from the text, "no_items" exactly when unusable, and a warning for every item the parser
// could not read whole.
void expect_consistent_record(const imrdex::Letter& l, std::string_view text) {
    SCOPED_TRACE(codes(l));
    simdjson::dom::parser p;
    simdjson::dom::element e;
    EXPECT_FALSE(p.parse(imrdex::to_json(l)).get(e)) << "to_json must stay valid JSON";
    if (l.id != "fallback") {
        const bool shaped =
            l.id.size() >= 10 && l.id.rfind("CM", 0) == 0 && l.id[4] == '-' &&
            std::all_of(l.id.begin() + 5, l.id.end(), [](char c) { return c >= '0' && c <= '9'; });
        EXPECT_TRUE(shaped) << l.id;
        auto lowered = [](std::string_view v) {
            std::string out(v);
            for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            return out;
        };
        EXPECT_NE(lowered(text).find(lowered(l.id)), std::string::npos)
            << l.id << " is not in the text";
    }
    EXPECT_EQ(l.usable(), !l.items.empty());
    EXPECT_EQ(has_warning(l, WarningCode::no_items), l.items.empty());
    std::size_t unknown = 0;
    std::size_t unrecognised = 0;
    for (std::size_t k = 0; k < l.items.size(); ++k) {
        const imrdex::Item& item = l.items[k];
        if (item.decision == imrdex::Decision::unknown) ++unknown;
        if (item.rationale.empty()) {
            const std::string detail =
                "item " + std::to_string(k + 1) + " has no decision rationale";
            EXPECT_TRUE(std::any_of(l.warnings.begin(), l.warnings.end(),
                                    [&](const imrdex::Warning& w) {
                                        return w.code == WarningCode::truncated_item &&
                                               w.detail == detail;
                                    }))
                << detail;
        }
    }
    for (const auto& w : l.warnings) {
        unrecognised += w.code == WarningCode::decision_unrecognised ? 1 : 0;
    }
    EXPECT_EQ(unrecognised, unknown);
}

// Bytes biased towards those the parser reacts to (round 0 is empty); with `words`, pieces of
// letters instead, so that headers, labels and cover fields occur in random order.
std::string random_text(std::uint64_t& x, int round, bool words) {
    static constexpr char kAlphabet[] = "\n\n\f :Upheld Overturned0123456789/-#CM.,";
    static constexpr std::string_view kPieces[] = {"\n",
                                                   "\n",
                                                   " ",
                                                   ": Upheld\n",
                                                   ": Overturned\n",
                                                   "Upheld\n",
                                                   ":\n",
                                                   "Norco 10mg #30",
                                                   "MRI of the knee",
                                                   "Claims Administrator guideline: MTUS.\n",
                                                   "MAXIMUS guideline: ODG.\n",
                                                   "Decision rationale: ",
                                                   "It is fine.",
                                                   " was the original request.",
                                                   "Case Number: ",
                                                   "CM16-0001234",
                                                   "Date Assigned: ",
                                                   "12/09/2016",
                                                   "Priority: ",
                                                   "Standard",
                                                   "\f",
                                                   "\xFF"};
    auto next = [&x] {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        return x;
    };
    std::string s;
    const std::size_t len = static_cast<std::size_t>(round * 37 % 3000);
    while (s.size() < len) {
        const std::uint64_t r = next();
        if (words) {
            s += kPieces[(r >> 8) % std::size(kPieces)];
        } else {
            s.push_back((r & 3) ? kAlphabet[(r >> 8) % (sizeof kAlphabet - 1)]
                                : static_cast<char>(r >> 16));
        }
    }
    return s;
}

TEST(ParserRobustness, RandomTextGivesConsistentRecords) {
    std::uint64_t x = 88172645463325252ull;
    std::size_t with_items = 0;
    std::size_t with_case_number = 0;
    for (int round = 0; round < 600; ++round) {
        const std::string s = random_text(x, round / 2, round % 2 == 1);
        SCOPED_TRACE("round " + std::to_string(round));
        const imrdex::Letter alone = parse(s);
        expect_consistent_record(alone, s);
        with_case_number += alone.id != "fallback" ? 1 : 0;

        // After a well-formed head the bytes are items: the head's fields must come through.
        const std::string text = std::string(kHead) + s;
        const imrdex::Letter l = parse(text);
        expect_consistent_record(l, text);
        EXPECT_EQ(l.id, "fallback");
        EXPECT_EQ(l.summary,
                  "The injured worker is a 40 year old female who was injured on 05/06/2015. She "
                  "has pain.");
        EXPECT_EQ(l.age, 40);
        EXPECT_EQ(l.sex, "female");
        EXPECT_EQ(l.injury_date, "2015-05-06");
        EXPECT_TRUE(has_warning(l, WarningCode::no_cover_block));
        EXPECT_FALSE(has_warning(l, WarningCode::no_summary));
        EXPECT_FALSE(has_warning(l, WarningCode::no_issues_section));
        with_items += l.items.empty() ? 0 : 1;
    }
    // The pieces of letters must have made some items and some cover blocks, or the checks
    // above looked at nothing but rejections.
    EXPECT_GT(with_items, 50u);
    EXPECT_GT(with_case_number, 50u);
}

// ---- the drug vocabulary ------------------------------------------------------------------------

// The parser refers to its vocabulary: built from a temporary it would read a destroyed one, so
// that must not compile.
static_assert(std::is_constructible_v<imrdex::LetterParser, const imrdex::DrugVocabulary&>);
static_assert(std::is_constructible_v<imrdex::LetterParser, imrdex::DrugVocabulary&>);
static_assert(!std::is_constructible_v<imrdex::LetterParser, imrdex::DrugVocabulary>);
static_assert(!std::is_constructible_v<imrdex::LetterParser, imrdex::DrugVocabulary&&>);
static_assert(!std::is_constructible_v<imrdex::LetterParser, const imrdex::DrugVocabulary&&>);

TEST(ParserVocabulary, ItemsAreMatchedAgainstTheParsersVocabulary) {
    const imrdex::DrugVocabulary vocab =
        imrdex::DrugVocabulary::parse("zorblax\tzorblaxin\ttest class\tbrand\n", "test.tsv");
    const std::string text =
        std::string(kHead) + item("Zorblax 10mg #30: Upheld") + item("Norco 10/325mg #60: Upheld");
    const imrdex::LetterParser custom(vocab);
    const imrdex::LetterParser copy = custom;  // copies refer to the same vocabulary
    for (const imrdex::LetterParser* p : {&custom, &copy}) {
        const auto l = p->parse(text, "id", "test.txt");
        ASSERT_EQ(l.items.size(), 2u) << codes(l);
        EXPECT_EQ(l.items[0].drug, "zorblaxin");
        EXPECT_EQ(l.items[0].drug_class, "test class");
        EXPECT_EQ(l.items[0].category, imrdex::Category::pharmaceutical);
        EXPECT_TRUE(l.items[1].drug.empty()) << "norco is not in this vocabulary";
    }
    const auto builtin = parse(text);
    ASSERT_EQ(builtin.items.size(), 2u);
    EXPECT_TRUE(builtin.items[0].drug.empty());
    EXPECT_EQ(builtin.items[1].drug, "acetaminophen/hydrocodone");
}

// ---- request details -----------------------------------------------------------------------------

TEST(ParserDetails, StrengthQuantityAndSources) {
    struct Case {
        const char* request;
        const char* strength;
        const char* quantity;
    };
    const Case cases[] = {{"Norco 10/325mg #90", "10/325mg", "90"},
                          {"ALPRAZOLAM 2 MG #90", "2 MG", "90"},
                          {"Xanax 0.5mg QTY: 60.00", "0.5mg", "60"},
                          {"Ketoprofen 20% cream 240g", "20%", ""},
                          {"Venlafaxine ER 37.5mg # 30", "37.5mg", "30"},
                          {"Ketorolac 20mg/ml injection Qty 2", "20mg/ml", "2"},
                          {"MRI of the L5-S1 level", "", ""},
                          {"Fentanyl 25mcg/hr patch #10", "25mcg/hr", "10"},
                          {"Toradol 60MG/2ML #4", "60MG/2ML", "4"},
                          {"C5#6-C7 interlaminar epidural steroid injection", "", ""}};
    for (const Case& c : cases) {
        const auto l = parse(std::string(kHead) + item(std::string(c.request) + ": Upheld"));
        ASSERT_EQ(l.items.size(), 1u) << c.request;
        EXPECT_EQ(l.items[0].strength, c.strength) << c.request;
        EXPECT_EQ(l.items[0].quantity, c.quantity) << c.request;
        EXPECT_EQ(l.items[0].ca_guideline.sources, std::vector<std::string>{"MTUS"});
        EXPECT_EQ(l.items[0].maximus_guideline.sources, std::vector<std::string>{"ODG"});
    }
}

TEST(ParserDetails, GuidelineSourceRules) {
    auto sources = [](std::string_view citation) {
        std::string text(kHead);
        text += "X: Upheld\nClaims Administrator guideline: ";
        text += citation;
        text += "\nMAXIMUS guideline: none\nDecision rationale: ok.\n";
        const auto l = parse(text);
        return l.items.empty() ? std::vector<std::string>{"?"} : l.items[0].ca_guideline.sources;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(sources("The Claims Administrator did not cite any medical evidence for its decision."), V{});
    EXPECT_EQ(sources("The Claims Administrator did not base their decision on the MTUS. Decision based "
                      "on Non-MTUS Citation Official Disability Guidelines (ODG)."),
              V{"ODG"});
    EXPECT_EQ(sources("Decision based on Non-MTUS Citation MTUS: AMERICAN COLLEGE OF OCCUPATIONAL AND "
                      "ENVIRONMENTAL MEDICINE (ACOEM), 2ND EDITION (2004)"),
              (V{"MTUS", "ACOEM"}));
    EXPECT_EQ(sources("Decision based on MTUS ACOEM Chapter 15. Decision based on Non-MTUS Citation "
                      "Official Disability Guidelines."),
              (V{"MTUS", "ACOEM", "ODG"}));
    EXPECT_EQ(sources("The Claims Administrator based their decision on recommendation(s) outside of the "
                      "MTUS Guidelines. Decision based on Non-MTUS Citation http://example.org/x."),
              V{"other"});
    EXPECT_EQ(sources("Decision based on Non-MTUS Citation Journal of Pain Research 2012."), V{"other"});
    EXPECT_EQ(sources("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) and "
                      "Spine Journal, 2014; 14(11): 2585-2593."),
              (V{"ODG", "other"}));
    EXPECT_EQ(sources("Decision based on Non-MTUS Citation ACOEM Hip and Groin Chapter."), V{"ACOEM"});
}

}  // namespace
