// run_index: the indexing pipeline, in the shape of oneTBB's parallel_pipeline example: a serial
// reader, a parallel transform (prepare text, parse, build documents), with --save-text a serial
// in-order saver, and parallel shard writers.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <atomic>
#include <memory>

#include "fs_util.hpp"
#include "imrdex/core/partition.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/index/save_text.hpp"
#include "shard_writer.hpp"
#include "stages.hpp"

namespace imrdex {
namespace {

// Longer ids would make unique and id terms past Xapian's term length limit.
constexpr std::size_t kMaxIdBytes = 200;

// A batch on its way through the pipeline: read, then its letters' documents by shard.
struct IndexWork {
    std::uint64_t seq = 0;  // batch sequence number, from the serial reader
    InputBatch input;
    std::vector<LetterGroup> by_shard;
    std::string saved;  // with --save-text: the batch's records, one sealed zstd frame
    std::uint64_t saved_letters = 0;
};

using Builders = tbb::enumerable_thread_specific<DocumentBuilder>;

// The transform stage (parallel): prepares, parses and judges each letter of a batch, and
// builds the documents of those to index, grouped by shard.
class BuildStage {
public:
    BuildStage(const IndexOptions& opts, RunState& state, const LetterParser& parser,
               Builders& builders, DocumentDataEncoder& encoder, std::size_t shards,
               std::atomic<std::uint64_t>& skipped, bool save)
        : opts_(opts),
          state_(state),
          parser_(parser),
          builders_(builders),
          encoder_(encoder),
          shards_(shards),
          skipped_(skipped),
          save_(save) {}

    IndexWork* operator()(IndexWork* work) const {
        DocumentBuilder& builder = builders_.local();
        work->by_shard.resize(shards_);
        std::vector<Warning> extra;
        std::vector<Warning> made_text;  // with --save-text: the warnings of making the text
        WarningTally warnings;
        for (std::size_t i = 0; i < work->input.letters.size(); ++i) {
            RawLetter& raw = work->input.letters[i];
            if (!prepare_text(raw, state_, extra)) continue;
            if (save_) made_text = extra;  // parse_letter takes them
            Letter letter = parse_letter(parser_, raw, extra);
            if (other_shard(letter)) continue;
            if (save_) {
                TextSaver::add(work->saved, letter.id, raw.text, raw.source, made_text);
                ++work->saved_letters;
            }
            if (!admit(letter, raw)) continue;
            tally_warnings(letter, warnings);
            LetterDocs docs;
            docs.docs = builder.build(letter);
            encoder_.encode(docs.docs);
            docs.text_bytes = raw.text.size();
            docs.id = std::move(letter.id);
            docs.seq = work->seq << 32 | i;
            docs.source = std::move(raw.source);
            work->by_shard[shard_of(docs.id, shards_)].push_back(std::move(docs));
            std::string().swap(raw.text);  // free the text early
        }
        state_.add_warnings(warnings);
        if (save_) TextSaver::seal(work->saved);
        return work;
    }

private:
    // Another machine's letter (--shard K/N), counted as such: not ours to index, reject or
    // save, so each letter is handled by one machine only.
    bool other_shard(const Letter& letter) const {
        if (opts_.of_shards == 0 || part_of(letter.id, opts_.of_shards) == opts_.only_shard) {
            return false;
        }
        skipped_.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    // Whether a parsed letter of ours is to be indexed; one that is not is rejected.
    bool admit(const Letter& letter, const RawLetter& raw) const {
        if (!judge_letter(state_, letter, raw.source)) return false;
        if (letter.id.size() > kMaxIdBytes) {
            state_.reject({raw.source, RejectReason::bad_id, "letter id longer than 200 bytes"});
            return false;
        }
        return true;
    }

    const IndexOptions& opts_;
    RunState& state_;
    const LetterParser& parser_;
    Builders& builders_;
    DocumentDataEncoder& encoder_;
    std::size_t shards_;
    std::atomic<std::uint64_t>& skipped_;
    bool save_;
};

// The saver stage (serial_in_order, only with --save-text): appends each batch's sealed frame,
// so the file holds the letters in input order whatever order the batches were built in.
class SaveStage {
public:
    explicit SaveStage(TextSaver& saver) : saver_(saver) {}

    IndexWork* operator()(IndexWork* work) const {
        saver_.write(work->saved, work->saved_letters);
        std::string().swap(work->saved);
        return work;
    }

private:
    TextSaver& saver_;
};

// The writer stage (parallel): hands each shard's group to that shard's writer (submit), which
// may be this thread.
class WriteStage {
public:
    WriteStage(Shards& shards, std::size_t max_queued, std::size_t flush_bytes, RunState& state,
               WorkPool<IndexWork>& pool)
        : shards_(shards),
          max_queued_(max_queued),
          flush_bytes_(flush_bytes),
          state_(state),
          pool_(pool) {}

    void operator()(IndexWork* work) const {
        const std::size_t n = shards_.size();
        for (std::size_t k = 0; k < n; ++k) {
            // Start at a shard of its own so two threads rarely meet at one.
            const std::size_t i = (work->seq + k) % n;
            if (work->by_shard[i].empty()) continue;
            submit(*shards_[i], std::move(work->by_shard[i]), max_queued_, flush_bytes_, state_);
        }
        state_.done(0, 0, 0, work->input.input_bytes);
        pool_.release(work);
    }

private:
    Shards& shards_;
    std::size_t max_queued_;
    std::size_t flush_bytes_;
    RunState& state_;
    WorkPool<IndexWork>& pool_;
};

// run_write's batch: a slice of the prebuilt letters, grouped by shard as BuildStage groups.
struct WriteWork {
    std::uint64_t seq = 0;
    std::vector<LetterGroup> by_shard;
};

// Runs `pipeline` (which writes through `submit`), then commits, compacts and
// syncs as every run does; the end common to run_index and run_write.
template <typename Pipeline>
void write_run(const IndexOptions& opts, IndexStats& stats, RunState& state, Shards& shards,
               Pipeline&& pipeline) {
    pipeline();
    const Clock::time_point commit_start = Clock::now();
    commit_shards(shards, opts.sync);
    stats.commit_seconds = since(commit_start);
    if (opts.compact) {
        const Clock::time_point compact_start = Clock::now();
        compact_shards(shards, opts.sync);
        stats.compact_seconds = since(compact_start);
    }
    if (opts.sync) fs_util::sync_tree(opts.db);
    state.finish();
    stats.seconds = since(state.start);
    stats.index_bytes = fs_util::tree_bytes(opts.db);
}

}  // namespace

IndexStats run_write(const std::vector<BuiltLetter>& letters, const IndexOptions& opts,
                     const std::string& dictionary) {
    IndexStats stats;
    RunState state(opts, stats);
    const unsigned threads = effective_threads(opts.threads);
    stats.threads = threads;
    bool word_pairs = false;
    bool archive = false;
    std::string held;  // the database's own dictionary: the letters were not compressed with it
    Shards shards = open_shards(opts, threads, word_pairs, archive, held);
    stats.word_pairs = word_pairs;
    stats.archive = archive;
    // Nothing is encoded here; the encoder only carries the dictionary for the shards to record.
    DocumentDataEncoder encoder(
        0, dictionary.empty() ? nullptr : std::make_unique<DocumentDictionary>(dictionary));
    for (auto& shard : shards) shard->encoder = &encoder;
    stats.shards = static_cast<unsigned>(shards.size());
    const std::size_t tokens = std::max<std::size_t>(1, threads * opts.tokens_per_thread);
    const std::size_t per_batch = std::max<std::size_t>(1, opts.batch_letters);
    WorkPool<WriteWork> pool;
    std::uint64_t next = 0;
    write_run(opts, stats, state, shards, [&] {
        const StageFence fence;
        // Serial: the next slice of letters, grouped by shard (the documents are shared, not
        // copied: Xapian::Document is a reference-counted handle).
        const auto slice = [&](tbb::flow_control& fc) -> WriteWork* {
            const std::uint64_t first = next * per_batch;
            if (first >= letters.size() || state.should_stop()) {
                fc.stop();
                return nullptr;
            }
            WriteWork* work = pool.acquire();
            work->seq = next++;
            work->by_shard.resize(shards.size());
            const std::size_t end = std::min<std::size_t>(letters.size(), first + per_batch);
            for (std::size_t i = first; i < end; ++i) {
                LetterDocs docs;
                docs.id = letters[i].id;
                docs.docs = letters[i].docs;
                docs.text_bytes = letters[i].text_bytes;
                docs.seq = work->seq << 32 | (i - first);
                docs.source = letters[i].id;
                work->by_shard[shard_of(docs.id, shards.size())].push_back(std::move(docs));
            }
            return work;
        };
        // Parallel: as WriteStage, each shard's group to its writer.
        const auto write = [&](WriteWork* work) {
            const std::size_t n = shards.size();
            for (std::size_t k = 0; k < n; ++k) {
                const std::size_t i = (work->seq + k) % n;
                if (work->by_shard[i].empty()) continue;
                submit(*shards[i], std::move(work->by_shard[i]), tokens, opts.flush_bytes, state);
            }
            pool.release(work);
        };
        tbb::parallel_pipeline(
            tokens,
            tbb::make_filter<void, WriteWork*>(tbb::filter_mode::serial_in_order, fence(slice)) &
                tbb::make_filter<WriteWork*, void>(tbb::filter_mode::parallel, fence(write)));
        fence.join();
    });
    state.throw_if_strict_failed();
    return stats;
}

IndexStats run_index(const std::vector<std::string>& inputs, const IndexOptions& opts) {
    IndexStats stats;
    RunState state(opts, stats);
    std::vector<InputFile> files = list_inputs(inputs, state);
    // Opened before the database, so a path it cannot write fails the run before any work.
    std::unique_ptr<TextSaver> saver;
    if (!opts.save_text.empty()) {
        check_save_text_target(opts.save_text, files);
        saver = std::make_unique<TextSaver>(opts.save_text);
    }

    const unsigned threads = effective_threads(opts.threads);
    stats.threads = threads;
    bool word_pairs = false;
    bool archive = false;
    std::string dictionary;
    Shards shards = open_shards(opts, threads, word_pairs, archive, dictionary);
    stats.word_pairs = word_pairs;
    stats.archive = archive;
    DocumentDataEncoder encoder(
        opts.dictionary_samples,
        dictionary.empty() ? nullptr : std::make_unique<DocumentDictionary>(std::move(dictionary)));
    for (auto& shard : shards) shard->encoder = &encoder;
    stats.shards = static_cast<unsigned>(shards.size());

    InputReader reader(std::move(files), opts.limits);
    const LetterParser parser;
    Builders builders([&] { return DocumentBuilder(word_pairs); });
    std::atomic<std::uint64_t> skipped{0};
    WorkPool<IndexWork> pool;
    std::uint64_t next_batch = 0;
    const std::size_t tokens = std::max<std::size_t>(1, threads * opts.tokens_per_thread);

    const ReadStage<IndexWork> read(pool, reader, state, opts, next_batch);
    const BuildStage build(opts, state, parser, builders, encoder, shards.size(), skipped,
                           saver != nullptr);
    const WriteStage write(shards, tokens, opts.flush_bytes, state, pool);
    write_run(opts, stats, state, shards, [&] {
        const StageFence fence;
        const auto head =
            tbb::make_filter<void, IndexWork*>(tbb::filter_mode::serial_in_order, fence(read)) &
            tbb::make_filter<IndexWork*, IndexWork*>(tbb::filter_mode::parallel, fence(build));
        const auto tail =
            tbb::make_filter<IndexWork*, void>(tbb::filter_mode::parallel, fence(write));
        if (saver) {
            // A stage of its own only when saving: a serial stage orders the batches, which an
            // ordinary run has no need of.
            const SaveStage save(*saver);
            tbb::parallel_pipeline(tokens, head &
                                               tbb::make_filter<IndexWork*, IndexWork*>(
                                                   tbb::filter_mode::serial_in_order, fence(save)) &
                                               tail);
        } else {
            tbb::parallel_pipeline(tokens, head & tail);
        }
        fence.join();
        stats.skipped_other_shard = skipped.load();
        if (saver) {
            saver->close(opts.sync);
            stats.saved_letters = saver->letters();
        }
    });
    state.throw_if_strict_failed();
    return stats;
}

}  // namespace imrdex
