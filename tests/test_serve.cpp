// imr-serve end to end: the real server process over a generated index, spoken to over HTTP,
// its answers compared byte for byte with the real imr-search's; filters, errors, the loopback
// bind, a fuzz of the parameters, remote shards, and following the indexer's commits.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <random>
#include <set>

#include "serve_client.hpp"
#include "test_util.hpp"

namespace {

using namespace imrdex::testing;

class Serve : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir("serve");
        const fs::path corpus = dir_->path() / "corpus";
        RunResult r = run_command(shell_quote(IMRDEX_CORPUS_BIN) +
                                  " --letters 400 --seed 16 --format jsonl --out " + q(corpus));
        ASSERT_EQ(r.code, 0);
        r = run_command(shell_quote(IMRDEX_INDEX_BIN) + " --quiet --threads 2 --shards 3 --db " +
                        q(db()) + " " + q(corpus / "letters.jsonl") + " 2>&1");
        ASSERT_EQ(r.code, 0) << r.out;
        server_ = new ServeProcess(db(), dir_->path() / "serve.log");
        // The columns are built before the server listens, so the first answers use them.
    }
    static void TearDownTestSuite() {
        delete server_;
        delete dir_;
    }
    static fs::path db() { return dir_->path() / "db"; }

    // imr-search's stdout for `args` (each one shell word).
    static std::string cli(const std::vector<std::string>& args, const fs::path& on = {}) {
        std::string cmd = shell_quote(IMRDEX_SEARCH_BIN) + " --db " + q(on.empty() ? db() : on);
        for (const auto& a : args) cmd += " " + shell_quote(a);
        const RunResult r = run_command(cmd + " 2>/dev/null");
        EXPECT_EQ(r.code, 0) << cmd;
        return r.out;
    }

    static inline TempDir* dir_ = nullptr;
    static inline ServeProcess* server_ = nullptr;
};

TEST_F(Serve, HealthReportsColumns) {
    const Got g = get(*server_, "/api/health");
    ASSERT_EQ(g.status, 200) << g.body;
    EXPECT_TRUE(is_json_object(g.body)) << g.body;
    EXPECT_NE(g.body.find("\"facet_counts\":\"memory columns\""), std::string::npos) << g.body;
    EXPECT_NE(g.body.find("\"remote\":false"), std::string::npos) << g.body;
    EXPECT_NE(g.body.find("\"shards\":3"), std::string::npos) << g.body;
    EXPECT_NE(g.body.find("\"letters\":400"), std::string::npos) << g.body;
    const std::string count = cli({"--count", "*"});
    EXPECT_NE(g.body.find("\"documents\":" + count.substr(0, count.size() - 1) + ","),
              std::string::npos)
        << g.body << " vs " << count;
}

// The server's body equals imr-search's stdout byte for byte: the same library, formatters and
// options; facet counts from memory columns against imr-search's reads of the value slot.
TEST_F(Serve, AnswersEqualTheCli) {
    struct Case {
        Query params;
        std::vector<std::string> cli;
    };
    const std::vector<Case> cases = {
        {{{"q", "pain"}}, {"--json", "pain"}},
        {{{"q", "rationale:\"functional improvement\""}, {"facets", "decision,class,specialty"}},
         {"--json", "--facets", "decision,class,specialty",
          "rationale:\"functional improvement\""}},
        {{{"q", "class:opioid"}, {"facets", "all"}, {"limit", "25"}, {"offset", "5"}},
         {"--json", "--facets", "all", "--limit", "25", "--offset", "5", "class:opioid"}},
        {{{"q", "category:pharmaceutical"}, {"by_letter", "1"}, {"facets", "decision,state"}},
         {"--json", "--by-letter", "--facets", "decision,state", "category:pharmaceutical"}},
        {{{"q", "*"}, {"sort", "decided"}, {"facets", "decided:year,age:10,decision"}},
         {"--json", "--sort", "decided", "--facets", "decided:year,age:10,decision", "*"}},
        {{{"q", "request:MRI OR summary:fall"}, {"sort", "injured"}, {"limit", "3"}},
         {"--json", "--sort", "injured", "--limit", "3", "request:MRI OR summary:fall"}},
        {{{"q", "decision:overturned"}, {"facets", "category,guideline"}, {"limit", "0"}},
         {"--json", "--facets", "category,guideline", "--limit", "0", "decision:overturned"}},
    };
    auto client = server_->client();
    for (const auto& c : cases) {
        // Counted from the columns (imr-search reads the value slot): the comparison is theirs.
        const bool counts = std::any_of(c.params.begin(), c.params.end(), [](const auto& p) {
            return p.first == "facets" || p.first == "by_letter";
        });
        const auto counted = client.Get(url("/api/search", c.params));
        ASSERT_TRUE(counted);
        if (counts) {
            EXPECT_EQ(counted->get_header_value("X-Imrdex-Facet-Counts"), "memory columns");
        }
        const Got g = get(*server_, url("/api/search", c.params));
        EXPECT_EQ(g.status, 200) << g.body;
        EXPECT_EQ(g.body, cli(c.cli)) << url("/api/search", c.params);
        EXPECT_NE(g.body.find("\"total\":"), std::string::npos);
    }
    // Pivots.
    EXPECT_EQ(get(*server_,
                  url("/api/pivot", {{"q", "*"}, {"rows", "decided:year"}, {"cols", "decision"}}))
                  .body,
              cli({"--json", "--pivot", "decided:year,decision", "*"}));
    EXPECT_EQ(get(*server_, url("/api/pivot", {{"q", "category:pharmaceutical"},
                                               {"rows", "class"},
                                               {"cols", "decision"},
                                               {"sort", "rate"},
                                               {"min_count", "3"}}))
                  .body,
              cli({"--json", "--pivot", "class,decision", "--sort", "rate", "--min-count", "3",
                   "category:pharmaceutical"}));
    EXPECT_EQ(get(*server_, url("/api/pivot", {{"q", "pain"}, {"rows", "specialty"}})).body,
              cli({"--json", "--pivot", "specialty", "pain"}));
    // Significant terms, against the whole database and against a background.
    EXPECT_EQ(get(*server_, url("/api/significant", {{"q", "decision:overturned"}})).body,
              cli({"--json", "--significant", "decision:overturned"}));
    EXPECT_EQ(get(*server_, url("/api/significant", {{"q", "class:opioid decision:overturned"},
                                                     {"background", "class:opioid"},
                                                     {"limit", "5"}}))
                  .body,
              cli({"--json", "--significant", "class:opioid decision:overturned", "--background",
                   "class:opioid", "--limit", "5"}));
    // A letter, by the id of a hit.
    const std::string first = cli({"--json", "--limit", "1", "class:opioid"});
    const std::size_t at = first.find("\"id\":\"");
    ASSERT_NE(at, std::string::npos) << first;
    const std::string id = first.substr(at + 6, first.find('"', at + 6) - at - 6);
    const auto pivot = client.Get(url("/api/pivot", {{"q", "*"}, {"rows", "class"}}));
    ASSERT_TRUE(pivot);
    EXPECT_EQ(pivot->get_header_value("X-Imrdex-Facet-Counts"), "memory columns");
    const Got letter = get(*server_, "/api/letter/" + id);
    EXPECT_EQ(letter.status, 200);
    EXPECT_EQ(letter.body, cli({"--show", id, "--json"}));
    // The export, streamed.
    const Got csv = get(*server_, url("/api/export.csv", {{"q", "class:opioid"}}));
    EXPECT_EQ(csv.status, 200);
    EXPECT_EQ(csv.content_type.rfind("text/csv", 0), 0U) << csv.content_type;
    EXPECT_EQ(csv.body, cli({"--limit", "all", "--csv", "class:opioid"}));
    EXPECT_GT(std::count(csv.body.begin(), csv.body.end(), '\n'), 10);
    const Got fields =
        get(*server_, url("/api/export.csv", {{"q", "*"}, {"fields", "id,item,decision"}}));
    EXPECT_EQ(fields.body, cli({"--limit", "all", "--csv", "--fields", "id,item,decision", "*"}));
}

// The counts of facet X in a JSON answer: value -> count.
std::map<std::string, std::uint64_t> facet_of(const std::string& json, const std::string& name) {
    std::map<std::string, std::uint64_t> out;
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    if (p.parse(json).get(doc) != simdjson::SUCCESS) return out;
    simdjson::dom::object values;  // "facets": {"NAME": {"VALUE": COUNT, ...}, ...}
    if (doc["facets"][name].get_object().get(values) != simdjson::SUCCESS) return out;
    for (auto [value, count] : values) {
        std::uint64_t n = 0;
        if (count.get_uint64().get(n) == simdjson::SUCCESS) out[std::string(value)] = n;
    }
    return out;
}

std::uint64_t total_of(const std::string& json) {
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    std::uint64_t t = 0;
    if (p.parse(json).get(doc) == simdjson::SUCCESS &&
        doc["total"].get_uint64().get(t) != simdjson::SUCCESS)
        t = 0;
    return t;
}

// Multi-select: filters of one facet OR'ed, of different facets AND'ed; the counts of a facet
// are those of the query without its own filters.
TEST_F(Serve, FiltersSelectAndCountLikeComposedQueries) {
    const Query params = {{"q", "pain"},
                          {"filter", "category:pharmaceutical"},
                          {"filter", "decision:overturned"},
                          {"filter", "category:imaging"},
                          {"facets", "decision,category,class"},
                          {"limit", "20"}};
    const Got g = get(*server_, url("/api/search", params));
    ASSERT_EQ(g.status, 200) << g.body;
    const std::string all =
        "(pain) AND (category:\"pharmaceutical\" OR category:\"imaging\") AND "
        "(decision:\"overturned\")";
    const std::string want =
        cli({"--json", "--facets", "decision,category,class", "--limit", "20", all});
    EXPECT_GT(total_of(want), 0U);
    EXPECT_EQ(total_of(g.body), total_of(want));
    EXPECT_EQ(facet_of(g.body, "class"), facet_of(want, "class"));
    const std::string no_decision =
        cli({"--json", "--facets", "decision", "--limit", "0",
             "(pain) AND (category:\"pharmaceutical\" OR category:\"imaging\")"});
    EXPECT_EQ(facet_of(g.body, "decision"), facet_of(no_decision, "decision"));
    EXPECT_GT(facet_of(g.body, "decision")["upheld"], 0U);
    const std::string no_category = cli(
        {"--json", "--facets", "category", "--limit", "0", "(pain) AND (decision:\"overturned\")"});
    EXPECT_EQ(facet_of(g.body, "category"), facet_of(no_category, "category"));
    // The hits are the composed query's, in its order.
    const std::size_t hits = g.body.find("\"hits\":");
    EXPECT_EQ(
        g.body.substr(hits, g.body.find("\"facets\":") - hits),
        want.substr(want.find("\"hits\":"), want.find("\"facets\":") - want.find("\"hits\":")));

    // A bucket filter selects what its bucket counted: decided:year 2016, then quarters, age bands.
    const std::string years =
        cli({"--json", "--limit", "0", "--facets", "decided:year,decided:quarter,age:10",
             "category:pharmaceutical"});
    for (const auto& [dim, label] : std::vector<std::pair<std::string, std::string>>{
             {"decided:year", "2016"}, {"decided:quarter", "2017-Q3"}, {"age:10", "40-49"}}) {
        const auto counts = facet_of(years, dim);
        ASSERT_TRUE(counts.count(label)) << dim << " " << label << " " << years;
        const Got b = get(*server_, url("/api/search", {{"q", "category:pharmaceutical"},
                                                        {"filter", dim + ":" + label},
                                                        {"facets", dim},
                                                        {"limit", "0"}}));
        EXPECT_EQ(total_of(b.body), counts.at(label)) << dim << ":" << label << " " << b.body;
        // Its own counts ignore it: the same as without the filter.
        EXPECT_EQ(facet_of(b.body, dim), counts) << dim;
    }
    // Empty q with filters: the filters alone; empty q and none: every item.
    const Got only = get(*server_, url("/api/search", {{"q", ""}, {"filter", "class:opioid"}}));
    EXPECT_EQ(total_of(only.body), total_of(cli({"--json", "--limit", "0", "class:opioid"})));
    const Got every = get(*server_, url("/api/search", {{"q", ""}}));
    EXPECT_EQ(every.body, cli({"--json", "*"}));
    // A pivot and an export with filters run the composed query too.
    EXPECT_EQ(
        get(*server_, url("/api/pivot", {{"q", "pain"},
                                         {"filter", "category:pharmaceutical"},
                                         {"rows", "class"},
                                         {"cols", "decision"}}))
            .body,
        cli({"--json", "--pivot", "class,decision", "(pain) AND (category:\"pharmaceutical\")"}));
    EXPECT_EQ(
        get(*server_, url("/api/export.csv", {{"q", "pain"}, {"filter", "decision:overturned"}}))
            .body,
        cli({"--limit", "all", "--csv", "(pain) AND (decision:\"overturned\")"}));
}

TEST_F(Serve, BadRequestsGetJsonErrors) {
    struct Case {
        std::string target;
        int status;
        std::string says;  // part of the message
    };
    const std::string long_q(5000, 'a');
    const std::vector<Case> cases = {
        {url("/api/search", {{"q", "class:opiod"}}), 400, "did you mean"},
        {url("/api/search", {{"q", "decided:2016-02-30"}}), 400, "decided"},
        {url("/api/search", {{"q", "pain"}, {"facets", "nosuch"}}), 400, "nosuch"},
        {url("/api/search", {{"q", "pain"}, {"limit", "5000"}}), 400, "limit"},
        {url("/api/search", {{"q", "pain"}, {"limit", "ten"}}), 400, "limit"},
        {url("/api/search", {{"q", "pain"}, {"offset", "99999999"}}), 400, "offset"},
        {url("/api/search", {{"q", long_q}}), 400, "'q'"},
        {url("/api/search", {{"q", "pain"}, {"sort", "rate"}}), 400, "sort"},
        {url("/api/search", {{"q", "pain"}, {"filter", "bogus"}}), 400, "FACET:VALUE"},
        {url("/api/search", {{"q", "pain"}, {"filter", "colour:red"}}), 400, "colour"},
        {url("/api/search", {{"q", "pain"}, {"filter", "decided:year:(none)"}}), 400, "(none)"},
        {url("/api/search", {{"q", "pain ("}, {"filter", "class:opioid"}}), 400, "brackets"},
        {url("/api/pivot", {{"q", "pain"}}), 400, "rows"},
        {url("/api/significant", {{"q", "pain"}, {"limit", "5000"}}), 400, "limit"},
        {url("/api/significant", {{"q", "class:opiod"}}), 400, "did you mean"},
        {url("/api/pivot", {{"q", "pain"}, {"rows", "class"}, {"cols", "class"}}), 400, "class"},
        {url("/api/export.csv", {{"q", "class:opiod"}}), 400, "did you mean"},
        {url("/api/export.csv", {{"q", "pain"}, {"fields", "id,nosuch"}}), 400, "nosuch"},
        {"/api/letter/CM00-0000000", 404, "no letter"},
        {"/api/nothing", 404, "nothing"},
        {"/etc/passwd", 404, "not found"},
        {"/../../etc/passwd", 404, ""},
    };
    for (const auto& c : cases) {
        const Got g = get(*server_, c.target);
        EXPECT_EQ(g.status, c.status) << c.target.substr(0, 200) << " " << g.body;
        EXPECT_TRUE(is_json_object(g.body)) << c.target.substr(0, 200) << " " << g.body;
        EXPECT_NE(g.body.find("\"error\""), std::string::npos) << g.body;
        EXPECT_NE(g.body.find(c.says), std::string::npos)
            << c.target.substr(0, 200) << " " << g.body;
    }
    auto client = server_->client();
    const auto post = client.Post("/api/search", "q=pain", "application/x-www-form-urlencoded");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 405);
    EXPECT_TRUE(is_json_object(post->body)) << post->body;
    const auto del = client.Delete("/api/health");
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 405);
}

TEST_F(Serve, ServesThePageWithSafetyHeaders) {
    auto client = server_->client();
    const auto page = client.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->get_header_value("Content-Type").rfind("text/html", 0), 0U);
    EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
    EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
    const auto api = client.Get("/api/health");
    ASSERT_TRUE(api);
    EXPECT_EQ(api->get_header_value("X-Content-Type-Options"), "nosniff");
}

// By default the server listens on 127.0.0.1 only: the kernel's table of listening sockets.
TEST_F(Serve, BindsLoopbackByDefault) {
    std::ifstream tcp("/proc/net/tcp");
    std::string line;
    char port_hex[8];
    std::snprintf(port_hex, sizeof port_hex, "%04X", server_->port());
    bool found = false;
    while (std::getline(tcp, line)) {
        std::istringstream fields(line);
        std::string sl, local, remote, state;
        fields >> sl >> local >> remote >> state;
        if (state != "0A" || local.substr(local.find(':') + 1) != port_hex) continue;
        found = true;
        EXPECT_EQ(local.substr(0, local.find(':')), "0100007F") << line;
    }
    EXPECT_TRUE(found) << "no listening socket on port " << server_->port();
    EXPECT_EQ(server_->host(), "127.0.0.1");
}

// Garbage in every parameter: never a 5xx, never a crash, always JSON (or the CSV export).
TEST_F(Serve, FuzzedParametersNeverFailTheServer) {
    std::mt19937 rng(16);
    const std::vector<std::string> pieces = {"\"",
                                             "(",
                                             ")",
                                             "*",
                                             "AND",
                                             "NOT",
                                             "NEAR/3",
                                             ":",
                                             "class:",
                                             "decided:",
                                             "age:40..",
                                             "..",
                                             "\xff\xfe",
                                             "\xc3",
                                             "%",
                                             "'",
                                             "<script>",
                                             "\\",
                                             "decided:year:",
                                             "id:",
                                             "OR",
                                             "-",
                                             "+",
                                             "~",
                                             "pain",
                                             "summary:",
                                             "\x01",
                                             "rationale:\"",
                                             "2016-Q9",
                                             "99999999999999999999"};
    auto garbage = [&] {
        std::string s;
        const int n = static_cast<int>(rng() % 8);
        for (int i = 0; i < n; ++i) {
            if (rng() % 3 == 0) {
                for (int k = static_cast<int>(rng() % 6); k > 0; --k)
                    s += static_cast<char>(rng() % 256);
            } else {
                s += pieces[rng() % pieces.size()];
            }
            if (rng() % 2 == 0) s += ' ';
        }
        return s;
    };
    const std::vector<std::string> paths = {"/api/search",     "/api/pivot",   "/api/significant",
                                            "/api/export.csv", "/api/letter/", "/api/health"};
    const std::vector<std::string> names = {"q",         "filter", "facets",    "limit",
                                            "offset",    "sort",   "rows",      "cols",
                                            "by_letter", "fields", "min_count", "background"};
    int answered = 0;
    for (int i = 0; i < 400; ++i) {
        const std::string& path = paths[rng() % paths.size()];
        std::string target;
        if (path == "/api/letter/") {
            target = path + enc(garbage());
        } else {
            Query params;
            for (int k = static_cast<int>(rng() % 5); k >= 0; --k)
                params.emplace_back(names[rng() % names.size()], garbage());
            if (rng() % 4 == 0) params.emplace_back("q", std::string(rng() % 6000, 'x'));
            target = url(path, params);
        }
        const Got g = get(*server_, target);
        ASSERT_GT(g.status, 0) << "no answer (crashed?) to " << target;
        EXPECT_LT(g.status, 500) << target << " " << g.body;
        if (g.content_type.rfind("text/csv", 0) != 0 && g.status != 414) {
            EXPECT_TRUE(is_json_object(g.body)) << target << " " << g.body.substr(0, 300);
        }
        ++answered;
    }
    EXPECT_EQ(answered, 400);
    EXPECT_EQ(get(*server_, "/api/health").status, 200);  // still up
}

// After imr-index commits more letters, the server answers from the new revision (its columns
// rebuilt), with counts equal to imr-search's.
TEST_F(Serve, FollowsTheIndexer) {
    const TempDir work("serve-follow");
    const fs::path copy = work.path() / "db";
    fs::copy(db(), copy, fs::copy_options::recursive);
    ServeProcess s(copy, work.path() / "serve.log");
    const std::string before = get(s, "/api/health").body;
    const fs::path more = work.path() / "more";
    ASSERT_EQ(run_command(shell_quote(IMRDEX_CORPUS_BIN) + " --letters 60 --seed 61 " +
                          "--format jsonl --out " + q(more) + " >/dev/null 2>&1")
                  .code,
              0);
    ASSERT_EQ(run_command(shell_quote(IMRDEX_INDEX_BIN) + " --quiet --threads 2 --db " + q(copy) +
                          " " + q(more / "letters.jsonl") + " >/dev/null 2>&1")
                  .code,
              0);
    auto letters = [](const std::string& h) {
        const std::size_t at = h.find("\"letters\":");
        return at == std::string::npos ? 0 : std::stoi(h.substr(at + 10));
    };
    std::string after;
    for (int i = 0; i < 100; ++i) {  // columns follow within the follower's 200 ms poll
        after = get(s, "/api/health").body;
        if (after.find("memory columns") != std::string::npos && letters(after) > 440) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GT(letters(after), 440) << after;  // 60 more (ids of the two seeds may meet)
    EXPECT_NE(after.find("memory columns"), std::string::npos) << after;
    auto revision = [](const std::string& h) {
        const std::size_t at = h.find("\"revision\":");
        return h.substr(at, h.find(',', at) - at);
    };
    EXPECT_NE(revision(before), revision(after));
    const Query params = {{"q", "*"}, {"facets", "all"}, {"by_letter", "1"}};
    EXPECT_EQ(get(s, url("/api/search", params)).body,
              cli({"--json", "--facets", "all", "--by-letter", "*"}, copy));
}

// Remote shards (xapian-tcpsrv): Xapian's own spies count, /api/health says so, and the
// answers equal those of the local database.
TEST_F(Serve, RemoteShardsFallBackToXapianSpies) {
    const std::string tcpsrv = find_program("xapian-tcpsrv");
    if (tcpsrv.empty()) GTEST_SKIP() << "xapian-tcpsrv not installed";
    const TempDir work("serve-remote");
    Servers servers(tcpsrv, work.path());
    const fs::path cluster = work.path() / "cluster";
    fs::create_directories(cluster);
    {
        std::ofstream stub(cluster / "XAPIANDB");
        for (int k = 0; k < 3; ++k) {
            char name[16];
            std::snprintf(name, sizeof name, "shard-%02d", k);
            std::string why;
            const int port = servers.start(db() / name, &why);
            ASSERT_GT(port, 0) << why;
            stub << "remote 127.0.0.1:" << port << "\n";
        }
    }
    ServeProcess s(cluster, work.path() / "serve.log");
    const std::string health = get(s, "/api/health").body;
    EXPECT_NE(health.find("\"facet_counts\":\"xapian match spies\""), std::string::npos) << health;
    EXPECT_NE(health.find("\"remote\":true"), std::string::npos) << health;
    for (const Query& params :
         std::vector<Query>{{{"q", "pain"}, {"facets", "decision,class,specialty,decided:year"}},
                            {{"q", "category:pharmaceutical"},
                             {"filter", "decision:overturned"},
                             {"filter", "class:opioid"},
                             {"filter", "class:nsaid"},
                             {"facets", "class,decision"},
                             {"by_letter", "1"}}}) {
        const Got remote = get(s, url("/api/search", params));
        auto client = s.client();
        const auto counted = client.Get(url("/api/search", params));
        ASSERT_TRUE(counted);
        EXPECT_EQ(counted->get_header_value("X-Imrdex-Facet-Counts"), "xapian match spies");
        const Got local = get(*server_, url("/api/search", params));
        ASSERT_EQ(remote.status, 200) << remote.body;
        EXPECT_EQ(total_of(remote.body), total_of(local.body));
        EXPECT_GT(total_of(local.body), 0U);
        for (const char* f : {"decision", "class", "specialty", "decided:year"})
            EXPECT_EQ(facet_of(remote.body, f), facet_of(local.body, f)) << f;
    }
    EXPECT_EQ(
        get(s, url("/api/pivot", {{"q", "*"}, {"rows", "decided:year"}, {"cols", "decision"}}))
            .body,
        get(*server_,
            url("/api/pivot", {{"q", "*"}, {"rows", "decided:year"}, {"cols", "decision"}}))
            .body);
}

}  // namespace
