// CLI tests of the real imr-index binary: exit codes, --extract JSON Lines, --stats-json,
// --rejects, usage errors and a database that imr-search-style clients open through its stub.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

using imrdex::testing::q;
using imrdex::testing::read_file;
using imrdex::testing::RunResult;
using imrdex::testing::TempDir;
using imrdex::testing::write_file;

std::string letter_text(int n, int items) {
    char id[32];
    std::snprintf(id, sizeof id, "CM17-%07d", n);
    std::ostringstream t;
    t << "Case Number:\nDate Assigned:\nDecision Date:\nPriority:\n\n" << id
      << "\n07/01/2017\n08/02/2017\nExpedited\n\n"
      << "Date of Injury:\nUR Denial Date:\nApplication\nReceived:\n\n"
      << "02/03/2015\n06/15/2017\n06/30/2017\n\n"
      << "The Expert Reviewer has the following credentials:\n"
      << "State(s) of Licensure: California, Arizona\n"
      << "Certification(s)/Specialty: Internal Medicine\n"
      << "CLINICAL CASE SUMMARY\n"
      << "The expert reviewer developed the following clinical case summary based on a review of the\n"
      << "case file, including all medical records:\n"
      << "This is a 52 year old male with a date of injury on 02-03-2015. He strained his shoulder "
         "lifting crates.\n"
      << "IMR ISSUES, DECISIONS AND RATIONALES\n"
      << "The Final Determination was based on decisions for the disputed items/services set forth "
         "below:\n";
    for (int k = 1; k <= items; ++k) {
        t << "Tramadol 50mg #" << (30 * k) << ": Upheld\n"
          << "Claims Administrator guideline: Decision based on MTUS Opioids.\n"
          << "MAXIMUS guideline: Decision based on MTUS Opioids.\n"
          << "Decision rationale: No measurable gain in shoulder function was documented. "
             "The request is not medically necessary.\n";
    }
    return t.str();
}

// Runs imr-index with a shell argument string, capturing stdout; stderr goes to `err_file`.
RunResult run(const std::string& args, const fs::path& err_file) {
    return imrdex::testing::run_command(q(IMRDEX_INDEX_BIN) + " " + args, err_file);
}

TEST(CliIndex, CleanCorpusExitsZeroAndWritesStats) {
    TempDir t("cli-index");
    for (int n = 1; n <= 12; ++n) {
        write_file(t.path() / "in" / ("L" + std::to_string(n) + ".txt"), letter_text(n, 1 + n % 2));
    }
    const fs::path err = t.path() / "err";
    const RunResult r = run("--db " + q(t.path() / "db") + " --threads 2 --stats-json " +
                          q(t.path() / "stats.json") + " " + q(t.path() / "in"),
                      err);
    EXPECT_EQ(r.code, 0) << read_file(err);
    EXPECT_NE(read_file(err).find("indexed 12 letters, 18 items"), std::string::npos) << read_file(err);
    simdjson::dom::parser parser;
    simdjson::dom::element stats;
    const std::string json = read_file(t.path() / "stats.json");
    ASSERT_FALSE(parser.parse(json).get(stats)) << json;
    EXPECT_EQ(uint64_t(stats["letters"]), 12u);
    EXPECT_EQ(uint64_t(stats["items"]), 18u);
    EXPECT_EQ(uint64_t(stats["rejected"]), 0u);
    EXPECT_GT(double(stats["letters_per_second"]), 0.0);
    Xapian::Database db((t.path() / "db").string());
    EXPECT_EQ(db.get_doccount(), 18u);
}

TEST(CliIndex, RejectedInputsExitOneAndAreListed) {
    TempDir t("cli-index");
    write_file(t.path() / "in" / "good.txt", letter_text(1, 2));
    write_file(t.path() / "in" / "empty.txt", "");
    write_file(t.path() / "in" / "noitems.txt", "Just a note, not a determination letter.\n");
    write_file(t.path() / "in" / "batch.jsonl",
               "{\"id\":\"a\",\"text\":\"x\"\n{\"id\":\"b\"}\n");
    write_file(t.path() / "in" / "bad.pdf", "%PDF-1.4 this is not really a pdf");
    const fs::path err = t.path() / "err";
    const fs::path rejects = t.path() / "rejects.jsonl";
    const RunResult r = run("--db " + q(t.path() / "db") + " --rejects " + q(rejects) + " --stats-json " +
                          q(t.path() / "stats.json") + " " + q(t.path() / "in"),
                      err);
    EXPECT_EQ(r.code, 1) << read_file(err);
    std::set<std::string> reasons;
    std::set<std::string> sources;
    std::istringstream lines(read_file(rejects));
    std::string line;
    simdjson::dom::parser parser;
    while (std::getline(lines, line)) {
        simdjson::dom::element e;
        ASSERT_FALSE(parser.parse(line).get(e)) << line;
        reasons.insert(std::string(std::string_view(e["reason"])));
        const std::string src{std::string_view(e["source"])};
        sources.insert(src.substr(src.rfind('/') + 1));
    }
    EXPECT_EQ(reasons, (std::set<std::string>{"bad_json", "bad_pdf", "empty", "no_items", "no_text"}));
    EXPECT_EQ(sources, (std::set<std::string>{"batch.jsonl:1", "batch.jsonl:2", "bad.pdf",
                                              "empty.txt", "noitems.txt"}));
    // The good letter is indexed and committed all the same.
    Xapian::Database db((t.path() / "db").string());
    EXPECT_EQ(db.get_doccount(), 2u);
    simdjson::dom::element stats;
    const std::string json = read_file(t.path() / "stats.json");
    ASSERT_FALSE(parser.parse(json).get(stats)) << json;
    EXPECT_EQ(uint64_t(stats["rejected"]), 5u);
    EXPECT_EQ(uint64_t(stats["reasons"]["no_items"]), 1u);
}

TEST(CliIndex, ExtractPrintsParsableRecordsAndIndexesNothing) {
    TempDir t("cli-index");
    std::string jsonl;
    for (int n = 1; n <= 5; ++n) {
        std::string text = letter_text(n, 2);
        std::string escaped;
        for (char c : text) {
            if (c == '\n') escaped += "\\n";
            else if (c == '"') escaped += "\\\"";
            else escaped.push_back(c);
        }
        jsonl += "{\"id\":\"x" + std::to_string(n) + "\",\"text\":\"" + escaped + "\"}\n";
    }
    write_file(t.path() / "in.jsonl", jsonl);
    const fs::path err = t.path() / "err";
    const RunResult r = run("--extract --stats " + q(t.path() / "in.jsonl"), err);
    EXPECT_EQ(r.code, 0) << read_file(err);
    std::istringstream lines(r.out);
    std::string line;
    simdjson::dom::parser parser;
    int n = 0;
    while (std::getline(lines, line)) {
        ++n;
        simdjson::dom::element e;
        ASSERT_FALSE(parser.parse(line).get(e)) << line;
        char id[32];
        std::snprintf(id, sizeof id, "CM17-%07d", n);
        EXPECT_EQ(std::string_view(e["id"]), id);
        EXPECT_EQ(std::string_view(e["source"]), (t.path() / "in.jsonl").string() + ":" + std::to_string(n));
        EXPECT_EQ(simdjson::dom::array(e["items"]).size(), 2u);
        EXPECT_EQ(std::string_view(e["items"].at(0)["decision"]), "upheld");
    }
    EXPECT_EQ(n, 5);
    EXPECT_NE(read_file(err).find("unrecognised drug-like"), std::string::npos);
    EXPECT_FALSE(fs::exists(t.path() / "db"));
}

// Both modes judge a letter by one rule: a complete letter whose last sentence lacks its period
// is indexed (with a no_final_period warning), and --extract reports it the same way; a letter
// cut off inside its last item is rejected by both.
TEST(CliIndex, IndexAndExtractAgreeOnLettersWithoutAFinalPeriod) {
    TempDir t("cli-index");
    std::string unfinished = letter_text(1, 2);
    const std::string end = "not medically necessary.\n";
    ASSERT_EQ(unfinished.substr(unfinished.size() - end.size()), end);
    unfinished.resize(unfinished.size() - 2);  // the period and the newline
    std::string cut = letter_text(2, 2);
    cut.resize(cut.rfind(" gain in shoulder"));  // inside the last item's rationale
    write_file(t.path() / "in" / "unfinished.txt", unfinished);
    write_file(t.path() / "in" / "cut.txt", cut);
    write_file(t.path() / "in" / "whole.txt", letter_text(3, 1));

    const fs::path err = t.path() / "err";
    const fs::path rejects = t.path() / "rejects.jsonl";
    const RunResult idx =
        run("--db " + q(t.path() / "db") + " --rejects " + q(rejects) + " --stats-json " +
                q(t.path() / "stats.json") + " " + q(t.path() / "in"),
            err);
    EXPECT_EQ(idx.code, 1) << read_file(err);  // the cut letter
    Xapian::Database db((t.path() / "db").string());
    EXPECT_EQ(db.get_doccount(), 3u) << "both items of the unfinished letter and the whole one";
    simdjson::dom::parser parser;
    simdjson::dom::element stats;
    const std::string json = read_file(t.path() / "stats.json");
    ASSERT_FALSE(parser.parse(json).get(stats)) << json;
    EXPECT_EQ(uint64_t(stats["letters"]), 2u);
    EXPECT_EQ(uint64_t(stats["rejected"]), 1u);
    EXPECT_EQ(uint64_t(stats["reasons"]["truncated"]), 1u);
    EXPECT_EQ(uint64_t(stats["warnings"]["no_final_period"]), 1u) << json;
    const std::string rejected = read_file(rejects);
    EXPECT_NE(rejected.find("cut.txt"), std::string::npos) << rejected;
    EXPECT_EQ(rejected.find("unfinished.txt"), std::string::npos) << rejected;

    const RunResult ext = run(
        "--extract --rejects " + q(t.path() / "rejects2.jsonl") + " " + q(t.path() / "in"), err);
    EXPECT_EQ(ext.code, 1) << read_file(err);  // the same letter rejected, though printed
    EXPECT_EQ(read_file(t.path() / "rejects2.jsonl"), rejected);
    std::istringstream lines(ext.out);
    std::string line;
    std::map<std::string, std::set<std::string>> codes;  // file -> warning codes
    while (std::getline(lines, line)) {
        simdjson::dom::element e;
        ASSERT_FALSE(parser.parse(line).get(e)) << line;
        const std::string src{std::string_view(e["source"])};
        std::set<std::string>& c = codes[src.substr(src.rfind('/') + 1)];
        for (simdjson::dom::element w : simdjson::dom::array(e["warnings"])) {
            c.emplace(std::string_view(w["code"]));
        }
        if (src.ends_with("unfinished.txt")) {
            EXPECT_EQ(simdjson::dom::array(e["items"]).size(), 2u);
        }
    }
    EXPECT_EQ(codes["unfinished.txt"], std::set<std::string>{"no_final_period"});
    EXPECT_EQ(codes["cut.txt"], std::set<std::string>{"truncated_item"});
    EXPECT_TRUE(codes["whole.txt"].empty());
}

TEST(CliIndex, UsageErrorsExitTwo) {
    TempDir t("cli-index");
    const fs::path err = t.path() / "err";
    EXPECT_EQ(run(q(t.path()), err).code, 2);                       // no --db
    EXPECT_EQ(run("--db " + q(t.path() / "db"), err).code, 2);      // no input
    EXPECT_EQ(run("--db x --threads 0 y", err).code, 2);            // out of range
    EXPECT_EQ(run("--stats " + q(t.path()), err).code, 2);          // --stats without --extract
    const RunResult help = run("--help", err);
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("EXIT CODES"), std::string::npos);
}

TEST(CliIndex, FatalErrorExitsThree) {
    TempDir t("cli-index");
    write_file(t.path() / "in" / "a.txt", letter_text(1, 1));
    write_file(t.path() / "notdb" / "something", "x");
    const fs::path err = t.path() / "err";
    const RunResult r = run("--db " + q(t.path() / "notdb") + " " + q(t.path() / "in"), err);
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(read_file(err).find("not an imrdex database"), std::string::npos) << read_file(err);
    // --strict turns the first rejection into a fatal error.
    write_file(t.path() / "in" / "z.txt", "");
    EXPECT_EQ(run("--strict --db " + q(t.path() / "db") + " " + q(t.path() / "in"), err).code, 3);
}

// The documents committed so far in the database at `db`; 0 while it cannot be opened yet.
Xapian::doccount committed(const std::string& db) {
    try {
        return Xapian::Database(db).get_doccount();
    } catch (const Xapian::Error&) {
        return 0;  // no stub yet, or a shard being created
    }
}

TEST(CliIndex, SigtermCommitsWhatWasReadAndExits143) {
    TempDir t("cli-index");
    std::string jsonl;
    for (int n = 1; n <= 20000; ++n) {
        std::string escaped;
        for (char c : letter_text(n, 2)) {
            if (c == '\n') escaped += "\\n";
            else escaped.push_back(c);
        }
        jsonl += "{\"id\":\"x\",\"text\":\"" + escaped + "\"}\n";
    }
    write_file(t.path() / "in.jsonl", jsonl);
    const std::string db = (t.path() / "db").string();
    const std::string stats = (t.path() / "stats.json").string();
    const std::string in = (t.path() / "in.jsonl").string();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // Small flushes: each shard commits every ~70 letters, so the first letters show up in
        // the database long before the end.
        ::execl(IMRDEX_INDEX_BIN, IMRDEX_INDEX_BIN, "--quiet", "--threads", "2", "--flush-mb",
                "0.1", "--db", db.c_str(), "--stats-json", stats.c_str(), in.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Signal once letters are committed (the run is under way), not after a guessed delay.
    Xapian::doccount seen = 0;
    int status = 0;
    bool exited = false;
    for (int waited_ms = 0; seen == 0 && waited_ms < 120'000; waited_ms += 10) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            break;
        }
        seen = committed(db);
        if (seen == 0) ::usleep(10 * 1000);
    }
    if (!exited) {
        ::kill(pid, SIGTERM);
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }
    ASSERT_GT(seen, 0u) << "nothing was committed before imr-index ended";
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 143) << "it ended before the signal, or not by it";
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    const std::string json = read_file(stats);
    ASSERT_FALSE(parser.parse(json).get(e)) << json;
    EXPECT_TRUE(bool(e["interrupted"]));
    // What was committed before the signal stays, and what was read after it is committed too.
    const std::uint64_t items = uint64_t(e["items"]);
    EXPECT_GE(items, seen);
    EXPECT_LT(items, 40000u);
    EXPECT_EQ(uint64_t(e["letters"]) * 2, items);
    Xapian::Database d(db);
    EXPECT_EQ(d.get_doccount(), items);
}

}  // namespace

// Re-indexing: the summary and --stats-json tell letters new to the database from those that
// replace letters indexed before, and tally the letters' warnings by code.
TEST(CliIndex, SummarySeparatesNewFromReplacedLettersAndTalliesWarnings) {
    TempDir t("cli-index");
    for (int n = 1; n <= 12; ++n) {
        write_file(t.path() / "first" / ("L" + std::to_string(n) + ".txt"), letter_text(n, 1));
    }
    // Letters 7..12 again (replacing their items) and 13..16, two of them not UTF-8.
    for (int n = 7; n <= 16; ++n) {
        std::string text = letter_text(n, 2);
        if (n == 13 || n == 8) text.replace(text.find("strained"), 8, "stra\xefned");
        write_file(t.path() / "second" / ("L" + std::to_string(n) + ".txt"), text);
    }
    const fs::path err = t.path() / "err";
    const std::string db = q(t.path() / "db");
    RunResult r =
        run("--db " + db + " --stats-json " + q(t.path() / "s1.json") + " " + q(t.path() / "first"),
            err);
    ASSERT_EQ(r.code, 0) << read_file(err);
    EXPECT_NE(read_file(err).find("letters: 12 new, 0 re-indexed"), std::string::npos)
        << read_file(err);
    r = run(
        "--db " + db + " --stats-json " + q(t.path() / "s2.json") + " " + q(t.path() / "second"),
        err);
    ASSERT_EQ(r.code, 0) << read_file(err);
    const std::string summary = read_file(err);
    EXPECT_NE(summary.find("indexed 10 letters, 20 items"), std::string::npos) << summary;
    EXPECT_NE(summary.find("letters: 4 new, 6 re-indexed"), std::string::npos) << summary;
    EXPECT_NE(summary.find("warnings: latin1 2"), std::string::npos) << summary;

    simdjson::dom::parser parser;
    simdjson::dom::element s1, s2;
    const std::string j1 = read_file(t.path() / "s1.json");
    const std::string j2 = read_file(t.path() / "s2.json");
    ASSERT_FALSE(parser.parse(j1).get(s1)) << j1;
    EXPECT_EQ(uint64_t(s1["new_letters"]), 12u);
    EXPECT_EQ(uint64_t(s1["replaced_letters"]), 0u);
    EXPECT_EQ(simdjson::dom::object(s1["warnings"]).size(), 0u) << j1;
    simdjson::dom::parser parser2;
    ASSERT_FALSE(parser2.parse(j2).get(s2)) << j2;
    EXPECT_EQ(uint64_t(s2["letters"]), 10u);
    EXPECT_EQ(uint64_t(s2["new_letters"]), 4u);
    EXPECT_EQ(uint64_t(s2["replaced_letters"]), 6u);
    EXPECT_EQ(uint64_t(s2["warnings"]["latin1"]), 2u) << j2;
    // 6 letters of one item kept, 10 of two.
    EXPECT_EQ(Xapian::Database((t.path() / "db").string()).get_doccount(), 6u + 20u);
}

// stderr not a terminal (a file here, as under nohup or CI): plain progress lines, no bar.
TEST(CliIndex, ProgressToALogIsPlainLines) {
    TempDir t("cli-index");
    const fs::path err = t.path() / "err";
    const fs::path corpus = t.path() / "corpus";
    ASSERT_EQ(
        imrdex::testing::run_command(q(IMRDEX_CORPUS_BIN) + " -n 400 -o " + q(corpus), err).code,
        0)
        << read_file(err);
    const RunResult r = imrdex::testing::run_command(
        "IMRDEX_PROGRESS_SECONDS=0.02 " + q(IMRDEX_INDEX_BIN) + " --threads 2 --no-compact " +
            "--no-sync --db " + q(t.path() / "db") + " " + q(corpus / "letters.jsonl"),
        err);
    ASSERT_EQ(r.code, 0) << read_file(err);
    const std::string log = read_file(err);
    EXPECT_EQ(log.find('\r'), std::string::npos) << log;
    EXPECT_EQ(log.find('\x1b'), std::string::npos) << log;
    std::istringstream lines(log);
    int progress = 0;
    bool eta = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("imr-index: ", 0) != 0) continue;
        ++progress;
        EXPECT_NE(line.find(" letters, "), std::string::npos) << line;
        EXPECT_NE(line.find(" letters/s"), std::string::npos) << line;
        eta = eta || line.find(", ETA ") != std::string::npos;
    }
    EXPECT_GE(progress, 1) << log;
    EXPECT_TRUE(eta) << log;
    EXPECT_NE(log.find("indexed 400 letters"), std::string::npos) << log;

    // --quiet: neither progress nor summary.
    const RunResult quiet = imrdex::testing::run_command(
        "IMRDEX_PROGRESS_SECONDS=0.02 " + q(IMRDEX_INDEX_BIN) + " --quiet --no-compact " +
            "--no-sync --db " + q(t.path() / "db2") + " " + q(corpus / "letters.jsonl"),
        err);
    ASSERT_EQ(quiet.code, 0) << read_file(err);
    EXPECT_EQ(read_file(err), "");
}

// The real letters: indexed twice, the second run replaces every letter and adds none; the
// same tally of warnings both times; a typo in their path is a usage error; imr-search takes
// the database as imrdex's.
TEST(CliIndex, RealLettersReindexedAreAllReplaced) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/txt");
    const fs::path letters = imrdex::testing::shared_dir() / "real-letters" / "txt";
    TempDir t("cli-index-real");
    const fs::path err = t.path() / "err";
    const std::string db = q(t.path() / "db");
    simdjson::dom::parser p1, p2;
    simdjson::dom::element s1, s2;
    RunResult r =
        run("--db " + db + " --stats-json " + q(t.path() / "s1.json") + " " + q(letters), err);
    ASSERT_TRUE(r.code == 0 || r.code == 1) << read_file(err);
    const std::string j1 = read_file(t.path() / "s1.json");
    ASSERT_FALSE(p1.parse(j1).get(s1)) << j1;
    const std::uint64_t indexed = uint64_t(s1["letters"]);
    ASSERT_GT(indexed, 0u);
    EXPECT_EQ(uint64_t(s1["new_letters"]), indexed);
    EXPECT_EQ(uint64_t(s1["replaced_letters"]), 0u);

    r = run("--db " + db + " --stats-json " + q(t.path() / "s2.json") + " " + q(letters), err);
    ASSERT_TRUE(r.code == 0 || r.code == 1) << read_file(err);
    const std::string j2 = read_file(t.path() / "s2.json");
    ASSERT_FALSE(p2.parse(j2).get(s2)) << j2;
    EXPECT_EQ(uint64_t(s2["letters"]), indexed);
    EXPECT_EQ(uint64_t(s2["new_letters"]), 0u);
    EXPECT_EQ(uint64_t(s2["replaced_letters"]), indexed);
    const auto tally = [](simdjson::dom::element s) {
        std::map<std::string, std::uint64_t> out;
        for (auto [code, n] : simdjson::dom::object(s["warnings"]))
            out[std::string(code)] = uint64_t(n);
        return out;
    };
    EXPECT_EQ(tally(s1), tally(s2));

    r = run("--db " + db + " " + q(letters.string() + "-typo"), err);
    EXPECT_EQ(r.code, 2) << read_file(err);
    r = imrdex::testing::run_command(q(IMRDEX_SEARCH_BIN) + " --db " + db + " --count medical",
                                     err);
    EXPECT_EQ(r.code, 0) << read_file(err);
}
