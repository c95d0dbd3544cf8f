// Letter-level conditions (issue 14, part 1): a summary condition holds for every item of its
// letter, wherever it stands in the query. Random combinations of a summary word or phrase with
// an item filter, on a generated corpus indexed by the real pipeline into three shards, are
// checked against a brute-force scan of the generator's truth: hit sets (both ways of lifting),
// totals, --by-letter totals and facet counts.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <unordered_map>

#include "imrdex/core/schema.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/search/letter_query.hpp"
#include "imrdex/search/search.hpp"
#include "generated_index.hpp"
#include "search_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using imrdex::LetterLift;

constexpr std::uint64_t kLetters = 1500;
constexpr std::uint64_t kSeed = 11;
constexpr int kQueries = 160;

// One item as the brute force sees it: its letter's summary words and its own text fields.
struct ItemText {
    std::string key;  // id#n
    const imrdex::Letter* letter;
    const imrdex::Item* item;
    std::vector<std::string> summary;                  // stems
    std::vector<std::vector<std::string>> item_parts;  // stems of each rationale/request part
};

bool has_run(const std::vector<std::string>& text, const std::vector<std::string>& run) {
    return std::search(text.begin(), text.end(), run.begin(), run.end()) != text.end();
}

class LetterConditions : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fixture::TempDir("letter-conditions");
        std::uint64_t rejected = 0;
        // Three shards: the stub interleaves their docids, and lifts and pivots work per shard.
        truth_ = new std::vector<imrdex::Letter>(imrdex::testing::index_generated(
            dir_->path(), db(), kLetters, kSeed, 3, rejected));
        ASSERT_EQ(rejected, 0u);
    }
    static void TearDownTestSuite() {
        delete truth_;
        delete dir_;
    }
    static std::string db() { return (dir_->path() / "db").string(); }

    static inline fixture::TempDir* dir_ = nullptr;
    static inline std::vector<imrdex::Letter>* truth_ = nullptr;
};

// The item filters drawn: a field, and the predicate it stands for on the truth.
struct ItemFilter {
    std::string query;
    std::function<bool(const imrdex::Item&)> holds;
};

ItemFilter draw_filter(std::mt19937& rng, const imrdex::Item& from) {
    using imrdex::Item;
    const std::string category(imrdex::to_string(from.category));
    const std::string decision(imrdex::to_string(from.decision));
    const std::string drug_class = fixture::lower(from.drug_class);
    switch (rng() % 3) {
        case 0:
            return {"category:\"" + category + "\"",
                    [=](const Item& i) { return imrdex::to_string(i.category) == category; }};
        case 1:
            return {"decision:" + decision,
                    [=](const Item& i) { return imrdex::to_string(i.decision) == decision; }};
        default:
            if (drug_class.empty())
                return {"category:\"" + category + "\"",
                        [=](const Item& i) { return imrdex::to_string(i.category) == category; }};
            return {"class:\"" + drug_class + "\"",
                    [=](const Item& i) { return fixture::lower(i.drug_class) == drug_class; }};
    }
}

TEST_F(LetterConditions, SummaryConditionsHoldForEveryItemOfTheLetter) {
    std::vector<ItemText> items;
    for (const imrdex::Letter& l : *truth_) {
        const std::vector<std::string> summary = fixture::stem_tokens(l.summary);
        for (std::size_t n = 0; n < l.items.size(); ++n) {
            ItemText t{l.id + "#" + std::to_string(n + 1), &l, &l.items[n], summary, {}};
            for (const auto& f : imrdex::schema::kTextFields) {
                if (f.first_item_only) continue;
                const imrdex::schema::TextParts parts = f.text(l, l.items[n]);
                for (const std::string_view part : {parts.first, parts.second})
                    t.item_parts.push_back(fixture::stem_tokens(std::string(part)));
            }
            items.push_back(std::move(t));
        }
    }
    ASSERT_GT(items.size(), kLetters * 3 / 2) << "letters of several items are the point";

    const Xapian::Database xdb(db());
    std::unordered_map<Xapian::docid, std::string> key_of;
    for (auto t = xdb.allterms_begin("Q"); t != xdb.allterms_end("Q"); ++t) {
        std::string key = (*t).substr(1);
        key.replace(key.rfind('/'), 1, "#");
        for (auto p = xdb.postlist_begin(*t); p != xdb.postlist_end(*t); ++p) key_of[*p] = key;
    }
    ASSERT_EQ(key_of.size(), items.size());

    imrdex::Searcher searcher(db());
    const imrdex::QueryBuilder builder;
    std::mt19937 rng(20261205);
    std::size_t checked = 0, beyond_first = 0, hits = 0;
    for (int n = 0; n < kQueries; ++n) {
        // A word or a phrase of two or three words from some letter's summary.
        const imrdex::Letter& src = (*truth_)[rng() % truth_->size()];
        const std::vector<std::string> words = fixture::raw_tokens(src.summary);
        const std::vector<std::string> stems = fixture::stem_tokens(src.summary);
        if (words.size() < 4) continue;
        const std::size_t len = 1 + rng() % 3;
        const std::size_t start = rng() % (words.size() - len + 1);
        std::string text;
        std::vector<std::string> run;
        for (std::size_t k = start; k < start + len; ++k) {
            text += (text.empty() ? "" : " ") + words[k];
            run.push_back(stems[k]);
        }
        const std::string summary = len == 1 ? "summary:" + text : "summary:\"" + text + "\"";
        const std::string free = len == 1 ? text : "\"" + text + "\"";
        const imrdex::Letter& other = (*truth_)[rng() % truth_->size()];
        const ItemFilter f = draw_filter(rng, other.items[rng() % other.items.size()]);

        auto in_summary = [&](const ItemText& t) { return has_run(t.summary, run); };
        auto anywhere = [&](const ItemText& t) {
            return in_summary(t) || std::any_of(t.item_parts.begin(), t.item_parts.end(),
                                                [&](const auto& p) { return has_run(p, run); });
        };
        std::string query;
        std::function<bool(const ItemText&)> expect_fn;
        switch (n % 5) {
            case 0:
                query = summary + " " + f.query;
                expect_fn = [&](const ItemText& t) { return in_summary(t) && f.holds(*t.item); };
                break;
            case 1:
                query = f.query + " NOT " + summary;
                expect_fn = [&](const ItemText& t) { return !in_summary(t) && f.holds(*t.item); };
                break;
            case 2:
                query = summary + " OR " + f.query;
                expect_fn = [&](const ItemText& t) { return in_summary(t) || f.holds(*t.item); };
                break;
            case 3:
                query = free + " " + f.query;  // free text: rationale, request or summary
                expect_fn = [&](const ItemText& t) { return anywhere(t) && f.holds(*t.item); };
                break;
            default:
                query = "(" + summary + " OR " + f.query + ") NOT decision:upheld";
                expect_fn = [&](const ItemText& t) {
                    return (in_summary(t) || f.holds(*t.item)) &&
                           t.item->decision != imrdex::Decision::upheld;
                };
                break;
        }

        std::set<std::string> expect;
        std::set<std::string> letters;
        std::map<std::string, Xapian::doccount> decisions;
        for (const ItemText& t : items) {
            if (!expect_fn(t)) continue;
            expect.insert(t.key);
            letters.insert(t.letter->id);
            ++decisions[std::string(imrdex::to_string(t.item->decision))];
            if (t.item != &t.letter->items.front() && in_summary(t)) ++beyond_first;
        }

        // Hit sets, by both ways of lifting, straight from the match.
        for (const LetterLift how :
             {LetterLift::items_of_matching_letters, LetterLift::letter_id_terms}) {
            Xapian::Enquire enquire(xdb);
            enquire.set_query(imrdex::lift_letter_conditions(builder.parse(query), xdb, how));
            const Xapian::MSet mset = enquire.get_mset(0, xdb.get_doccount());
            std::set<std::string> got;
            for (auto it = mset.begin(); it != mset.end(); ++it) got.insert(key_of.at(*it));
            EXPECT_EQ(got, expect) << query << (how == LetterLift::letter_id_terms ? " (ids)" : "");
        }

        // Totals, letters and facet counts through the searcher.
        imrdex::SearchOptions o;
        o.query = query;
        o.allow_empty = true;  // a drawn filter value can be absent from the matches, not the db
        o.facets = {"decision"};
        o.limit = 3;
        const imrdex::SearchResult r = searcher.search(o);
        EXPECT_EQ(r.total, expect.size()) << query;
        std::map<std::string, Xapian::doccount> got_decisions;
        for (const auto& [value, count] : r.facets.at(0).values) got_decisions[value] = count;
        EXPECT_EQ(got_decisions, decisions) << query;
        o.by_letter = true;
        EXPECT_EQ(searcher.search(o).total, letters.size()) << query << " (--by-letter)";
        hits += expect.size();
        ++checked;
    }
    EXPECT_GE(checked, std::size_t{kQueries} * 9 / 10);
    // The point of the test: summary matches that reach items after the first.
    EXPECT_GT(beyond_first, 100u);
    std::printf("%zu queries checked, %zu item hits, %zu through a later item's summary\n", checked,
                hits, beyond_first);
}

// NEAR and wildcards within the summary are letter conditions too; a lone NOT of one selects
// every item of the letters whose summary lacks it.
TEST_F(LetterConditions, NearWildcardAndPureNotReachEveryItem) {
    const Xapian::Database xdb(db());
    imrdex::Searcher searcher(db());
    // A letter of several items, and two words of its summary a few words apart.
    const imrdex::Letter* l = nullptr;
    for (const auto& x : *truth_)
        if (x.items.size() >= 3 && fixture::stem_tokens(x.summary).size() > 12) l = &x;
    ASSERT_NE(l, nullptr);
    const std::vector<std::string> words = fixture::raw_tokens(l->summary);
    const std::vector<std::string> stems = fixture::stem_tokens(l->summary);
    auto count_where = [&](const std::function<bool(const imrdex::Letter&)>& pred) {
        Xapian::doccount n = 0;
        for (const auto& x : *truth_)
            if (pred(x)) n += static_cast<Xapian::doccount>(x.items.size());
        return n;
    };
    auto positions = [](const std::vector<std::string>& t, const std::string& s) {
        std::vector<std::size_t> at;
        for (std::size_t i = 0; i < t.size(); ++i)
            if (t[i] == s) at.push_back(i);
        return at;
    };
    const std::string a = stems[2], b = stems[5];
    // Xapian's NEAR 11 (QueryParser's default 10, plus one for the second term): both words
    // within a window of 11 positions.
    const Xapian::doccount near = count_where([&](const imrdex::Letter& x) {
        const auto t = fixture::stem_tokens(x.summary);
        for (std::size_t i : positions(t, a))
            for (std::size_t j : positions(t, b))
                if (i != j && (i > j ? i - j : j - i) < 11) return true;
        return false;
    });
    imrdex::SearchOptions o;
    o.count_only = true;
    o.query = "summary:" + words[2] + " NEAR summary:" + words[5];
    EXPECT_EQ(searcher.search(o).total, near) << o.query;
    EXPECT_GE(near, l->items.size());

    const std::string stem_prefix =
        stems[3].substr(0, std::max<std::size_t>(3, stems[3].size() - 1));
    const Xapian::doccount wild = count_where([&](const imrdex::Letter& x) {
        for (const auto& w : fixture::stem_tokens(x.summary))
            if (w.rfind(stem_prefix, 0) == 0) return true;
        return false;
    });
    o.query = "summary:" + stem_prefix + "*";
    EXPECT_EQ(searcher.search(o).total, wild) << o.query;

    const Xapian::doccount without = count_where([&](const imrdex::Letter& x) {
        const auto t = fixture::stem_tokens(x.summary);
        return std::find(t.begin(), t.end(), a) == t.end();
    });
    o.query = "NOT summary:" + words[2];
    EXPECT_EQ(searcher.search(o).total, without) << o.query;
    EXPECT_GT(without, 0u);
}

}  // namespace
