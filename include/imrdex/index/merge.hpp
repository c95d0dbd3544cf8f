// `imr-index --merge`: one compacted imrdex database from shard databases built apart (e.g. with
// `imr-index --shard K/N` on N machines).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imrdex {

struct MergeOptions {
    bool force = false;  // replace an existing OUT (only once the new database is complete)
    bool sync = true;    // fsync the result before it is renamed into place
};

struct MergeStats {
    unsigned sources = 0;          // shard databases named
    std::uint64_t documents = 0;   // item documents in the result
    std::uint64_t letters = 0;     // letters in the result
    double seconds = 0;
    std::uint64_t index_bytes = 0;  // size of OUT at the end
};

// Compacts every source (an imrdex database directory with a XAPIANDB stub, or any local Xapian
// database) into OUT, written as an imrdex database of one shard (OUT/XAPIANDB +
// OUT/shard-00), so imr-search, xapian-tcpsrv and a later `imr-index --db OUT` all take it.
// Refuses (ConfigError) an existing OUT without opts.force, an OUT that is one of the sources,
// and sources that share a letter (so merging the same shard twice cannot double-count).
// Throws IoError for missing sources and Xapian::Error from Xapian.
MergeStats merge_databases(const std::string& out, const std::vector<std::string>& sources,
                           const MergeOptions& opts);

}  // namespace imrdex
