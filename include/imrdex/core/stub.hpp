// The Xapian stub database file (XAPIANDB) that makes a directory of shards one database.
#pragma once

#include <string>
#include <vector>

namespace imrdex {

// One line of a stub file: the backend ("glass", "remote", "auto", ...) and where the shard is:
// a path relative to the stub's directory, or "[:]HOST:PORT" for a remote one.
struct StubEntry {
    std::string backend;
    std::string location;
};

// The entries of DIR/XAPIANDB in order, comments and blank lines skipped; empty when DIR has
// no stub file. Throws ConfigError on a line with no location.
std::vector<StubEntry> read_stub(const std::string& db_dir);

}  // namespace imrdex
