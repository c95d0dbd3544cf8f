// StageFence: the order oneTBB gives at the end of a parallel algorithm, stated where
// ThreadSanitizer can see it; internal to imrdex_index.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace imrdex {

// Makes the end of a pipeline (or of a parallel_for) visible to ThreadSanitizer. Debian's oneTBB
// is not instrumented, so TSan cannot see that parallel_pipeline returns only after every stage
// call has finished; when the caller then destroys the pool, the builders or the shards, a
// worker's earlier access looks unordered, and where TSan cannot restore the worker's stack no
// suppression matches it.
// Each fenced stage call ends with a release on one atomic and join() acquires it: the order
// TBB already gives, stated where TSan can see it, for one atomic add per batch and stage.
// commit_shards and compact_shards fence their parallel_for the same way: a shard's last commit
// reads the run's dictionary, which the caller frees next.
class StageFence {
public:
    StageFence() = default;
    StageFence(const StageFence&) = delete;
    StageFence& operator=(const StageFence&) = delete;
    ~StageFence() { join(); }  // also when the pipeline threw

    template <typename Stage>
    class Fenced {
    public:
        Fenced(const Stage& stage, std::atomic<std::uint64_t>& calls)
            : stage_(&stage), calls_(&calls) {}

        template <typename... Args>
        decltype(auto) operator()(Args&&... args) const {
            const Leave leave{calls_};
            return (*stage_)(std::forward<Args>(args)...);
        }

    private:
        struct Leave {
            std::atomic<std::uint64_t>* calls;
            ~Leave() { calls->fetch_add(1, std::memory_order_release); }
        };
        const Stage* stage_;
        std::atomic<std::uint64_t>* calls_;
    };

    // The stage as a pipeline filter body; `stage` must outlive the pipeline.
    template <typename Stage>
    [[nodiscard]] Fenced<Stage> operator()(const Stage& stage) const {
        return Fenced<Stage>(stage, calls_);
    }

    // Orders every finished stage call before what the caller does next.
    void join() const { (void)calls_.load(std::memory_order_acquire); }

private:
    mutable std::atomic<std::uint64_t> calls_{0};
};

}  // namespace imrdex
