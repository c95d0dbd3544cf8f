// The shards of an imrdex database and their writers: opening (and the XAPIANDB stub file),
// hand-off writing from any thread, the final commit and compaction; internal to imrdex_index.
#pragma once

#include <xapian.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "imrdex/index/document.hpp"
#include "imrdex/index/pipeline.hpp"
#include "run_state.hpp"

namespace imrdex {

// The documents of one letter, ready for its shard.
struct LetterDocs {
    std::string id;
    std::vector<ItemDocument> docs;
    std::uint64_t text_bytes = 0;
    std::uint64_t seq = 0;  // input order: batch sequence << 32 | index in batch
    std::string source;
};

using LetterGroup = std::vector<LetterDocs>;

// One shard database and the groups of letters waiting to be written to it. Xapian allows one
// writer per database: the thread that hands in a group when no other is writing becomes the
// shard's writer and writes groups until none is left; a thread that finds a writer active
// leaves its group queued and goes back to parsing, so no thread sits waiting for another's
// write or commit.
struct Shard {
    Shard() = default;
    Shard(const Shard&) = delete;
    Shard& operator=(const Shard&) = delete;
    // Worker threads touch a shard last under `mu` (the writer's hand-back in submit, the
    // commit and the compaction), and the owner destroys it after the TBB algorithm that ran
    // them has joined. That join is invisible to ThreadSanitizer (Debian's oneTBB is not
    // instrumented), so the destructor takes `mu` once: the same order, made visible.
    ~Shard() { const std::lock_guard lock(mu); }

    std::mutex mu;  // guards queue, writing, failed
    std::condition_variable room;
    std::vector<LetterGroup> queue;
    bool writing = false;
    bool failed = false;  // a write threw: the run is over, nothing more is taken

    std::string path;
    // Written inside a transaction, always: if the run fails (disk full, a Xapian error), the
    // destructor cancels what is pending instead of committing it, as it would outside one, so
    // the shard keeps exactly its last commit.
    std::unique_ptr<Xapian::WritableDatabase> db;
    std::uint64_t bytes_since_commit = 0;
    // Letter id -> input order of the letter kept for it in this run, to report duplicates.
    // A letter always goes to the same shard, so its writer alone touches its ids.
    std::unordered_map<std::string, std::uint64_t> kept;
    // Whether the shard held documents when the run opened it: only then can a letter replace
    // one indexed before (a new shard skips that lookup).
    bool had_documents = false;
    // An archive shard (no termlists): documents cannot be deleted, so no letter is replaced.
    bool archive = false;
    // The run's document data encoder, and the id of the dictionary this shard's metadata names
    // as current (0: none): the writer records the encoder's dictionary in the shard, in the
    // transaction of the first documents compressed with it, before they can be read.
    const DocumentDataEncoder* encoder = nullptr;
    std::uint32_t dictionary_id = 0;
};

using Shards = std::vector<std::unique_ptr<Shard>>;

// The directory name of shard `i` of `count`: shard-00, ..., or shard-000 past 100 shards.
std::string shard_name(unsigned i, unsigned count);

// Writes DIR/XAPIANDB listing `names` (glass shards, relative paths), atomically by a rename.
void write_stub(const std::filesystem::path& dir, const std::vector<std::string>& names);

// Opens (or creates) the sharded database; the shard count of an existing one is fixed.
// `word_pairs` returns whether the database's documents carry word pairs: opts.word_pairs for a
// new database, what it was created with for an existing one; `archive` likewise whether it is
// an archive (no termlists).
// `dictionary` returns the bytes of the document data dictionary the database writes with, or
// empty when it has none yet.
Shards open_shards(const IndexOptions& opts, unsigned threads, bool& word_pairs, bool& archive,
                   std::string& dictionary);

// Hands `group` to its shard (see Shard). The queue is bounded: past `max_queued` groups, which
// happens only while the writer is far behind (a long commit), the caller waits for room.
// Letters are counted in `state` once written. Two letters of one run with the same id: the
// first in input order is kept, whatever order the groups reach the shard, and the other is
// rejected as duplicate_id.
void submit(Shard& shard, LetterGroup group, std::size_t max_queued, std::size_t flush_bytes,
            RunState& state);

// Commits every shard (in parallel: each is independent) and closes it; with `sync`, makes it
// durable.
void commit_shards(Shards& shards, bool sync);

// Compacts every closed shard in place (in parallel), each swapped in atomically.
void compact_shards(const Shards& shards, bool sync);

}  // namespace imrdex
