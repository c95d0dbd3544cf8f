// Unit tests of query building: fields, filters, ranges and the errors of bad queries.
#include <gtest/gtest.h>

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

TEST(Csv, QuotesPerRfc4180) {
    EXPECT_EQ(imrdex::csv_field("plain"), "plain");
    EXPECT_EQ(imrdex::csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(imrdex::csv_field("say \"no\""), "\"say \"\"no\"\"\"");
    EXPECT_EQ(imrdex::csv_field("two\nlines"), "\"two\nlines\"");
}

}  // namespace
