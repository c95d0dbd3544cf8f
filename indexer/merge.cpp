// `imr-index --merge`: Xapian compaction of several shard databases into one imrdex database.
#include "imrdex/index/merge.hpp"

#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/index/schema_version.hpp"
#include "fs_util.hpp"

namespace fs = std::filesystem;

namespace imrdex {

namespace {

constexpr const char* kShardName = "shard-00";

Xapian::Database open_source(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw IoError("no database at '" + path + "'");
    try {
        return Xapian::Database(path);
    } catch (const Xapian::Error& e) {
        throw IoError("cannot open shard database '" + path + "': " + e.get_description());
    }
}

// True when `inner` is `outer` or lies inside it (after resolving symlinks and "..").
bool within(const fs::path& inner, const fs::path& outer) {
    std::error_code ec;
    const fs::path a = fs::weakly_canonical(inner, ec);
    const fs::path b = fs::weakly_canonical(outer, ec);
    auto ai = a.begin();
    for (auto bi = b.begin(); bi != b.end(); ++bi, ++ai) {
        if (bi->empty()) continue;  // a trailing slash
        if (ai == a.end() || *ai != *bi) return false;
    }
    return true;
}

// Every item has a unique term "Q<id>/<n>": one held by two sources means the shards overlap
// (the same shard named twice, or shards cut with different N), and the merge would double-count.
void check_disjoint(const Xapian::Database& all, const std::vector<Xapian::Database>& dbs,
                    const std::vector<std::string>& sources) {
    const std::string prefix(schema::kUnique);
    for (auto t = all.allterms_begin(prefix); t != all.allterms_end(prefix); ++t) {
        if (t.get_termfreq() < 2) continue;
        const std::string term = *t;
        const std::string id = term.substr(prefix.size(), term.rfind('/') - prefix.size());
        std::string where;
        for (std::size_t i = 0; i < dbs.size(); ++i) {
            if (dbs[i].term_exists(term)) where += (where.empty() ? "'" : ", '") + sources[i] + "'";
        }
        if (where.find(',') == std::string::npos) where += " (more than once)";
        throw ConfigError("letter " + id + " is in " + where +
                          ": the shards overlap (the same shard twice, or shards of different N?)");
    }
}

}  // namespace

MergeStats merge_databases(const std::string& out, const std::vector<std::string>& sources,
                           const MergeOptions& opts) {
    const auto start = std::chrono::steady_clock::now();
    if (sources.empty()) throw ConfigError("--merge needs at least one shard database");
    if (out.empty()) throw ConfigError("--merge needs an output directory");
    const fs::path out_path(out);
    std::error_code ec;
    const bool out_exists = fs::exists(out_path, ec);
    if (out_exists && !opts.force) {
        throw ConfigError(out + " already exists (--force replaces it)");
    }
    for (const std::string& s : sources) {
        if (within(s, out_path)) {
            throw ConfigError("shard database '" + s + "' is (inside) the output " + out);
        }
    }

    std::vector<Xapian::Database> dbs;
    Xapian::Database all;
    for (const std::string& s : sources) {
        dbs.push_back(open_source(s));
        all.add_database(dbs.back());
    }
    check_disjoint(all, dbs, sources);

    // Build next to OUT and rename into place: a failed merge leaves no half database, and an
    // existing OUT (--force) stays usable until the new one is complete.
    const fs::path tmp = out_path.string() + ".merge-tmp";
    const fs::path old = out_path.string() + ".merge-old";
    fs::remove_all(tmp);
    fs::create_directories(tmp, ec);
    if (ec) throw IoError("cannot create " + tmp.string() + ": " + ec.message());
    try {
        // Renumbering (the default) is needed: the shards' document ids overlap.
        all.compact((tmp / kShardName).string(), Xapian::Compactor::FULL);
        schema::merge_version((tmp / kShardName).string(), dbs);
        // Compaction keeps one source's value of each metadata key; the merged documents carry
        // word pairs only if every source's did.
        const std::string pairs_key(schema::kWordPairsKey);
        if (!std::all_of(dbs.begin(), dbs.end(),
                         [&](const Xapian::Database& d) { return d.get_metadata(pairs_key) == "1"; })) {
            Xapian::WritableDatabase merged((tmp / kShardName).string(), Xapian::DB_OPEN);
            merged.set_metadata(pairs_key, "0");
            merged.commit();
        }
        {
            std::ofstream stub(tmp / schema::kStubFile, std::ios::trunc);
            stub << "# imrdex: 1 shards; merged by imr-index --merge from " << sources.size()
                 << " shard databases\nglass " << kShardName << "\n";
            stub.flush();
            if (!stub) throw IoError("cannot write " + (tmp / schema::kStubFile).string());
        }
        if (opts.sync) fs_util::sync_tree(tmp);
        if (out_exists) {
            fs::remove_all(old);
            fs::rename(out_path, old);
        }
        fs::rename(tmp, out_path);
        if (out_exists) fs::remove_all(old);
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }

    MergeStats stats;
    stats.sources = static_cast<unsigned>(sources.size());
    {
        const Xapian::Database merged(out);
        stats.documents = merged.get_doccount();
        stats.letters = merged.get_termfreq(std::string(schema::kFirstItem) + "1");
    }
    stats.index_bytes = fs_util::tree_bytes(out_path);
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stats;
}

}  // namespace imrdex
