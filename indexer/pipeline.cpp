// The oneTBB pipelines: serial reader -> parallel parse/build -> parallel shard writers (per-shard
// lock) for indexing, and serial reader -> parallel parse -> ordered output for --extract.
#include "imrdex/index/pipeline.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "imrdex/index/document.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/extract/pdf.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/stub.hpp"
#include "imrdex/core/utf8.hpp"
#include "fs_util.hpp"

namespace fs = std::filesystem;

namespace imrdex {

std::uint64_t fnv1a64(std::string_view s) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Longer ids would make unique and id terms past Xapian's term length limit.
constexpr std::size_t kMaxIdBytes = 200;
constexpr std::size_t kKeptRejections = 20;

// State shared by the stages of either pipeline: counters, rejections, progress and stopping.
class RunState {
public:
    RunState(const PipelineOptions& opts, IndexStats& stats) : opts_(opts), stats_(stats) {}

    bool should_stop() const {
        return stop_.load(std::memory_order_relaxed) ||
               (opts_.stop != nullptr && opts_.stop->load(std::memory_order_relaxed));
    }

    // Serialised: rejections arrive from the reader and from the parse stage.
    void reject(const Rejection& r) {
        std::lock_guard lock(mu_);
        ++stats_.rejected;
        ++stats_.reasons[r.reason];
        if (stats_.first_rejections.size() < kKeptRejections) stats_.first_rejections.push_back(r);
        if (opts_.on_reject) opts_.on_reject(r);
        if (opts_.strict && !stop_.exchange(true)) {
            strict_failure_ = r.source + ": " + r.reason + ": " + r.detail;
        }
    }

    // A letter indexed earlier in the run and replaced by a duplicate that comes first in input
    // order: no longer counted.
    void retract(std::uint64_t letters, std::uint64_t items) {
        letters_ -= letters;
        items_ -= items;
    }

    void done(std::uint64_t letters, std::uint64_t items, std::uint64_t text_bytes,
              std::uint64_t input_bytes) {
        letters_ += letters;
        items_ += items;
        text_bytes_ += text_bytes;
        input_bytes_ += input_bytes;
        if (!opts_.on_progress) return;
        std::unique_lock lock(progress_mu_, std::try_to_lock);
        if (!lock) return;
        if (since(last_progress_) < opts_.progress_interval) return;
        last_progress_ = Clock::now();
        opts_.on_progress(snapshot());
    }

    IndexProgress snapshot() const {
        IndexProgress p;
        p.letters = letters_.load();
        p.items = items_.load();
        p.text_bytes = text_bytes_.load();
        p.input_bytes = input_bytes_.load();
        p.total_input_bytes = total_input_bytes;
        {
            std::lock_guard lock(mu_);
            p.rejected = stats_.rejected;
        }
        p.seconds = since(start);
        return p;
    }

    void finish() {
        const IndexProgress p = snapshot();
        stats_.letters = p.letters;
        stats_.items = p.items;
        stats_.text_bytes = p.text_bytes;
        stats_.input_bytes = p.input_bytes;
        stats_.total_input_bytes = p.total_input_bytes;
        stats_.interrupted = opts_.stop != nullptr && opts_.stop->load();
        if (opts_.on_progress) opts_.on_progress(p);
    }

    void throw_if_strict_failed() const {
        if (!strict_failure_.empty()) throw InputError("--strict: rejected " + strict_failure_);
    }

    Clock::time_point start = Clock::now();
    std::uint64_t total_input_bytes = 0;

private:
    const PipelineOptions& opts_;
    IndexStats& stats_;
    mutable std::mutex mu_;
    std::mutex progress_mu_;
    Clock::time_point last_progress_ = Clock::now();
    std::atomic<bool> stop_{false};
    std::string strict_failure_;
    std::atomic<std::uint64_t> letters_{0};
    std::atomic<std::uint64_t> items_{0};
    std::atomic<std::uint64_t> text_bytes_{0};
    std::atomic<std::uint64_t> input_bytes_{0};
};

// Owns every batch of a run. Stages pass raw pointers, and when a stage throws, oneTBB drops
// the tokens still in flight without destroying them; owned here, they are freed however the
// run ends. A finished batch is reset and handed out again.
template <typename Work>
class WorkPool {
public:
    Work* acquire() {
        std::lock_guard lock(mu_);
        if (free_.empty()) return all_.emplace_back(std::make_unique<Work>()).get();
        Work* work = free_.back();
        free_.pop_back();
        return work;
    }

    void release(Work* work) {
        *work = Work{};
        std::lock_guard lock(mu_);
        free_.push_back(work);
    }

private:
    std::mutex mu_;
    std::vector<std::unique_ptr<Work>> all_;
    std::vector<Work*> free_;
};

// The reader stage, shared by both pipelines: a fresh batch per token, or end of input.
template <typename Work>
Work* read_stage(WorkPool<Work>& pool, InputReader& reader, RunState& state,
                 const PipelineOptions& opts, tbb::flow_control& fc) {
    Work* work = pool.acquire();
    for (;;) {
        if (state.should_stop() ||
            !reader.next(work->input, opts.batch_letters, opts.batch_bytes, opts.stop)) {
            pool.release(work);
            fc.stop();
            return nullptr;
        }
        for (const Rejection& r : work->input.rejections) state.reject(r);
        if (!work->input.letters.empty()) return work;
        // Nothing to parse, but the consumed bytes still count for progress.
        state.done(0, 0, 0, work->input.input_bytes);
        *work = Work{};
    }
}

void reject_unusable(RunState& state, const Letter& letter) {
    std::string detail;
    for (const Warning& w : letter.warnings) {
        if (!detail.empty()) detail += "; ";
        detail += to_string(w.code);
        if (!w.detail.empty()) detail += ": " + w.detail;
    }
    if (detail.empty()) detail = "no disputed item found";
    state.reject({letter.source, "no_items", detail});
}

// Turns a PDF's bytes into its text (in the parallel stage: extraction costs far more than
// reading). False, with the rejection reported, for a bad PDF. Text that is not UTF-8 is read
// as Latin-1 (with a warning on the letter).
bool prepare_text(RawLetter& raw, RunState& state, std::vector<Warning>& warnings) {
    if (!raw.pdf) {
        if (utf8::latin1_to_utf8(raw.text)) {
            warnings.push_back(
                {WarningCode::latin1, "bytes that are not UTF-8 were read as Latin-1"});
        }
        return true;
    }
    try {
        PdfText pdf = extract_pdf_text(raw.text, raw.source);
        raw.text = std::move(pdf.text);
        raw.pdf = false;
        warnings = std::move(pdf.warnings);
        return true;
    } catch (const std::exception& e) {
        state.reject({raw.source, "bad_pdf", e.what()});
        return false;
    }
}

// The parser's truncated_item warnings of a letter, joined; empty when it looks complete.
std::string truncation(const Letter& letter) {
    std::string out;
    for (const Warning& w : letter.warnings) {
        if (w.code != WarningCode::truncated_item) continue;
        if (!out.empty()) out += "; ";
        out += w.detail;
    }
    return out;
}

Letter parse_raw(const LetterParser& parser, const RawLetter& raw, std::vector<Warning>& extra) {
    Letter letter = parser.parse(raw.text, raw.fallback_id, raw.source);
    for (Warning& w : extra) letter.warnings.push_back(std::move(w));
    extra.clear();
    return letter;
}

unsigned effective_threads(unsigned requested) {
    if (requested != 0) return requested;
    return static_cast<unsigned>(
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

// ---- Indexing ----------------------------------------------------------------------------------

struct LetterDocs {
    std::string id;
    std::vector<ItemDocument> docs;
    std::uint64_t text_bytes = 0;
    std::uint64_t seq = 0;  // input order: batch sequence << 32 | index in batch
    std::string source;
};

struct IndexWork {
    std::uint64_t seq = 0;  // batch sequence number, from the serial reader
    InputBatch input;
    std::vector<std::vector<LetterDocs>> by_shard;
};

using LetterGroup = std::vector<LetterDocs>;

// One shard database and the groups of letters waiting to be written to it. Xapian allows one
// writer per database: the thread that hands in a group when no other is writing becomes the
// shard's writer and writes groups until none is left; a thread that finds a writer active
// leaves its group queued and goes back to parsing, so no thread sits waiting for another's
// write or commit.
struct Shard {
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
};

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

// Opens (or creates) the sharded database; the shard count of an existing one is fixed.
// `word_pairs` returns whether the database's documents carry word pairs: opts.word_pairs for a
// new database, what it was created with for an existing one.
std::vector<std::unique_ptr<Shard>> open_shards(const IndexOptions& opts, unsigned threads,
                                                bool& word_pairs) {
    const fs::path dir(opts.db);
    std::vector<std::string> names;
    for (StubEntry& e : read_stub(opts.db)) names.push_back(std::move(e.location));
    std::error_code ec;
    if (names.empty()) {
        if (fs::exists(dir, ec) && !fs::is_empty(dir, ec) && !unfinished_creation(dir)) {
            throw IoError(opts.db + " exists and is not an imrdex database (no XAPIANDB file)");
        }
        const unsigned count = opts.shards != 0 ? opts.shards : std::max(2u, threads);
        fs::create_directories(dir, ec);
        if (ec) throw IoError("cannot create " + opts.db + ": " + ec.message());
        for (unsigned i = 0; i < count; ++i) names.push_back(shard_name(i, count));
    } else if (opts.shards != 0 && opts.shards != names.size()) {
        throw ConfigError(opts.db + " has " + std::to_string(names.size()) +
                          " shards; --shards " + std::to_string(opts.shards) +
                          " applies only to a new database");
    }
    // Xapian's own flush-by-count (10,000 documents by default) would commit far more often than
    // our flush-by-bytes; let ours decide unless the user set the variable.
    ::setenv("XAPIAN_FLUSH_THRESHOLD", "100000000", 0);
    std::vector<std::unique_ptr<Shard>> shards;
    for (const std::string& name : names) {
        auto shard = std::make_unique<Shard>();
        shard->path = (dir / name).string();
        shard->db = std::make_unique<Xapian::WritableDatabase>(
            shard->path, Xapian::DB_CREATE_OR_OPEN | Xapian::DB_NO_SYNC | Xapian::DB_BACKEND_GLASS);
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
        throw ConfigError(opts.db + " was built without word pairs; --word-pairs applies only "
                          "to a new database");
    }
    for (auto& shard : shards) shard->db->set_metadata(pairs_key, word_pairs ? "1" : "0");
    write_stub(dir, names);
    return shards;
}

// The source recorded in the document data of the letter indexed under `term`.
std::string indexed_source(Xapian::WritableDatabase& db, const std::string& term) {
    const Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return "?";
    const std::string data = db.get_document(*p).get_data();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::object obj;
    std::string_view source;
    if (parser.parse(data).get(doc) || doc.get_object().get(obj)) return "?";
    if (obj["source"].get_string().get(source)) return "?";
    return std::string(source);
}

// Writes a group of letters to its shard (as the shard's writer) and counts them. Two letters
// of one run with the same id: the first in input order is kept, whatever order the groups
// reach the shard, and the other is rejected as duplicate_id.
void write_letters(Shard& shard, LetterGroup& letters, std::size_t flush_bytes, RunState& state) {
    const std::string id_prefix(schema::kLetterId);
    std::uint64_t added_letters = 0, added_items = 0, text_bytes = 0;
    std::uint64_t replaced_letters = 0, replaced_items = 0;
    for (LetterDocs& l : letters) {
        const std::string term = id_prefix + l.id;
        const auto [kept, fresh] = shard.kept.try_emplace(l.id, l.seq);
        if (!fresh) {
            const std::string other = indexed_source(*shard.db, term);
            if (kept->second < l.seq) {
                state.reject({l.source, "duplicate_id", "id " + l.id + ": kept " + other});
                continue;
            }
            state.reject({other, "duplicate_id", "id " + l.id + ": kept " + l.source});
            replaced_letters += 1;
            replaced_items += shard.db->get_termfreq(term);
            kept->second = l.seq;
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
}

// Hands `group` to its shard (see Shard). The queue is bounded: past `max_queued` groups, which
// happens only while the writer is far behind (a long commit), the caller waits for room.
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

std::uint64_t total_size(const std::vector<InputFile>& files) {
    std::uint64_t total = 0;
    for (const InputFile& f : files) total += f.size;
    return total;
}

// The files of `inputs`: those that cannot be inputs are rejected now, and their total size is
// what progress counts towards.
std::vector<InputFile> list_inputs(const std::vector<std::string>& inputs, RunState& state) {
    std::vector<Rejection> early;
    std::vector<InputFile> files = expand_inputs(inputs, early);
    for (const Rejection& r : early) state.reject(r);
    state.total_input_bytes = total_size(files);
    return files;
}

}  // namespace

IndexStats run_index(const std::vector<std::string>& inputs, const IndexOptions& opts) {
    IndexStats stats;
    RunState state(opts, stats);
    std::vector<InputFile> files = list_inputs(inputs, state);

    const unsigned threads = effective_threads(opts.threads);
    stats.threads = threads;
    bool word_pairs = false;
    std::vector<std::unique_ptr<Shard>> shards = open_shards(opts, threads, word_pairs);
    stats.word_pairs = word_pairs;
    const std::size_t nshards = shards.size();
    stats.shards = static_cast<unsigned>(nshards);

    InputReader reader(std::move(files), opts.limits);
    const LetterParser parser;
    tbb::enumerable_thread_specific<DocumentBuilder> builders(
        [&] { return DocumentBuilder(word_pairs); });
    std::atomic<std::uint64_t> skipped{0};

    const std::size_t tokens = std::max<std::size_t>(1, threads * opts.tokens_per_thread);
    std::uint64_t next_batch = 0;
    WorkPool<IndexWork> pool;
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, IndexWork*>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> IndexWork* {
                IndexWork* work = read_stage(pool, reader, state, opts, fc);
                if (work != nullptr) work->seq = next_batch++;
                return work;
            }) &
            tbb::make_filter<IndexWork*, IndexWork*>(
                tbb::filter_mode::parallel,
                [&](IndexWork* work) -> IndexWork* {
                    DocumentBuilder& builder = builders.local();
                    work->by_shard.resize(nshards);
                    std::vector<Warning> extra;
                    for (std::size_t i = 0; i < work->input.letters.size(); ++i) {
                        RawLetter& raw = work->input.letters[i];
                        if (!prepare_text(raw, state, extra)) continue;
                        Letter letter = parse_raw(parser, raw, extra);
                        // Another machine's letter (--shard K/N): not ours to index, nor to
                        // reject, so each problem letter is reported by one machine only.
                        if (opts.of_shards != 0 &&
                            part_of(letter.id, opts.of_shards) != opts.only_shard) {
                            skipped.fetch_add(1, std::memory_order_relaxed);
                            continue;
                        }
                        if (!letter.usable()) {
                            reject_unusable(state, letter);
                            continue;
                        }
                        // A letter cut off loses the end of an item: not indexed, so a
                        // complete copy indexed later is not mixed with a partial one.
                        if (const std::string cut = truncation(letter); !cut.empty()) {
                            state.reject({raw.source, "truncated", cut});
                            continue;
                        }
                        if (letter.id.size() > kMaxIdBytes) {
                            state.reject({raw.source, "bad_id", "letter id longer than 200 bytes"});
                            continue;
                        }
                        LetterDocs docs;
                        docs.docs = builder.build(letter);
                        docs.text_bytes = raw.text.size();
                        docs.id = std::move(letter.id);
                        docs.seq = work->seq << 32 | i;
                        docs.source = std::move(raw.source);
                        work->by_shard[fnv1a64(docs.id) % nshards].push_back(std::move(docs));
                        std::string().swap(raw.text);  // free the text early
                    }
                    return work;
                }) &
            tbb::make_filter<IndexWork*, void>(
                tbb::filter_mode::parallel, [&](IndexWork* work) {
                    for (std::size_t k = 0; k < nshards; ++k) {
                        // Start at a shard of its own so two threads rarely meet at one.
                        const std::size_t i = (work->seq + k) % nshards;
                        if (work->by_shard[i].empty()) continue;
                        submit(*shards[i], std::move(work->by_shard[i]), tokens,
                               opts.flush_bytes, state);
                    }
                    state.done(0, 0, 0, work->input.input_bytes);
                    pool.release(work);
                }));

    stats.skipped_other_shard = skipped.load();
    // Commit every shard (in parallel: each is independent), then make it durable.
    const Clock::time_point commit_start = Clock::now();
    tbb::parallel_for(std::size_t{0}, nshards, [&](std::size_t s) {
        shards[s]->db->commit_transaction();
        shards[s]->db->close();
        if (opts.sync) fs_util::sync_tree(shards[s]->path);
    });
    stats.commit_seconds = since(commit_start);
    if (opts.compact) {
        const Clock::time_point compact_start = Clock::now();
        tbb::parallel_for(std::size_t{0}, nshards, [&](std::size_t s) {
            compact_shard(shards[s]->path, opts.sync);
        });
        stats.compact_seconds = since(compact_start);
    }
    if (opts.sync) fs_util::sync_tree(opts.db);
    state.finish();
    stats.seconds = since(state.start);
    stats.index_bytes = fs_util::tree_bytes(opts.db);
    state.throw_if_strict_failed();
    return stats;
}

// ---- Extraction --------------------------------------------------------------------------------

namespace {

struct ExtractWork {
    InputBatch input;
    std::string out;  // JSON Lines of the batch, in input order
    std::uint64_t letters = 0;
    std::uint64_t items = 0;
    std::uint64_t text_bytes = 0;
};

using WordCounts = std::unordered_map<std::string, std::uint64_t>;

}  // namespace

ExtractStats run_extract(const std::vector<std::string>& inputs, const ExtractOptions& opts,
                         std::ostream& out) {
    ExtractStats stats;
    RunState state(opts, stats);
    std::vector<InputFile> files = list_inputs(inputs, state);
    const unsigned threads = effective_threads(opts.threads);
    stats.threads = threads;

    InputReader reader(std::move(files), opts.limits);
    const DrugVocabulary& vocab = DrugVocabulary::builtin();
    const LetterParser parser(vocab);
    tbb::enumerable_thread_specific<WordCounts> unknown;
    WorkPool<ExtractWork> pool;

    const std::size_t tokens = std::max<std::size_t>(1, threads * opts.tokens_per_thread);
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, ExtractWork*>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> ExtractWork* {
                return read_stage(pool, reader, state, opts, fc);
            }) &
            tbb::make_filter<ExtractWork*, ExtractWork*>(
                tbb::filter_mode::parallel,
                [&](ExtractWork* work) -> ExtractWork* {
                    WordCounts* counts = opts.drug_stats ? &unknown.local() : nullptr;
                    std::vector<Warning> extra;
                    for (RawLetter& raw : work->input.letters) {
                        if (!prepare_text(raw, state, extra)) continue;
                        const Letter letter = parse_raw(parser, raw, extra);
                        // Unusable letters are still printed (their warnings say why) and
                        // also counted as rejections, so the exit code tells.
                        if (!letter.usable()) reject_unusable(state, letter);
                        work->out += to_json(letter);
                        work->out.push_back('\n');
                        ++work->letters;
                        work->items += letter.items.size();
                        work->text_bytes += raw.text.size();
                        if (counts != nullptr) {
                            for (const Item& item : letter.items) {
                                for (std::string& w : unknown_drug_words(item.request, vocab)) {
                                    ++(*counts)[std::move(w)];
                                }
                            }
                        }
                    }
                    return work;
                }) &
            tbb::make_filter<ExtractWork*, void>(
                tbb::filter_mode::serial_in_order, [&](ExtractWork* work) {
                    out.write(work->out.data(), static_cast<std::streamsize>(work->out.size()));
                    state.done(work->letters, work->items, work->text_bytes,
                               work->input.input_bytes);
                    pool.release(work);
                }));
    out.flush();
    if (!out) throw IoError("cannot write the extraction records");

    WordCounts merged;
    for (WordCounts& c : unknown) {
        for (auto& [word, n] : c) merged[word] += n;
    }
    stats.unknown_drugs.assign(merged.begin(), merged.end());
    std::sort(stats.unknown_drugs.begin(), stats.unknown_drugs.end(),
              [](const auto& a, const auto& b) {
                  return a.second != b.second ? a.second > b.second : a.first < b.first;
              });
    state.finish();
    stats.seconds = since(state.start);
    state.throw_if_strict_failed();
    return stats;
}

}  // namespace imrdex
