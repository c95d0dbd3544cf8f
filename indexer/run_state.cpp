// RunState: what both pipelines count, reject and report while they run.
#include "run_state.hpp"

#include <tbb/global_control.h>

#include "imrdex/core/errors.hpp"

namespace imrdex {
namespace {

constexpr std::size_t kKeptRejections = 20;

}  // namespace

void RunState::reject(const Rejection& r) {
    std::lock_guard lock(mu_);
    ++stats_.rejected;
    ++stats_.reasons[r.reason];
    if (stats_.first_rejections.size() < kKeptRejections) stats_.first_rejections.push_back(r);
    if (opts_.on_reject) opts_.on_reject(r);
    if (opts_.strict && !stop_.exchange(true)) {
        strict_failure_ = r.source + ": " + std::string(to_string(r.reason)) + ": " + r.detail;
    }
}

void RunState::done(std::uint64_t letters, std::uint64_t items, std::uint64_t text_bytes,
                    std::uint64_t input_bytes) {
    letters_ += letters;
    items_ += items;
    text_bytes_ += text_bytes;
    input_bytes_ += input_bytes;
    if (!opts_.on_progress) return;
    // One thread reports; the others go back to work rather than wait for it.
    std::unique_lock lock(progress_mu_, std::try_to_lock);
    if (!lock) return;
    if (since(last_progress_) < opts_.progress_interval) return;
    last_progress_ = Clock::now();
    opts_.on_progress(snapshot());
}

void RunState::add_warnings(const WarningTally& tally) {
    if (tally.empty()) return;
    std::lock_guard lock(mu_);
    for (const auto& [code, n] : tally) stats_.warnings[code] += n;
}

IndexProgress RunState::snapshot() const {
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

void RunState::finish() {
    const IndexProgress p = snapshot();
    stats_.letters = p.letters;
    stats_.items = p.items;
    stats_.text_bytes = p.text_bytes;
    stats_.input_bytes = p.input_bytes;
    stats_.total_input_bytes = p.total_input_bytes;
    stats_.replaced_letters = reindexed_.load();
    stats_.interrupted = opts_.stop != nullptr && opts_.stop->load();
    if (opts_.on_progress) opts_.on_progress(p);
}

void RunState::throw_if_strict_failed() const {
    if (!strict_failure_.empty()) throw InputError("--strict: rejected " + strict_failure_);
}

unsigned effective_threads(unsigned requested) {
    if (requested != 0) return requested;
    return static_cast<unsigned>(
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

std::vector<InputFile> list_inputs(const std::vector<std::string>& inputs, RunState& state) {
    std::vector<Rejection> early;
    std::vector<InputFile> files = expand_inputs(inputs, early);
    for (const Rejection& r : early) state.reject(r);
    std::uint64_t total = 0;
    for (const InputFile& f : files) total += f.size;
    state.total_input_bytes = total;
    return files;
}

}  // namespace imrdex
