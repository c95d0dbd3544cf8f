// The indexing pipeline (read -> prepare, parse and build documents -> write shards) and the
// extraction pipeline of `imr-index --extract`, both oneTBB parallel_pipelines with bounded memory
// (indexer/index_pipeline.cpp, indexer/extract_pipeline.cpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "imrdex/core/partition.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/index/inputs.hpp"
#include "imrdex/index/rejection.hpp"

namespace imrdex {

// What the progress callback and the final summary report.
struct IndexProgress {
    std::uint64_t letters = 0;            // letters indexed (or extracted)
    std::uint64_t items = 0;              // item documents written
    std::uint64_t text_bytes = 0;         // letter text bytes of those letters
    std::uint64_t input_bytes = 0;        // file bytes consumed by the reader
    std::uint64_t total_input_bytes = 0;  // from the stat pre-pass (0 when unknown)
    std::uint64_t rejected = 0;
    double seconds = 0;
};

struct IndexStats : IndexProgress {
    std::map<RejectReason, std::uint64_t> reasons;  // rejection reason -> count, by code
    std::vector<Rejection> first_rejections;        // the first few, for the summary
    unsigned shards = 0;
    unsigned threads = 0;
    double commit_seconds = 0;              // final commit of every shard
    double compact_seconds = 0;             // 0 when not compacted
    std::uint64_t index_bytes = 0;          // size of the database directory at the end
    bool interrupted = false;               // the stop flag ended reading early
    std::uint64_t skipped_other_shard = 0;  // --shard K/N: letters of the other N-1 shards
    bool word_pairs = false;                // the database's documents carry word pairs
    bool archive = false;                   // the database has no termlists (--archive)
    // Of `letters`, those whose id the database already held before the run (re-indexed: their
    // items were replaced); letters - replaced_letters are new.
    std::uint64_t replaced_letters = 0;
    // Warning code -> how many warnings of that code the indexed letters carry.
    std::map<std::string, std::uint64_t> warnings;
    std::uint64_t saved_letters = 0;  // records written to PipelineOptions::save_text
};

struct PipelineOptions {
    unsigned threads = 0;                            // 0: all cores (tbb default)
    std::size_t batch_letters = 64;                  // letters per reader batch
    std::size_t batch_bytes = std::size_t{1} << 20;  // or this much text
    std::size_t tokens_per_thread = 3;               // batches in flight = threads * this
    ReaderLimits limits;
    // Called for every rejection as it happens (serialised; e.g. to write --rejects).
    std::function<void(const Rejection&)> on_reject;
    // Called from the pipeline about every `progress_interval` seconds (serialised).
    std::function<void(const IndexProgress&)> on_progress;
    double progress_interval = 0.25;
    // When set and true (e.g. by a signal handler), reading stops; what is in flight is
    // finished and committed.
    std::atomic<bool>* stop = nullptr;
    bool strict = false;  // the first rejection stops the run (then run_* throws InputError)
    // When set, a FILE.jsonl.zst that receives each letter's text (imrdex/index/save_text.hpp)
    // once it is extracted: every letter whose text could be made, in input order, also those
    // the parser then rejects (no_items, truncated, duplicate_id: a later run with other rules
    // may keep them); not the inputs rejected before (unreadable, bad_pdf, bad_json, ...), nor
    // another machine's letters under --shard K/N.
    std::string save_text;
};

struct IndexOptions : PipelineOptions {
    std::string db;       // directory holding XAPIANDB and the shard directories
    unsigned shards = 0;  // for a new database; 0: max(2, threads). Existing: read back.
    // Letter text each shard buffers before it commits. Small is fast: Xapian's inverter keeps
    // a std::map of documents per term, whose lookups miss the cache more the more documents
    // it holds, and that costs more than the extra commits (2 MB: 1.5x the letters/s of 32 MB
    // on 100,000 letters). Xapian needs about 10x this in memory per shard.
    std::size_t flush_bytes = std::size_t{2} << 20;
    bool compact = true;  // compact each shard in place at the end (about 28% smaller)
    bool sync = true;     // fsync the shard files at the end (writes use DB_NO_SYNC)
    // Word-pair terms (schema::kRationalePair, ...) for fast phrase queries, in a new database;
    // an existing database keeps the choice it was created with.
    bool word_pairs = false;
    // An archive database (schema::kArchiveKey), for a new database: no termlists, about a
    // sixth smaller. Letters can be added to it later; one it holds already is rejected
    // (in_archive), since replacing it needs the termlists. An existing archive stays one.
    bool archive = false;
    // Document data (see DocumentDataEncoder): the first this many item documents of a
    // database without a dictionary train its zstd dictionary (then stored in every shard's
    // metadata); 0: none is trained, the data stays plain JSON.
    std::size_t dictionary_samples = 2000;
    // `--shard K/N` (of_shards = N, only_shard = K): index only the letters with
    // part_of(id, N) == K, so N machines given the same inputs build N disjoint databases.
    // 0: every letter. Independent of `shards`, the local split of each machine's database.
    unsigned of_shards = 0;
    unsigned only_shard = 0;
};

// Indexes every input into opts.db, creating it if needed. Rejections are counted, never fatal
// (unless strict). Throws Xapian::Error or imrdex::Error on fatal problems.
IndexStats run_index(const std::vector<std::string>& inputs, const IndexOptions& opts);

// One letter's item documents, built beforehand (DocumentBuilder::build), for run_write.
struct BuiltLetter {
    std::string id;
    std::vector<ItemDocument> docs;
    std::uint64_t text_bytes = 0;  // the letter's text, for the flush size
};

// The writer floor: writes letters whose documents are already built into opts.db exactly as
// run_index writes them (the same shards, hand-off writers, flush size, commits, fsync and
// compaction), with opts.threads threads and batches of opts.batch_letters. What is left of
// run_index's time beyond this is reading, parsing and building. The documents are shared with
// the written copies, not consumed, so `letters` can be written again (into another database),
// but not by two calls at once. `dictionary`: the bytes of the DocumentDictionary their data was
// compressed with (recorded in each shard as run_index records its own), or empty.
IndexStats run_write(const std::vector<BuiltLetter>& letters, const IndexOptions& opts,
                     const std::string& dictionary = {});

struct ExtractOptions : PipelineOptions {
    bool drug_stats = false;  // count unknown drug-like request words
};

struct ExtractStats : IndexStats {
    // (word, count), most frequent first: request words that looked like drugs but were unknown.
    std::vector<std::pair<std::string, std::uint64_t>> unknown_drugs;
};

// Parses every input and writes one extraction record (to_json) per usable letter and line
// to `out`, in input order. Letters without items are rejections, as in run_index.
ExtractStats run_extract(const std::vector<std::string>& inputs, const ExtractOptions& opts,
                         std::ostream& out);

}  // namespace imrdex
