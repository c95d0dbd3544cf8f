// WorkPool: owns the batches a pipeline passes between its stages; internal to imrdex_index.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

namespace imrdex {

// Stages pass raw pointers, and when a stage throws, oneTBB drops the tokens still in flight
// without destroying them; owned here, they are freed however the run ends. A finished batch
// is reset and handed out again.
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

}  // namespace imrdex
