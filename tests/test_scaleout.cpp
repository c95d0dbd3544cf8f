// Scale-out on loopback: three machine shards built with `imr-index --shard K/3` (each split
// locally with --shards 3), merged with --merge, served by three xapian-tcpsrv processes and
// searched as one through a stub file. Where the letters went is read back from the databases;
// every answer of imr-search must equal the merged database's, and a dead shard server must be
// named.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "imrdex/core/schema.hpp"
#include "imrdex/search/search.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

constexpr unsigned kShards = 3;       // machines
constexpr unsigned kLocalShards = 3;  // local shards per machine: as many as machines, the split
                                      // where machine and local routing sharing bits would show
constexpr int kLetters = 1500;

using imrdex::testing::q;
using imrdex::testing::read_file;
using imrdex::testing::RunResult;
using imrdex::testing::Servers;
using imrdex::testing::TempDir;

// Runs `bin args` through the shell, capturing stdout and (through a file) stderr.
RunResult run(const std::string& bin, const std::string& args, const fs::path& scratch) {
    return imrdex::testing::run_command(q(bin) + " " + args, scratch / "stderr.txt");
}

// What imr-search --json says, reduced to what must agree between the stub and the merged db.
struct Answer {
    std::uint64_t total = 0;
    std::string unit;
    std::vector<std::string> keys;               // per rank: id#item (item mode) or id
    std::vector<double> scores;                  // per rank
    std::vector<std::string> dates;              // per rank: decision_date
    std::map<std::string, double> score_of;      // key -> score
    std::map<std::string, std::int64_t> more_items;  // by letter: id -> collapsed items
    std::map<std::string, std::map<std::string, std::uint64_t>> facets;
};

Answer parse_answer(const std::string& json, bool by_letter) {
    Answer a;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json).get(root)) {
        ADD_FAILURE() << "imr-search printed no JSON: " << json.substr(0, 300);
        return a;
    }
    a.total = std::uint64_t(root["total"]);
    a.unit = std::string(std::string_view(root["unit"]));
    for (simdjson::dom::element h : simdjson::dom::array(root["hits"])) {
        const std::string id{std::string_view(h["id"])};
        const std::string key = by_letter ? id : id + "#" + std::to_string(std::int64_t(h["item"]));
        a.keys.push_back(key);
        a.scores.push_back(double(h["score"]));
        a.dates.emplace_back(std::string_view(h["decision_date"]));
        a.score_of[key] = a.scores.back();
        if (by_letter) a.more_items[id] = std::int64_t(h["more_items"]);
    }
    simdjson::dom::object facets;
    if (!root["facets"].get(facets)) {
        for (auto [name, values] : facets) {
            auto& m = a.facets[std::string(name)];
            for (auto [value, count] : simdjson::dom::object(values)) {
                m[std::string(value)] = std::uint64_t(count);
            }
        }
    }
    return a;
}

bool close(double a, double b) { return std::fabs(a - b) <= 2e-4 * std::max(1.0, std::fabs(a)); }

std::set<std::string> letter_ids(const Xapian::Database& db) {
    std::set<std::string> ids;
    const std::string prefix(imrdex::schema::kLetterId);
    for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        ids.insert((*t).substr(prefix.size()));
    }
    return ids;
}

std::set<std::string> letter_ids(const fs::path& db) {
    return letter_ids(Xapian::Database(db.string()));
}

// The local shard databases of a machine's database directory, in shard order.
std::vector<fs::path> local_shards(const fs::path& machine) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(machine)) {
        if (e.is_directory() && e.path().filename().string().rfind("shard-", 0) == 0) {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The union of the letter-id sets of several databases, checking that no letter (with any of its
// items) is in two of them.
std::set<std::string> disjoint_union(const std::vector<std::set<std::string>>& sets,
                                     const std::string& what) {
    std::set<std::string> all;
    std::size_t sum = 0;
    for (const auto& ids : sets) {
        sum += ids.size();
        all.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(sum, all.size()) << "a letter is in two " << what;
    return all;
}

class ScaleOut : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir("scaleout");
        const fs::path& d = dir_->path();
        const auto t0 = std::chrono::steady_clock::now();
        const RunResult gen = run(IMRDEX_CORPUS_BIN,
                                  "-n " + std::to_string(kLetters) + " -s 20240 -f jsonl -o " +
                                      q(d / "corpus"),
                                  d);
        ASSERT_EQ(gen.code, 0) << gen.err;
        // Truth: the ids of the generated letters, independent of the indexer.
        simdjson::dom::parser parser;
        std::ifstream truth(d / "corpus" / "truth.jsonl");
        std::string line;
        while (std::getline(truth, line)) {
            simdjson::dom::element e;
            ASSERT_FALSE(parser.parse(line).get(e)) << line.substr(0, 200);
            truth_ids_.emplace(std::string_view(e["id"]));
        }
        for (unsigned k = 0; k < kShards; ++k) {
            const fs::path shard = d / ("shard" + std::to_string(k));
            // --shards: a machine's shard database is itself split locally, and must still be
            // servable as one database by xapian-tcpsrv.
            const RunResult r =
                run(IMRDEX_INDEX_BIN,
                    "--quiet --threads 2 --shards " + std::to_string(kLocalShards) + " --shard " +
                        std::to_string(k) + "/" + std::to_string(kShards) + " --db " + q(shard) +
                        " --stats-json " + q(d / ("stats" + std::to_string(k) + ".json")) + " " +
                        q(d / "corpus" / "letters.jsonl"),
                    d);
            ASSERT_EQ(r.code, 0) << r.err;
            shard_dbs_.push_back(shard);
        }
        const RunResult m = run(IMRDEX_INDEX_BIN,
                                "--quiet --merge " + q(d / "merged") + " " + q(shard_dbs_[0]) +
                                    " " + q(shard_dbs_[1]) + " " + q(shard_dbs_[2]),
                                d);
        ASSERT_EQ(m.code, 0) << m.err;
        setup_seconds_ =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (dir_ == nullptr || shard_dbs_.size() != kShards || !fs::exists(merged())) {
            GTEST_FAIL() << "corpus, shards or merged database missing (see the setup failure)";
        }
    }

    static fs::path merged() { return dir_->path() / "merged"; }

    // A stub DIR/name/XAPIANDB listing one xapian-tcpsrv of `servers` per shard; empty, with a
    // test failure saying why, when a server would not start.
    static fs::path start_cluster(Servers& servers, const std::string& name) {
        const fs::path cluster = dir_->path() / name;
        fs::create_directories(cluster);
        std::ofstream stub(cluster / "XAPIANDB");
        stub << "# one line per shard server\n";
        for (unsigned k = 0; k < kShards; ++k) {
            std::string why;
            const int port = servers.start(shard_dbs_[k], &why);
            if (port <= 0) {
                ADD_FAILURE() << "xapian-tcpsrv would not start: " << why;
                return {};
            }
            stub << "remote 127.0.0.1:" << port << "\n";
        }
        return cluster;
    }

    static Answer search(const fs::path& db, const std::string& query, const std::string& flags) {
        const RunResult r = run(IMRDEX_SEARCH_BIN,
                                "--json --facets all --limit 100000 " + flags + " --db " + q(db) +
                                    " " + q(query),
                                dir_->path());
        EXPECT_EQ(r.code, 0) << db << " " << query << ": " << r.err;
        return parse_answer(r.out, flags.find("--by-letter") != std::string::npos);
    }

    static inline TempDir* dir_ = nullptr;
    static inline std::vector<fs::path> shard_dbs_;
    static inline std::set<std::string> truth_ids_;
    static inline double setup_seconds_ = 0;
};

// Where the letters went, read from the databases: each machine's letters are exactly its local
// shards' letters, no letter is in two places, and together the machines hold every letter.
TEST_F(ScaleOut, ShardsAreDisjointAndHoldEveryLetterOnce) {
    ASSERT_EQ(truth_ids_.size(), static_cast<std::size_t>(kLetters));
    std::vector<std::set<std::string>> machines;
    Xapian::doccount items = 0;
    for (unsigned k = 0; k < kShards; ++k) {
        const Xapian::Database db(shard_dbs_[k].string());
        const std::set<std::string>& ids = machines.emplace_back(letter_ids(db));
        items += db.get_doccount();
        EXPECT_GT(ids.size(), static_cast<std::size_t>(kLetters / kShards / 2)) << "machine " << k;
        const std::vector<fs::path> locals = local_shards(shard_dbs_[k]);
        ASSERT_EQ(locals.size(), kLocalShards) << shard_dbs_[k];
        std::vector<std::set<std::string>> local_ids;
        for (const fs::path& l : locals) {
            local_ids.push_back(letter_ids(l));
            EXPECT_GT(local_ids.back().size(), ids.size() / kLocalShards / 2) << l;
        }
        EXPECT_EQ(disjoint_union(local_ids, "local shards of machine " + std::to_string(k)), ids)
            << "machine " << k << " is not the union of its local shards";
        // --stats-json counts the other machines' letters as skipped, not rejected.
        simdjson::dom::parser parser;
        simdjson::dom::element stats;
        const std::string json = read_file(dir_->path() / ("stats" + std::to_string(k) + ".json"));
        ASSERT_FALSE(parser.parse(json).get(stats)) << json;
        EXPECT_EQ(std::uint64_t(stats["letters"]), ids.size());
        EXPECT_EQ(std::uint64_t(stats["skipped_other_shard"]), kLetters - ids.size());
        EXPECT_EQ(std::uint64_t(stats["rejected"]), 0u);
    }
    EXPECT_EQ(disjoint_union(machines, "machine shards"), truth_ids_);

    const Xapian::Database m(merged().string());
    EXPECT_EQ(letter_ids(m), truth_ids_);
    EXPECT_EQ(m.get_doccount(), items);
    EXPECT_TRUE(fs::exists(merged() / "XAPIANDB"));
}

// The machine shard and the local shard must come from independent parts of the id's hash, or
// one split starves the other: read back from the databases, every (machine, local shard) cell
// holds a fair share of the letters. Two shapes: as many local shards as machines (the suite's
// 3 x 3), and local shards a multiple of the machines (2 x 4, one machine built here).
TEST_F(ScaleOut, MachineAndLocalSplitsAreIndependent) {
    const double fair = static_cast<double>(kLetters) / (kShards * kLocalShards);
    for (unsigned k = 0; k < kShards; ++k) {
        const std::vector<fs::path> locals = local_shards(shard_dbs_[k]);
        ASSERT_EQ(locals.size(), kLocalShards) << shard_dbs_[k];
        for (const fs::path& l : locals) {
            EXPECT_GT(static_cast<double>(letter_ids(l).size()), fair * 0.6) << l;
        }
    }

    const fs::path machine = dir_->path() / "machine0-of-2";
    const RunResult r = run(IMRDEX_INDEX_BIN,
                            "--quiet --threads 2 --shards 4 --shard 0/2 --db " + q(machine) + " " +
                                q(dir_->path() / "corpus" / "letters.jsonl"),
                            dir_->path());
    ASSERT_EQ(r.code, 0) << r.err;
    const std::vector<fs::path> locals = local_shards(machine);
    ASSERT_EQ(locals.size(), 4u) << machine;
    std::vector<std::set<std::string>> local_ids;
    for (const fs::path& l : locals) {
        local_ids.push_back(letter_ids(l));
        EXPECT_GT(static_cast<double>(local_ids.back().size()), kLetters / 8.0 * 0.6) << l;
    }
    const std::set<std::string> ids = disjoint_union(local_ids, "local shards of 0/2");
    EXPECT_EQ(ids, letter_ids(machine));
    EXPECT_GT(static_cast<double>(ids.size()), kLetters / 2.0 * 0.8);
    EXPECT_LT(static_cast<double>(ids.size()), kLetters / 2.0 * 1.2);
    EXPECT_TRUE(std::includes(truth_ids_.begin(), truth_ids_.end(), ids.begin(), ids.end()));
}

TEST_F(ScaleOut, MergeRefusesExistingOutputAndOverlappingShards) {
    const fs::path& d = dir_->path();
    RunResult r = run(IMRDEX_INDEX_BIN, "--merge " + q(merged()) + " " + q(shard_dbs_[0]), d);
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
    EXPECT_EQ(letter_ids(Xapian::Database(merged().string())), truth_ids_) << "OUT was touched";

    r = run(IMRDEX_INDEX_BIN,
            "--merge " + q(d / "twice") + " " + q(shard_dbs_[1]) + " " + q(shard_dbs_[1]), d);
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("overlap"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "twice"));

    r = run(IMRDEX_INDEX_BIN, "--merge " + q(d / "missing") + " " + q(d / "no-such-shard"), d);
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("no-such-shard"), std::string::npos) << r.err;

    // --force replaces OUT; a plain Xapian database (a local shard) is a valid source too.
    r = run(IMRDEX_INDEX_BIN,
            "--quiet --force --merge " + q(d / "again") + " " + q(shard_dbs_[2] / "shard-00"), d);
    EXPECT_EQ(r.code, 0) << r.err;
    r = run(IMRDEX_INDEX_BIN,
            "--quiet --force --merge " + q(d / "again") + " " + q(shard_dbs_[2]), d);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(Xapian::Database((d / "again").string()).get_doccount(),
              Xapian::Database(shard_dbs_[2].string()).get_doccount());
}

TEST_F(ScaleOut, ShardAndMergeOptionsAreValidated) {
    const fs::path& d = dir_->path();
    const std::string in = q(d / "corpus" / "letters.jsonl");
    for (const std::string& args :
         {"--db " + q(d / "v") + " --shard 3/3 " + in, "--db " + q(d / "v") + " --shard 1 " + in,
          "--db " + q(d / "v") + " --shard -1/3 " + in, "--db " + q(d / "v") + " --shard 0/0 " + in,
          "--extract --shard 0/3 " + in, "--merge " + q(d / "v") + " --db " + q(d / "w") + " " + in,
          "--merge " + q(d / "v") + " --shard 0/2 " + q(shard_dbs_[0]),
          "--force --db " + q(d / "v") + " " + in}) {
        const RunResult r = run(IMRDEX_INDEX_BIN, args, d);
        EXPECT_EQ(r.code, 2) << args << ": " << r.err;
        EXPECT_FALSE(fs::exists(d / "v")) << args;
    }
}

const std::vector<std::pair<std::string, std::string>> kQueries{
    {"rationale:\"long-term use\"", ""},
    {"\"not medically necessary\" class:opioid", ""},
    {"rationale:\"functional improvement\" decision:overturned", ""},
    {"class:opioid decided:2016", ""},
    {"age:40..60 sex:female", ""},
    {"injured:..2012 category:imaging", ""},
    {"request:MRI guideline:odg", ""},
    {"benzodiazepin*", ""},
    {"physical NEAR therapy", ""},
    {"specialty:\"internal medicine\" state:CA", ""},
    {"decision:upheld decision:overturned", ""},
    {"rationale:recommended", "--by-letter"},
    {"class:opioid", "--by-letter"},
    {"category:imaging", "--sort decided"},
    {"drug:hydrocodone", "--sort injured --by-letter"},
    // Summary conditions: lifted to every item of the letter by letter-id terms on remote shards
    // and by the local PostingSource on the merged database.
    {"summary:injury category:imaging", ""},
    {"decision:overturned NOT summary:injury", "--by-letter"},
    {"summary:\"date of injury\" OR class:benzodiazepine", ""},
};

// Three xapian-tcpsrv processes, one stub file: every answer equals the merged database's.
TEST_F(ScaleOut, RemoteShardsAnswerLikeTheMergedDatabase) {
    const std::string tcpsrv = imrdex::testing::find_program("xapian-tcpsrv");
    if (tcpsrv.empty()) GTEST_SKIP() << "xapian-tcpsrv not installed (Debian: xapian-tools)";
    const auto t0 = std::chrono::steady_clock::now();
    Servers servers(tcpsrv, dir_->path());
    const fs::path cluster = start_cluster(servers, "cluster");
    ASSERT_FALSE(cluster.empty());
    std::size_t compared = 0;
    for (const auto& [query, flags] : kQueries) {
        const std::string what = query + " " + flags;
        const Answer want = search(merged(), query, flags);
        const Answer got = search(cluster, query, flags);
        EXPECT_GT(want.total, 0u) << "query matches nothing, so compares nothing: " << what;
        EXPECT_EQ(got.total, want.total) << what;
        EXPECT_EQ(got.unit, want.unit) << what;
        EXPECT_EQ(got.facets, want.facets) << what;
        EXPECT_EQ(want.facets.size(), imrdex::schema::kFacets.size()) << what;
        ASSERT_EQ(got.keys.size(), want.keys.size()) << what;
        EXPECT_EQ(want.keys.size(), want.total) << what;  // the limit took every hit
        // Equal hit sets, each hit with the same score (global term statistics across the
        // shards), and the same ranking up to the order of ties.
        EXPECT_EQ(std::set<std::string>(got.keys.begin(), got.keys.end()),
                  std::set<std::string>(want.keys.begin(), want.keys.end()))
            << what;
        if (flags.find("--by-letter") != std::string::npos) {
            EXPECT_EQ(got.more_items, want.more_items) << what;
        }
        // Xapian weights a wildcard (OP_SYNONYM) with statistics estimated per shard, so its
        // scores differ between shards and one database (even local ones); same hits only.
        if (query.find('*') != std::string::npos) {
            ++compared;
            continue;
        }
        if (flags.find("--by-letter") == std::string::npos) {
            for (const auto& [key, score] : want.score_of) {
                const auto it = got.score_of.find(key);
                if (it != got.score_of.end()) {
                    EXPECT_TRUE(close(it->second, score)) << what << key;
                }
            }
        }
        for (std::size_t i = 0; i < want.scores.size(); ++i) {
            EXPECT_TRUE(close(got.scores[i], want.scores[i])) << what << " rank " << i + 1;
        }
        if (flags.find("--sort decided") != std::string::npos) {
            EXPECT_EQ(got.dates, want.dates) << what;
        }
        ++compared;
    }
    // --count goes through the same match; compare it too.
    for (const char* query : {"decision:overturned", "rationale:\"risks and benefits\""}) {
        const RunResult a = run(IMRDEX_SEARCH_BIN, "--count --db " + q(merged()) + " " + q(query),
                                dir_->path());
        const RunResult b = run(IMRDEX_SEARCH_BIN, "--count --db " + q(cluster) + " " + q(query),
                                dir_->path());
        EXPECT_EQ(a.code, 0) << a.err;
        EXPECT_EQ(b.code, 0) << b.err;
        EXPECT_EQ(b.out, a.out) << query;
        ++compared;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[scaleout] %d letters, %u shards: setup (generate, 3x --shard, --merge) %.2f s; "
                "%zu queries compared stub vs merged in %.2f s\n",
                kLetters, kShards, setup_seconds_, compared, secs);
}

// A shard server that is down: imr-search fails with exit 3 and names the server; a server that
// dies between opening and searching fails the search the same way.
TEST_F(ScaleOut, ShardServerDownIsAClearErrorNamingTheShard) {
    const std::string tcpsrv = imrdex::testing::find_program("xapian-tcpsrv");
    if (tcpsrv.empty()) GTEST_SKIP() << "xapian-tcpsrv not installed (Debian: xapian-tools)";
    Servers servers(tcpsrv, dir_->path());
    const fs::path cluster = start_cluster(servers, "cluster-down");
    ASSERT_FALSE(cluster.empty());
    const std::string query = "class:opioid";
    RunResult r = run(IMRDEX_SEARCH_BIN, "--count --db " + q(cluster) + " " + q(query), dir_->path());
    ASSERT_EQ(r.code, 0) << r.err;

    // Open first, then lose a server: the search itself fails, naming it.
    {
        imrdex::Searcher searcher(cluster.string());
        servers.stop(2);
        imrdex::SearchOptions o;
        o.query = query;
        o.facets = imrdex::parse_facet_list("all");
        try {
            (void)searcher.search(o);
            ADD_FAILURE() << "a search with a shard server gone succeeded";
        } catch (const Xapian::Error& e) {
            const std::string msg = e.get_description();
            EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(servers.port(2))), std::string::npos)
                << msg;
        } catch (const std::exception& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(servers.port(2))), std::string::npos)
                << msg;
        }
    }

    servers.stop(1);
    r = run(IMRDEX_SEARCH_BIN, "--json --db " + q(cluster) + " " + q(query), dir_->path());
    EXPECT_EQ(r.code, 3);
    EXPECT_TRUE(r.out.empty()) << "no partial results: " << r.out.substr(0, 200);
    EXPECT_NE(r.err.find("cannot open database"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(servers.port(1))), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
}

}  // namespace

namespace {

// Pivots through the stub of remote shards (counted with Xapian's own spies, one match per row
// group) and on the merged database (one pass of the local spy) must print the same JSON:
// cells, row order, rates. Multi-valued dimensions, buckets and (none) rows included.
const std::vector<std::pair<std::string, std::string>> kPivots{
    {"class,decision", "category:pharmaceutical"},
    {"decided:year,decision", "class:opioid"},
    {"specialty,decision", "category:\"physical therapy\""},
    {"decision,specialty", "*"},
    {"injured:quarter,state", "decision:overturned"},
    {"age:5,guideline", "*"},
    {"decided:month", "*"},
    {"state,decided:quarter", "class:benzodiazepine"},
};

}  // namespace

TEST_F(ScaleOut, RemotePivotsEqualTheMergedDatabase) {
    const std::string tcpsrv = imrdex::testing::find_program("xapian-tcpsrv");
    if (tcpsrv.empty()) GTEST_SKIP() << "xapian-tcpsrv not installed (Debian: xapian-tools)";
    Servers servers(tcpsrv, dir_->path());
    const fs::path cluster = start_cluster(servers, "pivot-cluster");
    ASSERT_FALSE(cluster.empty());
    std::size_t none_rows = 0;
    for (const auto& [dims, query] : kPivots) {
        const std::string args = "--json --pivot " + q(dims) + " ";
        const RunResult want =
            run(IMRDEX_SEARCH_BIN, args + "--db " + q(merged()) + " " + q(query), dir_->path());
        const RunResult got =
            run(IMRDEX_SEARCH_BIN, args + "--db " + q(cluster) + " " + q(query), dir_->path());
        ASSERT_EQ(want.code, 0) << dims << " " << query << ": " << want.err;
        ASSERT_EQ(got.code, 0) << dims << " " << query << ": " << got.err;
        EXPECT_EQ(got.out, want.out) << dims << " " << query;
        EXPECT_EQ(want.out.find("\"total\":0,"), std::string::npos) << "matches nothing: " << query;
        none_rows += want.out.find("(none)") != std::string::npos ? 1 : 0;
    }
    EXPECT_GT(none_rows, 0u) << "no pivot had a (none) bucket";
    // Bucket facets go through Xapian's own spy on both.
    const std::string facets = "--json --limit 0 --facets decided:quarter,age:10,specialty ";
    const RunResult a =
        run(IMRDEX_SEARCH_BIN, facets + "--db " + q(merged()) + " '*'", dir_->path());
    const RunResult b =
        run(IMRDEX_SEARCH_BIN, facets + "--db " + q(cluster) + " '*'", dir_->path());
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(b.out, a.out);
    EXPECT_NE(a.out.find("\"decided:quarter\""), std::string::npos) << a.out;
}

// --significant on remote shards: the same items, the same exact counts, and the same terms as
// on the merged database (the expand set's weights are summed in another order, so a tie at
// the --limit cut may pick another term; the counts of every term both list must agree).
TEST_F(ScaleOut, RemoteSignificantTermsEqualTheMergedDatabase) {
    const std::string tcpsrv = imrdex::testing::find_program("xapian-tcpsrv");
    if (tcpsrv.empty()) GTEST_SKIP() << "xapian-tcpsrv not installed (Debian: xapian-tools)";
    Servers servers(tcpsrv, dir_->path());
    const fs::path cluster = start_cluster(servers, "significant-cluster");
    ASSERT_FALSE(cluster.empty());
    const std::string args =
        "--json --limit 15 --significant 'decision:overturned' --background 'category:imaging' ";
    struct Terms {
        std::string sizes;
        std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> counts;
    };
    auto answer = [&](const fs::path& db) {
        const RunResult r = run(IMRDEX_SEARCH_BIN, args + "--db " + q(db), dir_->path());
        EXPECT_EQ(r.code, 0) << db << ": " << r.err;
        simdjson::dom::parser parser;
        simdjson::dom::element e;
        Terms t;
        if (parser.parse(r.out).get(e) != simdjson::SUCCESS) {
            ADD_FAILURE() << r.out;
            return t;
        }
        t.sizes = std::to_string(std::uint64_t(e["fg_size"])) + "/" +
                  std::to_string(std::uint64_t(e["bg_size"])) + "/" +
                  std::to_string(std::uint64_t(e["rset_size"]));
        for (auto term : e["terms"].get_array())
            t.counts[std::string(std::string_view(term["stem"]))] = {
                std::uint64_t(term["fg_count"]), std::uint64_t(term["bg_count"])};
        return t;
    };
    const Terms want = answer(merged()), got = answer(cluster);
    EXPECT_EQ(got.sizes, want.sizes);
    ASSERT_GE(want.counts.size(), 10u);
    std::size_t both = 0;
    for (const auto& [stem, counts] : want.counts) {
        const auto it = got.counts.find(stem);
        if (it == got.counts.end()) continue;
        ++both;
        EXPECT_EQ(it->second, counts) << stem;
    }
    EXPECT_GE(both, want.counts.size() * 4 / 5) << "the remote shards list other terms";
}
