// Archive databases (imr-index --archive, no termlists): searches equal the normal build's,
// letters can be added, a letter already held is refused (library and command line).
#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "imrdex/core/errors.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/index/schema_version.hpp"
#include "imrdex/search/search.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

using imrdex::testing::q;
using imrdex::testing::run_command;
using imrdex::testing::TempDir;

// Generated letters [from, to) of seed 17 as .txt files under `dir`.
void write_letters(const fs::path& dir, std::uint64_t from, std::uint64_t to) {
    fs::create_directories(dir);
    const imrdex::LetterGenerator gen(17);
    imrdex::GeneratedLetter g;
    for (std::uint64_t i = from; i < to; ++i) {
        gen.generate(i, g);
        std::ofstream(dir / (g.truth.id + ".txt")) << g.text;
    }
}

imrdex::IndexStats index(const fs::path& db, const fs::path& input, bool archive) {
    imrdex::IndexOptions o;
    o.db = db.string();
    o.shards = 2;
    o.threads = 1;   // one writer order, so equal scores rank alike in both builds (by docid)
    o.sync = false;  // compacted, as a full build is: compaction must keep the archive's form
    o.archive = archive;
    return imrdex::run_index({input.string()}, o);
}

// Everything a search shows that could differ between the builds: the total, every hit (id,
// item, score, snippet) and the facet counts.
std::string answer(const fs::path& db, const std::string& query) {
    imrdex::Searcher searcher(db.string());
    imrdex::SearchOptions o;
    o.query = query;
    o.limit = 1000;
    o.facets = {"decision", "class", "category", "specialty", "guideline"};
    const imrdex::SearchResult r = searcher.search(o);
    // Every hit (the limit is above any total here), in a fixed order: equal scores rank by
    // docid, and the pipeline's threads may write letters in another order in each build.
    std::vector<std::string> hits;
    for (const imrdex::Hit& h : r.hits) {
        std::string line = h.id + "#" + std::to_string(h.item) + " " + std::to_string(h.score) +
                           " " + h.snippet_field + ":";
        for (const imrdex::SnippetPart& p : h.snippet)
            line += p.match ? "[" + p.text + "]" : p.text;
        hits.push_back(std::move(line));
    }
    std::sort(hits.begin(), hits.end());
    std::string out = std::to_string(r.total) + "\n";
    for (const std::string& h : hits) out += h + "\n";
    for (const imrdex::FacetCount& f : r.facets) {
        for (const auto& [value, count] : f.values) {
            out += f.name + "=" + value + ":" + std::to_string(count) + "\n";
        }
    }
    return out;
}

const std::vector<std::string> kQueries = {
    "opioid",
    "rationale:\"long term use\"",
    "summary:ladder category:surgery",
    "\"home exercise\" decision:upheld",
    "class:opioid NOT summary:fall",
    "*",
};

TEST(Archive, SearchesEqualTheNormalBuildAndLettersCanBeAdded) {
    TempDir tmp("archive");
    write_letters(tmp.path() / "first", 0, 150);
    write_letters(tmp.path() / "more", 150, 200);
    const fs::path normal = tmp.path() / "normal";
    const fs::path archive = tmp.path() / "archive";
    ASSERT_EQ(index(normal, tmp.path() / "first", false).rejected, 0u);
    const imrdex::IndexStats a = index(archive, tmp.path() / "first", true);
    EXPECT_EQ(a.rejected, 0u);
    EXPECT_TRUE(a.archive);
    EXPECT_GT(a.letters, 100u);

    EXPECT_TRUE(imrdex::schema::is_archive(Xapian::Database(archive.string())));
    EXPECT_FALSE(imrdex::schema::is_archive(Xapian::Database(normal.string())));
    // No termlist table in any archive shard, after compaction too; the normal build has one.
    for (const char* shard : {"shard-00", "shard-01"}) {
        EXPECT_FALSE(fs::exists(archive / shard / "termlist.glass")) << shard;
        EXPECT_TRUE(fs::exists(normal / shard / "termlist.glass")) << shard;
    }
    EXPECT_LT(a.index_bytes,
              index(tmp.path() / "normal2", tmp.path() / "first", false).index_bytes);

    for (const std::string& query : kQueries) {
        EXPECT_EQ(answer(archive, query), answer(normal, query)) << query;
    }

    // Adding new letters works, and the databases still answer alike.
    const imrdex::IndexStats added = index(archive, tmp.path() / "more", false);
    EXPECT_EQ(added.rejected, 0u);
    EXPECT_EQ(added.letters, 50u);
    EXPECT_TRUE(added.archive);  // an existing archive stays one without --archive
    ASSERT_EQ(index(normal, tmp.path() / "more", false).rejected, 0u);
    for (const std::string& query : kQueries) {
        EXPECT_EQ(answer(archive, query), answer(normal, query)) << query;
    }
}

TEST(Archive, RefusesToReindexALetterAndTermlistsOnAnExistingDatabase) {
    TempDir tmp("archive-refuse");
    write_letters(tmp.path() / "first", 0, 40);
    write_letters(tmp.path() / "again", 30, 45);  // 10 held already, 5 new
    const fs::path archive = tmp.path() / "archive";
    ASSERT_EQ(index(archive, tmp.path() / "first", true).rejected, 0u);
    const Xapian::doccount before = Xapian::Database(archive.string()).get_doccount();

    const imrdex::IndexStats again = index(archive, tmp.path() / "again", false);
    EXPECT_EQ(again.rejected, 10u);
    EXPECT_EQ(again.reasons.at(imrdex::RejectReason::in_archive), 10u);
    EXPECT_EQ(again.letters, 5u);
    EXPECT_EQ(again.replaced_letters, 0u);
    // Only the new letters' items were added: nothing held was duplicated or lost.
    EXPECT_EQ(Xapian::Database(archive.string()).get_doccount(), before + again.items);

    // --archive on a database that has termlists is a configuration error, before any write.
    const fs::path normal = tmp.path() / "normal";
    ASSERT_EQ(index(normal, tmp.path() / "first", false).rejected, 0u);
    EXPECT_THROW(index(normal, tmp.path() / "again", true), imrdex::ConfigError);
}

TEST(Archive, CommandLineSaysWhyAReindexIsRefused) {
    TempDir tmp("archive-cli");
    write_letters(tmp.path() / "letters", 0, 12);
    const fs::path db = tmp.path() / "db";
    const std::string index_bin = IMRDEX_INDEX_BIN;
    const fs::path err = tmp.path() / "err";
    auto r = run_command(
        index_bin + " --archive --no-sync --db " + q(db) + " " + q(tmp.path() / "letters"), err);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("archive: no termlists"), std::string::npos) << r.err;
    r = run_command(index_bin + " --no-sync --db " + q(db) + " --rejects " +
                        q(tmp.path() / "rejects.jsonl") + " " + q(tmp.path() / "letters"),
                    err);
    EXPECT_EQ(r.code, 1) << r.err;  // rejected inputs: exit 1, nothing else written
    EXPECT_NE(r.err.find("in_archive"), std::string::npos) << r.err;
    const std::string rejects = imrdex::testing::read_file(tmp.path() / "rejects.jsonl");
    EXPECT_NE(rejects.find("re-index into a database built without --archive"), std::string::npos)
        << rejects;
    // --archive on the normal build of the same letters: exit 3 (configuration), with the reason.
    const fs::path normal = tmp.path() / "normal";
    r = run_command(
        index_bin + " --no-sync --quiet --db " + q(normal) + " " + q(tmp.path() / "letters"), err);
    ASSERT_EQ(r.code, 0) << r.err;
    r = run_command(
        index_bin + " --archive --no-sync --db " + q(normal) + " " + q(tmp.path() / "letters"),
        err);
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_NE(r.err.find("--archive applies only to a new database"), std::string::npos) << r.err;
}

}  // namespace
