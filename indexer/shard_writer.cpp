// The shard writers: opening a sharded database (and its XAPIANDB stub), hand-off writing from
// the pipeline's threads, the final commit and the in-place compaction of each shard.
#include "shard_writer.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "fs_util.hpp"
#include "imrdex/core/doc_data.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/stub.hpp"
#include "imrdex/index/schema_version.hpp"
#include "stage_fence.hpp"

namespace fs = std::filesystem;

namespace imrdex {

std::string shard_name(unsigned i, unsigned count) {
    char buf[32];
    std::snprintf(buf, sizeof buf, count > 100 ? "shard-%03u" : "shard-%02u", i);
    return buf;
}

void write_stub(const fs::path& dir, const std::vector<std::string>& names) {
    const fs::path tmp = dir / "XAPIANDB.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "# imrdex: " << names.size() << " shards; letters go to fnv1a64(id) % shards\n";
        for (const std::string& n : names) out << "glass " << n << "\n";
        out.flush();
        if (!out) throw IoError("cannot write " + tmp.string());
    }
    fs::rename(tmp, dir / schema::kStubFile);
}

namespace {

// True when `dir` holds only what a creation killed before writing XAPIANDB leaves behind
// (shard directories, XAPIANDB.tmp): rerunning the same command then carries on.
bool unfinished_creation(const fs::path& dir) {
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name == "XAPIANDB.tmp") continue;
        if (name.rfind("shard-", 0) == 0 && e.is_directory(ec)) continue;
        return false;
    }
    return !ec;
}

}  // namespace

std::vector<std::unique_ptr<Shard>> open_shards(const IndexOptions& opts, unsigned threads,
                                                bool& word_pairs, bool& archive,
                                                std::string& dictionary) {
    const fs::path dir(opts.db);
    std::vector<std::string> names;
    for (StubEntry& e : read_stub(opts.db)) names.push_back(std::move(e.location));
    std::error_code ec;
    const bool new_database = names.empty();
    if (names.empty()) {
        if (fs::exists(dir, ec) && !fs::is_empty(dir, ec) && !unfinished_creation(dir)) {
            throw IoError(opts.db + " exists and is not an imrdex database (no XAPIANDB file)");
        }
        const unsigned count = opts.shards != 0 ? opts.shards : std::max(2u, threads);
        fs::create_directories(dir, ec);
        if (ec) throw IoError("cannot create " + opts.db + ": " + ec.message());
        for (unsigned i = 0; i < count; ++i) names.push_back(shard_name(i, count));
    } else if (opts.shards != 0 && opts.shards != names.size()) {
        throw ConfigError(opts.db + " has " + std::to_string(names.size()) + " shards; --shards " +
                          std::to_string(opts.shards) + " applies only to a new database");
    }
    // Xapian's own flush-by-count (10,000 documents by default) would commit far more often than
    // our flush-by-bytes; let ours decide unless the user set the variable.
    ::setenv("XAPIAN_FLUSH_THRESHOLD", "100000000", 0);
    // An archive's shards must be opened for writing with DB_NO_TERMLIST too (glass would look
    // for their termlist table otherwise), so an existing database is asked first, read-only.
    const std::string archive_key(schema::kArchiveKey);
    const bool archive_shards = new_database ? opts.archive : [&] {
        const fs::path first = dir / names.front();
        if (!fs::exists(first / "iamglass", ec)) return false;
        return schema::is_archive(Xapian::Database(first.string()));
    }();
    const int flags = Xapian::DB_CREATE_OR_OPEN | Xapian::DB_NO_SYNC | Xapian::DB_BACKEND_GLASS |
                      (archive_shards ? Xapian::DB_NO_TERMLIST : 0);
    std::vector<std::unique_ptr<Shard>> shards;
    for (const std::string& name : names) {
        auto shard = std::make_unique<Shard>();
        shard->path = (dir / name).string();
        shard->db = std::make_unique<Xapian::WritableDatabase>(shard->path, flags);
        shard->had_documents = shard->db->get_doccount() > 0;
        shard->db->begin_transaction();
        // Copies left by a compaction that was killed (we hold the shard's write lock now).
        fs::remove_all(shard->path + ".compact", ec);
        fs::remove_all(shard->path + ".old", ec);
        shards.push_back(std::move(shard));
    }
    // New: no shard has a document or a recorded choice (databases from before word pairs
    // existed have documents and no key, and so have no pairs).
    const std::string pairs_key(schema::kWordPairsKey);
    const bool created = std::all_of(shards.begin(), shards.end(), [&](const auto& shard) {
        return shard->db->get_doccount() == 0 && shard->db->get_metadata(pairs_key).empty();
    });
    word_pairs = created ? opts.word_pairs : shards.front()->db->get_metadata(pairs_key) == "1";
    if (opts.word_pairs && !word_pairs) {
        throw ConfigError(opts.db +
                          " was built without word pairs; --word-pairs applies only "
                          "to a new database");
    }
    for (auto& shard : shards) shard->db->set_metadata(pairs_key, word_pairs ? "1" : "0");
    // An archive records it on every shard, in the first commit.
    archive = archive_shards;
    if (opts.archive && !archive) {
        throw ConfigError(opts.db +
                          " was built with termlists; --archive applies only to a new "
                          "database");
    }
    for (auto& shard : shards) {
        shard->archive = archive;
        if (archive) shard->db->set_metadata(archive_key, "1");
    }
    dictionary.clear();
    const std::string dict_key(schema::kDataDictionaryKey);
    for (auto& shard : shards) {
        const std::string id = shard->db->get_metadata(dict_key);
        shard->dictionary_id = id.empty() ? 0 : static_cast<std::uint32_t>(std::stoul(id));
        if (dictionary.empty()) dictionary = schema::current_document_dictionary(*shard->db);
    }
    for (auto& shard : shards) schema::record_version(*shard->db);
    write_stub(dir, names);
    return shards;
}

namespace {

// The source recorded in the document data of the letter indexed under `term`.
std::string indexed_source(Xapian::WritableDatabase& db, const std::string& term) {
    const Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return "?";
    const std::string data = decode_document_data(db.get_document(*p).get_data());
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::object obj;
    std::string_view source;
    if (parser.parse(data).get(doc) || doc.get_object().get(obj)) return "?";
    if (obj["source"].get_string().get(source)) return "?";
    return std::string(source);
}

// Records the run's document data dictionary in the shard, once it has one: in the same
// transaction as (or an earlier one than) the first documents compressed with it.
void record_dictionary(Shard& shard) {
    const DocumentDictionary* dict =
        shard.encoder != nullptr ? shard.encoder->dictionary() : nullptr;
    if (dict == nullptr || dict->id() == shard.dictionary_id) return;
    const std::string id = std::to_string(dict->id());
    shard.db->set_metadata(std::string(schema::kDataDictionaryPrefix) + id, dict->bytes());
    shard.db->set_metadata(std::string(schema::kDataDictionaryKey), id);
    shard.dictionary_id = dict->id();
}

// Writes a group of letters to its shard (as the shard's writer) and counts them, keeping the
// first in input order of letters with one id (see submit).
void write_letters(Shard& shard, LetterGroup& letters, std::size_t flush_bytes, RunState& state) {
    const std::string id_prefix(schema::kLetterId);
    std::uint64_t added_letters = 0, added_items = 0, text_bytes = 0;
    std::uint64_t replaced_letters = 0, replaced_items = 0;
    std::uint64_t reindexed = 0;  // letters indexed before this run, now replaced
    record_dictionary(shard);
    for (LetterDocs& l : letters) {
        const std::string term = id_prefix + l.id;
        const auto [kept, fresh] = shard.kept.try_emplace(l.id, l.seq);
        if (shard.archive) {
            // No termlists: a letter written cannot be taken out again, so of two with one id
            // in a run the first written is kept, and one an earlier run indexed is refused.
            if (!fresh) {
                state.reject({l.source, RejectReason::duplicate_id,
                              "id " + l.id + ": kept " + indexed_source(*shard.db, term) +
                                  " (an archive database cannot replace a letter)"});
                continue;
            }
            if (shard.had_documents && shard.db->get_termfreq(term) > 0) {
                state.reject({l.source, RejectReason::in_archive,
                              "id " + l.id +
                                  " is in this archive database already (built with "
                                  "--archive, without termlists), which cannot replace a letter; "
                                  "re-index into a database built without --archive"});
                continue;
            }
            for (ItemDocument& d : l.docs) shard.db->add_document(d.document);
            shard.bytes_since_commit += l.text_bytes;
            added_letters += 1;
            added_items += l.docs.size();
            text_bytes += l.text_bytes;
            continue;
        }
        if (!fresh) {
            const std::string other = indexed_source(*shard.db, term);
            if (kept->second < l.seq) {
                state.reject(
                    {l.source, RejectReason::duplicate_id, "id " + l.id + ": kept " + other});
                continue;
            }
            state.reject({other, RejectReason::duplicate_id, "id " + l.id + ": kept " + l.source});
            replaced_letters += 1;
            replaced_items += shard.db->get_termfreq(term);
            kept->second = l.seq;
        } else if (shard.had_documents && shard.db->get_termfreq(term) > 0) {
            // First seen in this run, yet the shard has it: indexed by an earlier run.
            reindexed += 1;
        }
        // Re-indexing a letter replaces all its items, including ones it no longer has. After
        // the delete no item of this letter exists, so add_document is a plain append.
        shard.db->delete_document(term);
        for (ItemDocument& d : l.docs) shard.db->add_document(d.document);
        shard.bytes_since_commit += l.text_bytes;
        added_letters += 1;
        added_items += l.docs.size();
        text_bytes += l.text_bytes;
    }
    if (shard.bytes_since_commit >= flush_bytes) {
        shard.db->commit_transaction();
        shard.db->begin_transaction();
        shard.bytes_since_commit = 0;
    }
    // Added before the replaced are taken off, so the counts never go below zero.
    state.done(added_letters, added_items, text_bytes, 0);
    state.retract(replaced_letters, replaced_items);
    state.reindexed(reindexed);
}

}  // namespace

void submit(Shard& shard, LetterGroup group, std::size_t max_queued, std::size_t flush_bytes,
            RunState& state) {
    {
        std::unique_lock lock(shard.mu);
        shard.room.wait(lock, [&] { return shard.queue.size() < max_queued || shard.failed; });
        if (shard.failed) return;
        shard.queue.push_back(std::move(group));
        if (shard.writing) return;
        shard.writing = true;
    }
    std::vector<LetterGroup> taken;
    for (;;) {
        {
            std::lock_guard lock(shard.mu);
            if (shard.queue.empty()) {
                shard.writing = false;
                return;
            }
            taken.swap(shard.queue);
        }
        shard.room.notify_all();
        try {
            for (LetterGroup& g : taken) write_letters(shard, g, flush_bytes, state);
        } catch (...) {
            {
                std::lock_guard lock(shard.mu);
                shard.failed = true;
            }
            shard.room.notify_all();
            throw;
        }
        taken.clear();
    }
}

namespace {

// Compacts a shard into PATH.compact, then swaps the two directories in one atomic step
// (renameat2 RENAME_EXCHANGE): killed at any moment, PATH is a complete database, the old or
// the compacted one, with the same letters. Readers with the old files open keep reading them.
void compact_shard(const std::string& path, bool sync) {
    const std::string tmp = path + ".compact";
    const std::string old = path + ".old";
    fs::remove_all(tmp);
    fs::remove_all(old);
    {
        Xapian::Database src(path);
        src.compact(tmp, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::Compactor::FULL);
    }
    // The copy must be on disk before it replaces the original.
    if (sync) fs_util::sync_tree(tmp);
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
        if (sync) fs_util::sync_dir(fs::path(path).parent_path());
        fs::remove_all(tmp);  // the old copy now
        return;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        throw IoError("cannot swap in the compacted " + path + ": " + std::strerror(errno));
    }
    // A file system without RENAME_EXCHANGE: two renames, with a moment without PATH.
    fs::rename(path, old);
    fs::rename(tmp, path);
    fs::remove_all(old);
}

}  // namespace

void commit_shards(Shards& shards, bool sync) {
    const StageFence fence;
    const auto commit = [&](std::size_t s) {
        Shard& shard = *shards[s];
        const std::lock_guard lock(shard.mu);  // see ~Shard
        record_dictionary(shard);              // also on a shard no letter reached after training
        shard.db->commit_transaction();
        shard.db->close();
        if (sync) fs_util::sync_tree(shard.path);
    };
    tbb::parallel_for(std::size_t{0}, shards.size(), fence(commit));
    fence.join();
}

void compact_shards(const Shards& shards, bool sync) {
    const StageFence fence;
    const auto compact = [&](std::size_t s) {
        const std::lock_guard lock(shards[s]->mu);  // see ~Shard
        compact_shard(shards[s]->path, sync);
    };
    tbb::parallel_for(std::size_t{0}, shards.size(), fence(compact));
    fence.join();
}

}  // namespace imrdex
