// SPDX-License-Identifier: GPL-3.0-or-later
#include "parallel.h"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "anneal/error.h"

namespace anneal::fit::detail {

int resolveThreads(int requested, size_t tasks) {
    size_t n = requested > 0 ? static_cast<size_t>(requested) : std::thread::hardware_concurrency();
    if (n == 0) {
        n = 1;
    }
    if (n > tasks) {
        n = tasks;
    }
    return static_cast<int>(n == 0 ? 1 : n);
}

void reportProgress(const ProgressPhase& phase, double fraction, std::atomic<bool>& cancel) {
    if (phase.progress && *phase.progress && !(*phase.progress)(phase.base + phase.span * fraction)) {
        cancel = true;
        throw Error(ErrorCode::Cancelled, "the fit was cancelled");
    }
}

void parallelFor(size_t count, int threads, const std::function<void(size_t)>& task,
                 const ProgressPhase& phase, std::atomic<bool>& cancel) {
    std::atomic<size_t> next{0}, done{0};
    std::mutex mutex;
    std::condition_variable cv;
    std::exception_ptr failure;
    auto worker = [&] {
        for (;;) {
            if (cancel.load(std::memory_order_relaxed)) {
                break;
            }
            const size_t i = next.fetch_add(1);
            if (i >= count) {
                break;
            }
            try {
                task(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!failure) {
                    failure = std::current_exception();
                }
                cancel = true;
            }
            done.fetch_add(1);
        }
        std::lock_guard<std::mutex> lock(mutex);
        cv.notify_all();
    };
    const int n = resolveThreads(threads, count);
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(n));
    for (int t = 0; t < n; ++t) {
        pool.emplace_back(worker);
    }

    bool userCancelled = false;
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (done.load() < count && !cancel.load()) {
            cv.wait_for(lock, std::chrono::milliseconds(50));
            if (done.load() >= count || cancel.load()) {
                break;
            }
            lock.unlock();
            const bool keepGoing =
                !phase.progress || !*phase.progress ||
                (*phase.progress)(phase.base + phase.span * double(done.load()) / double(count));
            lock.lock();
            if (!keepGoing) {
                userCancelled = true;
                cancel = true;
            }
        }
    }
    for (auto& th : pool) {
        th.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (userCancelled || cancel.load()) {
        throw Error(ErrorCode::Cancelled, "the fit was cancelled");
    }
}

}  // namespace anneal::fit::detail
