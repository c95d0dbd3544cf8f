// Bad input never costs a good letter: the real imr-index over the fault corpus indexes every
// good letter, reports every bad input (rejects file, stats, summary) and exits 1; --strict
// stops at the first rejection (exit 3); duplicate ids keep the first in input order.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <xapian.h>

#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fault_corpus.hpp"
#include "imrdex/core/doc_data.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/index/pipeline.hpp"

namespace {

using namespace imrdex::testing;

struct Reported {
    std::set<std::pair<std::string, std::string>> rejects;
    std::map<std::string, std::string> detail;  // source -> detail
};

Reported read_rejects(const fs::path& file) {
    Reported r;
    simdjson::dom::parser parser;
    std::istringstream lines(read_file(file));
    for (std::string line; std::getline(lines, line);) {
        simdjson::dom::element e;
        if (parser.parse(line).get(e)) {
            ADD_FAILURE() << "bad rejects line: " << line;
            continue;
        }
        const std::string source{std::string_view(e["source"])};
        r.rejects.insert({source, std::string(std::string_view(e["reason"]))});
        r.detail[source] = std::string(std::string_view(e["detail"]));
    }
    return r;
}

// The document data of the first item of letter `id`.
std::string first_item_data(const fs::path& db, const std::string& id) {
    const Xapian::Database d(db.string());
    Xapian::Enquire e(d);
    e.set_query(Xapian::Query(Xapian::Query::OP_AND, Xapian::Query("XL" + id), Xapian::Query("XF1")));
    const Xapian::MSet m = e.get_mset(0, 1);
    return m.empty() ? std::string()
                     : imrdex::decode_document_data(m.begin().get_document().get_data());
}

std::size_t total_items(const std::map<std::string, std::size_t>& letters) {
    std::size_t n = 0;
    for (const auto& [id, items] : letters) n += items;
    return n;
}

TEST(Faults, GoodLettersIndexedAndEveryBadInputReported) {
    TempDir t("faults");
    const FaultCorpus c = write_fault_corpus(t.path());
    if (!c.unreadable_proc) std::printf("note: no /proc/self/mem, unreadable case not covered\n");
    const fs::path db = t.path() / "db";
    const std::vector<std::string> args{"--threads", "2", "--flush-mb", "1", "--db", db.string(),
                                        "--rejects", (t.path() / "rejects.jsonl").string(),
                                        "--stats-json", (t.path() / "stats.json").string(),
                                        c.input.string()};
    ChildOptions child;
    child.err = t.path() / "stderr";
    // The second run re-indexes the same inputs: replacement, not duplicates, so it reports
    // exactly the same rejections and leaves exactly the same letters.
    for (int run = 1; run <= 2; ++run) {
        SCOPED_TRACE("run " + std::to_string(run));
        const int code = run_index(args, child);
        const std::string err = read_file(child.err);
        EXPECT_EQ(code, 1) << err;

        const Reported r = read_rejects(t.path() / "rejects.jsonl");
        EXPECT_EQ(r.rejects, c.rejects);
        for (const auto& [source, word] : c.reject_detail) {
            EXPECT_NE(r.detail.count(source) ? r.detail.at(source).find(word) : std::string::npos,
                      std::string::npos)
                << source << " detail should mention " << word;
        }

        simdjson::dom::parser parser;
        simdjson::dom::element stats;
        const std::string json = read_file(t.path() / "stats.json");
        ASSERT_FALSE(parser.parse(json).get(stats)) << json;
        EXPECT_EQ(std::uint64_t(stats["rejected"]), c.rejects.size());
        std::map<std::string, std::uint64_t> want_reasons;
        for (const auto& [source, reason] : c.rejects) ++want_reasons[reason];
        std::map<std::string, std::uint64_t> got_reasons;
        for (auto [reason, n] : simdjson::dom::object(stats["reasons"])) {
            got_reasons[std::string(reason)] = std::uint64_t(n);
        }
        EXPECT_EQ(got_reasons, want_reasons);
        EXPECT_EQ(std::uint64_t(stats["letters"]), c.good.size());
        EXPECT_EQ(std::uint64_t(stats["items"]), total_items(c.good));
        EXPECT_NE(err.find("rejected " + std::to_string(c.rejects.size()) + " inputs"),
                  std::string::npos)
            << err;

        // Every good letter, whole, and nothing else.
        EXPECT_EQ(letter_items(db), c.good);
        bool have_check = false;
        const std::vector<std::string> broken = xapian_check_shards(db, have_check);
        EXPECT_TRUE(broken.empty()) << broken.front();

        // Latin-1 bytes were read as Latin-1 and stored as UTF-8.
        EXPECT_NE(first_item_data(db, c.latin1_id).find(c.latin1_word), std::string::npos);
        // The duplicate kept is the first in input order.
        EXPECT_NE(first_item_data(db, c.dup_id).find("\"source\":\"" + c.dup_kept + "\""),
                  std::string::npos)
            << first_item_data(db, c.dup_id);
    }
}

TEST(Faults, StrictMakesTheFirstRejectionFatal) {
    TempDir t("faults-strict");
    FaultOptions o;
    o.huge_line = false;
    const FaultCorpus c = write_fault_corpus(t.path(), o);
    const fs::path db = t.path() / "db";
    ChildOptions child;
    child.err = t.path() / "stderr";
    const int code = run_index({"--strict", "--threads", "2", "--db", db.string(),
                                "--rejects", (t.path() / "rejects.jsonl").string(),
                                c.input.string()},
                               child);
    const std::string err = read_file(child.err);
    EXPECT_EQ(code, 3) << err;
    EXPECT_NE(err.find("--strict: rejected"), std::string::npos) << err;
    // Stopping early still leaves a database of whole letters.
    if (fs::exists(db / "XAPIANDB")) {
        EXPECT_TRUE(partial_letters(letter_items(db), c.good).empty());
    }
    // Without --strict the same input is indexed (exit 1).
    EXPECT_EQ(run_index({"--threads", "2", "--db", db.string(), c.input.string()}, child), 1);
    EXPECT_EQ(letter_items(db), c.good);
}

// Pairs of letters with one id (from the file name: these letters have no cover block): the
// first in input order is kept however the parallel writers order the two, and the other is
// rejected as duplicate_id naming the kept one.
TEST(Faults, DuplicateIdsKeepTheFirstInInputOrder) {
    TempDir t("faults-dup");
    const imrdex::LetterGenerator gen(11);
    std::map<std::string, std::size_t> kept_items;
    std::map<std::string, std::string> kept_source;
    std::set<std::string> losers;
    std::vector<imrdex::GeneratedLetter> pool;
    for (std::uint64_t i = 0; pool.size() < 120; ++i) {
        imrdex::GeneratedLetter g = gen.generate(i);
        if ((g.features & imrdex::kFeatureCoverBlock) == 0) pool.push_back(std::move(g));
    }
    for (std::size_t k = 0; k < 60; ++k) {
        char dir[16];
        std::snprintf(dir, sizeof dir, "p%03zu", k);
        const std::string id = "DUP-" + std::to_string(k);
        const fs::path first = t.path() / "in" / dir / "a" / (id + ".txt");
        const fs::path second = t.path() / "in" / dir / "b" / (id + ".txt");
        write_file(first, pool[2 * k].text);
        write_file(second, pool[2 * k + 1].text);
        kept_items[id] = pool[2 * k].truth.items.size();
        kept_source[id] = first.string();
        losers.insert(second.string());
    }
    for (int run = 0; run < 2; ++run) {
        imrdex::IndexOptions o;
        o.db = (t.path() / ("db" + std::to_string(run))).string();
        o.threads = 4;
        o.batch_letters = 1;
        o.sync = false;
        o.compact = false;
        std::vector<imrdex::Rejection> rejections;
        o.on_reject = [&](const imrdex::Rejection& r) { rejections.push_back(r); };
        const imrdex::IndexStats s = imrdex::run_index({(t.path() / "in").string()}, o);
        EXPECT_EQ(s.letters, kept_items.size());
        EXPECT_EQ(s.items, total_items(kept_items));
        std::set<std::string> rejected;
        for (const imrdex::Rejection& r : rejections) {
            EXPECT_EQ(r.reason, imrdex::RejectReason::duplicate_id) << r.source << ": " << r.detail;
            rejected.insert(r.source);
            const std::string id = fs::path(r.source).stem().string();
            EXPECT_NE(r.detail.find(kept_source[id]), std::string::npos) << r.detail;
        }
        EXPECT_EQ(rejected, losers);
        EXPECT_EQ(letter_items(o.db), kept_items);
        for (const auto& [id, source] : kept_source) {
            EXPECT_NE(first_item_data(o.db, id).find("\"source\":\"" + source + "\""),
                      std::string::npos)
                << id;
        }
    }
}

}  // namespace
