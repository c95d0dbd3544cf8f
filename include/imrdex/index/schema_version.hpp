// The schema version in a database's metadata (schema::kVersionKey): recorded when a shard is
// created, reconciled when shards are merged. The search tool asks for re-indexing on a mismatch.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <xapian.h>

#include "imrdex/core/doc_data.hpp"
#include "imrdex/core/schema.hpp"

namespace imrdex::schema {

// Records this build's schema version on a shard that holds no document yet, so the version
// always describes the documents: a shard written by an older indexer keeps its own (or none),
// and documents added to it later by this one do not relabel the older ones.
inline void record_version(Xapian::WritableDatabase& shard) {
    if (shard.get_doccount() == 0) shard.set_metadata(std::string(kVersionKey), version_text());
}

// Whether `db` (a shard, or the stub's shards as one: Xapian reads metadata from the first) is
// an archive database, built by `imr-index --archive` without termlists: it cannot replace or
// delete documents, nor compute an expand set (Xapian::Enquire::get_eset, significant terms).
// Callers that need termlists check this and ask for a normal build.
inline bool is_archive(const Xapian::Database& db) {
    return db.get_metadata(std::string(kArchiveKey)) == "1";
}

// Registers every document data dictionary `db` holds (of its first shard, for a stub: every
// shard of one database has the same) with decode_document_data. Call after opening or
// reopening a database whose document data is read: an indexer may add a dictionary meanwhile.
inline void load_document_dictionaries(const Xapian::Database& db) {
    const std::string prefix(kDataDictionaryPrefix);
    for (auto k = db.metadata_keys_begin(prefix); k != db.metadata_keys_end(prefix); ++k) {
        register_document_dictionary(db.get_metadata(*k));
    }
}

// The bytes of the dictionary new documents of `db` are written with; empty when none yet.
inline std::string current_document_dictionary(const Xapian::Database& db) {
    const std::string id = db.get_metadata(std::string(kDataDictionaryKey));
    return id.empty() ? std::string() : db.get_metadata(std::string(kDataDictionaryPrefix) + id);
}

// After compacting `sources` into the database at `merged`: compaction keeps one source's value
// of each metadata key, which is right only when every source has the same version. Otherwise
// the merged documents mix layouts, so the version is removed (the search tool then says to
// re-index).
inline void merge_version(const std::string& merged, const std::vector<Xapian::Database>& sources) {
    const std::string key(kVersionKey);
    const std::string first = sources.empty() ? std::string() : sources.front().get_metadata(key);
    const bool same = std::all_of(sources.begin(), sources.end(), [&](const Xapian::Database& d) {
        return d.get_metadata(key) == first;
    });
    if (same) return;
    Xapian::WritableDatabase db(merged, Xapian::DB_OPEN);
    db.set_metadata(key, "");
    db.commit();
}

}  // namespace imrdex::schema
