// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: runs independent tasks (multi-start fits, bootstrap resamples) on std::threads while the
// calling thread reports progress and watches for cancellation.

#include <atomic>
#include <cstddef>
#include <functional>

#include "anneal/fit/fit_options.h"

namespace anneal::fit::detail {

/// Progress of one phase of a long call: fractions base .. base + span of the whole call.
struct ProgressPhase {
    const ProgressFn* progress = nullptr;
    double base = 0.0;
    double span = 1.0;
};

/// Worker count for a request (0: hardware threads), at least 1 and at most `tasks`.
int resolveThreads(int requested, size_t tasks);

/// Runs task(i) for i in [0, count) on `threads` threads (each task exactly once, in any order).
/// The calling thread calls the progress callback about every 50 ms; when it returns false, `cancel` is
/// set, workers stop after their current task (tasks should poll it too) and Error(Cancelled) is
/// thrown after they are joined. The first exception a task throws is rethrown the same way.
void parallelFor(size_t count, int threads, const std::function<void(size_t)>& task,
                 const ProgressPhase& phase, std::atomic<bool>& cancel);

/// Calls the callback with `fraction`; throws Error(Cancelled) (and sets cancel) when it returns false.
void reportProgress(const ProgressPhase& phase, double fraction, std::atomic<bool>& cancel);

}  // namespace anneal::fit::detail
