// Searches while imr-index commits: three indexing runs (small flushes, compaction at the end
// of each) add letters while threads search through imrdex::Searcher. No search fails, totals
// never go down, and every letter of a fixed id set shows 0 or all of its items.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fault_corpus.hpp"
#include "imrdex/search/search.hpp"

namespace {

using namespace imrdex::testing;

struct Watch {
    std::uint64_t searches = 0;
    std::uint64_t partial_views = 0;  // searches that saw some but not all of the id set
    std::uint64_t increases = 0;      // times the total grew (new commits seen)
    std::vector<std::string> errors;
};

TEST(Concurrent, SearchesDuringCommitsNeverFailNorSeeHalfALetter) {
    TempDir t("concurrent");
    const fs::path db = t.path() / "db";
    std::vector<fs::path> parts;
    std::map<std::string, std::size_t> truth;
    for (int p = 0; p < 3; ++p) {
        parts.push_back(t.path() / ("part" + std::to_string(p) + ".jsonl"));
        const auto part = write_generated_jsonl(parts.back(), 17, 600u * p, 600);
        truth.insert(part.begin(), part.end());
    }
    // The watched letters: every 40th id, from all three runs.
    std::map<std::string, std::size_t> watched;
    std::string query;
    std::size_t k = 0;
    for (const auto& [id, items] : truth) {
        if (k++ % 40 != 0) continue;
        watched[id] = items;
        query += (query.empty() ? "id:" : " id:") + id;
    }
    std::size_t watched_items = 0;
    for (const auto& [id, items] : watched) watched_items += items;

    std::atomic<bool> done{false};
    std::mutex mu;
    // Thread 0 opens a fresh Searcher for every search; thread 1 keeps one Searcher open for
    // the whole test, so commits invalidate the revision it reads (DatabaseModifiedError,
    // which the Searcher answers by reopening).
    std::vector<Watch> watches(2);
    auto searcher_loop = [&](int n) {
        Watch& w = watches[static_cast<std::size_t>(n)];
        std::unique_ptr<imrdex::Searcher> kept;
        Xapian::doccount last_total = 0;
        imrdex::SearchOptions o;
        o.query = query;
        o.limit = 5;
        o.facets = {"id"};
        o.allow_empty = true;  // before the first commit no id watched is in the database yet
        auto fail = [&](const std::string& what) {
            std::lock_guard lock(mu);
            if (w.errors.size() < 10) w.errors.push_back(what);
        };
        while (!done.load()) {
            if (!fs::exists(db / "XAPIANDB")) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
                continue;
            }
            try {
                std::unique_ptr<imrdex::Searcher> fresh;
                if (n == 0) fresh = std::make_unique<imrdex::Searcher>(db.string());
                else if (!kept) kept = std::make_unique<imrdex::Searcher>(db.string());
                imrdex::Searcher& s = n == 0 ? *fresh : *kept;
                const imrdex::SearchResult r = s.search(o);
                ++w.searches;
                if (r.total < last_total) {
                    fail("total went down: " + std::to_string(last_total) + " -> " +
                         std::to_string(r.total));
                }
                if (r.total > last_total) ++w.increases;
                last_total = r.total;
                Xapian::doccount sum = 0;
                for (const auto& [id, count] : r.facets.at(0).values) {
                    sum += count;
                    const auto it = watched.find(id);
                    if (it == watched.end() || it->second != count) {
                        fail("letter " + id + " shows " + std::to_string(count) + " items");
                    }
                }
                if (sum != r.total) fail("facet sum differs from the total");
                if (r.total > 0 && r.total < watched_items) ++w.partial_views;
            } catch (const std::exception& e) {
                fail(std::string("search failed: ") + e.what());
            } catch (const Xapian::Error& e) {
                fail("search failed: " + e.get_description());
            }
        }
    };
    std::thread s0(searcher_loop, 0);
    std::thread s1(searcher_loop, 1);
    std::vector<int> codes;
    for (const fs::path& part : parts) {
        // The first two runs leave the shards uncompacted, so later commits rewrite blocks a
        // long-open reader may still need; the last run compacts (swapping shard directories).
        std::vector<std::string> args{"--quiet", "--threads", "1", "--flush-mb", "1",
                                      "--db", db.string(), part.string()};
        if (part != parts.back()) args.insert(args.begin(), "--no-compact");
        codes.push_back(run_index(args));
    }
    // Let the searchers see the final state for a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    done = true;
    s0.join();
    s1.join();

    for (int c : codes) EXPECT_EQ(c, 0);
    for (std::size_t n = 0; n < watches.size(); ++n) {
        EXPECT_TRUE(watches[n].errors.empty()) << "thread " << n << ": " << watches[n].errors.front();
        EXPECT_GT(watches[n].searches, 0u);
        std::printf("search thread %zu (%s): %llu searches, %llu saw part of the id set, total "
                    "grew %llu times, %zu errors\n",
                    n, n == 0 ? "fresh Searcher each time" : "one Searcher throughout",
                    static_cast<unsigned long long>(watches[n].searches),
                    static_cast<unsigned long long>(watches[n].partial_views),
                    static_cast<unsigned long long>(watches[n].increases), watches[n].errors.size());
    }
    // The searches really overlapped the indexing.
    EXPECT_GT(watches[0].partial_views, 0u);
    imrdex::Searcher final_searcher(db.string());
    imrdex::SearchOptions o;
    o.query = query;
    o.count_only = true;
    EXPECT_EQ(final_searcher.search(o).total, watched_items);
    EXPECT_EQ(letter_items(db), truth);
}

}  // namespace
