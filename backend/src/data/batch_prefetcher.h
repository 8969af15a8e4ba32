// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// BatchPrefetcher: draws the training batches of the coming steps on its own thread, so the trainer
// never waits for reading windows (a cold page of a memory-mapped shard, a window that spans
// documents). The batches are exactly MixtureSampler::nextBatch's: the thread draws the steps in
// order from its own sampler, and the sampler's counters after each batch travel with that batch, so
// state() is the consumer's (what a checkpoint saves), never the read-ahead's. A step out of order
// (a test, a resumed run) discards the read-ahead and starts again from the consumed state: the
// result is the same bit for bit, just not ahead.
//
// Thread-safety: take/state/setState from one thread (the trainer's). The drawing thread only reads
// the Dataset, whose const members are thread-safe (the trainer's validation batches read it at the
// same time).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "anneal/dataset.h"

namespace anneal::data {

class BatchPrefetcher {
public:
    /// Draws up to `depth` batches ahead (depth 0: no thread, every batch drawn in take()). The
    /// thread starts with the first take(). `spec` and `data` must outlive this object.
    BatchPrefetcher(const ExperimentSpec& spec, const Dataset& data, int depth = 2);
    ~BatchPrefetcher();
    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    /// Step `step`'s batch into `out` (whose buffers are recycled for a later batch). Rethrows, on
    /// this thread, what drawing that batch threw (a token id outside the vocabulary, say).
    void take(std::int64_t step, Batch& out);
    /// The sampler's counters after the last batch taken.
    const SamplerState& state() const { return m_consumed; }
    /// Sets the counters (a resumed run): the read-ahead is discarded.
    void setState(const SamplerState& s);
    /// Batches drawn ahead and waiting (for tests and benchmarks).
    int ready() const;

private:
    struct Entry {
        std::int64_t step = 0;
        Batch batch;
        SamplerState after;
        std::exception_ptr error;
    };
    void run();
    /// Waits until the thread is not drawing, then restarts it at `step` from the consumed state.
    void restartLocked(std::unique_lock<std::mutex>& lock, std::int64_t step);

    MixtureSampler m_sampler;  ///< the thread's (under m_mutex while not drawing)
    const int m_depth;
    SamplerState m_consumed;
    std::int64_t m_expected = -1;  ///< the step take() expects next; -1: nothing drawn yet

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Entry> m_ready;
    std::vector<Batch> m_free;
    std::int64_t m_next = 0;  ///< the step the thread draws next
    bool m_drawing = false;
    bool m_failed = false;  ///< the last draw threw: nothing more until a restart
    bool m_stop = false;
    bool m_started = false;
    std::thread m_thread;
};

}  // namespace anneal::data
