// imr-serve under load (label soak): 8 concurrent clients for a bounded time while imr-index
// commits new letters into the same database (each run ends by swapping in compacted shards).
// No request may fail, no answer may show part of a letter, totals only grow; prints
// requests/s and latency percentiles. IMRDEX_SOAK_SECONDS sets the time (default 20).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "serve_client.hpp"
#include "test_util.hpp"

namespace {

using namespace imrdex::testing;
using Clock = std::chrono::steady_clock;

// id -> number of items, from the generator's truth file.
std::map<std::string, std::size_t> truth_items(const fs::path& truth) {
    std::map<std::string, std::size_t> out;
    simdjson::dom::parser p;
    std::ifstream in(truth);
    for (std::string line; std::getline(in, line);) {
        simdjson::dom::element e;
        if (p.parse(line).get(e) != simdjson::SUCCESS) continue;
        std::string_view id;
        simdjson::dom::array items;
        if (e["id"].get_string().get(id) == simdjson::SUCCESS &&
            e["items"].get_array().get(items) == simdjson::SUCCESS)
            out[std::string(id)] = items.size();
    }
    return out;
}

TEST(ServeSoak, ConcurrentClientsWhileIndexing) {
    const char* env = std::getenv("IMRDEX_SOAK_SECONDS");
    const int seconds = env != nullptr ? std::max(1, std::atoi(env)) : 20;
    const TempDir dir("serve-soak");
    const fs::path corpus = dir.path() / "corpus";
    ASSERT_EQ(run_command(shell_quote(IMRDEX_CORPUS_BIN) + " --letters 3000 --seed 77 " +
                          "--format jsonl --out " + q(corpus) + " >/dev/null 2>&1")
                  .code,
              0);
    const auto truth = truth_items(corpus / "truth.jsonl");
    ASSERT_GT(truth.size(), 2900U);
    // The letters in chunks: the first indexed before the server starts, the others by one
    // imr-index run each while the clients run.
    std::vector<fs::path> chunks;
    {
        std::ifstream in(corpus / "letters.jsonl");
        std::ofstream out;
        std::size_t n = 0;
        for (std::string line; std::getline(in, line); ++n) {
            if (n % 300 == 0) {
                chunks.push_back(dir.path() /
                                 ("chunk-" + std::to_string(chunks.size()) + ".jsonl"));
                out = std::ofstream(chunks.back());
            }
            out << line << '\n';
        }
    }
    const fs::path db = dir.path() / "db";
    const std::string index = shell_quote(IMRDEX_INDEX_BIN) + " --quiet --threads 1 --shards 2 " +
                              "--flush-mb 1 --db " + q(db) + " ";
    ASSERT_EQ(run_command(index + q(chunks[0]) + " >/dev/null 2>&1").code, 0);
    ServeProcess server(db, dir.path() / "serve.log");

    std::atomic<bool> stop{false};
    std::atomic<int> index_runs{0};
    std::thread writer([&] {
        for (std::size_t c = 1; c < chunks.size() && !stop; ++c) {
            const int code = run_command(index + q(chunks[c]) + " >/dev/null 2>&1").code;
            EXPECT_EQ(code, 0) << "imr-index on " << chunks[c];
            ++index_runs;
        }
    });

    std::mutex mutex;
    std::vector<double> latencies_ms;
    std::vector<std::string> failures;
    std::atomic<std::uint64_t> partial_letters{0}, letters_checked{0};
    auto fail = [&](std::string what) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (failures.size() < 20) failures.push_back(std::move(what));
    };
    const auto end = Clock::now() + std::chrono::seconds(seconds);
    std::vector<std::string> ids;
    for (const auto& [id, n] : truth) ids.push_back(id);
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t) {
        clients.emplace_back([&, t] {
            std::mt19937 rng(static_cast<unsigned>(t) + 1);
            auto client = server.client();
            std::uint64_t last_total = 0;
            std::vector<double> mine;
            simdjson::dom::parser p;
            while (Clock::now() < end) {
                const int kind = static_cast<int>(rng() % 4);
                std::string target;
                if (kind == 0) {
                    target = url("/api/search", {{"q", "*"},
                                                 {"facets", "decision,class"},
                                                 {"by_letter", "1"},
                                                 {"limit", "50"},
                                                 {"offset", std::to_string(rng() % 500)}});
                } else if (kind == 1) {
                    target = url("/api/letter/" + ids[rng() % ids.size()], {});
                } else if (kind == 2) {
                    target = url("/api/search", {{"q", "pain"},
                                                 {"filter", "category:pharmaceutical"},
                                                 {"facets", "category,decision,decided:year"}});
                } else {
                    target = url("/api/pivot",
                                 {{"q", "*"}, {"rows", "decided:year"}, {"cols", "decision"}});
                }
                const auto t0 = Clock::now();
                auto r = client.Get(target);
                mine.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                if (!r) {
                    fail(target + ": no answer (" + httplib::to_string(r.error()) + ")");
                    continue;
                }
                if (kind == 1 && r->status == 404) continue;  // a letter not indexed yet
                if (r->status != 200) {
                    fail(target + ": " + std::to_string(r->status) + " " + r->body);
                    continue;
                }
                simdjson::dom::element e;
                if (p.parse(r->body).get(e) != simdjson::SUCCESS) {
                    fail(target + ": not JSON");
                    continue;
                }
                if (kind == 1) {  // a whole letter: every item the truth file gives it
                    std::string_view id;
                    simdjson::dom::array items;
                    if (e["id"].get_string().get(id) != simdjson::SUCCESS ||
                        e["items"].get_array().get(items) != simdjson::SUCCESS ||
                        items.size() != truth.at(std::string(id))) {
                        ++partial_letters;
                        fail(target + ": part of a letter: " + r->body.substr(0, 200));
                    }
                    ++letters_checked;
                } else if (kind == 0) {
                    // Totals only grow; each hit's letter has all its items (more_items + 1).
                    std::uint64_t total = 0;
                    if (e["total"].get_uint64().get(total) != simdjson::SUCCESS ||
                        total < last_total)
                        fail(target + ": total " + std::to_string(total) + " after " +
                             std::to_string(last_total));
                    last_total = total;
                    simdjson::dom::array hits;
                    if (e["hits"].get_array().get(hits) != simdjson::SUCCESS) continue;
                    for (auto h : hits) {
                        std::string_view id;
                        std::uint64_t more = 0;
                        if (h["id"].get_string().get(id) != simdjson::SUCCESS ||
                            h["more_items"].get_uint64().get(more) != simdjson::SUCCESS)
                            continue;
                        ++letters_checked;
                        if (more + 1 != truth.at(std::string(id))) {
                            ++partial_letters;
                            fail(target + ": letter " + std::string(id) + " with " +
                                 std::to_string(more + 1) + " items");
                        }
                    }
                }
            }
            const std::lock_guard<std::mutex> lock(mutex);
            latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
        });
    }
    for (auto& c : clients) c.join();
    stop = true;
    writer.join();

    for (const auto& f : failures) ADD_FAILURE() << f;
    EXPECT_EQ(partial_letters.load(), 0U);
    EXPECT_GT(letters_checked.load(), 100U);
    EXPECT_GT(index_runs.load(), 0) << "no commit happened during the run";
    ASSERT_FALSE(latencies_ms.empty());
    std::sort(latencies_ms.begin(), latencies_ms.end());
    auto pct = [&](double p) {
        return latencies_ms[std::min(
            latencies_ms.size() - 1,
            static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size())))];
    };
    std::printf(
        "soak: %zu requests in %d s by 8 clients: %.1f requests/s, p50 %.1f ms, p99 %.1f "
        "ms, max %.1f ms; %d imr-index runs committed meanwhile; %llu letters checked "
        "whole\n",
        latencies_ms.size(), seconds, static_cast<double>(latencies_ms.size()) / seconds, pct(0.50),
        pct(0.99), latencies_ms.back(), index_runs.load(),
        static_cast<unsigned long long>(letters_checked.load()));
}

}  // namespace
