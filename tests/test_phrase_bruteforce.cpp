// Correctness bars of issue 5 on a generated corpus: phrase hits equal a brute-force scan of the
// same rationales (with and without word pairs), and facet counts equal the generator's truth.
#include <gtest/gtest.h>

#include <unordered_map>

#include "imrdex/index/document.hpp"
#include "imrdex/index/schema_version.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/search/search.hpp"
#include "search_fixture.hpp"

namespace {

constexpr std::uint64_t kLetters = 2000;
constexpr std::uint64_t kSeed = 5;
constexpr int kPhrases = 300;

using fixture::lower;

class PhraseBruteForce : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fixture::TempDir("phrase-bf");
        parsed_ = new std::vector<imrdex::Letter>;
        truth_ = new std::vector<imrdex::Letter>;
        imrdex::LetterGenerator gen(kSeed);
        imrdex::LetterParser parser;
        imrdex::DocumentBuilder builder;
        imrdex::DocumentBuilder pair_builder(true);
        Xapian::WritableDatabase plain_db(db(), Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::WritableDatabase pairs_db(pairs_db_path(), Xapian::DB_CREATE_OR_OVERWRITE);
        pairs_db.set_metadata(std::string(imrdex::schema::kWordPairsKey), "1");
        imrdex::schema::record_version(plain_db);
        imrdex::schema::record_version(pairs_db);
        imrdex::GeneratedLetter g;
        for (std::uint64_t i = 0; i < kLetters; ++i) {
            gen.generate(i, g);
            imrdex::Letter l = parser.parse(g.text, gen.id_of(i), "gen:" + std::to_string(i));
            for (auto& d : builder.build(l)) plain_db.replace_document(d.unique_term, d.document);
            for (auto& d : pair_builder.build(l))
                pairs_db.replace_document(d.unique_term, d.document);
            parsed_->push_back(std::move(l));
            truth_->push_back(g.truth);
        }
        plain_db.commit();
        pairs_db.commit();
    }
    static void TearDownTestSuite() {
        delete parsed_;
        delete truth_;
        delete dir_;
    }
    static std::string db() { return (dir_->path() / "db").string(); }
    static std::string pairs_db_path() { return (dir_->path() / "db-pairs").string(); }

    static inline fixture::TempDir* dir_ = nullptr;
    static inline std::vector<imrdex::Letter>* parsed_ = nullptr;  // what was indexed
    static inline std::vector<imrdex::Letter>* truth_ = nullptr;   // what the generator wrote
};

// The phrase query matches stems (the index holds English stems only, STEM_ALL), so the brute
// force compares stem sequences: "rationale:\"uses opioids\"" also matches "use opioid", by
// design. Both sides split words by the indexer's rules (alphanumeric runs with TermGenerator's
// infixes), and the scan runs over exactly the parsed rationale texts that were indexed. The
// database with word pairs must give the same hits through its narrowed queries, and the same
// totals for the phrase over every field (its request and summary pairs).
TEST_F(PhraseBruteForce, RandomRationalePhrasesMatchTheBruteForceScan) {
    std::unordered_map<std::string, int> ids;
    auto id_of = [&](const std::string& s) { return ids.try_emplace(s, int(ids.size())).first->second; };
    struct Doc {
        std::string key;
        std::vector<int> stems;
        std::vector<std::string> words;
    };
    std::vector<Doc> docs;
    for (const auto& l : *parsed_)
        for (std::size_t i = 0; i < l.items.size(); ++i) {
            Doc d{l.id + "#" + std::to_string(i + 1), {}, fixture::raw_tokens(l.items[i].rationale)};
            for (const auto& s : fixture::stem_tokens(l.items[i].rationale)) d.stems.push_back(id_of(s));
            ASSERT_EQ(d.stems.size(), d.words.size()) << d.key;
            docs.push_back(std::move(d));
        }
    ASSERT_GT(docs.size(), kLetters);

    // Hit sets straight from the MSet's docids through the unique terms: fetching every hit's
    // document through Searcher would cost more than the whole check (common phrases match
    // thousands of items). Searcher's own total is compared too.
    struct Index {
        Xapian::Database xdb;
        imrdex::Searcher searcher;
        bool narrow;
        std::unordered_map<Xapian::docid, std::string> key_of;
    };
    std::vector<Index> indexes;
    indexes.push_back({Xapian::Database(db()), imrdex::Searcher(db()), false, {}});
    indexes.push_back(
        {Xapian::Database(pairs_db_path()), imrdex::Searcher(pairs_db_path()), true, {}});
    for (Index& x : indexes) {
        for (auto t = x.xdb.allterms_begin("Q"); t != x.xdb.allterms_end("Q"); ++t) {
            std::string key = (*t).substr(1);
            key.replace(key.rfind('/'), 1, "#");
            for (auto p = x.xdb.postlist_begin(*t); p != x.xdb.postlist_end(*t); ++p)
                x.key_of[*p] = key;
        }
    }
    const imrdex::QueryBuilder builder;
    std::mt19937 rng(20240601);
    std::size_t total_hits = 0, single = 0, checked = 0;
    for (int n = 0; n < kPhrases; ++n) {
        const Doc& src = docs[rng() % docs.size()];
        if (src.words.size() < 4) continue;
        std::size_t len = 2 + rng() % 3;
        std::size_t start = rng() % (src.words.size() - len + 1);
        std::string phrase;
        std::vector<int> want;
        for (std::size_t k = start; k < start + len; ++k) {
            phrase += (phrase.empty() ? "" : " ") + src.words[k];
            want.push_back(src.stems[k]);
        }
        std::set<std::string> expect;
        for (const auto& d : docs)
            if (std::search(d.stems.begin(), d.stems.end(), want.begin(), want.end()) !=
                d.stems.end())
                expect.insert(d.key);
        imrdex::SearchOptions o;
        o.query = "rationale:\"" + phrase + "\"";
        o.count_only = true;
        imrdex::SearchOptions any_field = o;
        any_field.query = "\"" + phrase + "\"";
        std::vector<Xapian::doccount> any_field_totals;
        for (Index& x : indexes) {
            auto r = x.searcher.search(o);
            Xapian::Enquire enquire(x.xdb);
            const Xapian::Query q = builder.parse(o.query);
            enquire.set_query(x.narrow ? imrdex::narrow_phrases(q) : q);
            Xapian::MSet mset = enquire.get_mset(0, x.xdb.get_doccount());
            std::set<std::string> got;
            for (auto it = mset.begin(); it != mset.end(); ++it) got.insert(x.key_of.at(*it));
            EXPECT_EQ(got, expect) << o.query << (x.narrow ? " (word pairs)" : "");
            EXPECT_EQ(r.total, expect.size()) << o.query << (x.narrow ? " (word pairs)" : "");
            any_field_totals.push_back(x.searcher.search(any_field).total);
        }
        EXPECT_EQ(any_field_totals.front(), any_field_totals.back()) << any_field.query;
        EXPECT_TRUE(expect.count(src.key)) << o.query;
        total_hits += expect.size();
        single += expect.size() == 1 ? 1 : 0;
        ++checked;
    }
    EXPECT_GE(checked, kPhrases * 9 / 10);
    std::printf("%zu phrases checked, %zu hits in all, %zu matched a single item\n", checked,
                total_hits, single);
}

using TruthPred = std::function<bool(const imrdex::Letter&, const imrdex::Item&)>;

// The facet oracle over the generator's truth of the items `pred` accepts.
std::map<std::string, Xapian::doccount> truth_facet(const std::vector<imrdex::Letter>& letters,
                                                    const std::string& facet,
                                                    const TruthPred& pred) {
    return fixture::facet_oracle(
        fixture::items_where(letters,
                             [&](const fixture::ItemRef& r) { return pred(*r.letter, r.item()); }),
        facet);
}

TEST_F(PhraseBruteForce, FacetCountsEqualTheGeneratorsTruth) {
    auto has = [](const std::vector<std::string>& v, const std::string& x) {
        return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return lower(s) == x; });
    };
    const std::string year = truth_->front().decision_date.substr(0, 4);
    // A year some letter has only by its case number (no cover block, so no decision date).
    std::string id_year;
    for (const auto& l : *truth_)
        if (l.decision_date.empty() && id_year.empty()) id_year = "20" + l.id.substr(2, 2);
    ASSERT_FALSE(id_year.empty()) << "the generator wrote no letter without a decision date";
    auto in_year = [](const imrdex::Letter& l, const imrdex::Item& it, const std::string& y) {
        return fixture::facet_values(l, it, "year").count(y) == 1;
    };
    const std::vector<std::pair<std::string, TruthPred>> cases{
        {"class:opioid", [](const auto&, const auto& it) { return it.drug_class == "opioid"; }},
        {"decision:overturned",
         [](const auto&, const auto& it) { return it.decision == imrdex::Decision::overturned; }},
        {"state:CA decided:" + year,
         [&](const auto& l, const auto&) {
             return has(l.states, "ca") && l.decision_date.substr(0, 4) == year;
         }},
        {"guideline:odg category:imaging",
         [&](const auto&, const auto& it) {
             return has(it.maximus_guideline.sources, "odg") &&
                    it.category == imrdex::Category::imaging;
         }},
        {"sex:female age:40..60",
         [](const auto& l, const auto&) { return l.sex == "female" && l.age >= 40 && l.age <= 60; }},
        {"year:" + id_year, [&](const auto& l, const auto& it) { return in_year(l, it, id_year); }},
        {"year:" + year + " class:opioid",
         [&](const auto& l, const auto& it) {
             return in_year(l, it, year) && it.drug_class == "opioid";
         }},
    };
    imrdex::Searcher searcher(db());
    for (const auto& [query, pred] : cases) {
        imrdex::SearchOptions o;
        o.query = query;
        o.facets = {"decision", "class", "category", "drug", "specialty", "state", "guideline",
                    "sex", "priority", "year"};
        auto r = searcher.search(o);
        Xapian::doccount expect_total = 0;
        for (const auto& l : *truth_)
            for (const auto& it : l.items) expect_total += pred(l, it) ? 1 : 0;
        EXPECT_GT(expect_total, 0U) << query;
        EXPECT_EQ(r.total, expect_total) << query;
        for (const auto& f : r.facets) {
            std::map<std::string, Xapian::doccount> got(f.values.begin(), f.values.end());
            EXPECT_EQ(got, truth_facet(*truth_, f.name, pred)) << query << " facet " << f.name;
        }
    }
}

}  // namespace
