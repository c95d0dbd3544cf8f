// Integration tests of imrdex::Searcher over small indexes of synthetic letters: every answer is
// checked against a brute-force scan of the same letters.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "imrdex/index/document.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/search/search.hpp"
#include "search_fixture.hpp"

namespace {

using fixture::ItemRef;
using Pred = std::function<bool(const ItemRef&)>;

void build_with_indexer(const std::filesystem::path& dir, const std::vector<imrdex::Letter>& ls) {
    Xapian::WritableDatabase db(dir.string(), Xapian::DB_CREATE_OR_OVERWRITE);
    imrdex::DocumentBuilder builder;
    for (const auto& l : ls)
        for (auto& d : builder.build(l)) db.replace_document(d.unique_term, d.document);
    db.commit();
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class SearchTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fixture::TempDir("search");
        letters_ = new std::vector<imrdex::Letter>(fixture::make_letters(120));
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
        std::map<std::string, Xapian::doccount> out;
        for (const auto& r : fixture::items_where(*letters_, pred)) {
            const auto& l = *r.letter;
            const auto& it = r.item();
            std::set<std::string> values;
            if (facet == "decision") values.insert(std::string(imrdex::to_string(it.decision)));
            if (facet == "category") values.emplace(imrdex::to_string(it.category));
            if (facet == "drug") values.insert(it.drug);
            if (facet == "class") values.insert(it.drug_class);
            if (facet == "specialty") values.insert(l.specialties.begin(), l.specialties.end());
            if (facet == "state")
                for (const auto& s : l.states) values.insert(lower(s));
            if (facet == "sex") values.insert(l.sex);
            if (facet == "guideline")
                for (const auto& s : fixture::lower_sources(it.maximus_guideline)) values.insert(s);
            if (facet == "caguideline")
                for (const auto& s : fixture::lower_sources(it.ca_guideline)) values.insert(s);
            if (facet == "priority") values.insert(l.priority);
            if (facet == "id") values.insert(l.id);
            for (const auto& v : values)
                if (!v.empty()) ++out[v];
        }
        return out;
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
               (r.index == 0 && fixture::contains_phrase(r.letter->summary, p));
    };
}

const std::vector<std::string> kPhrases{
    "long-term use",          "risks and benefits",   "not medically necessary",
    "lumbar spine",           "functional improvement", "the patient's pain scores",
    "from 8/10 to 4/10",      "weaning was advised",   "relief",
    "muscle relaxants are recommended", "shortest period", "imaging only after"};

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
        {"class:opioid",
         [](const ItemRef& r) { return r.item().drug_class == "opioid"; }},
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
        ASSERT_EQ(r.facets.size(), 11U);
        for (const auto& f : r.facets) {
            auto expect = brute_facet(f.name, pred);
            std::map<std::string, Xapian::doccount> got(f.values.begin(), f.values.end());
            EXPECT_EQ(got, expect) << query << " facet " << f.name;
            for (std::size_t i = 1; i < f.values.size(); ++i) {
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
    ASSERT_LT(letters.total, items.total) << "the fixture needs letters with several matching items";
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
    auto im = brute([&](const ItemRef& r) { return has(r.letter->specialties, "internal medicine"); });
    EXPECT_EQ(keys(run("specialty:\"Internal  Medicine\"")), im);
    auto ca = brute([&](const ItemRef& r) { return has(r.letter->states, "CA"); });
    EXPECT_EQ(keys(run("state:California")), ca);
    EXPECT_EQ(keys(run("state:ca")), ca);
    auto hc = brute([](const ItemRef& r) { return r.item().drug == "acetaminophen/hydrocodone"; });
    EXPECT_EQ(keys(run("drug:hydrocodone")), hc);  // each ingredient is a term too
    EXPECT_EQ(keys(run("drug:Acetaminophen/Hydrocodone")), hc);
    const auto& first = letters_->front();
    EXPECT_EQ(run("id:" + lower(first.id)).total, first.items.size());
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

// A database indexed before kSlotFacets existed and added to since has the slot on some
// documents only: facets are then counted from the per-facet slots, and stay exact.
TEST_F(SearchTest, FacetsStayExactWhenSomeDocumentsLackTheFacetSlot) {
    auto mixed = dir_->path() / "mixed";
    const std::size_t half = letters_->size() / 2;
    fixture::build_index(mixed, {letters_->begin(), letters_->begin() + static_cast<long>(half)});
    {
        Xapian::WritableDatabase db(mixed.string());
        imrdex::DocumentBuilder builder;
        for (std::size_t i = half; i < letters_->size(); ++i)
            for (auto& d : builder.build((*letters_)[i])) db.replace_document(d.unique_term, d.document);
        db.commit();
        ASSERT_GT(db.get_value_freq(imrdex::schema::kSlotFacets), 0U);
        ASSERT_LT(db.get_value_freq(imrdex::schema::kSlotFacets), db.get_doccount());
    }
    imrdex::SearchOptions o;
    o.facets = imrdex::parse_facet_list("all");
    for (const std::string q : {"class:opioid", "rationale:recommended", "specialty:psychiatry"}) {
        auto a = run(q, o);
        auto b = run(q, o, mixed.string());
        ASSERT_EQ(a.facets.size(), b.facets.size());
        for (std::size_t i = 0; i < a.facets.size(); ++i)
            EXPECT_EQ(a.facets[i].values, b.facets[i].values) << q << " " << a.facets[i].name;
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
    "rationale:\"long-term use\"", "class:opioid decided:2016", "specialty:psychiatry",
    "\"lumbar spine\" guideline:odg", "state:ny age:30..50", "rationale:recommended"};

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

}  // namespace
