// Unit tests of query building: fields, filters, ranges and the errors of bad queries; and of
// snippets: what a query highlights, where, and how each output format carries it.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <xapian.h>

#include <map>

#include "imrdex/core/errors.hpp"
#include "imrdex/search/search.hpp"

namespace {

std::string parsed(const std::string& q) {
    static const imrdex::QueryBuilder builder;
    return builder.parse(q).get_description();
}

std::string range(Xapian::Query::op op, Xapian::valueno slot, double a, double b = 0) {
    if (op == Xapian::Query::OP_VALUE_RANGE)
        return Xapian::Query(op, slot, Xapian::sortable_serialise(a), Xapian::sortable_serialise(b))
            .get_description();
    return Xapian::Query(op, slot, Xapian::sortable_serialise(a)).get_description();
}

// The message of the QueryError `q` throws ("" when it does not throw).
std::string error_of(const std::string& q) {
    try {
        (void)parsed(q);
    } catch (const imrdex::QueryError& e) {
        return e.what();
    }
    return "";
}

TEST(Query, UnprefixedTextSearchesAllThreeFieldsStemmed) {
    EXPECT_EQ(parsed("opioids"), "Query((XRopioid@1 OR XQopioid@1 OR XSopioid@1))");
}

TEST(Query, PhraseIsAPhraseInEachField) {
    EXPECT_EQ(parsed("\"long-term use\""),
              "Query(((XRlong@1 PHRASE 3 XRterm@2 PHRASE 3 XRuse@3) OR "
              "(XQlong@1 PHRASE 3 XQterm@2 PHRASE 3 XQuse@3) OR "
              "(XSlong@1 PHRASE 3 XSterm@2 PHRASE 3 XSuse@3)))");
}

TEST(Query, FieldPrefixes) {
    EXPECT_EQ(parsed("rationale:\"long-term use\""),
              "Query((XRlong@1 PHRASE 3 XRterm@2 PHRASE 3 XRuse@3))");
    EXPECT_EQ(parsed("request:MRI summary:females"), "Query((XQmri@1 AND XSfemal@2))");
}

TEST(Query, LowerCaseAndOrAreWordsCapitalsAreOperators) {
    EXPECT_EQ(parsed("risks and benefits"),
              "Query(((XRrisk@1 OR XQrisk@1 OR XSrisk@1) AND (XRand@2 OR XQand@2 OR XSand@2) AND "
              "(XRbenefit@3 OR XQbenefit@3 OR XSbenefit@3)))");
    EXPECT_EQ(parsed("rationale:weaning OR rationale:tapering"), "Query((XRwean@1 OR XRtaper@2))");
    EXPECT_EQ(parsed("rationale:weaning NOT rationale:tapering"),
              "Query((XRwean@1 AND_NOT XRtaper@2))");
}

TEST(Query, NearAndWildcard) {
    EXPECT_EQ(parsed("rationale:weaning NEAR rationale:opioids"),
              "Query((XRwean@1 NEAR 11 XRopioid@2))");
    EXPECT_EQ(parsed("rationale:benzo*"), "Query(WILDCARD SYNONYM XRbenzo)");
}

std::string narrowed(const std::string& q) {
    static const imrdex::QueryBuilder builder;
    return imrdex::narrow_phrases(builder.parse(q)).get_description();
}

TEST(Query, TwoWordPhraseNarrowsToItsPairInEachField) {
    EXPECT_EQ(narrowed("rationale:\"long-term\""), "Query(XWRlong term)");
    EXPECT_EQ(narrowed("\"medically necessary\""),
              "Query((XWRmedic necessari OR XWQmedic necessari OR XWSmedic necessari))");
}

TEST(Query, LongerPhraseIsWeighedByPairsAndCheckedByThePhrase) {
    EXPECT_EQ(narrowed("rationale:\"long-term use\" class:opioid"),
              "Query((((XWRlong term AND XWRterm use) FILTER "
              "(XRlong@1 PHRASE 3 XRterm@2 PHRASE 3 XRuse@3)) FILTER XCopioid))");
}

TEST(Query, NarrowingLeavesAllButExactPhrasesAlone) {
    // ADJ/3 and NEAR allow gaps, so their words need not be pairs; words and filters are kept.
    for (const char* q :
         {"rationale:weaning ADJ/3 rationale:opioids", "rationale:weaning NEAR rationale:opioids",
          "opioid decision:upheld", "rationale:benzo* age:40..60"}) {
        EXPECT_EQ(narrowed(q), parsed(q)) << q;
    }
    // An exact phrase under NOT or OR is narrowed in place.
    EXPECT_EQ(narrowed("rationale:opioid NOT rationale:\"long-term\""),
              "Query((XRopioid@1 AND_NOT XWRlong term))");
}

TEST(Query, FacetFiltersAreNormalised) {
    EXPECT_EQ(parsed("decision:Upheld"), "Query(0 * XDupheld)");
    EXPECT_EQ(parsed("Decision:OVERTURNED"), "Query(0 * XDoverturned)");
    EXPECT_EQ(parsed("specialty:\"Internal   Medicine\""), "Query(0 * XPinternal medicine)");
    EXPECT_EQ(parsed("state:CA"), "Query(0 * XTca)");
    EXPECT_EQ(parsed("state:California"), "Query(0 * XTca)");
    EXPECT_EQ(parsed("state:\"new york\""), "Query(0 * XTny)");
    EXPECT_EQ(parsed("drug:Acetaminophen/Hydrocodone"), "Query(0 * XGacetaminophen/hydrocodone)");
    EXPECT_EQ(parsed("class:\"muscle relaxant\""), "Query(0 * XCmuscle relaxant)");
    EXPECT_EQ(parsed("category:imaging sex:Female priority:expedited"),
              "Query(0 * (XKimaging AND XYexpedited AND XXfemale))");
    EXPECT_EQ(parsed("guideline:ODG caguideline:mtus"), "Query(0 * (XModg AND XNmtus))");
    EXPECT_EQ(parsed("id:CM16-0001234"), "Query(0 * XLCM16-0001234)");
    EXPECT_EQ(parsed("id:cm16-0001234"), "Query(0 * (XLcm16-0001234 OR XLCM16-0001234))");
    EXPECT_EQ(parsed("year:2016"), "Query(0 * XA2016)");
    EXPECT_EQ(parsed("year:2016 year:2017"), "Query(0 * (XA2016 OR XA2017))");
}

// drug: values go through the indexer's drug vocabulary; a generic name stays itself.
TEST(Query, DrugFiltersLookUpBrandsInTheDrugVocabulary) {
    EXPECT_EQ(parsed("drug:Norco"), "Query(0 * (XGnorco OR XGacetaminophen/hydrocodone))");
    EXPECT_EQ(parsed("drug:xanax"), "Query(0 * (XGxanax OR XGalprazolam))");
    EXPECT_EQ(parsed("drug:hydrocodone"), "Query(0 * XGhydrocodone)");
    EXPECT_EQ(parsed("drug:unheardofium"), "Query(0 * XGunheardofium)");
}

// The filters of a query, for checking their values against a database.
TEST(Query, ParseReportsEachFilterWithItsTermsAndTheWordAfterIt) {
    const imrdex::QueryBuilder builder;
    std::vector<imrdex::QueryBuilder::Filter> filters;
    (void)builder.parse("rationale:weaning class:muscle relaxant -drug:Norco AND sex:F", filters);
    ASSERT_EQ(filters.size(), 3U);
    std::map<std::string, const imrdex::QueryBuilder::Filter*> by_field;
    for (const auto& f : filters) by_field[std::string(f.facet->name)] = &f;
    ASSERT_EQ(by_field.size(), 3U);
    EXPECT_EQ(by_field["class"]->typed, "muscle");
    EXPECT_EQ(by_field["class"]->terms, std::vector<std::string>{"XCmuscle"});
    EXPECT_EQ(by_field["class"]->next_word, "relaxant");
    EXPECT_EQ(by_field["drug"]->terms,
              (std::vector<std::string>{"XGnorco", "XGacetaminophen/hydrocodone"}));
    EXPECT_EQ(by_field["drug"]->next_word, "");  // an operator follows
    EXPECT_EQ(by_field["sex"]->terms, std::vector<std::string>{"XXf"});
    (void)builder.parse("class:\"muscle relaxant\" opioid", filters);
    ASSERT_EQ(filters.size(), 1U);
    EXPECT_EQ(filters[0].next_word, "");  // a quoted value is whole
    (void)builder.parse("rationale:weaning", filters);
    EXPECT_TRUE(filters.empty());
}

// `*` is every item; beside filters or words it changes nothing; quoted it is no match-all.
TEST(Query, StarAloneMatchesEverything) {
    EXPECT_EQ(parsed("*"), Xapian::Query(Xapian::Query::MatchAll).get_description());
    EXPECT_EQ(parsed("  * "), parsed("*"));
    EXPECT_EQ(parsed("* decision:upheld"), parsed("decision:upheld"));
    EXPECT_EQ(parsed("rationale:weaning *"), parsed("rationale:weaning"));
    EXPECT_EQ(parsed("rationale:benzo*"), "Query(WILDCARD SYNONYM XRbenzo)");
    EXPECT_NE(error_of("\"*\""), "");
}

TEST(Query, RepeatedFiltersOrSingleValuedAndMultiValued) {
    EXPECT_EQ(parsed("decision:upheld decision:overturned"),
              "Query(0 * (XDupheld OR XDoverturned))");
    EXPECT_EQ(parsed("specialty:psychiatry specialty:\"pain management\""),
              "Query(0 * (XPpsychiatry AND XPpain management))");
}

TEST(Query, FiltersCombineWithText) {
    EXPECT_EQ(parsed("rationale:weaning class:opioid -decision:upheld"),
              "Query(((XRwean@1 FILTER XCopioid) AND_NOT XDupheld))");
}

TEST(Query, AgeRanges) {
    using Q = Xapian::Query;
    EXPECT_EQ(parsed("age:40..60"), range(Q::OP_VALUE_RANGE, 9, 40, 60));
    EXPECT_EQ(parsed("age:45"), range(Q::OP_VALUE_RANGE, 9, 45, 45));
    EXPECT_EQ(parsed("age:..30"), range(Q::OP_VALUE_LE, 9, 30));
    EXPECT_EQ(parsed("age:65.."), range(Q::OP_VALUE_GE, 9, 65));
}

TEST(Query, DateRangesAtYearMonthDayPrecision) {
    using Q = Xapian::Query;
    EXPECT_EQ(parsed("injured:2010..2014"), range(Q::OP_VALUE_RANGE, 12, 20100000, 20141299));
    EXPECT_EQ(parsed("decided:2016-12-01..2017-01-31"),
              range(Q::OP_VALUE_RANGE, 11, 20161201, 20170131));
    EXPECT_EQ(parsed("decided:2016-12"), range(Q::OP_VALUE_RANGE, 11, 20161200, 20161299));
    EXPECT_EQ(parsed("assigned:2016-11.."), range(Q::OP_VALUE_GE, 10, 20161100));
    EXPECT_EQ(parsed("injured:..2005"), range(Q::OP_VALUE_LE, 12, 20051299));
    EXPECT_EQ(parsed("denied:2016-10-03"), range(Q::OP_VALUE_RANGE, 13, 20161003, 20161003));
    EXPECT_EQ(parsed("received:2016"), range(Q::OP_VALUE_RANGE, 14, 20160000, 20161299));
}

TEST(Query, DateBoundsCoverTheWholeYearOrMonth) {
    using Q = Xapian::Query;
    EXPECT_EQ(parsed("decided:2016"), range(Q::OP_VALUE_RANGE, 11, 20160000, 20161299));
    EXPECT_EQ(parsed("decided:2016-02"), range(Q::OP_VALUE_RANGE, 11, 20160200, 20160299));
    EXPECT_EQ(parsed("decided:2016-02-29"), range(Q::OP_VALUE_RANGE, 11, 20160229, 20160229));
    EXPECT_EQ(parsed("decided:2015-02..2016"), range(Q::OP_VALUE_RANGE, 11, 20150200, 20161299));
}

TEST(Query, MalformedAndImpossibleDatesAreErrorsNamingTheDate) {
    for (const char* bad :
         {"2016-2", "16-02-01", "2016-00", "2016-01-32", "2016-02-30", "2015-02-29", "2016-04-31",
          "2016-13", "0000", "2016-02-00", "2016-1-01", "2016-01-01x"}) {
        const std::string message = error_of(std::string("decided:") + bad);
        EXPECT_NE(message.find(std::string("'") + bad + "' is not a date"), std::string::npos)
            << bad << ": " << message;
    }
    EXPECT_NE(error_of("decided:2016-02-30").find("February 2016 has 29 days"), std::string::npos);
    EXPECT_NE(error_of("injured:2015-02-29..2016").find("February 2015 has 28 days"),
              std::string::npos);
    EXPECT_NE(error_of("denied:2016..2016-02-30").find("'2016-02-30' is not a date"),
              std::string::npos);
    EXPECT_NE(error_of("assigned:2016-13").find("there is no month 13"), std::string::npos);
}

TEST(Query, ProseColonIsText) {
    EXPECT_EQ(parsed("Note: weaning"),
              "Query(((XRnote@1 OR XQnote@1 OR XSnote@1) AND (XRwean@2 OR XQwean@2 OR "
              "XSwean@2)))");
    // Inside a phrase a colon is not a field either.
    EXPECT_NE(parsed("rationale:\"foo:bar\"").find("XRfoo"), std::string::npos);
}

TEST(Query, BadQueriesSayWhatIsWrong) {
    EXPECT_NE(error_of("foo:bar").find("unknown field 'foo:'"), std::string::npos);
    EXPECT_NE(error_of("opioid drugs:x").find("unknown field 'drugs:'"), std::string::npos);
    EXPECT_NE(error_of("decision: upheld").find("decision:"), std::string::npos);
    EXPECT_NE(error_of("age:abc").find("'abc' is not an age"), std::string::npos);
    EXPECT_NE(error_of("age:60..40").find("start is after the end"), std::string::npos);
    EXPECT_NE(error_of("decided:2016-13").find("'2016-13' is not a date"), std::string::npos);
    EXPECT_NE(error_of("injured:2010..201x").find("'201x' is not a date"), std::string::npos);
    EXPECT_NE(error_of("decided:2017..2016").find("decided:2017..2016"), std::string::npos);
    EXPECT_NE(error_of("\"long term").find("unbalanced double quote"), std::string::npos);
    EXPECT_NE(error_of("opioid AND (").find("cannot parse query 'opioid AND ('"),
              std::string::npos);
    EXPECT_NE(error_of("   ").find("empty query"), std::string::npos);
    EXPECT_NE(error_of("decision:\"\"").find("decision: needs a value"), std::string::npos);
}

TEST(Query, FacetLists) {
    EXPECT_EQ(imrdex::parse_facet_list("decision, class,decision"),
              (std::vector<std::string>{"decision", "class"}));
    EXPECT_EQ(imrdex::parse_facet_list("all").size(), 12U);
    EXPECT_EQ(imrdex::parse_facet_list("all").back(), "year");
    EXPECT_TRUE(imrdex::parse_facet_list("").empty());
    EXPECT_THROW((void)imrdex::parse_facet_list("decision,colour"), imrdex::QueryError);
}

TEST(Snippet, HighlightsStemmedMatchesAndJoinsPhrases) {
    std::vector<std::string> stems{"long", "term", "use"};
    auto parts = imrdex::make_snippet("Long-term use of benzodiazepines is not recommended.", stems,
                                      {}, 300);
    ASSERT_EQ(parts.size(), 2U);
    EXPECT_TRUE(parts[0].match);
    EXPECT_EQ(parts[0].text, "Long-term use");
    EXPECT_EQ(parts[1].text, " of benzodiazepines is not recommended.");
    auto wild = imrdex::make_snippet("Benzodiazepines, again.", {}, {"benzo"}, 300);
    ASSERT_FALSE(wild.empty());
    EXPECT_TRUE(wild[0].match);
    EXPECT_EQ(wild[0].text, "Benzodiazepines");
}

TEST(Snippet, WindowsAroundTheMatchInLongText) {
    std::string text;
    for (int i = 0; i < 100; ++i) text += "filler words here ";
    text += "the weaning plan ";
    for (int i = 0; i < 100; ++i) text += "more filler text ";
    auto parts = imrdex::make_snippet(text, {"wean"}, {}, 120);
    std::string all;
    bool matched = false;
    for (const auto& p : parts) {
        all += p.text;
        matched = matched || (p.match && p.text == "weaning");
    }
    EXPECT_TRUE(matched);
    EXPECT_LE(all.size(), 130U);
    EXPECT_EQ(all.substr(0, 3), "...");
}

// What a search highlights in each free-text field for query `q`.
imrdex::FieldSnippetTerms terms_of(const std::string& q) {
    static const imrdex::QueryBuilder builder;
    return imrdex::snippet_terms(builder.parse(q));
}

// Stems of the words of `text` (plain ASCII words), as the index holds them.
std::vector<std::string> stems_of(const std::string& text) {
    static const Xapian::Stem stem("english");
    std::vector<std::string> out;
    std::string word;
    for (char c : text + " ") {
        if (c != ' ') {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            out.push_back(stem(word));
            word.clear();
        }
    }
    return out;
}

std::vector<std::string> highlighted(const std::vector<imrdex::SnippetPart>& parts) {
    std::vector<std::string> out;
    for (const auto& p : parts)
        if (p.match) out.push_back(p.text);
    return out;
}

std::string joined(const std::vector<imrdex::SnippetPart>& parts) {
    std::string out;
    for (const auto& p : parts) out += p.text;
    return out;
}

constexpr std::size_t kRationaleField = 0, kRequestField = 1, kSummaryField = 2;

TEST(SnippetTerms, FieldOrderIsTheSchemas) {
    EXPECT_EQ(imrdex::schema::kTextFields[kRationaleField].name, "rationale");
    EXPECT_EQ(imrdex::schema::kTextFields[kRequestField].name, "request");
    EXPECT_EQ(imrdex::schema::kTextFields[kSummaryField].name, "summary");
}

TEST(SnippetTerms, PhrasesComeFromThePhraseSubqueries) {
    const std::vector<std::vector<std::string>> both{stems_of("home exercise program"),
                                                     stems_of("not medically necessary")};
    for (const auto& t : terms_of("\"not medically necessary\" \"home exercise program\"")) {
        EXPECT_EQ(t.phrases, both);  // free text: every field
        EXPECT_TRUE(t.stems.empty());
    }
    // A hyphenated word is a phrase of the query parser's making.
    for (const auto& t : terms_of("long-term"))
        EXPECT_EQ(t.phrases, std::vector<std::vector<std::string>>{stems_of("long term")});
}

TEST(SnippetTerms, FieldsByPrefixAndNoNegatedWords) {
    auto t = terms_of("summary:\"trip and fall\" rationale:opioids");
    EXPECT_EQ(t[kRationaleField].stems, stems_of("opioids"));
    EXPECT_TRUE(t[kRationaleField].phrases.empty());
    EXPECT_TRUE(t[kRequestField].empty());
    EXPECT_TRUE(t[kSummaryField].stems.empty());
    EXPECT_EQ(t[kSummaryField].phrases,
              std::vector<std::vector<std::string>>{stems_of("trip and fall")});
    // What a hit must not contain is not what it matched.
    t = terms_of("opioids NOT summary:fall");
    EXPECT_EQ(t[kSummaryField].stems, stems_of("opioids"));
    // ADJ is nearness, not an exact phrase: its words singly.
    t = terms_of("rationale:(weaning ADJ/3 advised)");
    EXPECT_TRUE(t[kRationaleField].phrases.empty());
    EXPECT_EQ(t[kRationaleField].stems, stems_of("advised weaning"));
    t = terms_of("request:benzo*");
    EXPECT_EQ(t[kRequestField].wildcards, std::vector<std::string>{"benzo"});
    EXPECT_TRUE(t[kRationaleField].empty());
}

// A search on a database with word pairs narrows its phrases; they highlight the same.
TEST(SnippetTerms, NarrowedPhrasesGiveTheSamePhrases) {
    static const imrdex::QueryBuilder builder;
    for (const char* q : {"\"not medically necessary\" \"home exercise program\"", "long-term",
                          "rationale:\"risks and benefits\" class:opioid", "summary:\"trip fall\"",
                          "\"lumbar spine\" OR rationale:\"the patient's pain scores\" relief"}) {
        const Xapian::Query parsed = builder.parse(q);
        const Xapian::Query narrowed = imrdex::narrow_phrases(parsed);
        ASSERT_NE(narrowed.get_description(), parsed.get_description()) << q;
        const auto want = imrdex::snippet_terms(parsed);
        const auto got = imrdex::snippet_terms(narrowed);
        for (std::size_t f = 0; f < want.size(); ++f) {
            EXPECT_EQ(got[f].phrases, want[f].phrases) << q << " field " << f;
            EXPECT_EQ(got[f].stems, want[f].stems) << q << " field " << f;
        }
    }
}

TEST(Snippet, APhraseIsHighlightedAsAUnit) {
    const auto terms = terms_of("\"not medically necessary\"")[kRationaleField];
    auto parts =
        imrdex::make_snippet("The request is not medically necessary at this time.", terms, 300);
    EXPECT_EQ(highlighted(parts), std::vector<std::string>{"not medically necessary"});
    EXPECT_EQ(joined(parts), "The request is not medically necessary at this time.");
    // Its words apart are no occurrence of it.
    parts = imrdex::make_snippet("Not all of it is medically supported; necessary care continues.",
                                 terms, 300);
    EXPECT_TRUE(highlighted(parts).empty());
    // Shown whole even where it is longer than the snippet.
    parts = imrdex::make_snippet("It is not medically necessary.", terms, 10);
    EXPECT_EQ(highlighted(parts), std::vector<std::string>{"not medically necessary"});
}

// The case of issue 14: a "not" far from either phrase lit up on its own.
TEST(Snippet, ALoneWordOfAPhraseIsNotHighlighted) {
    const auto terms =
        terms_of("\"not medically necessary\" \"home exercise program\"")[kRationaleField];
    std::string text = "She could not attend therapy last month. ";
    for (int i = 0; i < 20; ++i) text += "Filler words of the history. ";
    text += "She continues a home exercise program daily.";
    auto parts = imrdex::make_snippet(text, terms, 100000);
    EXPECT_EQ(highlighted(parts), std::vector<std::string>{"home exercise program"});
    parts = imrdex::make_snippet(text, terms, 120);
    EXPECT_EQ(highlighted(parts), std::vector<std::string>{"home exercise program"});
    EXPECT_EQ(joined(parts).substr(0, 3), "...");
}

TEST(Snippet, TheWindowGoesToTheDensestRunOfOccurrences) {
    const auto terms =
        terms_of("\"not medically necessary\" \"home exercise program\"")[kRationaleField];
    // First the phrases' words scattered (many words, no occurrence), then one occurrence
    // alone, then two close together: the window shows the two.
    std::string text = "Not a home, not a program, not medically exercised, not necessary. ";
    for (int i = 0; i < 10; ++i) text += "Filler words of the history. ";
    text += "A home exercise program was advised. ";
    for (int i = 0; i < 10; ++i) text += "Filler words of the history. ";
    text += "Surgery is not medically necessary; a home exercise program is.";
    const auto parts = imrdex::make_snippet(text, terms, 100);
    EXPECT_EQ(highlighted(parts),
              (std::vector<std::string>{"not medically necessary", "home exercise program"}));
    EXPECT_NE(joined(parts).find("Surgery is"), std::string::npos) << joined(parts);
}

TEST(Snippet, Utf8WordsAndPhrases) {
    const auto terms = terms_of("rationale:\"réévaluation complète\" rationale:nécessaire");
    ASSERT_EQ(terms[kRationaleField].phrases.size(), 1U);
    const std::string text =
        "Une réévaluation partielle, puis une réévaluation complète est nécessaire — «sic».";
    const auto parts = imrdex::make_snippet(text, terms[kRationaleField], 300);
    EXPECT_EQ(highlighted(parts),
              (std::vector<std::string>{"réévaluation complète", "nécessaire"}));
    EXPECT_EQ(joined(parts), text);
}

// JSON carries plain text and byte offsets of the highlights; CSV no marks unless asked; text
// marks them and names the field.
TEST(Snippet, OutputFormatsCarryTheHighlights) {
    const auto terms = terms_of("\"réévaluation complète\" OR nécessaire")[kRationaleField];
    imrdex::SearchResult r;
    r.total = 1;
    imrdex::Hit h;
    h.rank = 1;
    h.id = "CM16-0000001";
    h.item = 2;
    h.data = "{}";
    h.snippet = imrdex::make_snippet(
        "Une réévaluation complète est nécessaire, dit-il; la réévaluation complète suit.", terms,
        300);
    h.snippet_field = "rationale";
    r.hits.push_back(h);
    const std::vector<std::string> want = highlighted(h.snippet);
    ASSERT_EQ(want.size(), 3U);

    for (bool marks : {false, true}) {
        const std::string json =
            imrdex::format_result(r, imrdex::OutputFormat::json, false, false, false, marks);
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
        simdjson::dom::element snippet = doc["hits"].at(0)["snippet"];
        EXPECT_EQ(std::string_view(snippet["field"]), "rationale");
        const std::string_view text = snippet["text"];
        EXPECT_EQ(text, joined(h.snippet));
        EXPECT_EQ(text.find("\u00ab"), std::string_view::npos) << text;
        std::vector<std::string> got;
        for (simdjson::dom::element span : simdjson::dom::array(snippet["highlights"])) {
            const std::uint64_t start = span.at(0), length = span.at(1);
            ASSERT_LE(start + length, text.size());
            got.emplace_back(text.substr(start, length));
        }
        EXPECT_EQ(got, want) << json;
        if (marks)
            EXPECT_NE(std::string_view(snippet["marked"]).find("\u00abnécessaire\u00bb"),
                      std::string_view::npos);
        else
            EXPECT_TRUE(snippet["marked"].error() == simdjson::NO_SUCH_FIELD);
    }
    const std::string csv = imrdex::format_result(r, imrdex::OutputFormat::csv, false);
    EXPECT_NE(csv.find(",snippet_field,snippet\r\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",rationale,\"Une réévaluation complète est"), std::string::npos) << csv;
    EXPECT_EQ(csv.find("\u00ab"), std::string::npos) << csv;
    const std::string marked =
        imrdex::format_result(r, imrdex::OutputFormat::csv, false, false, false, true);
    EXPECT_NE(
        marked.find(",rationale,\"Une \u00abréévaluation complète\u00bb est \u00abnécessaire"),
        std::string::npos)
        << marked;
    const std::string text = imrdex::format_result(r, imrdex::OutputFormat::text, false);
    EXPECT_NE(text.find("\n   rationale: Une \u00abréévaluation complète\u00bb"), std::string::npos)
        << text;
    const std::string bold = imrdex::format_result(r, imrdex::OutputFormat::text, true);
    EXPECT_NE(bold.find("\x1b[1mnécessaire\x1b[0m"), std::string::npos) << bold;
    // Without a snippet: null.
    r.hits[0].snippet.clear();
    r.hits[0].snippet_field.clear();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    const std::string json = imrdex::format_result(r, imrdex::OutputFormat::json, false);
    ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
    EXPECT_TRUE(doc["hits"].at(0)["snippet"].is_null()) << json;
}

TEST(Csv, QuotesPerRfc4180) {
    EXPECT_EQ(imrdex::csv_field("plain"), "plain");
    EXPECT_EQ(imrdex::csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(imrdex::csv_field("say \"no\""), "\"say \"\"no\"\"\"");
    EXPECT_EQ(imrdex::csv_field("two\nlines"), "\"two\nlines\"");
}

}  // namespace
