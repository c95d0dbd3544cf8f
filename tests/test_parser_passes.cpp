// Unit tests of the letter parser's passes (indexer/extract/passes.hpp), each run alone on a few
// hand-written lines: what it writes into the Letter and which warnings it adds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imrdex/extract/drugs.hpp"
#include "letter_print.hpp"
#include "passes.hpp"

namespace imrdex::parse {
namespace {

std::vector<WarningCode> codes(const std::vector<Warning>& warnings) {
    std::vector<WarningCode> out;
    for (const Warning& w : warnings) out.push_back(w.code);
    return out;
}

using Codes = std::vector<WarningCode>;

const SpecialtyVocabulary& specialties() {
    return SpecialtyVocabulary::builtin();
}

Sections with(std::size_t how, std::size_t summary, std::size_t issues) {
    Sections s;
    s.how = how;
    s.summary = summary;
    s.issues = issues;
    return s;
}

// ---- text, lines and sections ----------------------------------------------------------------

TEST(PassText, SplitLinesTrimsEachLineAndSplitsOnNewlineOnly) {
    const std::string text = "\f\f  first  \r\nsecond\rstill second\n\n\tlast";
    const Lines lines = split_lines(text);
    EXPECT_EQ(lines, (Lines{"first", "second\rstill second", "", "last"}));
    EXPECT_EQ(split_lines("a\n"), (Lines{"a", ""}));
}

TEST(PassText, CheckTextStopsOnBlankTextAndWarnsOnBadBytes) {
    Letter blank;
    EXPECT_FALSE(check_text(" \n\f ", "stem", blank));
    EXPECT_EQ(blank.id, "stem");
    EXPECT_EQ(codes(blank.warnings), (Codes{WarningCode::empty, WarningCode::no_items}));

    Letter bad;
    EXPECT_TRUE(check_text(std::string("ok \xFF then\0", 10), "stem", bad));
    EXPECT_EQ(codes(bad.warnings), (Codes{WarningCode::invalid_utf8, WarningCode::nul_bytes}));
    EXPECT_EQ(bad.warnings[0].detail, "first invalid byte at offset 3");
    EXPECT_TRUE(bad.id.empty()) << "the id is the cover pass's job";

    Letter good;
    EXPECT_TRUE(check_text("caf\xC3\xA9", "stem", good));
    EXPECT_TRUE(good.warnings.empty());
}

TEST(PassSections, FirstOfEachHeadingUpToTheIssuesHeading) {
    const Lines lines = {"Case Number: CM16-0000001",
                         "HOW THE IMR FINAL DETERMINATION WAS MADE",
                         "Clinical case summary",  // headings are matched case-insensitively
                         "CLINICAL CASE SUMMARY",
                         "IMR ISSUES, DECISIONS AND RATIONALES",
                         "HOW THE IMR FINAL DETERMINATION WAS MADE"};
    const Sections s = find_sections(lines);
    EXPECT_EQ(s.how, 1u);
    EXPECT_EQ(s.summary, 2u);
    EXPECT_EQ(s.issues, 4u);
    EXPECT_EQ(s.first(), 1u);

    const Sections later =
        find_sections({"IMR ISSUES, DECISIONS AND RATIONALES", "CLINICAL CASE SUMMARY"});
    EXPECT_EQ(later.issues, 0u);
    EXPECT_EQ(later.summary, kNone) << "nothing is looked for after the issues heading";

    const Sections none = find_sections({"Dear Sir,", "It is decided."});
    EXPECT_EQ(none.first(), kNone);
}

// ---- cover block -------------------------------------------------------------------------------

TEST(PassCover, LabelsThenValuesAreMatchedByShape) {
    const Lines lines = {"Case Number:", "Date Assigned:", "Decision Date:",
                         "Priority:",    "cm16-0000042",   "11/09/2016",
                         "12/09/2016",   "Standard",       "CLINICAL CASE SUMMARY"};
    Letter l;
    parse_cover(lines, with(kNone, 8, kNone), "stem", l);
    EXPECT_EQ(l.id, "CM16-0000042");
    EXPECT_EQ(l.date_assigned, "2016-11-09");
    EXPECT_EQ(l.decision_date, "2016-12-09");
    EXPECT_EQ(l.priority, "standard");
    EXPECT_TRUE(l.warnings.empty());
}

TEST(PassCover, AnOrphanDateIsAMismatchAndTheFallbackIdStays) {
    const Lines lines = {"Date of Injury: 01/02/2015 03/04/2015", "CLINICAL CASE SUMMARY"};
    Letter l;
    parse_cover(lines, with(kNone, 1, kNone), "stem", l);
    EXPECT_EQ(l.injury_date, "2015-01-02");
    EXPECT_EQ(l.id, "stem");
    EXPECT_EQ(codes(l.warnings), Codes{WarningCode::cover_block_mismatch});
    EXPECT_EQ(l.warnings[0].detail, "1 labels, 2 values");
}

TEST(PassCover, OnlyTheLinesBeforeTheFirstHeadingAndNeverMoreThan60) {
    Lines lines(70, "");
    lines[65] = "Case Number: CM16-0000042";
    lines[69] = "CLINICAL CASE SUMMARY";
    Letter far;
    parse_cover(lines, with(kNone, 69, kNone), "stem", far);
    EXPECT_EQ(far.id, "stem");
    EXPECT_EQ(codes(far.warnings), Codes{WarningCode::no_cover_block});

    // Without any heading only the first 30 lines can be a cover block.
    lines[65] = "";
    lines[69] = "";
    lines[31] = "Case Number: CM16-0000042";
    Letter headless;
    parse_cover(lines, Sections{}, "stem", headless);
    EXPECT_EQ(headless.id, "stem");
    lines[29] = lines[31];
    Letter early;
    parse_cover(lines, Sections{}, "stem", early);
    EXPECT_EQ(early.id, "CM16-0000042");
    EXPECT_TRUE(early.warnings.empty());

    // The summary heading ends the block: a case number below it is not the letter's.
    const Lines below = {"CLINICAL CASE SUMMARY", "Case Number: CM16-0000042"};
    Letter l;
    parse_cover(below, with(kNone, 0, kNone), "stem", l);
    EXPECT_EQ(l.id, "stem");
}

// ---- credentials -------------------------------------------------------------------------------

TEST(PassCredentials, ListLinesWithAWrappedList) {
    const Lines lines = {
        "HOW THE IMR FINAL DETERMINATION WAS MADE", "State(s) of Licensure: California,",
        "North Carolina",
        "Certification(s)/Specialty: Internal Medicine, Hospice and Palliative Medicine.",
        "CLINICAL CASE SUMMARY"};
    Letter l;
    parse_credentials(lines, with(0, 4, kNone), specialties(), l);
    EXPECT_EQ(l.states, (std::vector<std::string>{"CA", "NC"}));
    // "and" and "&" are one name: the canonical one is what letters mostly write.
    EXPECT_EQ(l.specialties,
              (std::vector<std::string>{"internal medicine", "hospice & palliative medicine"}));
    EXPECT_TRUE(l.warnings.empty());
}

TEST(PassCredentials, ASpecialtyWrappedInsideItsNameIsJoined) {
    // Wrapped after a connective: the next line finishes the name.
    const Lines amp = {
        "The Expert Reviewer has the following credentials:", "State(s) of Licensure: Oregon",
        "Certification(s)/Specialty: Preventive Medicine, Aerospace Medicine, "
        "Public Health &",
        "General Preventive Medicine", "CLINICAL CASE SUMMARY"};
    Letter a;
    parse_credentials(amp, with(kNone, 4, kNone), specialties(), a);
    EXPECT_EQ(a.specialties,
              (std::vector<std::string>{"preventive medicine", "aerospace medicine",
                                        "public health & general preventive medicine"}));
    EXPECT_TRUE(a.warnings.empty()) << a.warnings.size();

    // Wrapped between two words of a name: the halves make a known specialty.
    const Lines words = {"State(s) of Licensure: Idaho",
                         "Certification(s)/Specialty: Neurology, Pain Management, Occupational",
                         "Medicine", "CLINICAL CASE SUMMARY"};
    Letter w;
    parse_credentials(words, with(kNone, 3, kNone), specialties(), w);
    EXPECT_EQ(w.specialties,
              (std::vector<std::string>{"neurology", "pain management", "occupational medicine"}));
    EXPECT_TRUE(w.warnings.empty());

    // A line that does not finish the last name is not the list's: nothing is joined.
    const Lines other = {"Certification(s)/Specialty: Neurology, Internal Medicine",
                         "Medicine Board of Oregon", "State(s) of Licensure: Idaho",
                         "CLINICAL CASE SUMMARY"};
    Letter o;
    parse_credentials(other, with(kNone, 3, kNone), specialties(), o);
    EXPECT_EQ(o.specialties, (std::vector<std::string>{"neurology", "internal medicine"}));
    EXPECT_EQ(o.states, std::vector<std::string>{"ID"});
}

TEST(PassCredentials, SpecialtiesAreNormalisedAndUnknownOnesWarn) {
    const Lines lines = {"State(s) of Licensure: Ohio",
                         "Certification(s)/Specialty: Chiropractor, Physical Medicine and "
                         "Rehabilitation, Orthopaedic Surgery, Bridge Engineering, Chiropractic",
                         "CLINICAL CASE SUMMARY"};
    Letter l;
    parse_credentials(lines, with(kNone, 2, kNone), specialties(), l);
    // Kept as written when unknown; two writings of one specialty count once.
    EXPECT_EQ(l.specialties,
              (std::vector<std::string>{"chiropractic", "physical medicine & rehabilitation",
                                        "orthopedic surgery", "bridge engineering"}));
    ASSERT_EQ(codes(l.warnings), Codes{WarningCode::unknown_specialty});
    EXPECT_EQ(l.warnings[0].detail, "bridge engineering");

    // "and" between two known names splits them; inside a known name it does not.
    const Lines both = {
        "Certification(s)/Specialty: Anesthesiology and Pain Medicine, Hospice "
        "and Palliative Medicine",
        "CLINICAL CASE SUMMARY"};
    Letter b;
    parse_credentials(both, with(kNone, 1, kNone), specialties(), b);
    EXPECT_EQ(b.specialties, (std::vector<std::string>{"anesthesiology", "pain management",
                                                       "hospice & palliative medicine"}));
    EXPECT_EQ(codes(b.warnings), Codes{WarningCode::no_states});

    // The sentence form goes through the same vocabulary.
    const Lines sentence = {
        "The reviewer is Board Certified in Family Medicine, has a "
        "subspecialty in Astrology and is licensed to practice in Utah.",
        "CLINICAL CASE SUMMARY"};
    Letter s;
    parse_credentials(sentence, with(kNone, 1, kNone), specialties(), s);
    EXPECT_EQ(s.specialties, (std::vector<std::string>{"family practice", "astrology"}));
    ASSERT_EQ(codes(s.warnings), Codes{WarningCode::unknown_specialty});
    EXPECT_EQ(s.warnings[0].detail, "astrology");
}

TEST(PassCredentials, SentenceFormWithASubspecialty) {
    const Lines lines = {"The physician reviewer is Board Certified in Internal Medicine, has a",
                         "subspecialty in Rheumatology and is licensed to practice in California",
                         "and Texas. He is familiar with the case.", "CLINICAL CASE SUMMARY"};
    Letter l;
    parse_credentials(lines, with(kNone, 3, kNone), specialties(), l);
    EXPECT_EQ(l.specialties, (std::vector<std::string>{"internal medicine", "rheumatology"}));
    EXPECT_EQ(l.states, (std::vector<std::string>{"CA", "TX"}));
    EXPECT_TRUE(l.warnings.empty());
}

TEST(PassCredentials, UnknownStatesAndMissingPartsWarn) {
    const Lines atlantis = {"State(s) of Licensure: Atlantis", "CLINICAL CASE SUMMARY"};
    Letter l;
    parse_credentials(atlantis, with(kNone, 1, kNone), specialties(), l);
    EXPECT_TRUE(l.states.empty());
    EXPECT_EQ(codes(l.warnings), (Codes{WarningCode::unknown_state, WarningCode::no_credentials}));
    EXPECT_EQ(l.warnings[0].detail, "Atlantis");

    const Lines states_only = {"State(s) of Licensure: Ohio", "CLINICAL CASE SUMMARY"};
    Letter s;
    parse_credentials(states_only, with(kNone, 1, kNone), specialties(), s);
    EXPECT_EQ(s.states, std::vector<std::string>{"OH"});
    EXPECT_EQ(codes(s.warnings), Codes{WarningCode::no_specialties});

    // Credentials below the summary heading are the summary's text, not the reviewer's.
    const Lines late = {"CLINICAL CASE SUMMARY", "State(s) of Licensure: Ohio"};
    Letter none;
    parse_credentials(late, with(kNone, 0, kNone), specialties(), none);
    EXPECT_TRUE(none.states.empty());
    EXPECT_EQ(codes(none.warnings), Codes{WarningCode::no_credentials});
}

// ---- summary and patient -----------------------------------------------------------------------

TEST(PassSummary, JoinsTheLinesAfterTheIntroUpToTheIssuesHeading) {
    const Lines lines = {"CLINICAL CASE SUMMARY",
                         "The expert reviewer developed the following clinical case summary based",
                         "on a review of the case file, including all medical records:",
                         "The   patient is a 40 year old",
                         "female.",
                         "IMR ISSUES, DECISIONS AND RATIONALES",
                         "Not the summary."};
    Letter l;
    parse_summary(lines, with(kNone, 0, 5), l);
    EXPECT_EQ(l.summary, "The patient is a 40 year old female.");
    EXPECT_TRUE(l.warnings.empty());

    Letter without;
    parse_summary(lines, Sections{}, without);
    EXPECT_TRUE(without.summary.empty());
    EXPECT_EQ(codes(without.warnings), Codes{WarningCode::no_summary});
}

TEST(PassPatient, ReadsTheSummaryAndKeepsTheCoverInjuryDate) {
    Letter l;
    l.summary = "The injured worker is a 52-year-old right-handed man injured on 03/04/2011.";
    l.injury_date = "2011-03-05";  // from the cover block
    parse_patient(Lines{"ignored: a 30 year old woman"}, l);
    EXPECT_EQ(l.age, 52);
    EXPECT_EQ(l.sex, "male");
    EXPECT_EQ(l.injury_date, "2011-03-05");
    EXPECT_TRUE(l.warnings.empty());

    Letter from_summary;
    from_summary.summary = l.summary;
    parse_patient(Lines{}, from_summary);
    EXPECT_EQ(from_summary.injury_date, "2011-03-04");
}

TEST(PassPatient, WithoutASummaryTheLettersFirstLinesAreRead) {
    Letter l;
    parse_patient(Lines{"Dear applicant,", "You are a 61 year", "old woman injured on 7/8/2019."},
                  l);
    EXPECT_EQ(l.age, 61);
    EXPECT_EQ(l.sex, "female");
    EXPECT_EQ(l.injury_date, "2019-07-08");

    Letter none;
    parse_patient(Lines{"Nothing about the patient."}, none);
    EXPECT_EQ(none.age, -1);
    EXPECT_EQ(codes(none.warnings),
              (Codes{WarningCode::no_age, WarningCode::no_sex, WarningCode::no_injury_date}));
}

// ---- item headers ------------------------------------------------------------------------------

// Each header find_item_headers finds, as "first line..decision line decision: request text".
std::vector<std::string> headers_of(const Lines& lines, const Sections& sections,
                                    std::vector<Warning>& warnings) {
    std::vector<std::string> out;
    for (const ItemHeader& h : find_item_headers(lines, sections, warnings)) {
        out.push_back(std::to_string(h.start) + ".." + std::to_string(h.end) + " " +
                      std::string(to_string(h.decision)) + ": " + header_text(lines, h));
    }
    return out;
}

using Strings = std::vector<std::string>;

TEST(PassItemHeaders, DecisionsAtLineEndOrAloneAfterTheIntro) {
    const Lines lines = {"IMR ISSUES, DECISIONS AND RATIONALES",                // 0
                         "The Final Determination was based on decisions for",  // 1
                         "the disputed items/services set forth below:",        // 2
                         "Norco 10/325mg #60: Upheld",                          // 3
                         "Claims Administrator guideline: MTUS.",               // 4
                         "Decision rationale: Not needed.",                     // 5
                         "Knee brace for the",                                  // 6
                         "left knee:",                                          // 7
                         "Overturned",                                          // 8
                         "Decision rationale: Needed."};                        // 9
    std::vector<Warning> warnings;
    // The wrapped intro is not part of the first request.
    EXPECT_EQ(headers_of(lines, with(kNone, kNone, 0), warnings),
              (Strings{"3..3 upheld: Norco 10/325mg #60",
                       "6..8 overturned: Knee brace for the left knee"}));
    EXPECT_TRUE(warnings.empty());
}

TEST(PassItemHeaders, QuotedDecisionsAreNoHeadersAndLabelsMakeAFallbackOne) {
    // "gym membership: Upheld" in the guideline is no header: the item is unfinished and no
    // label follows it. The lone "Upheld" in the rationale is none either: its request would be
    // the label line. The last item starts with its labels: the line before them is its header,
    // with a decision that is not one.
    const Lines lines = {"IMR ISSUES, DECISIONS AND RATIONALES",
                         "Gym membership: Upheld",
                         "Claims Administrator guideline: The prior review cited",
                         "gym membership: Upheld",
                         "as its reason.",
                         "Decision rationale: The prior review said gym membership:",
                         "Upheld",
                         "and we agree.",
                         "Pool therapy: Partially certified",
                         "Claims Administrator guideline: MTUS."};
    std::vector<Warning> warnings;
    EXPECT_EQ(headers_of(lines, with(kNone, kNone, 0), warnings),
              (Strings{"1..1 upheld: Gym membership",
                       "8..8 unknown: Pool therapy: Partially certified"}));
    EXPECT_TRUE(warnings.empty());
}

TEST(PassItemHeaders, WithoutTheIssuesHeadingItemsFollowTheSummary) {
    const Lines lines = {"X-ray: Upheld",  // above the summary: never an item
                         "Decision rationale: a.", "CLINICAL CASE SUMMARY", "MRI: Overturned",
                         "Decision rationale: b."};
    std::vector<Warning> warnings;
    EXPECT_EQ(headers_of(lines, with(kNone, 2, kNone), warnings), Strings{"3..3 overturned: MRI"});
    EXPECT_EQ(codes(warnings), Codes{WarningCode::no_issues_section});
}

// ---- one item ----------------------------------------------------------------------------------

TEST(PassItem, RequestOfAPartialAuthorization) {
    std::vector<Warning> warnings;
    Item remaining;
    set_request(remaining,
                "Physical therapy 12 sessions was the original request. Physical therapy 6 "
                "sessions was authorized. The remaining IMR eligible portion of the original "
                "request, Physical therapy 6 sessions is",
                warnings);
    EXPECT_EQ(remaining.original_request, "Physical therapy 12 sessions");
    EXPECT_EQ(remaining.request, "Physical therapy 6 sessions");
    EXPECT_TRUE(warnings.empty());

    Item plain;
    set_request(plain, "Lumbar MRI", warnings);
    EXPECT_EQ(plain.request, "Lumbar MRI");
    EXPECT_TRUE(plain.original_request.empty());

    Item unparsed;
    set_request(unparsed, "Brace was the original request. Something else happened.", warnings);
    EXPECT_EQ(unparsed.request, "Brace");
    EXPECT_EQ(unparsed.original_request, "Brace");
    EXPECT_EQ(codes(warnings), Codes{WarningCode::partial_authorization_unparsed});
}

TEST(PassItem, BodyLabelsAndEverythingAfterTheRationale) {
    const Lines lines = {"Claims Administrator guideline: Decision based on MTUS", "Chronic Pain.",
                         "MAXIMUS guideline: Decision based on Non-MTUS Citation ODG.",
                         "Decision rationale: First line.",
                         "MAXIMUS guideline: quoted inside the rationale."};
    Item item;
    parse_item_body(lines, 0, lines.size(), item);
    EXPECT_EQ(item.ca_guideline.text, "Decision based on MTUS Chronic Pain.");
    EXPECT_EQ(item.ca_guideline.sources, std::vector<std::string>{"MTUS"});
    EXPECT_EQ(item.maximus_guideline.text, "Decision based on Non-MTUS Citation ODG.");
    EXPECT_EQ(item.maximus_guideline.sources, std::vector<std::string>{"ODG"});
    EXPECT_EQ(item.rationale, "First line. MAXIMUS guideline: quoted inside the rationale.");
}

TEST(PassItem, ClassifyFillsDrugCategoryStrengthAndQuantity) {
    Item item;
    item.request = "Norco 10/325mg #60";
    classify_item(item, DrugVocabulary::builtin());
    EXPECT_EQ(item.drug, "acetaminophen/hydrocodone");
    EXPECT_EQ(item.drug_class, "opioid");
    EXPECT_EQ(item.category, Category::pharmaceutical);
    EXPECT_EQ(item.strength, "10/325mg");
    EXPECT_EQ(item.quantity, "60");

    Item mri;
    mri.request = "MRI of the knee";
    classify_item(mri, DrugVocabulary::builtin());
    EXPECT_TRUE(mri.drug.empty());
    EXPECT_EQ(mri.category, Category::imaging);
}

TEST(PassItem, WarningsNameTheItemByNumber) {
    const Lines lines = {"A: Upheld", "Decision rationale: fine.", "B: Perhaps",
                         "Claims Administrator guideline: MTUS."};
    std::vector<ItemHeader> headers(2);
    headers[0].start = 0;
    headers[0].end = 0;
    headers[0].text_end = 1;
    headers[0].last_len = 1;
    headers[0].decision = Decision::upheld;
    headers[1].start = 2;
    headers[1].end = 2;
    headers[1].text_end = 3;
    headers[1].last_len = lines[2].size();
    std::vector<Warning> warnings;
    const Item first = parse_item(lines, headers, 0, DrugVocabulary::builtin(), warnings);
    EXPECT_EQ(first.request, "A");
    EXPECT_EQ(first.rationale, "fine.") << "the body ends where the next header starts";
    EXPECT_TRUE(warnings.empty());
    const Item second = parse_item(lines, headers, 1, DrugVocabulary::builtin(), warnings);
    EXPECT_EQ(second.request, "B");
    EXPECT_EQ(second.decision, Decision::unknown);
    ASSERT_EQ(codes(warnings),
              (Codes{WarningCode::decision_unrecognised, WarningCode::truncated_item}));
    EXPECT_EQ(warnings[0].detail, "item 2: \"Perhaps\"");
    EXPECT_EQ(warnings[1].detail, "item 2 has no decision rationale");
}

// ---- the end of the letter ---------------------------------------------------------------------

TEST(PassTruncation, NoItemsOrAnUnfinishedLastSentence) {
    Letter empty;
    check_truncation(Lines{"text"}, {}, empty);
    EXPECT_EQ(codes(empty.warnings), Codes{WarningCode::no_items});

    std::vector<ItemHeader> headers(1);
    Letter cut;
    cut.items.resize(1);
    cut.items[0].rationale = "It is not medically";
    check_truncation(Lines{"X: Upheld", "Decision rationale: It is not medically", ""}, headers,
                     cut);
    ASSERT_EQ(codes(cut.warnings), Codes{WarningCode::truncated_item});
    EXPECT_EQ(cut.warnings[0].detail,
              "letter ends mid-sentence: \"Decision rationale: It is not medically\"");

    // Without its final period, a last sentence that states the conclusion is no truncation.
    Letter unfinished;
    unfinished.items.resize(1);
    unfinished.items[0].rationale =
        "No study is documented. Hence the left arm EMG is not medically necessary";
    check_truncation(Lines{"X: Upheld", "Decision rationale: No study is documented. Hence the",
                           "left arm EMG is not medically necessary", ""},
                     headers, unfinished);
    ASSERT_EQ(codes(unfinished.warnings), Codes{WarningCode::no_final_period});
    EXPECT_EQ(unfinished.warnings[0].detail,
              "letter ends without a final period: \"left arm EMG is not medically necessary\"");
    // Its last sentence is what counts: an earlier conclusion does not make a cut letter whole.
    Letter earlier;
    earlier.items.resize(1);
    earlier.items[0].rationale = "It is medically necessary. Further, the";
    check_truncation(
        Lines{"X: Upheld", "Decision rationale: It is medically necessary. Further, the"}, headers,
        earlier);
    EXPECT_EQ(codes(earlier.warnings), Codes{WarningCode::truncated_item});
    Letter tail;
    tail.items.resize(1);
    tail.items[0].rationale = "The request is not a medical necessity at this time";
    check_truncation(Lines{"X: Upheld", tail.items[0].rationale}, headers, tail);
    EXPECT_EQ(codes(tail.warnings), Codes{WarningCode::no_final_period});

    Letter done;
    done.items = cut.items;
    check_truncation(Lines{"X: Upheld", "Decision rationale: It is fine."}, headers, done);
    EXPECT_TRUE(done.warnings.empty());

    // An item without any rationale was already reported by parse_item.
    Letter bare;
    bare.items.resize(1);
    check_truncation(Lines{"X: Upheld", "Claims Administrator guideline: MTUS"}, headers, bare);
    EXPECT_TRUE(bare.warnings.empty());
}

}  // namespace
}  // namespace imrdex::parse
