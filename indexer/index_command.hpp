// What imr-index does once its arguments are parsed: index, --extract or --merge (internal to
// the imr-index program).
#pragma once

#include <string>
#include <vector>

namespace imrdex {

// The parsed command line of imr-index.
struct IndexCommand {
    std::vector<std::string> inputs;  // inputs, or the shard databases of --merge
    std::string db;
    std::string merge_out;  // --merge OUT
    bool force = false;
    bool extract = false;
    bool drug_stats = false;
    unsigned threads = 0;
    unsigned shards = 0;
    double flush_mb = 2;
    bool compact = true;
    bool sync = true;
    bool word_pairs = false;
    bool archive = false;
    bool strict = false;
    bool quiet = false;
    std::string stats_json;
    std::string rejects_path;
    std::string save_text;  // --save-text FILE.jsonl.zst
    unsigned shard_k = 0;   // --shard K/N; N = 0: every letter
    unsigned shard_n = 0;
};

// Runs the command and returns the exit code (0, 1 when inputs were rejected, 128 + signal when
// SIGINT or SIGTERM stopped it); throws for fatal errors.
int run_index_command(const IndexCommand& cmd);

// A write that failed for lack of space deserves a plain explanation and the way out: printed
// when `message` says so.
void explain_write_error(const std::string& message);

}  // namespace imrdex
