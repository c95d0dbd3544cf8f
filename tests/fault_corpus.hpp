// Test helper for the reliability tests: a fault corpus (bad inputs of every kind mixed into
// good generated letters, with what the indexer must do with each), running imr-index as a
// child process, and checks that a database holds only whole letters.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_util.hpp"

namespace imrdex::testing {

struct FaultOptions {
    std::uint64_t seed = 7;
    std::uint64_t good_txt = 120;    // good letters as .txt files
    std::uint64_t good_jsonl = 120;  // good letters as JSON Lines records
    bool huge_line = true;           // a 100 MB JSON line (costs ~0.3 s to write and read)
};

// What the indexer must make of the corpus.
struct FaultCorpus {
    fs::path input;                                // the directory to index
    std::map<std::string, std::size_t> good;       // letter id -> items it must have in the index
    std::set<std::pair<std::string, std::string>> rejects;  // (source, reason), exactly
    std::map<std::string, std::string> reject_detail;       // source -> a word its detail holds
    // The Latin-1 letter: its id and the UTF-8 form of an accented word it contains.
    std::string latin1_id;
    std::string latin1_word;
    // The duplicate pair: the id, the source kept (first in input order) and the one rejected.
    std::string dup_id;
    std::string dup_kept;
    std::string dup_rejected;
    bool unreadable_proc = false;  // /proc/self/mem was available for the unreadable file
};

// Writes the corpus under `dir` (dir/in). Files are named so that the input order (sorted
// paths) is known.
FaultCorpus write_fault_corpus(const fs::path& dir, const FaultOptions& options = {});

// ---- Running imr-index -------------------------------------------------------------------

struct ChildOptions {
    std::uint64_t fsize_limit = 0;  // RLIMIT_FSIZE in bytes (SIGXFSZ ignored); 0: none
    fs::path err;                   // stderr goes here (else /dev/null)
};

// Starts IMRDEX_INDEX_BIN with `args` (stdout to /dev/null). Returns the child's pid.
pid_t spawn_index(const std::vector<std::string>& args, const ChildOptions& options = {});

// Waits for `pid`; the exit code, or 128 + signal when it was killed.
int wait_child(pid_t pid);

int run_index(const std::vector<std::string>& args, const ChildOptions& options = {});

// ---- Checking a database -----------------------------------------------------------------

// Item documents per letter id (XL terms) of the database at `db` (a stub directory).
std::map<std::string, std::size_t> letter_items(const fs::path& db);

// Letters of `found` whose item count differs from `truth` or that `truth` lacks, as text
// ("CM16-1: 2 items, expected 3"); empty when every letter present is whole.
std::vector<std::string> partial_letters(const std::map<std::string, std::size_t>& found,
                                         const std::map<std::string, std::size_t>& truth);

// Runs xapian-check on every shard listed in db/XAPIANDB; returns the failures (shard and
// output). `available` is false when the xapian-check program is missing.
std::vector<std::string> xapian_check_shards(const fs::path& db, bool& available);

// The truth (id -> item count) of letters [first, first + count) of LetterGenerator(seed), and
// writes them as one JSON Lines file.
std::map<std::string, std::size_t> write_generated_jsonl(const fs::path& file, std::uint64_t seed,
                                                         std::uint64_t first, std::uint64_t count);

}  // namespace imrdex::testing
