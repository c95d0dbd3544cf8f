// Integration tests of run_index / run_extract: a small corpus written here is indexed into a
// sharded database with 1 and 2 threads, re-indexed, and searched through the XAPIANDB stub.
#include <gtest/gtest.h>
#include <xapian.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/stub.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/index/merge.hpp"
#include "imrdex/index/pipeline.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

using imrdex::testing::TempDir;
using imrdex::testing::write_file;

// A small letter in the layout of the later years; `items` disputed items, the k-th with a
// rationale mentioning `word` and a distinct number.
std::string letter_text(int n, int items, const std::string& word = "swelling") {
    char id[32];
    std::snprintf(id, sizeof id, "CM16-%07d", n);
    std::ostringstream t;
    t << "Case Number:\nDate Assigned:\nDecision Date:\nPriority:\n\n"
      << id << "\n03/01/2016\n04/02/2016\nStandard\n\n"
      << "Date of Injury:\nUR Denial Date:\nApplication\nReceived:\n\n"
      << "05/06/2014\n01/15/2016\n02/10/2016\n\n"
      << "HOW THE IMR FINAL DETERMINATION WAS MADE\n"
      << "The Expert Reviewer has the following credentials:\n"
      << "State(s) of Licensure: California\n"
      << "Certification(s)/Specialty: Orthopaedic Surgery\n"
      << "CLINICAL CASE SUMMARY\n"
      << "The expert reviewer developed the following clinical case summary based on a review of "
         "the\n"
      << "case file, including all medical records:\n"
      << "This is a " << (30 + n % 40) << " year old female with a date of injury on 05-06-2014. "
      << "She fell from a ladder while stocking shelves and reports knee pain.\n"
      << "IMR ISSUES, DECISIONS AND RATIONALES\n"
      << "The Final Determination was based on decisions for the disputed items/services set forth "
         "below:\n";
    for (int k = 1; k <= items; ++k) {
        t << "Physical therapy " << k
          << " visits for the left knee: " << (k % 2 ? "Upheld" : "Overturned") << "\n"
          << "Claims Administrator guideline: Decision based on MTUS Physical Medicine.\n"
          << "MAXIMUS guideline: Decision based on MTUS Physical Medicine.\n"
          << "Decision rationale: The knee shows persistent " << word << " number" << k
          << " after the fall. The request is not medically necessary.\n";
    }
    return t.str();
}

std::string jsonl_line(int n, int items, const std::string& word = "swelling") {
    std::string out;
    imrdex::JsonWriter w(out);
    char id[32];
    std::snprintf(id, sizeof id, "J-%d", n);
    w.begin_object().field("id", id).field("text", letter_text(n, items, word)).end_object();
    return out + "\n";
}

Xapian::doccount count(const Xapian::Database& db, const std::string& term) {
    Xapian::Enquire e(db);
    e.set_query(Xapian::Query(term));
    return e.get_mset(0, db.get_doccount()).get_matches_estimated();
}

struct Corpus {
    fs::path dir;
    int letters = 0;
    int items = 0;
};

// 30 .txt letters in nested directories, 40 JSONL records, one bad line, one empty file.
Corpus make_corpus(const fs::path& root) {
    Corpus c;
    c.dir = root / "in";
    for (int n = 1; n <= 30; ++n) {
        const int items = 1 + n % 3;
        write_file(c.dir / ("d" + std::to_string(n % 4)) / ("L" + std::to_string(n) + ".txt"),
                   letter_text(n, items));
        ++c.letters;
        c.items += items;
    }
    std::string jsonl;
    for (int n = 101; n <= 140; ++n) {
        const int items = 1 + n % 2;
        jsonl += jsonl_line(n, items);
        if (n == 120) jsonl += "{\"id\": broken\n";
        ++c.letters;
        c.items += items;
    }
    write_file(c.dir / "batch.jsonl", jsonl);
    write_file(c.dir / "empty.txt", "");
    return c;
}

imrdex::IndexOptions options(const fs::path& db, unsigned threads) {
    imrdex::IndexOptions o;
    o.db = db.string();
    o.threads = threads;
    o.batch_letters = 8;  // several batches in flight even for a small corpus
    o.sync = false;
    o.compact = false;  // CompactionKeepsEveryDocument turns it on
    return o;
}

class PipelineThreads : public ::testing::TestWithParam<unsigned> {};

TEST_P(PipelineThreads, IndexesReindexesWithoutDuplicatesAndSearches) {
    TempDir t("pipeline");
    const Corpus c = make_corpus(t.path());
    const fs::path db = t.path() / "db";
    std::vector<imrdex::Rejection> seen;
    imrdex::IndexOptions o = options(db, GetParam());
    o.on_reject = [&](const imrdex::Rejection& r) { seen.push_back(r); };
    const imrdex::IndexStats s = imrdex::run_index({c.dir.string()}, o);
    EXPECT_EQ(s.letters, static_cast<std::uint64_t>(c.letters));
    EXPECT_EQ(s.items, static_cast<std::uint64_t>(c.items));
    EXPECT_EQ(s.rejected, 2u);
    EXPECT_EQ(s.reasons.at(imrdex::RejectReason::bad_json), 1u);
    EXPECT_EQ(s.reasons.at(imrdex::RejectReason::empty), 1u);
    EXPECT_EQ(seen.size(), 2u);
    EXPECT_GE(s.shards, 2u);
    EXPECT_EQ(imrdex::read_stub(db.string()).size(), s.shards);

    {
        // The directory opens as one database through its XAPIANDB stub.
        Xapian::Database all(db.string());
        EXPECT_EQ(all.get_doccount(), static_cast<Xapian::doccount>(c.items));
        EXPECT_EQ(count(all, "XF1"), static_cast<Xapian::doccount>(c.letters));
        // Every shard got some letters (the hash spreads them).
        for (const imrdex::StubEntry& shard : imrdex::read_stub(db.string())) {
            EXPECT_EQ(shard.backend, "glass");
            EXPECT_GT(Xapian::Database((db / shard.location).string()).get_doccount(), 0u)
                << shard.location;
        }
        // A phrase query parsed by Xapian finds exactly the item it names.
        Xapian::QueryParser qp;
        qp.set_stemmer(Xapian::Stem("english"));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
        qp.add_prefix("rationale", std::string(imrdex::schema::kRationale));
        qp.set_database(all);
        Xapian::Enquire e(all);
        e.set_query(qp.parse_query("rationale:\"persistent swelling number3\""));
        const Xapian::MSet m = e.get_mset(0, 100);
        EXPECT_EQ(m.size(), 10u);  // .txt letters with 3 items (n % 3 == 2); JSONL ones have <= 2
        e.set_query(qp.parse_query("rationale:\"swelling persistent\""));
        EXPECT_EQ(e.get_mset(0, 10).size(), 0u);
        e.set_query(Xapian::Query("QCM16-0000005/2"));
        ASSERT_EQ(e.get_mset(0, 10).size(), 1u);
    }

    // Re-indexing the same inputs replaces, never duplicates.
    const imrdex::IndexStats again = imrdex::run_index({c.dir.string()}, options(db, GetParam()));
    EXPECT_EQ(again.letters, static_cast<std::uint64_t>(c.letters));
    {
        Xapian::Database all(db.string());
        EXPECT_EQ(all.get_doccount(), static_cast<Xapian::doccount>(c.items));
    }

    // A letter re-indexed with fewer items loses the stale ones, with its new text.
    write_file(t.path() / "update" / "L5.txt", letter_text(5, 1, "stiffness"));
    const imrdex::IndexStats upd =
        imrdex::run_index({(t.path() / "update").string()}, options(db, GetParam()));
    EXPECT_EQ(upd.letters, 1u);
    {
        Xapian::Database all(db.string());
        // Letter 5 had 1 + 5 % 3 = 3 items; now 1.
        EXPECT_EQ(all.get_doccount(), static_cast<Xapian::doccount>(c.items - 2));
        EXPECT_EQ(count(all, "XLCM16-0000005"), 1u);
        EXPECT_EQ(count(all, "QCM16-0000005/2"), 0u);
        EXPECT_EQ(count(all, "XRstiff"), 1u);
    }
}

INSTANTIATE_TEST_SUITE_P(Threads, PipelineThreads, ::testing::Values(1u, 2u));

TEST(Pipeline, ShardCountIsFixedAtCreationAndNonDatabaseRefused) {
    TempDir t("pipeline");
    write_file(t.path() / "in" / "a.txt", letter_text(1, 1));
    imrdex::IndexOptions o = options(t.path() / "db", 2);
    o.shards = 3;
    EXPECT_EQ(imrdex::run_index({(t.path() / "in").string()}, o).shards, 3u);
    o.shards = 0;  // read back from XAPIANDB
    EXPECT_EQ(imrdex::run_index({(t.path() / "in").string()}, o).shards, 3u);
    o.shards = 4;
    EXPECT_THROW(imrdex::run_index({(t.path() / "in").string()}, o), imrdex::ConfigError);
    write_file(t.path() / "other" / "file", "x");
    o = options(t.path() / "other", 2);
    EXPECT_THROW(imrdex::run_index({(t.path() / "in").string()}, o), imrdex::IoError);
}

// Word pairs are a property of the database, fixed at creation like the shard count, and
// recorded in every shard so the search tool knows it may narrow phrases.
TEST(Pipeline, WordPairsAreFixedAtCreation) {
    TempDir t("pipeline");
    write_file(t.path() / "in" / "a.txt", letter_text(1, 2));
    write_file(t.path() / "more" / "b.txt", letter_text(2, 1, "redness"));
    const std::string key(imrdex::schema::kWordPairsKey);
    auto shards_say = [&](const fs::path& db, const std::string& value) {
        for (const imrdex::StubEntry& e : imrdex::read_stub(db.string()))
            EXPECT_EQ(Xapian::Database((db / e.location).string()).get_metadata(key), value)
                << e.location;
    };

    imrdex::IndexOptions o = options(t.path() / "pairs", 2);
    o.word_pairs = true;
    EXPECT_TRUE(imrdex::run_index({(t.path() / "in").string()}, o).word_pairs);
    shards_say(t.path() / "pairs", "1");
    o.word_pairs = false;  // an addition keeps the database's choice
    EXPECT_TRUE(imrdex::run_index({(t.path() / "more").string()}, o).word_pairs);
    Xapian::Database pairs((t.path() / "pairs").string());
    EXPECT_EQ(count(pairs, "XWRpersist swell"), 2u);
    EXPECT_EQ(count(pairs, "XWRpersist red"), 1u);
    EXPECT_EQ(count(pairs, "XWRswell number1"), 1u);

    o = options(t.path() / "plain", 2);
    EXPECT_FALSE(imrdex::run_index({(t.path() / "in").string()}, o).word_pairs);
    shards_say(t.path() / "plain", "0");
    o.word_pairs = true;  // documents already there have none: refused, nothing written
    EXPECT_THROW(imrdex::run_index({(t.path() / "more").string()}, o), imrdex::ConfigError);
    Xapian::Database plain((t.path() / "plain").string());
    EXPECT_EQ(plain.get_doccount(), 2u);
    EXPECT_EQ(count(plain, "XWRpersist swell"), 0u);

    // A merge has pairs only when every source has them (compaction keeps one source's value).
    imrdex::MergeOptions m;
    m.sync = false;
    const fs::path merged_pairs = t.path() / "merged-pairs";
    const fs::path merged_mixed = t.path() / "merged-mixed";
    imrdex::merge_databases(merged_pairs.string(), {(t.path() / "pairs").string()}, m);
    EXPECT_EQ(Xapian::Database(merged_pairs.string()).get_metadata(key), "1");
    // Letter 1 with pairs first (compaction would keep its "1"), letter 2 without.
    const fs::path pairs_a = t.path() / "pairs-a";
    o = options(pairs_a, 1);
    o.word_pairs = true;
    imrdex::run_index({(t.path() / "in").string()}, o);
    const fs::path plain_b = t.path() / "plain-b";
    imrdex::run_index({(t.path() / "more").string()}, options(plain_b, 1));
    imrdex::merge_databases(merged_mixed.string(), {pairs_a.string(), plain_b.string()}, m);
    EXPECT_EQ(Xapian::Database(merged_mixed.string()).get_metadata(key), "0");
}

// Bytes of the regular files below `dir`.
std::uintmax_t tree_bytes(const fs::path& dir) {
    std::uintmax_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) total += e.file_size();
    }
    return total;
}

TEST(Pipeline, CompactionShrinksEveryShardAndKeepsEveryDocument) {
    TempDir t("pipeline");
    std::string jsonl;
    for (int n = 1; n <= 300; ++n) jsonl += jsonl_line(n, 2);
    write_file(t.path() / "in.jsonl", jsonl);
    // The same letters, committed often (small flushes leave part-filled blocks), with and
    // without compaction at the end.
    imrdex::IndexOptions o = options(t.path() / "plain", 2);
    o.flush_bytes = 16 << 10;
    const imrdex::IndexStats plain = imrdex::run_index({(t.path() / "in.jsonl").string()}, o);
    EXPECT_EQ(plain.compact_seconds, 0.0);
    o.db = (t.path() / "compact").string();
    o.compact = true;
    const imrdex::IndexStats s = imrdex::run_index({(t.path() / "in.jsonl").string()}, o);
    EXPECT_GT(s.compact_seconds, 0.0);
    EXPECT_LT(s.index_bytes, plain.index_bytes);

    Xapian::Database all((t.path() / "compact").string());
    EXPECT_EQ(all.get_doccount(), 600u);
    EXPECT_EQ(count(all, "XRswell"), 600u);
    EXPECT_EQ(count(all, "XLCM16-0000299"), 2u);
    const std::vector<imrdex::StubEntry> shards =
        imrdex::read_stub((t.path() / "compact").string());
    ASSERT_EQ(shards.size(), imrdex::read_stub((t.path() / "plain").string()).size());
    for (const imrdex::StubEntry& e : shards) {
        const fs::path compacted = t.path() / "compact" / e.location;
        const fs::path uncompacted = t.path() / "plain" / e.location;
        // Each shard holds the same documents and is smaller; the copy was swapped in whole.
        EXPECT_EQ(Xapian::Database(compacted.string()).get_doccount(),
                  Xapian::Database(uncompacted.string()).get_doccount())
            << e.location;
        EXPECT_LT(tree_bytes(compacted), tree_bytes(uncompacted)) << e.location;
        EXPECT_FALSE(fs::exists(compacted.string() + ".compact")) << e.location;
        EXPECT_FALSE(fs::exists(compacted.string() + ".old")) << e.location;
    }
    // A compacted database takes more letters like any other.
    write_file(t.path() / "more.jsonl", jsonl_line(301, 1));
    imrdex::run_index({(t.path() / "more.jsonl").string()}, o);
    EXPECT_EQ(Xapian::Database((t.path() / "compact").string()).get_doccount(), 601u);
}

// The writer floor's run_write: documents built beforehand land in the same shards, with the
// same terms, as run_index writes them; and the same documents can be written twice.
TEST(Pipeline, RunWriteWritesPrebuiltDocumentsAsTheIndexerDoes) {
    TempDir t("pipeline");
    std::string jsonl;
    std::vector<imrdex::BuiltLetter> built;
    const imrdex::LetterParser parser;
    imrdex::DocumentBuilder builder;
    for (int n = 1; n <= 120; ++n) {
        jsonl += jsonl_line(n, 1 + n % 3);
        const std::string text = letter_text(n, 1 + n % 3);
        char id[32];
        std::snprintf(id, sizeof id, "CM16-%07d", n);
        const imrdex::Letter letter = parser.parse(text, id, id);
        imrdex::BuiltLetter b;
        b.id = letter.id;
        b.docs = builder.build(letter);
        b.text_bytes = text.size();
        built.push_back(std::move(b));
    }
    write_file(t.path() / "in.jsonl", jsonl);
    imrdex::IndexOptions o = options(t.path() / "indexed", 2);
    o.flush_bytes = 16 << 10;  // several commits
    const imrdex::IndexStats indexed = imrdex::run_index({(t.path() / "in.jsonl").string()}, o);
    for (const char* name : {"written", "again"}) {
        o.db = (t.path() / name).string();
        const imrdex::IndexStats written = imrdex::run_write(built, o);
        EXPECT_EQ(written.letters, indexed.letters);
        EXPECT_EQ(written.items, indexed.items);
        EXPECT_EQ(written.shards, indexed.shards);
        const std::vector<imrdex::StubEntry> shards = imrdex::read_stub(o.db);
        ASSERT_EQ(shards.size(), indexed.shards);
        for (const imrdex::StubEntry& e : shards) {
            const Xapian::Database w((t.path() / name / e.location).string());
            const Xapian::Database i((t.path() / "indexed" / e.location).string());
            ASSERT_EQ(w.get_doccount(), i.get_doccount()) << e.location;
            // Every term with its frequency: the same documents in the same shard.
            auto a = w.allterms_begin();
            auto b = i.allterms_begin();
            for (; a != w.allterms_end() && b != i.allterms_end(); ++a, ++b) {
                ASSERT_EQ(*a, *b);
                ASSERT_EQ(a.get_termfreq(), b.get_termfreq()) << *a;
            }
            EXPECT_TRUE(a == w.allterms_end() && b == i.allterms_end()) << e.location;
        }
    }
}

// A stop that arrives while the run is under way: everything read before it is committed and
// searchable, nothing after it is indexed, and the run says it was interrupted.
TEST(Pipeline, StopMidRunCommitsWhatWasReadAndNothingElse) {
    TempDir t("pipeline");
    const int total = 2000;
    std::string jsonl;
    for (int n = 1; n <= total; ++n) jsonl += jsonl_line(n, 1);
    write_file(t.path() / "in.jsonl", jsonl);
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> letters_at_stop{0};
    imrdex::IndexOptions o = options(t.path() / "db", 2);
    o.stop = &stop;
    o.progress_interval = 0;  // a report after every write
    o.on_progress = [&](const imrdex::IndexProgress& p) {
        if (p.letters >= 50 && !stop.exchange(true)) letters_at_stop = p.letters;
    };
    const imrdex::IndexStats s = imrdex::run_index({(t.path() / "in.jsonl").string()}, o);
    ASSERT_TRUE(stop.load()) << "the run ended before the stop";
    EXPECT_TRUE(s.interrupted);
    EXPECT_GE(s.letters, letters_at_stop.load());
    // Reading ends within the batches in flight (2 threads x 3 tokens x 8 letters).
    EXPECT_LT(s.letters, static_cast<std::uint64_t>(total) / 2);
    EXPECT_EQ(s.rejected, 0u);

    // The reader is serial and in order, so what was read is letters 1..s.letters.
    Xapian::Database all((t.path() / "db").string());
    EXPECT_EQ(all.get_doccount(), s.items);
    EXPECT_EQ(s.items, s.letters);
    EXPECT_EQ(count(all, "XRswell"), s.letters);
    std::uint64_t missing = 0, extra = 0;
    for (int n = 1; n <= total; ++n) {
        char id[32];
        std::snprintf(id, sizeof id, "XLCM16-%07d", n);
        const bool read = static_cast<std::uint64_t>(n) <= s.letters;
        const Xapian::doccount found = count(all, id);
        if (read && found != 1) ++missing;
        if (!read && found != 0) ++extra;
    }
    EXPECT_EQ(missing, 0u);
    EXPECT_EQ(extra, 0u);

    // Rerunning the same command carries on to the end.
    const imrdex::IndexStats rest =
        imrdex::run_index({(t.path() / "in.jsonl").string()}, options(t.path() / "db", 2));
    EXPECT_FALSE(rest.interrupted);
    EXPECT_EQ(Xapian::Database((t.path() / "db").string()).get_doccount(),
              static_cast<Xapian::doccount>(total));
}

TEST(Pipeline, StrictStopsAtFirstRejection) {
    TempDir t("pipeline");
    write_file(t.path() / "in" / "a.jsonl", "not json\n" + jsonl_line(1, 1));
    imrdex::IndexOptions o = options(t.path() / "db", 1);
    o.strict = true;
    EXPECT_THROW(imrdex::run_index({(t.path() / "in").string()}, o), imrdex::InputError);
}

TEST(Pipeline, ExtractWritesOneRecordPerLetterInInputOrder) {
    TempDir t("pipeline");
    std::string jsonl;
    for (int n = 1; n <= 40; ++n) jsonl += jsonl_line(n, 1 + n % 2);
    jsonl += "{\"id\":\"x\",\"text\":\"just some words, no letter here\"}\n";
    write_file(t.path() / "in.jsonl", jsonl);
    imrdex::ExtractOptions o;
    o.threads = 2;
    o.batch_letters = 4;
    std::ostringstream out;
    const imrdex::ExtractStats s = imrdex::run_extract({(t.path() / "in.jsonl").string()}, o, out);
    EXPECT_EQ(s.letters, 41u);
    EXPECT_EQ(s.rejected, 1u);  // the letter without items is printed and also rejected
    EXPECT_EQ(s.reasons.count(imrdex::RejectReason::no_items), 1u);
    std::istringstream lines(out.str());
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        ++n;
        char id[32];
        std::snprintf(id, sizeof id, "\"id\":\"CM16-%07d\"", n);
        if (n <= 40) {
            EXPECT_NE(line.find(id), std::string::npos) << line.substr(0, 80);
        }
    }
    EXPECT_EQ(n, 41);
}

}  // namespace
