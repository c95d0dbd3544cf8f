// run_extract: the pipeline of `imr-index --extract`, in the shape of oneTBB's parallel_pipeline
// example: a serial reader, a parallel transform (prepare text, parse, to JSON), ordered output
// (the records, and with --save-text the letters' text).
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <unordered_map>

#include "imrdex/core/errors.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/index/save_text.hpp"
#include "stages.hpp"

namespace imrdex {
namespace {

// A batch on its way through the pipeline: read, then its extraction records.
struct ExtractWork {
    std::uint64_t seq = 0;  // batch sequence number, from the serial reader
    InputBatch input;
    std::string out;  // JSON Lines of the batch, in input order
    std::uint64_t letters = 0;
    std::uint64_t items = 0;
    std::uint64_t text_bytes = 0;
    std::string saved;  // with --save-text: the batch's letters, one sealed zstd frame
};

using WordCounts = std::unordered_map<std::string, std::uint64_t>;
using UnknownDrugs = tbb::enumerable_thread_specific<WordCounts>;

// The transform stage (parallel): prepares and parses each letter of a batch into its record,
// and counts the unknown drug-like words of its requests when asked to.
class ParseStage {
public:
    ParseStage(const ExtractOptions& opts, RunState& state, const LetterParser& parser,
               const DrugVocabulary& vocab, UnknownDrugs& unknown, bool save)
        : opts_(opts),
          state_(state),
          parser_(parser),
          vocab_(vocab),
          unknown_(unknown),
          save_(save) {}

    ExtractWork* operator()(ExtractWork* work) const {
        WordCounts* counts = opts_.drug_stats ? &unknown_.local() : nullptr;
        std::vector<Warning> extra;
        std::vector<Warning> made_text;  // with --save-text: the warnings of making the text
        for (RawLetter& raw : work->input.letters) {
            if (!prepare_text(raw, state_, extra)) continue;
            if (save_) made_text = extra;  // parse_letter takes them
            const Letter letter = parse_letter(parser_, raw, extra);
            // Rejected letters are still printed (their warnings say why) and also counted as
            // rejections by the rule imr-index applies, so the exit code tells.
            (void)judge_letter(state_, letter, raw.source);
            work->out += to_json(letter);
            work->out.push_back('\n');
            ++work->letters;
            work->items += letter.items.size();
            work->text_bytes += raw.text.size();
            if (counts != nullptr) count_unknown_drugs(letter, *counts);
            if (save_) TextSaver::add(work->saved, letter.id, raw.text, raw.source, made_text);
        }
        if (save_) TextSaver::seal(work->saved);
        return work;
    }

private:
    void count_unknown_drugs(const Letter& letter, WordCounts& counts) const {
        for (const Item& item : letter.items) {
            for (std::string& w : unknown_drug_words(item.request, vocab_)) ++counts[std::move(w)];
        }
    }

    const ExtractOptions& opts_;
    RunState& state_;
    const LetterParser& parser_;
    const DrugVocabulary& vocab_;
    UnknownDrugs& unknown_;
    bool save_;
};

// The output stage (serial_in_order): writes each batch's records in input order, and its
// letters' text to the saver when there is one.
class OutputStage {
public:
    OutputStage(std::ostream& out, RunState& state, WorkPool<ExtractWork>& pool, TextSaver* saver)
        : out_(out), state_(state), pool_(pool), saver_(saver) {}

    void operator()(ExtractWork* work) const {
        out_.write(work->out.data(), static_cast<std::streamsize>(work->out.size()));
        if (saver_ != nullptr) saver_->write(work->saved, work->letters);
        state_.done(work->letters, work->items, work->text_bytes, work->input.input_bytes);
        pool_.release(work);
    }

private:
    std::ostream& out_;
    RunState& state_;
    WorkPool<ExtractWork>& pool_;
    TextSaver* saver_;
};

// (word, count) of every thread's counts, most frequent first.
std::vector<std::pair<std::string, std::uint64_t>> merge_counts(UnknownDrugs& unknown) {
    WordCounts merged;
    for (WordCounts& c : unknown) {
        for (auto& [word, n] : c) merged[word] += n;
    }
    std::vector<std::pair<std::string, std::uint64_t>> out(merged.begin(), merged.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
}

}  // namespace

ExtractStats run_extract(const std::vector<std::string>& inputs, const ExtractOptions& opts,
                         std::ostream& out) {
    ExtractStats stats;
    RunState state(opts, stats);
    std::vector<InputFile> files = list_inputs(inputs, state);
    std::unique_ptr<TextSaver> saver;
    if (!opts.save_text.empty()) {
        check_save_text_target(opts.save_text, files);
        saver = std::make_unique<TextSaver>(opts.save_text);
    }
    const unsigned threads = effective_threads(opts.threads);
    stats.threads = threads;

    InputReader reader(std::move(files), opts.limits);
    const DrugVocabulary& vocab = DrugVocabulary::builtin();
    const LetterParser parser(vocab);
    UnknownDrugs unknown;
    WorkPool<ExtractWork> pool;
    std::uint64_t next_batch = 0;
    const std::size_t tokens = std::max<std::size_t>(1, threads * opts.tokens_per_thread);

    const ReadStage<ExtractWork> read(pool, reader, state, opts, next_batch);
    const ParseStage parse(opts, state, parser, vocab, unknown, saver != nullptr);
    const OutputStage output(out, state, pool, saver.get());
    const StageFence fence;
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, ExtractWork*>(tbb::filter_mode::serial_in_order, fence(read)) &
            tbb::make_filter<ExtractWork*, ExtractWork*>(tbb::filter_mode::parallel, fence(parse)) &
            tbb::make_filter<ExtractWork*, void>(tbb::filter_mode::serial_in_order, fence(output)));
    fence.join();
    out.flush();
    if (!out) throw IoError("cannot write the extraction records");
    if (saver) {
        saver->close(false);
        stats.saved_letters = saver->letters();
    }

    stats.unknown_drugs = merge_counts(unknown);
    state.finish();
    stats.seconds = since(state.start);
    state.throw_if_strict_failed();
    return stats;
}

}  // namespace imrdex
