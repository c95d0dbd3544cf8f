// Unit tests of the one text module: the index side (DocumentBuilder), the query side
// (QueryBuilder) and snippets make the same words of tricky text, and dates are ISO dates that
// exist, on every side.
#include <gtest/gtest.h>

#include <xapian.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "imrdex/core/date.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/tokenizer.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/search/search.hpp"

namespace {

using imrdex::IsoDate;
namespace schema = imrdex::schema;

// (term without its prefix, position) in position order.
using Postings = std::vector<std::pair<std::string, Xapian::termpos>>;

Postings postings(const Xapian::Document& doc, std::string_view prefix) {
    Postings out;
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
        const std::string t = *it;
        if (t.compare(0, prefix.size(), prefix) != 0) continue;
        // XR is not XRW...: a term's own text is lower-case, a longer prefix is upper-case.
        if (t.size() > prefix.size() && t[prefix.size()] >= 'A' && t[prefix.size()] <= 'Z')
            continue;
        for (auto p = it.positionlist_begin(); p != it.positionlist_end(); ++p)
            out.emplace_back(t.substr(prefix.size()), *p);
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    return out;
}

imrdex::Letter letter_with_rationale(const std::string& rationale) {
    imrdex::Letter l;
    l.id = "CM16-0000001";
    imrdex::Item item;
    item.request = "request";
    item.decision = imrdex::Decision::upheld;
    item.rationale = rationale;
    l.items.push_back(item);
    return l;
}

// The index path: the rationale's positional XR terms as DocumentBuilder makes them.
Postings indexed(const std::string& text) {
    imrdex::DocumentBuilder builder;
    const auto docs = builder.build(letter_with_rationale(text));
    return postings(docs.at(0).document, schema::kRationale);
}

// Xapian's own TermGenerator over the same text, as the QueryParser expects the index to be.
Postings reference(const std::string& text) {
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    Xapian::Document doc;
    tg.set_document(doc);
    tg.index_text(text, 1, std::string(schema::kRationale));
    return postings(doc, schema::kRationale);
}

const imrdex::QueryBuilder& builder() {
    static const imrdex::QueryBuilder b;
    return b;
}

// The query path: the XR terms of `query`, in query order.
std::vector<std::string> query_terms(const std::string& query) {
    const Xapian::Query q = builder().parse(query);
    std::vector<std::string> out;
    for (auto it = q.get_terms_begin(); it != q.get_terms_end(); ++it) {
        const std::string t = *it;
        if (t.compare(0, schema::kRationale.size(), schema::kRationale) == 0)
            out.push_back(t.substr(schema::kRationale.size()));
    }
    return out;
}

std::vector<std::string> terms_of(const Postings& p) {
    std::vector<std::string> out;
    for (const auto& [t, pos] : p) out.push_back(t);
    return out;
}

std::string phrase(const std::string& text) {
    return "rationale:\"" + text + "\"";
}

// The highlighted pieces of `text` when the query looks for `stems`.
std::vector<std::string> highlighted(const std::string& text, std::vector<std::string> stems) {
    std::sort(stems.begin(), stems.end());
    std::vector<std::string> out;
    for (const auto& part : imrdex::make_snippet(text, stems, {}, 100000))
        if (part.match) out.push_back(part.text);
    return out;
}

// A tricky text and the pieces of it that are its words, in order: written by hand, the
// oracle for word boundaries.
struct Case {
    std::string text;
    std::vector<std::string> words;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> all = {
        {"Caf\u00E9 na\u00EFve r\u00E9sum\u00E9 \u00C5ngstr\u00F6m",
         {"Caf\u00E9", "na\u00EFve", "r\u00E9sum\u00E9", "\u00C5ngstr\u00F6m"}},
        // A combining accent is part of its word.
        {"cafe\u0301 latte", {"cafe\u0301", "latte"}},
        // Greek, Cyrillic, Hebrew, Arabic, Chinese (one word: no n-grams), Devanagari.
        {"\u0397 \u03B8\u03B5\u03C1\u03B1\u03C0\u03B5\u03AF\u03B1, \u043B\u0435\u0447\u0435\u043D"
         "\u0438\u0435 \u05D8\u05D9\u05E4\u05D5\u05DC \u0639\u0644\u0627\u062C \u75BC\u75DB "
         "\u0926\u0930\u094D\u0926",
         {"\u0397", "\u03B8\u03B5\u03C1\u03B1\u03C0\u03B5\u03AF\u03B1",
          "\u043B\u0435\u0447\u0435\u043D\u0438\u0435", "\u05D8\u05D9\u05E4\u05D5\u05DC",
          "\u0639\u0644\u0627\u062C", "\u75BC\u75DB", "\u0926\u0930\u094D\u0926"}},
        // Straight and curly apostrophes join; a left single quote does not.
        {"Don't stop O\u2019Brien rock\u201Bn \u2018quoted\u2019 end",
         {"Don't", "stop", "O\u2019Brien", "rock\u201Bn", "quoted", "end"}},
        {"Take 3.5 mg, 1,000 units; version 2.5.3 or 4;5 x3.7",
         {"Take", "3.5", "mg", "1,000", "units", "version", "2.5.3", "or", "4;5", "x3.7"}},
        {"c++ and c# or f#+ with x+++ but y++++ fish+chips a+b C++11 end+",
         {"c++", "and", "c#", "or", "f#+", "with", "x+++", "but", "y", "fish", "chips", "a", "b",
          "C", "11", "end+"}},
        {"at&t and AT&T M&S rock&roll", {"at&t", "and", "AT&T", "M&S", "rock&roll"}},
        {"M.D. reviewed U.S.A. Ph.D. e.g. P.T.O",
         {"M.D.", "reviewed", "U.S.A.", "Ph", "D", "e", "g", "P.T.O"}},
        // Zero-width space, joiner, word joiner and byte order mark vanish inside a word.
        {"zero\u200Bwidth non\u200Djoiner word\u2060joiner bom\uFEFFbyte \u200Blead",
         {"zero\u200Bwidth", "non\u200Djoiner", "word\u2060joiner", "bom\uFEFFbyte", "lead"}},
        // Latin-1 bytes read as Latin-1 characters, as Xapian reads them.
        {"caf\xE9 na\xEFve \xC9T\xC9 100\xB0 F", {"caf\xE9", "na\xEFve", "\xC9T\xC9", "100", "F"}},
        // Ill-formed UTF-8: stray continuation, truncated sequences, an overlong form; each bad
        // byte is a Latin-1 character. An encoded surrogate is one character (no word one).
        {"bad\xFF\xFE_ \xC3 alone trunc\xE2\x82 x \x80y over\xC0\xAF sur\xED\xA0\x80_gate",
         {"bad\xFF\xFE_", "\xC3", "alone", "trunc\xE2", "x", "y", "over\xC0", "sur", "_gate"}},
        {"10mg 5x/day 500mcg 0.5mg 3rd 1st q6h",
         {"10mg", "5x", "day", "500mcg", "0.5mg", "3rd", "1st", "q6h"}},
        {"follow-up long\u2014term x/y under_score __init__ pain \U0001F600 free",
         {"follow", "up", "long", "term", "x", "y", "under_score", "__init__", "pain", "free"}},
    };
    return all;
}

TEST(Text, IndexPathIsXapiansTermGenerator) {
    for (const Case& c : cases()) EXPECT_EQ(indexed(c.text), reference(c.text)) << c.text;
}

TEST(Text, IndexAndQueryMakeTheSameTerms) {
    for (const Case& c : cases()) {
        const Postings index = indexed(c.text);
        EXPECT_EQ(index.size(), c.words.size()) << c.text;
        // The whole text as a phrase, and as loose words.
        EXPECT_EQ(query_terms(phrase(c.text)), terms_of(index)) << c.text;
        // Each word alone is the term the index made of it in context.
        for (std::size_t k = 0; k < c.words.size() && k < index.size(); ++k)
            EXPECT_EQ(query_terms(phrase(c.words[k])), std::vector<std::string>{index[k].first})
                << c.text << " word " << k;
    }
}

TEST(Text, SnippetsHighlightExactlyTheIndexedWords) {
    for (const Case& c : cases()) {
        const Postings index = indexed(c.text);
        ASSERT_EQ(index.size(), c.words.size()) << c.text;
        for (std::size_t k = 0; k < index.size(); ++k) {
            std::vector<std::string> want;
            for (std::size_t j = 0; j < index.size(); ++j)
                if (index[j].first == index[k].first) want.push_back(c.words[j]);
            EXPECT_EQ(highlighted(c.text, {index[k].first}), want) << c.text << " word " << k;
        }
    }
}

TEST(Text, OverlongWordsAreNeitherIndexedNorQueried) {
    const std::string w64(64, 'a');
    const std::string w65(65, 'b');
    std::string e33;  // 33 characters, 66 bytes: the limit is in bytes
    for (int i = 0; i < 33; ++i) e33 += "\xC3\xA9";
    const std::string text = "kept " + w64 + " skipped " + w65 + " " + e33 + " last";
    const Postings index = indexed(text);
    EXPECT_EQ(index, reference(text));
    EXPECT_EQ(terms_of(index), (std::vector<std::string>{"kept", w64, "skip", "last"}));
    // A skipped word takes no position: the phrase runs across it.
    EXPECT_EQ(index.back().second, 4u);
    EXPECT_EQ(query_terms(phrase("kept " + w64)), (std::vector<std::string>{"kept", w64}));
    for (const std::string& q : {w65, phrase("skipped " + w65 + " last"), "rationale:" + e33}) {
        try {
            (void)builder().parse(q);
            ADD_FAILURE() << "no error for " << q;
        } catch (const imrdex::QueryError& e) {
            EXPECT_NE(std::string(e.what()).find("longer than 64 bytes"), std::string::npos)
                << e.what();
        }
    }
    EXPECT_EQ(highlighted(text, {"skip"}), std::vector<std::string>{"skipped"});
}

// Random mixes of the awkward pieces: the index path agrees with Xapian's TermGenerator and
// the query path, and a one-stem snippet lights up exactly the words with that stem.
TEST(Text, RandomTextAgreesOnEverySide) {
    const std::vector<std::string> pieces = {"a",
                                             "Z",
                                             "7",
                                             "42",
                                             " ",
                                             "  ",
                                             ".",
                                             ",",
                                             ";",
                                             "'",
                                             "\xE2\x80\x99",
                                             "&",
                                             "+",
                                             "#",
                                             "-",
                                             "/",
                                             "_",
                                             "U.S.",
                                             "M.",
                                             "\xC3\xA9",
                                             "\xC3\x89",
                                             "\xE9",
                                             "\xFF",
                                             "\xC3",
                                             "\xE2\x80\x8D",
                                             "\xEF\xBB\xBF",
                                             "\xCC\x81",
                                             "\xCE\xB1",
                                             "\xD0\x96",
                                             "\xE7\x96\xBC",
                                             "\xF0\x9F\x98\x80",
                                             "\x80",
                                             "\xED\xA0\x80",
                                             "(",
                                             ")",
                                             "\xC2\xB7",
                                             "\xD9\xA3",
                                             "\xE2\x80\x94",
                                             "mg",
                                             "x"};
    std::mt19937 rng(20161209);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::uniform_int_distribution<int> length(1, 30);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    int compared = 0;
    for (int n = 0; n < 3000; ++n) {
        std::string text;
        for (int k = length(rng); k > 0; --k) text += pieces[pick(rng)];
        const Postings index = indexed(text);
        ASSERT_EQ(index, reference(text)) << testing::PrintToString(text);
        // ".." is the range operator to the QueryParser, even between quotes.
        if (index.empty() || text.find("..") != std::string::npos) continue;
        ++compared;
        ASSERT_EQ(query_terms(phrase(text)), terms_of(index)) << testing::PrintToString(text);
        // Every highlighted piece is made only of words with the stem, as many as the index has.
        const std::string& stem = index[static_cast<std::size_t>(n) % index.size()].first;
        std::size_t want = 0;
        for (const auto& [t, pos] : index) want += t == stem ? 1 : 0;
        std::size_t got = 0;
        for (const std::string& piece : highlighted(text, {stem})) {
            const Postings words = reference(piece);
            for (const auto& [t, pos] : words) EXPECT_EQ(t, stem) << testing::PrintToString(text);
            got += words.size();
        }
        ASSERT_EQ(got, want) << testing::PrintToString(text) << " stem " << stem;
    }
    EXPECT_GT(compared, 2000);
}

TEST(Text, TokenizerGivesByteRangesAndTerms) {
    imrdex::text::Tokenizer tok;
    std::vector<std::pair<std::string, std::string>> got;  // source piece, term
    const std::string text =
        "  O\xE2\x80\x99"
        "Brien's U.S.A. c++ 3.5\xE2\x80\x8Bmg.";
    tok.split(text, [&](const imrdex::text::Word& w) {
        got.emplace_back(text.substr(w.begin, w.end - w.begin), std::string(w.term));
    });
    const std::vector<std::pair<std::string, std::string>> want = {{"O\xE2\x80\x99"
                                                                    "Brien's",
                                                                    "o'brien's"},
                                                                   {"U.S.A.", "usa"},
                                                                   {"c++", "c++"},
                                                                   {"3.5\xE2\x80\x8Bmg", "3.5mg"}};
    EXPECT_EQ(got, want);
}

TEST(Text, StemCacheStemsAndStaysBounded) {
    imrdex::text::StemCache stem(2);
    EXPECT_EQ(stem("opioids"), "opioid");
    EXPECT_EQ(stem("weaning"), "wean");
    EXPECT_EQ(stem("recommended"), "recommend");  // past the bound: emptied, still right
    EXPECT_EQ(stem("opioids"), "opioid");
}

// ---- dates ----------------------------------------------------------------------------------

TEST(Date, ParsesEachPrecision) {
    const auto year = IsoDate::parse("2016");
    ASSERT_TRUE(year);
    EXPECT_EQ(year->precision(), IsoDate::Precision::year);
    EXPECT_EQ(year->str(), "2016");
    EXPECT_EQ(year->year(), 2016);
    EXPECT_EQ(year->month(), 0u);
    EXPECT_EQ(year->number(), 20160000.0);
    const auto month = IsoDate::parse("2016-02");
    ASSERT_TRUE(month);
    EXPECT_EQ(month->precision(), IsoDate::Precision::month);
    EXPECT_EQ(month->str(), "2016-02");
    EXPECT_EQ(month->month(), 2u);
    EXPECT_EQ(month->day(), 0u);
    EXPECT_EQ(month->number(), 20160200.0);
    const auto day = IsoDate::parse("2016-02-29");
    ASSERT_TRUE(day);
    EXPECT_EQ(day->precision(), IsoDate::Precision::day);
    EXPECT_EQ(day->ymd(), std::chrono::year_month_day(std::chrono::year(2016),
                                                      std::chrono::February, std::chrono::day(29)));
    EXPECT_EQ(day->str(), "2016-02-29");
    EXPECT_EQ(day->number(), 20160229.0);
    for (const char* ok : {"2000-02-29", "0001-01-01", "9999-12-31", "1999-12", "2016-04-30"})
        EXPECT_EQ(IsoDate::parse(ok).value().str(), ok);
}

TEST(Date, RejectsMalformedAndImpossibleDates) {
    for (const char* bad :
         {"",           "2016-02-30", "2015-02-29", "1900-02-29",  "2016-04-31", "2016-13",
          "2016-13-01", "2016-00",    "2016-01-00", "0000",        "0000-01-01", "2016-1",
          "2016-1-1",   "16-02-01",   "2016/01/01", "2016-01-01x", " 2016",      "20160101",
          "+016",       "2016-01-32"}) {
        std::string why;
        EXPECT_FALSE(IsoDate::parse(bad, &why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
        EXPECT_EQ(imrdex::date_number(bad), 0.0) << bad;
    }
    std::string why;
    (void)IsoDate::parse("2016-02-30", &why);
    EXPECT_EQ(why, "February 2016 has 29 days");
    (void)IsoDate::parse("2015-02-29", &why);
    EXPECT_EQ(why, "February 2015 has 28 days");
    (void)IsoDate::parse("2016-13", &why);
    EXPECT_EQ(why, "there is no month 13");
    (void)IsoDate::parse("0000", &why);
    EXPECT_EQ(why, "there is no year 0");
    EXPECT_FALSE(IsoDate::from_parts(2016, 2, 30));
    EXPECT_FALSE(IsoDate::from_parts(2016, 0, 5));  // a day without its month
    EXPECT_FALSE(IsoDate::from_parts(10000));
    EXPECT_EQ(IsoDate::from_parts(2016, 12).value().str(), "2016-12");
}

TEST(Date, QueryBoundsCoverTheWholeYearOrMonth) {
    EXPECT_EQ(IsoDate::parse("2016")->first(), 20160000.0);
    EXPECT_EQ(IsoDate::parse("2016")->last(), 20161299.0);
    EXPECT_EQ(IsoDate::parse("2016-02")->first(), 20160200.0);
    EXPECT_EQ(IsoDate::parse("2016-02")->last(), 20160299.0);
    EXPECT_EQ(IsoDate::parse("2016-02-29")->first(), 20160229.0);
    EXPECT_EQ(IsoDate::parse("2016-02-29")->last(), 20160229.0);
    // Every stored date of the year or month lies within its bounds, whatever its precision.
    const auto year = IsoDate::parse("2016").value();
    const auto feb = IsoDate::parse("2016-02").value();
    for (const char* in :
         {"2016", "2016-01", "2016-02", "2016-02-01", "2016-02-29", "2016-12-31"}) {
        const double v = imrdex::date_number(in);
        EXPECT_GE(v, year.first()) << in;
        EXPECT_LE(v, year.last()) << in;
    }
    for (const char* in : {"2016-02", "2016-02-01", "2016-02-29"}) {
        EXPECT_GE(imrdex::date_number(in), feb.first()) << in;
        EXPECT_LE(imrdex::date_number(in), feb.last()) << in;
    }
    for (const char* out : {"2015-12-31", "2016-01-31", "2016-03", "2017"}) {
        const double v = imrdex::date_number(out);
        EXPECT_TRUE(v < feb.first() || v > feb.last()) << out;
    }
}

TEST(Date, ImpossibleDatesAreQueryErrorsNamingTheDate) {
    try {
        (void)builder().parse("opioid decided:2016-02-30");
        ADD_FAILURE() << "decided:2016-02-30 parsed";
    } catch (const imrdex::QueryError& e) {
        EXPECT_NE(std::string(e.what()).find("2016-02-30"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)builder().parse("injured:2015-02-29..2016"), imrdex::QueryError);
    EXPECT_NO_THROW((void)builder().parse("injured:2016-02-29..2016"));
}

TEST(Date, IndexStoresOnlyDatesThatExist) {
    imrdex::Letter l = letter_with_rationale("text");
    l.decision_date = "2016-02-30";
    l.injury_date = "2016-02";
    l.date_assigned = "2016-02-29";
    l.received_date = "2015-02-29";
    imrdex::DocumentBuilder b;
    const Xapian::Document doc = b.build(l).at(0).document;
    EXPECT_TRUE(doc.get_value(schema::kSlotDecisionDate).empty());
    EXPECT_TRUE(doc.get_value(schema::kSlotReceivedDate).empty());
    EXPECT_EQ(Xapian::sortable_unserialise(doc.get_value(schema::kSlotInjuryDate)), 20160200.0);
    EXPECT_EQ(Xapian::sortable_unserialise(doc.get_value(schema::kSlotDateAssigned)), 20160229.0);
}

const char* const kSummary =
    "CLINICAL CASE SUMMARY\n"
    "The expert reviewer developed the following clinical case summary based on a review of the\n"
    "case file, including all medical records:\n"
    "The injured worker is a 40 year old female who was injured on INJURY. She has pain.\n"
    "IMR ISSUES, DECISIONS AND RATIONALES\n"
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:\n"
    "Knee brace: Upheld\n"
    "Claims Administrator guideline: Decision based on MTUS.\n"
    "MAXIMUS guideline: Decision based on Non-MTUS Citation ODG.\n"
    "Decision rationale: It is fine.\n";

std::string letter_text(const std::string& assigned, const std::string& injury) {
    std::string summary = kSummary;
    summary.replace(summary.find("INJURY"), 6, injury);
    return "Case Number:\nDate Assigned:\nDecision Date:\nPriority:\n\nCM16-0000042\n" + assigned +
           "\n12/09/2016\nStandard\n\n" + summary;
}

bool has_warning(const imrdex::Letter& l, imrdex::WarningCode code) {
    return std::any_of(l.warnings.begin(), l.warnings.end(),
                       [&](const imrdex::Warning& w) { return w.code == code; });
}

TEST(Date, ParserEmitsNoImpossibleDate) {
    const imrdex::LetterParser parser;
    const auto good = parser.parse(letter_text("02/29/2016", "February 29, 2012"), "x", "x.txt");
    EXPECT_EQ(good.date_assigned, "2016-02-29");
    EXPECT_EQ(good.injury_date, "2012-02-29");
    EXPECT_FALSE(has_warning(good, imrdex::WarningCode::impossible_date));
    EXPECT_FALSE(has_warning(good, imrdex::WarningCode::cover_block_mismatch));

    // In the cover block the impossible date still fills its label: the next label keeps its
    // own date, the field stays empty, and the letter says why.
    const auto bad = parser.parse(letter_text("02/30/2016", "02/29/2015"), "x", "x.txt");
    EXPECT_EQ(bad.date_assigned, "");
    EXPECT_EQ(bad.decision_date, "2016-12-09");
    EXPECT_TRUE(has_warning(bad, imrdex::WarningCode::impossible_date));
    EXPECT_FALSE(has_warning(bad, imrdex::WarningCode::cover_block_mismatch));
    EXPECT_EQ(bad.injury_date, "");
    EXPECT_TRUE(has_warning(bad, imrdex::WarningCode::no_injury_date));

    const auto words = parser.parse(letter_text("11/09/2016", "April 31, 2014"), "x", "x.txt");
    EXPECT_EQ(words.injury_date, "");
    const auto month = parser.parse(letter_text("11/09/2016", "February of 2015"), "x", "x.txt");
    EXPECT_EQ(month.injury_date, "2015-02");
}

}  // namespace
