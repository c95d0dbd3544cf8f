// The state the stages of either pipeline share: counters, rejections, progress and stopping;
// internal to imrdex_index.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "imrdex/index/pipeline.hpp"

namespace imrdex {

using Clock = std::chrono::steady_clock;

inline double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Warning code (its string form, see warning_code) -> count.
using WarningTally = std::map<std::string, std::uint64_t>;

class RunState {
public:
    RunState(const PipelineOptions& opts, IndexStats& stats) : opts_(opts), stats_(stats) {}

    bool should_stop() const {
        return stop_.load(std::memory_order_relaxed) ||
               (opts_.stop != nullptr && opts_.stop->load(std::memory_order_relaxed));
    }

    // Serialised: rejections arrive from the reader and from the parallel stages.
    void reject(const Rejection& r);

    // A letter indexed earlier in the run and replaced by a duplicate that comes first in input
    // order: no longer counted.
    void retract(std::uint64_t letters, std::uint64_t items) {
        letters_ -= letters;
        items_ -= items;
    }

    // Letters that replace ones an earlier run indexed (counted among the letters done).
    void reindexed(std::uint64_t letters) { reindexed_ += letters; }

    // Adds a batch's tally of warnings by code (serialised; one call per batch, not per letter).
    void add_warnings(const WarningTally& tally);

    // Counts finished work, and reports progress when it is time (from any thread).
    void done(std::uint64_t letters, std::uint64_t items, std::uint64_t text_bytes,
              std::uint64_t input_bytes);

    IndexProgress snapshot() const;

    // Copies the counters into the stats and reports the last progress.
    void finish();

    void throw_if_strict_failed() const;

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
    std::atomic<std::uint64_t> reindexed_{0};
};

// The threads a run uses: `requested`, or oneTBB's limit (all cores, or tbb::global_control's).
unsigned effective_threads(unsigned requested);

// The files of `inputs`: those that cannot be inputs are rejected now, and their total size is
// what progress counts towards.
std::vector<InputFile> list_inputs(const std::vector<std::string>& inputs, RunState& state);

}  // namespace imrdex
