// Integration tests of imrdex::Searcher over small indexes of synthetic letters: every answer is
// checked against a brute-force scan of the same letters.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "imrdex/core/errors.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/index/schema_version.hpp"
#include "imrdex/search/search.hpp"
#include "search_fixture.hpp"

namespace {

using fixture::ItemRef;
using Pred = std::function<bool(const ItemRef&)>;

void build_with_indexer(const std::filesystem::path& dir, const std::vector<imrdex::Letter>& ls) {
    Xapian::WritableDatabase db(dir.string(), Xapian::DB_CREATE_OR_OVERWRITE);
    imrdex::schema::record_version(db);
    imrdex::DocumentBuilder builder;
    for (const auto& l : ls)
        for (auto& d : builder.build(l)) db.replace_document(d.unique_term, d.document);
    db.commit();
}

class SearchTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fixture::TempDir("search");
        letters_ = new std::vector<imrdex::Letter>(fixture::make_letters(120));
        // Older letters have no cover block, so no decision date: their year is the case number's.
        for (std::size_t i = 3; i < letters_->size(); i += 7) (*letters_)[i].decision_date.clear();
        build_with_indexer(dir_->path() / "db", *letters_);
    }
    static void TearDownTestSuite() {
        delete letters_;
        delete dir_;
    }

    static std::string db() { return (dir_->path() / "db").string(); }

    static imrdex::SearchResult run(const std::string& query, imrdex::SearchOptions o = {},
                                    const std::string& path = db()) {
        o.query = query;
        if (o.limit == 10) o.limit = 100000;
        imrdex::Searcher s(path);
        return s.search(o);
    }

    static std::set<std::string> keys(const imrdex::SearchResult& r) {
        std::set<std::string> out;
        for (const auto& h : r.hits) out.insert(h.id + "#" + std::to_string(h.item));
        return out;
    }

    static std::set<std::string> brute(const Pred& pred) {
        std::set<std::string> out;
        for (const auto& ref : fixture::items_where(*letters_, pred)) out.insert(ref.key());
        return out;
    }

    // Per-value counts of a facet over the items matching `pred`, as the index should give them.
    static std::map<std::string, Xapian::doccount> brute_facet(const std::string& facet,
                                                               const Pred& pred) {
        return fixture::facet_oracle(fixture::items_where(*letters_, pred), facet);
    }

    static inline fixture::TempDir* dir_ = nullptr;
    static inline std::vector<imrdex::Letter>* letters_ = nullptr;
};

Pred in_text(const std::string& phrase, bool all_fields) {
    auto p = fixture::stem_tokens(phrase);
    return [p, all_fields](const ItemRef& r) {
        if (fixture::contains_phrase(r.item().rationale, p)) return true;
        if (!all_fields) return false;
        return fixture::contains_phrase(r.item().request, p) ||
               fixture::contains_phrase(r.item().original_request, p) ||
               fixture::contains_phrase(r.letter->summary, p);  // for every item of the letter
    };
}

const std::vector<std::string> kPhrases{"long-term use",
                                        "risks and benefits",
                                        "not medically necessary",
                                        "lumbar spine",
                                        "functional improvement",
                                        "the patient's pain scores",
                                        "from 8/10 to 4/10",
                                        "weaning was advised",
                                        "relief",
                                        "muscle relaxants are recommended",
                                        "shortest period",
                                        "imaging only after"};

std::string search_error(const std::string& path, const std::string& query,
                         imrdex::SearchOptions o = {}) {
    o.query = query;
    try {
        imrdex::Searcher s(path);
        (void)s.search(o);
    } catch (const imrdex::QueryError& e) {
        return e.what();
    }
    return {};
}

// Every value a facet has over all the letters, sorted, ", "-joined: what "one of:" must list.
std::string all_values(const std::vector<imrdex::Letter>& ls, const std::string& facet) {
    std::string out;
    for (const auto& [v, n] :
         fixture::facet_oracle(fixture::items_where(ls, [](const auto&) { return true; }), facet))
        if (v != imrdex::kNoValue) out += (out.empty() ? "" : ", ") + v;
    return out;
}

TEST_F(SearchTest, RationalePhrasesMatchExactlyTheItemsContainingThem) {
    for (const auto& p : kPhrases) {
        auto expect = brute(in_text(p, false));
        auto r = run("rationale:\"" + p + "\"");
        EXPECT_EQ(keys(r), expect) << p;
        EXPECT_EQ(r.total, expect.size()) << p;
        EXPECT_FALSE(expect.empty()) << "phrase absent from the fixture: " << p;
    }
}

TEST_F(SearchTest, UnprefixedPhrasesSearchRationaleRequestAndSummary) {
    for (const auto& p : {"lumbar spine", "year old female", "norco", "physical therapy"}) {
        auto expect = brute(in_text(p, true));
        EXPECT_EQ(keys(run("\"" + std::string(p) + "\"")), expect) << p;
    }
}

TEST_F(SearchTest, HitsAreRankedWithScoresAndRanks) {
    imrdex::SearchOptions o;
    o.limit = 7;
    o.offset = 2;
    auto r = run("rationale:benzodiazepines OR rationale:opioids", o);
    ASSERT_EQ(r.hits.size(), 7U);
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
        EXPECT_EQ(r.hits[i].rank, i + 3);
        if (i > 0) {
            EXPECT_GE(r.hits[i - 1].score, r.hits[i].score);
        }
        EXPECT_FALSE(r.hits[i].request.empty());
        EXPECT_FALSE(r.hits[i].decision.empty());
    }
    // Paging takes the same slice of the full ranking.
    auto all = run("rationale:benzodiazepines OR rationale:opioids");
    for (std::size_t i = 0; i < r.hits.size(); ++i)
        EXPECT_EQ(r.hits[i].docid, all.hits[i + 2].docid);
    EXPECT_EQ(r.total, all.total);
}

TEST_F(SearchTest, SnippetsHighlightTheMatch) {
    auto r = run("rationale:\"risks and benefits\"");
    ASSERT_FALSE(r.hits.empty());
    for (const auto& h : r.hits) {
        std::string marked;
        for (const auto& p : h.snippet)
            if (p.match) marked += "[" + p.text + "]";
        EXPECT_NE(marked.find("[risks and benefits]"), std::string::npos) << marked;
    }
}

TEST_F(SearchTest, CountIsExact) {
    for (const auto& p : kPhrases) {
        imrdex::SearchOptions o;
        o.count_only = true;
        auto r = run("rationale:\"" + p + "\"", o);
        EXPECT_EQ(r.total, brute(in_text(p, false)).size()) << p;
        EXPECT_TRUE(r.hits.empty());
    }
}

TEST_F(SearchTest, FacetCountsAreExactOverAllMatches) {
    const std::vector<std::pair<std::string, Pred>> cases{
        {"class:opioid", [](const ItemRef& r) { return r.item().drug_class == "opioid"; }},
        {"rationale:recommended",
         [](const ItemRef& r) {
             for (const auto& t : fixture::stem_tokens(r.item().rationale))
                 if (t == "recommend") return true;
             return false;
         }},
        {"decision:overturned specialty:psychiatry",
         [](const ItemRef& r) {
             const auto& sp = r.letter->specialties;
             return r.item().decision == imrdex::Decision::overturned &&
                    std::find(sp.begin(), sp.end(), "psychiatry") != sp.end();
         }},
    };
    for (const auto& [query, pred] : cases) {
        imrdex::SearchOptions o;
        o.limit = 3;  // facets must not depend on how many hits are shown
        o.facets = imrdex::parse_facet_list("all");
        auto r = run(query, o);
        ASSERT_EQ(r.facets.size(), 12U);
        for (const auto& f : r.facets) {
            auto expect = brute_facet(f.name, pred);
            std::map<std::string, Xapian::doccount> got(f.values.begin(), f.values.end());
            EXPECT_EQ(got, expect) << query << " facet " << f.name;
            // Values top first; the (none) bucket, if any, last.
            std::size_t n = f.values.size();
            if (n > 0 && f.values.back().first == imrdex::kNoValue) --n;
            for (std::size_t i = 0; i < n; ++i) EXPECT_NE(f.values[i].first, imrdex::kNoValue);
            for (std::size_t i = 1; i < n; ++i) {
                const auto& a = f.values[i - 1];
                const auto& b = f.values[i];
                EXPECT_TRUE(a.second > b.second || (a.second == b.second && a.first < b.first))
                    << "order of " << f.name;
            }
        }
        EXPECT_EQ(r.total, brute(pred).size()) << query;
    }
}

TEST_F(SearchTest, MultiValuedFacetsCountEachDocumentOncePerValue) {
    imrdex::SearchOptions o;
    o.facets = {"specialty", "state"};
    auto r = run("decision:upheld", o);
    Xapian::doccount sum = 0;
    for (const auto& [v, n] : r.facets[0].values) {
        EXPECT_EQ(v.find('|'), std::string::npos) << "combination not split: " << v;
        sum += n;
    }
    // Letters have several specialties, so per-value counts add up to more than the matches.
    EXPECT_GT(sum, r.total);
}

TEST_F(SearchTest, ByLetterCollapsesToOneHitPerLetter) {
    imrdex::SearchOptions o;
    o.by_letter = true;
    auto r = run("rationale:recommended", o);
    auto items = run("rationale:recommended");
    std::set<std::string> letters, seen;
    for (const auto& h : items.hits) letters.insert(h.id);
    EXPECT_EQ(r.total, letters.size());
    Xapian::doccount covered = 0;
    for (const auto& h : r.hits) {
        EXPECT_TRUE(seen.insert(h.id).second) << "letter twice: " << h.id;
        covered += 1 + h.collapsed;
    }
    EXPECT_EQ(covered, items.total);
    o.count_only = true;
    EXPECT_EQ(run("rationale:recommended", o).total, letters.size());
}

TEST_F(SearchTest, ByLetterFacetsStillCountItems) {
    imrdex::SearchOptions o;
    o.facets = {"decision"};
    const auto items = run("rationale:recommended", o);
    o.by_letter = true;
    const auto letters = run("rationale:recommended", o);
    ASSERT_LT(letters.total, items.total)
        << "the fixture needs letters with several matching items";
    Xapian::doccount sum = 0;
    for (const auto& [v, n] : letters.facets.at(0).values) sum += n;
    EXPECT_EQ(sum, items.total);
    EXPECT_EQ(letters.facets.at(0).values, items.facets.at(0).values);
}

TEST_F(SearchTest, SortByDatesNewestFirst) {
    for (auto [sort, field] : {std::pair{imrdex::SortOrder::decided, &imrdex::Hit::decision_date},
                               std::pair{imrdex::SortOrder::injured, &imrdex::Hit::injury_date}}) {
        imrdex::SearchOptions o;
        o.sort = sort;
        auto r = run("rationale:recommended", o);
        ASSERT_GT(r.hits.size(), 10U);
        for (std::size_t i = 1; i < r.hits.size(); ++i)
            EXPECT_GE(fixture::date_number(r.hits[i - 1].*field),
                      fixture::date_number(r.hits[i].*field));
    }
}

TEST_F(SearchTest, RangeFiltersAtYearMonthDayPrecision) {
    auto date_in = [](std::string imrdex::Letter::*f, double lo, double hi) -> Pred {
        return [=](const ItemRef& r) {
            double v = fixture::date_number(r.letter->*f);
            return v > 0 && v >= lo && v <= hi;
        };
    };
    auto age_in = [](int lo, int hi) -> Pred {
        return [=](const ItemRef& r) { return r.letter->age >= lo && r.letter->age <= hi; };
    };
    using L = imrdex::Letter;
    const std::vector<std::pair<std::string, Pred>> cases{
        {"decided:2016", date_in(&L::decision_date, 20160000, 20161299)},
        {"decided:2017-03", date_in(&L::decision_date, 20170300, 20170399)},
        {"decided:2016-03-01..2016-06-15", date_in(&L::decision_date, 20160301, 20160615)},
        {"injured:..2005", date_in(&L::injury_date, 0, 20051299)},
        {"injured:2010..2014", date_in(&L::injury_date, 20100000, 20141299)},
        {"injured:2012-06..2013", date_in(&L::injury_date, 20120600, 20131299)},
        {"assigned:2016-11..", date_in(&L::date_assigned, 20161100, 1e9)},
        {"age:40..60", age_in(40, 60)},
        {"age:45", age_in(45, 45)},
        {"age:..30", age_in(0, 30)},
    };
    for (const auto& [query, pred] : cases) {
        auto expect = brute(pred);
        EXPECT_FALSE(expect.empty()) << query;
        auto r = run(query);
        EXPECT_EQ(keys(r), expect) << query;
        EXPECT_EQ(r.total, expect.size()) << query;
    }
}

TEST_F(SearchTest, FilterValuesAreNormalised) {
    auto has = [](const std::vector<std::string>& v, const std::string& x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    };
    auto im =
        brute([&](const ItemRef& r) { return has(r.letter->specialties, "internal medicine"); });
    EXPECT_EQ(keys(run("specialty:\"Internal  Medicine\"")), im);
    auto ca = brute([&](const ItemRef& r) { return has(r.letter->states, "CA"); });
    EXPECT_EQ(keys(run("state:California")), ca);
    EXPECT_EQ(keys(run("state:ca")), ca);
    auto hc = brute([](const ItemRef& r) { return r.item().drug == "acetaminophen/hydrocodone"; });
    EXPECT_EQ(keys(run("drug:hydrocodone")), hc);  // each ingredient is a term too
    EXPECT_EQ(keys(run("drug:Acetaminophen/Hydrocodone")), hc);
    const auto& first = letters_->front();
    EXPECT_EQ(run("id:" + fixture::lower(first.id)).total, first.items.size());
}

// year: the decision date's, or the case number's where the letter has no decision date.
TEST_F(SearchTest, YearFilterCountsLettersWithoutADecisionDateByTheirCaseNumber) {
    std::size_t undated = 0;
    for (const auto& l : *letters_) undated += l.decision_date.empty() ? 1 : 0;
    ASSERT_GT(undated, 0u) << "the fixture needs letters without a decision date";
    imrdex::SearchOptions empty_ok;
    empty_ok.allow_empty = true;  // no letter is of 2015: 0 items, and no error
    for (const std::string year : {"2016", "2017", "2015"}) {
        const auto expect = brute([&](const ItemRef& r) {
            const auto& l = *r.letter;
            return l.decision_date.empty() ? l.id.substr(2, 2) == year.substr(2)
                                           : l.decision_date.substr(0, 4) == year;
        });
        EXPECT_EQ(keys(run("year:" + year, empty_ok)), expect) << year;
        EXPECT_EQ(expect.empty(), year == "2015") << year;
    }
    // Every letter has a year: the facet counts every item.
    imrdex::SearchOptions o;
    o.facets = {"year"};
    const auto r = run("rationale:recommended OR rationale:patient", o);
    Xapian::doccount sum = 0;
    for (const auto& [v, n] : r.facets.at(0).values) sum += n;
    EXPECT_EQ(sum, r.total);
}

TEST_F(SearchTest, MissingDatabaseNamesThePath) {
    auto path = (dir_->path() / "no-such-db").string();
    try {
        imrdex::Searcher s(path);
        FAIL() << "no exception";
    } catch (const imrdex::IoError& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    std::filesystem::create_directories(dir_->path() / "empty-dir");
    EXPECT_THROW(imrdex::Searcher((dir_->path() / "empty-dir").string()), imrdex::IoError);
}

// The same answers from an index written by hand from schema.hpp: the searcher and the indexer
// read the schema the same way.
TEST_F(SearchTest, HandBuiltSchemaIndexGivesTheSameAnswers) {
    auto hand = dir_->path() / "hand";
    fixture::build_index(hand, *letters_);
    imrdex::SearchOptions o;
    o.facets = imrdex::parse_facet_list("all");
    for (const std::string q :
         {"rationale:\"long-term use\"", "class:opioid decided:2016", "specialty:psychiatry",
          "\"lumbar spine\" guideline:odg", "state:ny age:30..50", "summary:female"}) {
        auto a = run(q, o);
        auto b = run(q, o, hand.string());
        EXPECT_EQ(keys(a), keys(b)) << q;
        ASSERT_EQ(a.facets.size(), b.facets.size());
        for (std::size_t i = 0; i < a.facets.size(); ++i)
            EXPECT_EQ(a.facets[i].values, b.facets[i].values) << q << " " << a.facets[i].name;
    }
}

// Databases of schema version 2 and earlier hold every facet joined in kSlotRetiredFacets;
// version 3 neither writes nor reads it. Here the slot holds the facets in reverse order, as a
// layout the searcher must not trust: counts stay exact whatever version the database records
// (none, an older, this one), and any version but this one is told, once, to re-index.
TEST_F(SearchTest, TheRetiredFacetSlotIsNeverRead) {
    namespace s = imrdex::schema;
    const auto path = dir_->path() / "older";
    fixture::build_index(path, *letters_);
    {
        Xapian::WritableDatabase db(path.string());
        std::vector<Xapian::docid> ids;
        for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) ids.push_back(*it);
        for (const Xapian::docid id : ids) {
            Xapian::Document doc = db.get_document(id);
            std::string reversed;
            for (auto f = s::kFacets.rbegin(); f != s::kFacets.rend(); ++f)
                reversed += doc.get_value(f->slot) + '\x1f';
            doc.add_value(s::kSlotRetiredFacets, reversed);
            db.replace_document(id, doc);
        }
        db.commit();
    }
    const Pred pred = in_text("recommended", false);
    auto facets_of = [&](const std::string& version, std::string& err) {
        {
            Xapian::WritableDatabase db(path.string());
            db.set_metadata(std::string(s::kVersionKey), version);
            db.commit();
        }
        imrdex::SearchOptions o;
        o.query = "rationale:recommended";
        o.facets = imrdex::parse_facet_list("decision,category,sex");
        imrdex::Searcher searcher(path.string());
        ::testing::internal::CaptureStderr();
        const auto r = searcher.search(o);
        (void)searcher.search(o);
        err = ::testing::internal::GetCapturedStderr();
        std::map<std::string, std::map<std::string, Xapian::doccount>> out;
        for (const auto& f : r.facets) out[f.name] = {f.values.begin(), f.values.end()};
        return out;
    };
    std::map<std::string, std::map<std::string, Xapian::doccount>> expect;
    for (const std::string f : {"decision", "category", "sex"}) expect[f] = brute_facet(f, pred);

    std::string err;
    EXPECT_EQ(facets_of(s::version_text(), err), expect);
    EXPECT_EQ(err, "");
    for (const std::string& version : {std::string("2"), std::string()}) {
        EXPECT_EQ(facets_of(version, err), expect) << "version '" << version << "'";
        const auto said = err.find("re-index");
        ASSERT_NE(said, std::string::npos) << err;
        EXPECT_EQ(err.find("re-index", said + 1), std::string::npos) << "said twice: " << err;
        EXPECT_NE(err.find(path.string()), std::string::npos) << err;
    }
}

// ---- Several shards as one database through a XAPIANDB stub ----------------------------------

void expect_same(const imrdex::SearchResult& a, const imrdex::SearchResult& b,
                 const std::string& what) {
    EXPECT_EQ(a.total, b.total) << what;
    std::set<std::string> ka, kb;
    for (const auto& h : a.hits) ka.insert(h.id + "#" + std::to_string(h.item));
    for (const auto& h : b.hits) kb.insert(h.id + "#" + std::to_string(h.item));
    EXPECT_EQ(ka, kb) << what;
    ASSERT_EQ(a.facets.size(), b.facets.size());
    for (std::size_t i = 0; i < a.facets.size(); ++i)
        EXPECT_EQ(a.facets[i].values, b.facets[i].values) << what << " " << a.facets[i].name;
}

const std::vector<std::string> kShardQueries{
    "rationale:\"long-term use\"",    "class:opioid decided:2016", "specialty:psychiatry",
    "\"lumbar spine\" guideline:odg", "state:ny age:30..50",       "rationale:recommended"};

// Splits the letters over `n` shard directories under `root`.
std::vector<std::filesystem::path> build_shards(const std::filesystem::path& root,
                                                const std::vector<imrdex::Letter>& ls, int n) {
    std::vector<std::vector<imrdex::Letter>> parts(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < ls.size(); ++i) parts[i % parts.size()].push_back(ls[i]);
    std::vector<std::filesystem::path> out;
    std::filesystem::create_directories(root);
    for (int k = 0; k < n; ++k) {
        out.push_back(root / ("shard" + std::to_string(k)));
        build_with_indexer(out.back(), parts[static_cast<std::size_t>(k)]);
    }
    return out;
}

TEST_F(SearchTest, LocalShardsThroughAStubAnswerLikeOneDatabase) {
    auto root = dir_->path() / "local-shards";
    auto shards = build_shards(root, *letters_, 3);
    {
        std::ofstream stub(root / "XAPIANDB");
        for (const auto& s : shards) stub << "auto " << s.string() << "\n";
    }
    imrdex::SearchOptions o;
    o.facets = imrdex::parse_facet_list("all");
    for (const auto& q : kShardQueries) expect_same(run(q, o), run(q, o, root.string()), q);
    o.by_letter = true;
    for (const auto& q : kShardQueries)
        expect_same(run(q, o), run(q, o, root.string()), "by letter " + q);
}

// A shard served by xapian-tcpsrv: facet counting (built-in match spies) works remotely too.
TEST_F(SearchTest, RemoteShardThroughAStubAnswersLikeOneDatabase) {
    const std::string server = imrdex::testing::find_program("xapian-tcpsrv");
    if (server.empty()) GTEST_SKIP() << "xapian-tcpsrv not installed (xapian-tools)";
    auto root = dir_->path() / "remote-shards";
    auto shards = build_shards(root, *letters_, 2);
    std::string stub_dir = (root / "stub").string();
    std::filesystem::create_directories(stub_dir);
    // Stopped however the test ends (a leaked server holds the test's output open).
    imrdex::testing::Servers servers(server, root);
    std::string why;
    const int port = servers.start(shards[1], &why);
    ASSERT_GT(port, 0) << "could not start xapian-tcpsrv: " << why;
    {
        std::ofstream stub(std::filesystem::path(stub_dir) / "XAPIANDB");
        stub << "auto " << shards[0].string() << "\nremote 127.0.0.1:" << port << "\n";
    }
    imrdex::SearchOptions o;
    o.facets = imrdex::parse_facet_list("all");
    for (const auto& q : kShardQueries) expect_same(run(q, o), run(q, o, stub_dir), q);
    o.by_letter = true;
    for (const auto& q : kShardQueries)
        expect_same(run(q, o), run(q, o, stub_dir), "by letter " + q);
    // A remote shard behind a nested stub is found out too (facets then come from Xapian's
    // own spies, which the server runs).
    const auto outer = root / "outer";
    std::filesystem::create_directories(outer);
    std::ofstream(outer / "XAPIANDB") << "auto " << stub_dir << "\n";
    o.by_letter = false;
    expect_same(run(kShardQueries[0], o), run(kShardQueries[0], o, outer.string()), "nested");
    // Unknown values are found out across the remote shard too, with the values it holds.
    const std::string err = search_error(stub_dir, "specialty:psychiatrist");
    EXPECT_NE(err.find("specialty: no item has the value 'psychiatrist'"), std::string::npos)
        << err;
    EXPECT_NE(err.find("did you mean one of: " + all_values(*letters_, "specialty") + "?"),
              std::string::npos)
        << err;
    // Hits carry their document data across the wire.
    auto r = run("rationale:\"long-term use\"", {}, stub_dir);
    for (const auto& h : r.hits) EXPECT_FALSE(h.request.empty());

    servers.stop(0);
    // A shard server that is down: a clear error, not silently partial results.
    try {
        imrdex::Searcher s(stub_dir);
        (void)s.search(o);
        FAIL() << "searching with a dead shard succeeded";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find(stub_dir), std::string::npos) << e.what();
    }
}

// ---- Unknown filter values (issue 14, part 2) ------------------------------------------------

TEST_F(SearchTest, UnknownFilterValuesAreErrorsWithTheNearestValuesHeld) {
    // Small sets are listed whole, exactly as the database holds them.
    for (const std::string facet : {"decision", "sex", "priority", "guideline", "caguideline"}) {
        const std::string values = all_values(*letters_, facet);
        ASSERT_NE(values.find(", "), std::string::npos) << facet;
        const std::string err = search_error(db(), facet + ":maybe");
        EXPECT_NE(err.find(facet + ": no item has the value 'maybe'"), std::string::npos) << err;
        EXPECT_NE(err.find("did you mean one of: " + values + "?"), std::string::npos) << err;
    }
    EXPECT_NE(search_error(db(), "sex:f").find("one of: female, male?"), std::string::npos);
    // Other fields: the values held (all of them here, where they are few).
    struct Case {
        const char* query;
        const char* field;
        const char* nearest;
    };
    for (const Case& c : {Case{"class:opiod", "class", "opioid"},
                          Case{"specialty:psychiatrist", "specialty", "psychiatry"},
                          Case{"state:ZZ", "state", "did you mean"},
                          Case{"rationale:relief drug:oxycodon", "drug", "oxycodone"},
                          Case{"guideline:foo", "guideline", "one of: "}}) {
        const std::string err = search_error(db(), c.query);
        EXPECT_EQ(err.rfind(std::string(c.field) + ": no item has the value", 0), 0U)
            << c.query << ": " << err;
        EXPECT_NE(err.find(c.nearest), std::string::npos) << c.query << ": " << err;
        EXPECT_NE(err.find("--allow-empty"), std::string::npos) << err;
    }
    // Many values: the few nearest by edit distance, nearest first, and how many there are.
    const std::string id_err = search_error(db(), "id:CM16-0001001");
    EXPECT_NE(id_err.find("did you mean: CM16-0001000, "), std::string::npos) << id_err;
    EXPECT_NE(id_err.find("(" + std::to_string(letters_->size()) + " values held"),
              std::string::npos)
        << id_err;
    // The nearest values are values the database holds, never the unknown one.
    const std::string err = search_error(db(), "class:opiod");
    for (const char* v : {"benzodiazepine", "muscle relaxant", "nsaid"})
        EXPECT_NE(err.find(v), std::string::npos) << err;
    // Known values, ids in either case, and negated known values are no errors.
    for (const std::string& q :
         std::vector<std::string>{"class:opioid", "id:" + fixture::lower(letters_->front().id),
                                  "rationale:relief -class:nsaid", "state:California"})
        EXPECT_EQ(search_error(db(), q), "") << q;
    // A negated or OR-ed unknown value is as much a typo as a required one.
    EXPECT_NE(search_error(db(), "rationale:relief -class:opiod"), "");
    EXPECT_NE(search_error(db(), "class:opioid OR class:opiod"), "");
}

TEST_F(SearchTest, AllowEmptyLetsAnUnknownValueMatchNothing) {
    imrdex::SearchOptions o;
    o.allow_empty = true;
    o.facets = {"decision"};
    for (const char* q : {"class:opiod", "decision:maybe", "state:ZZ rationale:relief"}) {
        EXPECT_EQ(search_error(db(), q, o), "") << q;
        const auto r = run(q, o);
        EXPECT_EQ(r.total, 0U) << q;
        EXPECT_TRUE(r.hits.empty()) << q;
    }
    // OR with a known value: the known value's items, exactly.
    EXPECT_EQ(keys(run("class:opioid OR class:opiod", o)),
              brute([](const ItemRef& r) { return r.item().drug_class == "opioid"; }));
}

// Through a stub database the values of every shard count: a value held by one shard only is no
// error, and the suggestions come from all shards.
TEST_F(SearchTest, UnknownValuesAreCheckedAcrossAllShardsOfAStub) {
    auto root = dir_->path() / "value-shards";
    std::vector<imrdex::Letter> first(letters_->begin(), letters_->begin() + 10);
    std::vector<imrdex::Letter> second(letters_->begin() + 10, letters_->begin() + 20);
    for (auto& l : first) l.specialties = {"internal medicine"};
    for (auto& l : second) l.specialties = {"psychiatry"};
    std::filesystem::create_directories(root);
    build_with_indexer(root / "a", first);
    build_with_indexer(root / "b", second);
    std::ofstream(root / "XAPIANDB")
        << "auto " << (root / "a").string() << "\nauto " << (root / "b").string() << "\n";
    std::size_t items = 0;
    for (const auto& l : second) items += l.items.size();
    EXPECT_EQ(run("specialty:psychiatry", {}, root.string()).total, items);
    const std::string err = search_error(root.string(), "specialty:psychiatrist");
    EXPECT_NE(err.find("one of: internal medicine, psychiatry?"), std::string::npos) << err;
}

// drug: values go through the indexer's drug vocabulary: brands find their ingredients.
TEST_F(SearchTest, DrugBrandNamesFindTheirIngredients) {
    auto drug_is = [&](const std::string& d) {
        return brute([d](const ItemRef& r) { return r.item().drug == d; });
    };
    const auto hc = drug_is("acetaminophen/hydrocodone");
    ASSERT_FALSE(hc.empty());
    EXPECT_EQ(keys(run("drug:Norco")), hc);
    EXPECT_EQ(keys(run("drug:norco")), hc);
    EXPECT_EQ(keys(run("drug:VICODIN")), hc);
    const auto alp = drug_is("alprazolam");
    ASSERT_FALSE(alp.empty());
    EXPECT_EQ(keys(run("drug:xanax")), alp);
    EXPECT_EQ(keys(run("drug:Alprazolam")), alp);
    EXPECT_EQ(keys(run("drug:flexeril")), drug_is("cyclobenzaprine"));
}

// `class:muscle relaxant` unquoted: the parser takes "muscle" as the value; the error says to
// quote it, since "muscle relaxant" is a value held.
TEST_F(SearchTest, AnUnquotedValueOfSeveralWordsGetsAHintToQuoteIt) {
    const std::string err = search_error(db(), "class:muscle relaxant");
    EXPECT_NE(err.find("class: no item has the value 'muscle'"), std::string::npos) << err;
    EXPECT_NE(err.find("quote a value of several words: class:\"muscle relaxant\""),
              std::string::npos)
        << err;
    EXPECT_EQ(search_error(db(), "class:\"muscle relaxant\""), "");
    // No hint where the two words are no value either.
    const std::string other = search_error(db(), "class:muscle spasm");
    EXPECT_NE(other.find("class: no item has the value 'muscle'"), std::string::npos) << other;
    EXPECT_EQ(other.find("quote"), std::string::npos) << other;
}

// ---- Everything (issue 14, part 3) -------------------------------------------------------------

// `*` is every item; a query of filters or ranges alone is every item they match.
TEST_F(SearchTest, MatchAllAndPureFilterQueriesSelectEveryItemTheyMatch) {
    imrdex::SearchOptions o;
    o.facets = {"decision"};
    const auto all = run("*", o);
    std::size_t items = 0;
    for (const auto& l : *letters_) items += l.items.size();
    ASSERT_GT(items, 0U);
    EXPECT_EQ(all.total, items);
    EXPECT_EQ(all.total, imrdex::Searcher(db()).doc_count());
    EXPECT_EQ(keys(all), brute([](const ItemRef&) { return true; }));
    Xapian::doccount decided = 0;
    for (const auto& [v, n] : all.facets.at(0).values) decided += n;
    EXPECT_EQ(decided, items);  // every item has one decision
    auto upheld =
        brute([](const ItemRef& r) { return r.item().decision == imrdex::Decision::upheld; });
    ASSERT_FALSE(upheld.empty());
    EXPECT_EQ(keys(run("decision:upheld")), upheld);
    EXPECT_EQ(keys(run("* decision:upheld")), upheld);
    EXPECT_EQ(keys(run("age:40..60")),
              brute([](const ItemRef& r) { return r.letter->age >= 40 && r.letter->age <= 60; }));
    imrdex::SearchOptions letters;
    letters.by_letter = true;
    EXPECT_EQ(run("*", letters).total, letters_->size());
}

// (none): the matching items without a value, exact against brute force, for single-valued
// facets (no drug) and multi-valued ones (no specialty at all), per item with --by-letter too.
TEST_F(SearchTest, NoneBucketCountsTheItemsWithoutAValue) {
    std::vector<imrdex::Letter> ls(letters_->begin(), letters_->begin() + 60);
    for (std::size_t i = 0; i < ls.size(); i += 4) ls[i].specialties.clear();
    for (std::size_t i = 1; i < ls.size(); i += 5) ls[i].priority.clear();
    const auto path = dir_->path() / "none-db";
    build_with_indexer(path, ls);
    const std::vector<std::pair<std::string, Pred>> cases{
        {"*", [](const ItemRef&) { return true; }},
        {"decision:upheld",
         [](const ItemRef& r) { return r.item().decision == imrdex::Decision::upheld; }},
        {"rationale:relief", [](const ItemRef& r) {
             for (const auto& t : fixture::stem_tokens(r.item().rationale))
                 if (t == "relief") return true;
             return false;
         }}};
    for (const bool by_letter : {false, true}) {
        for (const auto& [query, pred] : cases) {
            imrdex::SearchOptions o;
            o.by_letter = by_letter;
            o.limit = 2;
            o.facets = {"drug", "class", "specialty", "priority", "decision"};
            const auto r = run(query, o, path.string());
            const auto items = fixture::items_where(ls, pred);
            ASSERT_FALSE(items.empty()) << query;
            for (const auto& f : r.facets) {
                const auto expect = fixture::facet_oracle(items, f.name);
                const std::map<std::string, Xapian::doccount> got(f.values.begin(), f.values.end());
                EXPECT_EQ(got, expect)
                    << query << " facet " << f.name << " by letter " << by_letter;
                if (f.name != "specialty") {
                    Xapian::doccount sum = 0;
                    for (const auto& [v, n] : f.values) sum += n;
                    EXPECT_EQ(sum, items.size()) << query << " facet " << f.name;
                }
            }
            // The fixture leaves these without a value somewhere, so the buckets are really there.
            for (const auto& f : r.facets) {
                if (f.name != "decision") {
                    EXPECT_EQ(f.values.back().first, imrdex::kNoValue) << query << " " << f.name;
                }
            }
        }
    }
}

}  // namespace
