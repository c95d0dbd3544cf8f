// The pipeline stages both pipelines share: the serial reader, and the per-letter steps of the
// parallel transform (prepare text, parse, judge); internal to imrdex_index.
#pragma once

#include <tbb/parallel_pipeline.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imrdex/core/letter.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/index/inputs.hpp"
#include "run_state.hpp"
#include "stage_fence.hpp"
#include "work_pool.hpp"

namespace imrdex {

// The reader stage (serial_in_order): the next batch of raw letters in a fresh Work, numbered
// in input order, or the end of the input (also when the run is stopped). The rejections met
// while reading are reported here.
template <typename Work>
class ReadStage {
public:
    ReadStage(WorkPool<Work>& pool, InputReader& reader, RunState& state,
              const PipelineOptions& opts, std::uint64_t& next_seq)
        : pool_(pool), reader_(reader), state_(state), opts_(opts), next_seq_(next_seq) {}

    Work* operator()(tbb::flow_control& fc) const {
        Work* work = pool_.acquire();
        for (;;) {
            if (state_.should_stop() ||
                !reader_.next(work->input, opts_.batch_letters, opts_.batch_bytes, opts_.stop)) {
                pool_.release(work);
                fc.stop();
                return nullptr;
            }
            for (const Rejection& r : work->input.rejections) state_.reject(r);
            if (!work->input.letters.empty()) {
                work->seq = next_seq_++;
                return work;
            }
            // Nothing to parse, but the consumed bytes still count for progress.
            state_.done(0, 0, 0, work->input.input_bytes);
            *work = Work{};
        }
    }

private:
    WorkPool<Work>& pool_;
    InputReader& reader_;
    RunState& state_;
    const PipelineOptions& opts_;
    std::uint64_t& next_seq_;
};

// Prepare: the letter text of a raw letter, made by its format's text extractor when it has
// one (costly: that is why it runs here, in parallel). False, with the rejection reported, when
// the extractor cannot read the bytes. Text that is not UTF-8 is read as Latin-1 (with a
// warning on the letter). `warnings` receives those of making the text (the extractor's, the
// Latin-1 one, or those a saved letter carries).
bool prepare_text(RawLetter& raw, RunState& state, std::vector<Warning>& warnings);

// Parse: the letter of a prepared raw letter, with the warnings of preparing it added (and
// taken out of `extra`).
Letter parse_letter(const LetterParser& parser, const RawLetter& raw, std::vector<Warning>& extra);

// A warning's code as the run summary tallies it: the one place that turns a code into text.
inline std::string warning_code(const Warning& w) {
    return std::string(to_string(w.code));
}

// Counts the warnings of `letter` by code into `tally`.
inline void tally_warnings(const Letter& letter, WarningTally& tally) {
    for (const Warning& w : letter.warnings) ++tally[warning_code(w)];
}

// The one rule both modes judge a parsed letter by: a letter without items is rejected
// (no_items, its warnings saying why), one cut off inside an item (a truncated_item warning) is
// rejected as truncated, and any other letter is accepted whatever it warns (a last sentence
// without its period is no_final_period, not truncation). imr-index indexes only accepted
// letters; --extract prints every letter but counts the rejected ones, so both runs reject the
// same letters. Returns whether the letter is accepted; a rejection is reported to `state`.
bool judge_letter(RunState& state, const Letter& letter, const std::string& source);

}  // namespace imrdex
