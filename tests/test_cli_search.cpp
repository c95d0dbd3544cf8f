// CLI tests of imr-search: the real program on a temporary index; JSON, CSV, count, exit codes.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <sstream>

#include "csv_reader.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/index/schema_version.hpp"
#include "imrdex/search/pivot.hpp"
#include "search_fixture.hpp"

namespace {

using imrdex::testing::parse_csv;
using imrdex::testing::shell_quote;
using Outcome = imrdex::testing::RunResult;

class CliSearch : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fixture::TempDir("cli-search");
        letters_ = new std::vector<imrdex::Letter>(fixture::make_letters(60, 11));
        // A quote, a comma and a line break in a request: CSV quoting must survive them.
        (*letters_)[0].items[0].request = "Norco 10/325mg, \"as needed\" #90";
        Xapian::WritableDatabase db((dir_->path() / "db").string(), Xapian::DB_CREATE_OR_OVERWRITE);
        imrdex::schema::record_version(db);
        imrdex::DocumentBuilder builder;
        for (const auto& l : *letters_)
            for (auto& d : builder.build(l)) db.replace_document(d.unique_term, d.document);
        db.commit();
    }
    static void TearDownTestSuite() {
        delete letters_;
        delete dir_;
    }

    static Outcome search(const std::vector<std::string>& args) {
        std::string cmd = shell_quote(IMRDEX_SEARCH_BIN);
        for (const auto& a : args) cmd += " " + shell_quote(a);
        return imrdex::testing::run_command(cmd, dir_->path() / "stderr");
    }

    static std::string db() { return (dir_->path() / "db").string(); }

    static inline fixture::TempDir* dir_ = nullptr;
    static inline std::vector<imrdex::Letter>* letters_ = nullptr;
};

TEST_F(CliSearch, JsonIsOneObjectWithHitsAndFacets) {
    Outcome r = search({"--db", db(), "--json", "--limit", "5", "--facets", "decision,specialty",
                        "rationale:recommended"});
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    EXPECT_EQ(std::string_view(doc["query"]), "rationale:recommended");
    std::uint64_t total = doc["total"];
    Outcome count = search({"--db", db(), "--count", "rationale:recommended"});
    ASSERT_EQ(count.code, 0) << count.err;
    EXPECT_EQ(count.out, std::to_string(total) + "\n");
    simdjson::dom::array hits = doc["hits"];
    ASSERT_EQ(hits.size(), std::min<std::size_t>(5, total));
    for (auto h : hits) {
        std::string_view id = h["id"], request = h["request"], decision = h["decision"];
        EXPECT_EQ(id.substr(0, 5), "CM16-");
        EXPECT_GE(std::int64_t(h["item"]), 1);
        EXPECT_FALSE(request.empty());
        EXPECT_TRUE(decision == "upheld" || decision == "overturned");
        EXPECT_GT(double(h["score"]), 0.0);
        // The snippet: the rationale matched, plain text, the word highlighted by its offsets.
        EXPECT_EQ(std::string_view(h["snippet"]["field"]), "rationale");
        const std::string_view text = h["snippet"]["text"];
        EXPECT_EQ(text.find("\u00ab"), std::string_view::npos) << text;
        bool recommended = false;
        for (simdjson::dom::element span : simdjson::dom::array(h["snippet"]["highlights"]))
            recommended =
                recommended ||
                fixture::lower(std::string(text.substr(
                    std::uint64_t(span.at(0)), std::uint64_t(span.at(1))))) == "recommended";
        EXPECT_TRUE(recommended) << text;
        // The letter's fields from the document data.
        EXPECT_EQ(h["decision_date"].get_string().value().size(), 10U);
        EXPECT_TRUE(h["specialties"].is_array());
        EXPECT_TRUE(h["rationale"].error() == simdjson::NO_SUCH_FIELD);  // only with --full-text
    }
    simdjson::dom::object facets = doc["facets"];
    simdjson::dom::object decision_counts = facets["decision"];
    simdjson::dom::object specialty_counts = facets["specialty"];
    std::uint64_t decisions = 0;
    for (auto [value, n] : decision_counts) {
        (void)value;
        decisions += std::uint64_t(n);
    }
    EXPECT_EQ(decisions, total);  // every item has one decision
    std::uint64_t previous = UINT64_MAX;
    for (auto [value, n] : specialty_counts) {
        EXPECT_EQ(value.find('|'), std::string_view::npos);
        EXPECT_LE(std::uint64_t(n), previous) << "top values first";
        previous = std::uint64_t(n);
    }
}

// `year` as a filter and a facet through the program: counts per year equal the letters'.
TEST_F(CliSearch, YearIsAFilterAndAFacet) {
    Outcome r = search({"--db", db(), "--json", "--limit", "0", "--facets", "year", "year:2017"});
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    std::uint64_t expect = 0;
    for (const auto& l : *letters_)
        expect += l.decision_date.rfind("2017", 0) == 0 ? l.items.size() : 0;
    ASSERT_GT(expect, 0u);
    EXPECT_EQ(std::uint64_t(doc["total"]), expect);
    simdjson::dom::object years = doc["facets"]["year"];
    std::map<std::string, std::uint64_t> got;
    for (auto [value, n] : years) got[std::string(value)] = std::uint64_t(n);
    EXPECT_EQ(got, (std::map<std::string, std::uint64_t>{{"2017", expect}})) << r.out;
}

TEST_F(CliSearch, CsvHasHeaderAndOneRowPerHit) {
    Outcome r = search({"--db", db(), "--csv", "--limit", "1000", "request:norco"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto rows = parse_csv(r.out);
    ASSERT_FALSE(rows.empty());
    const auto& header = rows[0];
    ASSERT_GE(header.size(), 6U);
    EXPECT_EQ(header[0], "rank");
    EXPECT_EQ(header[1], "id");
    EXPECT_EQ(header[header.size() - 2], "snippet_field");
    EXPECT_EQ(header.back(), "snippet");
    Outcome count = search({"--db", db(), "--count", "request:norco"});
    EXPECT_EQ(std::to_string(rows.size() - 1) + "\n", count.out);
    EXPECT_GT(rows.size(), 2U);
    bool quoted_request = false;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        ASSERT_EQ(rows[i].size(), header.size()) << "row " << i;
        EXPECT_EQ(rows[i][0], std::to_string(i));
        quoted_request = quoted_request || rows[i][5] == "Norco 10/325mg, \"as needed\" #90";
    }
    EXPECT_TRUE(quoted_request) << "the request with a comma and quotes did not round-trip";
}

// The letter and item of a JSON hit.
const imrdex::Letter& letter_of(const std::vector<imrdex::Letter>& ls, std::string_view id) {
    for (const auto& l : ls)
        if (l.id == id) return l;
    throw std::runtime_error("no letter " + std::string(id));
}

// A snippet's text without the "..." where it was cut: a passage of the text it came from.
std::string passage(std::string_view text) {
    if (text.substr(0, 3) == "...") text.remove_prefix(3);
    if (text.size() >= 3 && text.substr(text.size() - 3) == "...") text.remove_suffix(3);
    return std::string(text);
}

// The highlighted pieces of a JSON snippet, read through its offsets.
std::vector<std::string> json_highlights(simdjson::dom::element snippet) {
    const std::string_view text = snippet["text"];
    std::vector<std::string> out;
    for (simdjson::dom::element span : simdjson::dom::array(snippet["highlights"])) {
        const std::uint64_t start = span.at(0), length = span.at(1);
        EXPECT_LE(start + length, text.size());
        if (start + length <= text.size()) out.emplace_back(text.substr(start, length));
    }
    return out;
}

TEST_F(CliSearch, JsonSnippetOffsetsPointAtThePhrase) {
    Outcome r = search(
        {"--db", db(), "--json", "--limit", "1000", "rationale:\"not medically necessary\""});
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    simdjson::dom::array hits = doc["hits"];
    ASSERT_GT(hits.size(), 0U);
    for (auto h : hits) {
        simdjson::dom::element snippet = h["snippet"];
        EXPECT_EQ(std::string_view(snippet["field"]), "rationale");
        const auto spans = json_highlights(snippet);
        ASSERT_FALSE(spans.empty()) << snippet;
        for (const auto& s : spans) EXPECT_EQ(s, "not medically necessary") << snippet;
        const imrdex::Letter& l = letter_of(*letters_, std::string_view(h["id"]));
        const auto& rationale = l.items.at(std::uint64_t(h["item"]) - 1).rationale;
        EXPECT_NE(rationale.find(passage(std::string_view(snippet["text"]))), std::string::npos)
            << snippet;
    }
}

TEST_F(CliSearch, CsvSnippetIsPlainUnlessMarksAreAsked) {
    const std::string q = "rationale:\"risks and benefits\"";
    for (bool marks : {false, true}) {
        std::vector<std::string> args{"--db", db(), "--csv", "--limit", "1000", q};
        if (marks) args.insert(args.begin(), "--marks");
        Outcome r = search(args);
        ASSERT_EQ(r.code, 0) << r.err;
        auto rows = parse_csv(r.out);
        ASSERT_GT(rows.size(), 1U);
        ASSERT_GE(rows[0].size(), 2U);
        EXPECT_EQ(rows[0][rows[0].size() - 2], "snippet_field");
        for (std::size_t i = 1; i < rows.size(); ++i) {
            ASSERT_EQ(rows[i].size(), rows[0].size()) << "row " << i;
            EXPECT_EQ(rows[i][rows[i].size() - 2], "rationale");
            const std::string& snippet = rows[i].back();
            if (marks) {
                EXPECT_NE(snippet.find("\u00abrisks and benefits\u00bb"), std::string::npos)
                    << snippet;
            } else {
                EXPECT_NE(snippet.find("risks and benefits"), std::string::npos) << snippet;
                EXPECT_EQ(snippet.find("\u00ab"), std::string::npos) << snippet;
                EXPECT_EQ(snippet.find("\u00bb"), std::string::npos) << snippet;
            }
        }
    }
}

// "injured at work" is in summaries only: the summary passage is what a hit shows, also on a
// letter's later items (whose documents do not hold the summary), in JSON and in text.
TEST_F(CliSearch, ASummaryMatchShowsTheSummaryPassage) {
    for (const char* q : {"\"injured at work\"", "summary:\"injured at work\" OR class:opioid"}) {
        Outcome r = search({"--db", db(), "--json", "--limit", "1000", q});
        ASSERT_EQ(r.code, 0) << r.err;
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
        simdjson::dom::array hits = doc["hits"];
        ASSERT_GT(hits.size(), 0U) << q;
        std::size_t later_items = 0;
        for (auto h : hits) {
            simdjson::dom::element snippet = h["snippet"];
            EXPECT_EQ(std::string_view(snippet["field"]), "summary") << q << ": " << snippet;
            EXPECT_EQ(json_highlights(snippet), std::vector<std::string>{"injured at work"})
                << q << ": " << snippet;
            const imrdex::Letter& l = letter_of(*letters_, std::string_view(h["id"]));
            EXPECT_NE(l.summary.find(passage(std::string_view(snippet["text"]))), std::string::npos)
                << q << ": " << snippet;
            later_items += std::int64_t(h["item"]) > 1 ? 1 : 0;
        }
        // A summary condition, free text or prefixed, holds for every item of its letter: later
        // items match too, and show the first item's summary.
        EXPECT_GT(later_items, 0U) << r.out;
    }
    Outcome r = search({"--db", db(), "--limit", "1", "\"injured at work\""});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\n   summary: The patient is a"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\u00abinjured at work\u00bb"), std::string::npos) << r.out;
}

TEST_F(CliSearch, TextOutputShowsHitsAndFacetTables) {
    Outcome r = search({"--db", db(), "--facets", "class", "--by-letter", "class:opioid"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("matching letters for: class:opioid"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n1. CM16-"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nclass\n  opioid"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no ANSI codes into a pipe";
}

TEST_F(CliSearch, BadQueryExitsTwoWithAMessage) {
    Outcome r = search({"--db", db(), "opioid colour:red"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown field 'colour:'"), std::string::npos) << r.err;
    r = search({"--db", db(), "decided:2016-13..2017"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("'2016-13' is not a date"), std::string::npos) << r.err;
    r = search({"--db", db(), "opioid AND ("});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("cannot parse query"), std::string::npos) << r.err;
    r = search({"--db", db(), "--facets", "colour", "opioid"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown facet 'colour'"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

// A value the index holds no item with is a usage error naming the field and the values held,
// not a silent 0; --allow-empty makes it the 0 a script may expect.
TEST_F(CliSearch, UnknownFilterValueExitsTwoUnlessEmptyIsAllowed) {
    for (const char* q : {"class:opiod", "specialty:psychiatrist", "decision:maybe", "sex:f",
                          "guideline:foo", "state:ZZ"}) {
        Outcome r = search({"--db", db(), "--count", q});
        EXPECT_EQ(r.code, 2) << q << ": " << r.out;
        EXPECT_TRUE(r.out.empty()) << q << ": " << r.out;
        const std::string field = std::string(q).substr(0, std::string(q).find(':'));
        EXPECT_NE(r.err.find(field + ": no item has the value"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("did you mean"), std::string::npos) << r.err;
        r = search({"--db", db(), "--count", "--allow-empty", q});
        EXPECT_EQ(r.code, 0) << q << ": " << r.err;
        EXPECT_EQ(r.out, "0\n") << q;
    }
    Outcome r = search({"--db", db(), "--count", "decision:maybe"});
    EXPECT_NE(r.err.find("one of: overturned, upheld?"), std::string::npos) << r.err;
    r = search({"--db", db(), "--count", "class:muscle relaxant"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("class:\"muscle relaxant\""), std::string::npos) << r.err;
    // Brands through the drug vocabulary, as the indexer filed them.
    Outcome brand = search({"--db", db(), "--count", "drug:Norco"});
    Outcome generic = search({"--db", db(), "--count", "drug:acetaminophen/hydrocodone"});
    EXPECT_EQ(brand.code, 0) << brand.err;
    EXPECT_EQ(brand.out, generic.out);
    EXPECT_NE(brand.out, "0\n");
}

// `*` counts every item of the index.
TEST_F(CliSearch, StarCountsEveryItem) {
    std::size_t items = 0;
    for (const auto& l : *letters_) items += l.items.size();
    Outcome r = search({"--db", db(), "--count", "*"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, std::to_string(items) + "\n");
    r = search({"--db", db(), "--count", "--by-letter", "*"});
    EXPECT_EQ(r.out, std::to_string(letters_->size()) + "\n");
}

// The items without a drug (imaging, therapy) are a (none) bucket in every output format.
TEST_F(CliSearch, FacetsShowANoneBucketInTextJsonAndCsv) {
    std::uint64_t without = 0, items = 0;
    for (const auto& l : *letters_)
        for (const auto& it : l.items) {
            ++items;
            without += it.drug.empty() ? 1 : 0;
        }
    ASSERT_GT(without, 0U);
    ASSERT_LT(without, items);
    Outcome r = search({"--db", db(), "--json", "--limit", "0", "--facets", "drug", "*"});
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    EXPECT_EQ(std::uint64_t(doc["facets"]["drug"]["(none)"]), without) << r.out;
    r = search({"--db", db(), "--limit", "0", "--facets", "drug", "*"});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string n = std::to_string(without);
    const std::size_t at = r.out.find("\n  (none)");
    ASSERT_NE(at, std::string::npos) << r.out;
    const std::size_t eol = r.out.find('\n', at + 1);
    EXPECT_EQ(r.out.substr(eol - n.size() - 1, n.size() + 1), " " + n) << r.out;
    r = search({"--db", db(), "--csv", "--limit", "1", "--facets", "drug", "*"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto rows = parse_csv(r.out);
    ASSERT_EQ(rows.size() > 4, true) << r.out;
    EXPECT_EQ(rows[2], std::vector<std::string>{""});  // the empty line after the hit
    EXPECT_EQ(rows[3], (std::vector<std::string>{"facet", "value", "count"}));
    EXPECT_EQ(rows.back(), (std::vector<std::string>{"drug", "(none)", n})) << r.out;
}

// On real published letters indexed by the real imr-index: `*` is every item, the facet counts
// with their (none) buckets add up to it, and mistyped values are errors unless allowed.
TEST(CliSearchRealLetters, EverythingCountsAndUnknownValuesAreErrors) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/txt");
    fixture::TempDir dir("cli-search-real");
    const std::string db = (dir.path() / "db").string();
    const std::string letters = (imrdex::testing::shared_dir() / "real-letters" / "txt").string();
    Outcome r =
        imrdex::testing::run_command(shell_quote(IMRDEX_INDEX_BIN) + " --quiet --threads 1 --db " +
                                         shell_quote(db) + " " + shell_quote(letters),
                                     dir.path() / "index-stderr");
    ASSERT_LE(r.code, 1) << r.err;  // 1: some letters rejected, the rest indexed
    auto search = [&](const std::vector<std::string>& args) {
        std::string cmd = shell_quote(IMRDEX_SEARCH_BIN) + " --db " + shell_quote(db);
        for (const auto& a : args) cmd += " " + shell_quote(a);
        return imrdex::testing::run_command(cmd, dir.path() / "stderr");
    };
    r = search({"--json", "--limit", "0", "--facets", "decision,drug,specialty", "*"});
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    const std::uint64_t total = doc["total"];
    ASSERT_GT(total, 0U);
    for (const char* single : {"decision", "drug"}) {
        std::uint64_t sum = 0;
        simdjson::dom::object counts = doc["facets"][single];
        for (auto [value, n] : counts) sum += std::uint64_t(n);
        EXPECT_EQ(sum, total) << single << ": " << r.out;
    }
    for (const char* q : {"class:opiod", "specialty:psychiatrist", "decision:maybe", "sex:f",
                          "guideline:foo", "state:ZZ"}) {
        r = search({"--count", q});
        EXPECT_EQ(r.code, 2) << q << ": " << r.out;
        EXPECT_NE(r.err.find("did you mean"), std::string::npos) << q << ": " << r.err;
        r = search({"--count", "--allow-empty", q});
        EXPECT_EQ(r.code, 0) << q << ": " << r.err;
        EXPECT_EQ(r.out, "0\n") << q;
    }
    // A value held is no error.
    r = search({"--count", "decision:upheld"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out, "0\n");
}

TEST_F(CliSearch, MissingDatabaseExitsThreeNamingThePath) {
    std::string missing = (dir_->path() / "nowhere").string();
    Outcome r = search({"--db", missing, "opioid"});
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
    std::filesystem::create_directories(dir_->path() / "not-a-db");
    r = search({"--db", (dir_->path() / "not-a-db").string(), "opioid"});
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("cannot open database"), std::string::npos) << r.err;
}

TEST_F(CliSearch, HelpExplainsTheQuerySyntax) {
    Outcome r = search({"--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* s :
         {"rationale:", "specialty:\"internal medicine\"", "decided:2016-12-01",
          "\"long-term use\"", "NEAR", "--facets", "--by-letter", "year:2016", "priority,id,year",
          "--allow-empty", "drug:Norco", "(none)", "--marks", "byte offsets", "snippet_field"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

}  // namespace

namespace {

// Issue 14, part 1 on real letters (../shared, skipped when absent): a condition on a letter's
// summary holds for each of its items, so `id:X summary:"phrase" category:"C"` counts every item
// of category C in letter X, not only the first item. The phrase is three plain words from the
// letter's own summary, as `imr-index --extract` reads it; the expected counts come from the
// same extraction records.
TEST(CliSearchRealLetters, SummaryConditionsReachEveryItemOfTheLetter) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/txt");
    const std::filesystem::path letters = imrdex::testing::shared_dir() / "real-letters" / "txt";
    fixture::TempDir dir("cli-search-real");
    const std::filesystem::path err = dir.path() / "stderr";
    const Outcome indexed = imrdex::testing::run_command(
        shell_quote(IMRDEX_INDEX_BIN) + " --quiet --db " + shell_quote(dir.path() / "db") + " " +
            shell_quote(letters),
        err);
    ASSERT_TRUE(indexed.code == 0 || indexed.code == 1) << indexed.out;
    const Outcome records = imrdex::testing::run_command(
        shell_quote(IMRDEX_INDEX_BIN) + " --extract " + shell_quote(letters), err);
    ASSERT_TRUE(records.code == 0 || records.code == 1);

    auto count = [&](const std::string& query) {
        const Outcome r = imrdex::testing::run_command(shell_quote(IMRDEX_SEARCH_BIN) + " --db " +
                                                           shell_quote(dir.path() / "db") +
                                                           " --count " + shell_quote(query),
                                                       err);
        EXPECT_EQ(r.code, 0) << query;
        return std::stoul(r.out.empty() ? "0" : r.out);
    };
    auto plain = [](const std::string& w) {
        return w.size() >= 3 && std::all_of(w.begin(), w.end(), [](char c) {
                   return std::isalpha(static_cast<unsigned char>(c)) != 0;
               });
    };
    simdjson::dom::parser parser;
    std::istringstream lines(records.out);
    std::size_t checked = 0, beyond_first = 0;
    for (std::string line; std::getline(lines, line);) {
        simdjson::dom::element rec;
        ASSERT_FALSE(parser.parse(line).get(rec)) << line.substr(0, 200);
        const std::string id{std::string_view(rec["id"])};
        const std::string summary{std::string_view(rec["summary"])};
        std::map<std::string, std::size_t> by_category;
        std::size_t items = 0;
        for (simdjson::dom::element item : rec["items"].get_array()) {
            ++by_category[std::string(std::string_view(item["category"]))];
            ++items;
        }
        if (items < 2) continue;
        // Three consecutive plain words from the middle of the summary.
        std::istringstream words(summary);
        std::vector<std::string> w;
        for (std::string x; words >> x;) w.push_back(x);
        std::string phrase;
        for (std::size_t i = w.size() / 3; i + 2 < w.size() && phrase.empty(); ++i)
            if (plain(w[i]) && plain(w[i + 1]) && plain(w[i + 2]))
                phrase = w[i] + " " + w[i + 1] + " " + w[i + 2];
        if (phrase.empty()) continue;
        const std::string letter = "id:" + id + " summary:\"" + phrase + "\"";
        EXPECT_EQ(count(letter), items) << letter;
        for (const auto& [category, n] : by_category) {
            const std::string q = letter + " category:\"" + category + "\"";
            EXPECT_EQ(count(q), n) << q;
            if (category != std::string_view(rec["items"].at(0)["category"])) beyond_first += n;
        }
        ++checked;
    }
    // Of the 39 letters, 9 have several items (2026-12-05); each was checked.
    EXPECT_GE(checked, 5u) << "too few real letters of several items were checked";
    EXPECT_GT(beyond_first, 10u) << "items after the first, of another category than it";
}

}  // namespace

namespace {

// Items of the CLI fixture by (class, decision) for the pharmaceutical items, and per class.
struct ClassDecision {
    std::map<std::pair<std::string, std::string>, std::uint64_t> cells;
    std::map<std::string, std::uint64_t> rows;
    std::uint64_t total = 0;
};

ClassDecision class_by_decision(const std::vector<imrdex::Letter>& letters) {
    ClassDecision out;
    for (const auto& l : letters)
        for (const auto& it : l.items) {
            if (it.category != imrdex::Category::pharmaceutical) continue;
            ++out.total;
            const std::string cls = fixture::lower(it.drug_class);
            ++out.cells[{cls, std::string(imrdex::to_string(it.decision))}];
            ++out.rows[cls];
        }
    return out;
}

}  // namespace

TEST_F(CliSearch, PivotCsvIsTidyLongFormatEqualToTheLetters) {
    const Outcome r =
        search({"--db", db(), "--csv", "--pivot", "class,decision", "category:pharmaceutical"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto rows = parse_csv(r.out);
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows[0], (std::vector<std::string>{"class", "decision", "count"}));
    const ClassDecision want = class_by_decision(*letters_);
    std::map<std::pair<std::string, std::string>, std::uint64_t> got;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        ASSERT_EQ(rows[i].size(), 3u);
        const std::uint64_t n = std::stoull(rows[i][2]);
        if (n > 0) got[{rows[i][0], rows[i][1]}] = n;
    }
    EXPECT_EQ(got, want.cells);
    // Every row x col, zeros included: classes x decisions seen.
    std::set<std::string> decisions;
    for (const auto& [k, n] : want.cells) decisions.insert(k.second);
    EXPECT_EQ(rows.size() - 1, want.rows.size() * decisions.size());
}

TEST_F(CliSearch, PivotJsonHasCellsAndRates) {
    const Outcome r =
        search({"--db", db(), "--json", "--pivot", "class,decision", "category:pharmaceutical"});
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    const ClassDecision want = class_by_decision(*letters_);
    EXPECT_EQ(std::string_view(doc["query"]), "category:pharmaceutical");
    EXPECT_EQ(std::uint64_t(doc["total"]), want.total);
    EXPECT_EQ(std::string_view(doc["rows"]), "class");
    EXPECT_EQ(std::string_view(doc["cols"]), "decision");
    std::map<std::pair<std::string, std::string>, std::uint64_t> got;
    for (simdjson::dom::element c : simdjson::dom::array(doc["cells"])) {
        const std::uint64_t n = c["count"];
        if (n > 0)
            got[{std::string(std::string_view(c["class"])),
                 std::string(std::string_view(c["decision"]))}] = n;
    }
    EXPECT_EQ(got, want.cells);
    std::size_t rates = 0;
    for (simdjson::dom::element p : simdjson::dom::array(doc["rates"])) {
        const std::string cls{std::string_view(p["class"])};
        auto cell = [&](const std::string& decision) {
            const auto it = want.cells.find({cls, decision});
            return it == want.cells.end() ? std::uint64_t{0} : it->second;
        };
        const std::uint64_t up = p["upheld"], over = p["overturned"];
        EXPECT_EQ(up, cell("upheld"));
        EXPECT_EQ(over, cell("overturned"));
        ASSERT_GT(up + over, 0u);
        // JSON numbers carry 6 significant digits.
        EXPECT_NEAR(double(p["rate"]), double(over) / double(up + over), 1e-6);
        const imrdex::Interval i = imrdex::wilson_interval(over, up + over);
        EXPECT_NEAR(double(p["low"]), i.low, 1e-6);
        EXPECT_NEAR(double(p["high"]), i.high, 1e-6);
        ++rates;
    }
    EXPECT_EQ(rates, want.rows.size());
    // Without decision as a dimension there are no rates.
    const Outcome s = search({"--db", db(), "--json", "--pivot", "class,sex", "*"});
    ASSERT_EQ(s.code, 0) << s.err;
    ASSERT_EQ(parser.parse(s.out).get(doc), simdjson::SUCCESS) << s.out;
    EXPECT_EQ(doc["rates"].error(), simdjson::NO_SUCH_FIELD);
}

// The rows of text output: the label column up to the first count.
std::vector<std::string> text_rows(const std::string& out) {
    std::vector<std::string> rows;
    std::istringstream in(out);
    std::string line;
    bool table = false;
    while (std::getline(in, line)) {
        if (line.find(" \\ ") != std::string::npos) {
            table = true;
            continue;
        }
        if (!table) continue;
        if (line.empty() || line.find("left out") != std::string::npos) break;
        rows.push_back(line.substr(0, line.find("  ")));
    }
    return rows;
}

TEST_F(CliSearch, PivotTextSortsRowsAndLeavesOutSmallOnes) {
    const ClassDecision want = class_by_decision(*letters_);
    auto pivot = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"--db", db(), "--pivot", "class,decision"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.emplace_back("category:pharmaceutical");
        Outcome r = search(args);
        EXPECT_EQ(r.code, 0) << r.err;
        return r.out;
    };
    const std::string by_count = pivot({"--sort", "count"});
    EXPECT_NE(by_count.find("class \\ decision"), std::string::npos) << by_count;
    EXPECT_NE(by_count.find("overturn rate [95% CI]"), std::string::npos) << by_count;
    std::vector<std::string> rows = text_rows(by_count);
    ASSERT_EQ(rows.size(), want.rows.size()) << by_count;
    for (std::size_t i = 1; i < rows.size(); ++i)
        EXPECT_GE(want.rows.at(rows[i - 1]), want.rows.at(rows[i])) << by_count;
    rows = text_rows(pivot({"--sort", "name"}));
    EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
    // --sort rate: the JSON's rates in descending order.
    const Outcome r = search({"--db", db(), "--json", "--sort", "rate", "--pivot", "class,decision",
                              "category:pharmaceutical"});
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    double previous = 2;
    for (simdjson::dom::element p : simdjson::dom::array(doc["rates"])) {
        EXPECT_LE(double(p["rate"]), previous);
        previous = double(p["rate"]);
    }
    // --min-count: the rows under it are left out, and the output says how many.
    std::uint64_t smallest = UINT64_MAX, largest = 0;
    for (const auto& [cls, n] : want.rows) {
        smallest = std::min(smallest, n);
        largest = std::max(largest, n);
    }
    ASSERT_LT(smallest, largest) << "classes of equal size: --min-count would test nothing";
    std::size_t under = 0;
    for (const auto& [cls, n] : want.rows) under += n < largest ? 1 : 0;
    const std::string cut = pivot({"--min-count", std::to_string(largest)});
    EXPECT_EQ(text_rows(cut).size(), want.rows.size() - under) << cut;
    EXPECT_NE(cut.find("(" + std::to_string(under) + " row"), std::string::npos) << cut;
    EXPECT_NE(cut.find("under --min-count left out"), std::string::npos) << cut;
}

TEST_F(CliSearch, BucketFacetsAreInNaturalOrder) {
    const Outcome r = search(
        {"--db", db(), "--csv", "--limit", "0", "--facets", "decided:month,age:10,class", "*"});
    ASSERT_EQ(r.code, 0) << r.err;
    std::vector<std::string> months, bands;
    std::map<std::string, std::uint64_t> month_counts;
    const auto rows = parse_csv(r.out);
    for (const auto& row : rows) {
        if (row.size() != 3) continue;
        if (row[0] == "decided:month") {
            months.push_back(row[1]);
            month_counts[row[1]] = std::stoull(row[2]);
        }
        if (row[0] == "age:10") bands.push_back(row[1]);
    }
    EXPECT_TRUE(std::is_sorted(months.begin(), months.end()));
    std::map<std::string, std::uint64_t> want;
    for (const auto& l : *letters_) want[l.decision_date.substr(0, 7)] += l.items.size();
    EXPECT_EQ(month_counts, want);
    // Bands by their start: 20-29 before 30-39, ...; (none) (no age) last.
    ASSERT_GE(bands.size(), 3u);
    EXPECT_EQ(bands.back(), "(none)");
    for (std::size_t i = 1; i + 1 < bands.size(); ++i)
        EXPECT_LT(std::stoi(bands[i - 1]), std::stoi(bands[i]));
}

TEST_F(CliSearch, PivotUsageErrorsExitTwo) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--pivot", "colour,decision", "*"}, "colour"},
        {{"--pivot", "class,decided:week", "*"}, "decided:week"},
        {{"--pivot", "decided", "*"}, "decided:year"},
        {{"--pivot", "class,class", "*"}, "class"},
        {{"--pivot", "class,decision,sex", "*"}, "ROWS,COLS"},
        {{"--pivot", "class,sex", "--sort", "rate", "*"}, "--sort rate"},
        {{"--pivot", "class", "--sort", "decided", "*"}, "decided"},
        {{"--sort", "count", "*"}, "--pivot"},
        {{"--min-count", "3", "*"}, "--pivot"},
        {{"--pivot", "class", "--facets", "class", "*"}, "--facets"},
        {{"--facets", "age:7", "*"}, "age:7"},
    };
    for (const auto& [args, named] : cases) {
        std::vector<std::string> all{"--db", db()};
        all.insert(all.end(), args.begin(), args.end());
        const Outcome r = search(all);
        EXPECT_EQ(r.code, 2) << args[1] << ": " << r.out;
        EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}
