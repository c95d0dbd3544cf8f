// Reads the Xapian stub database file of a sharded imrdex database.
#include "imrdex/core/stub.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"

namespace imrdex {

std::vector<StubEntry> read_stub(const std::string& db_dir) {
    std::vector<StubEntry> entries;
    std::ifstream in(std::filesystem::path(db_dir) / schema::kStubFile);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        StubEntry e;
        words >> e.backend >> e.location;
        if (e.backend.empty()) continue;  // only blanks
        if (e.location.empty()) throw ConfigError(db_dir + "/XAPIANDB: bad line: " + line);
        entries.push_back(std::move(e));
    }
    return entries;
}

}  // namespace imrdex
