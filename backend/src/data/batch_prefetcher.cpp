// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/batch_prefetcher.h"

#include <utility>

namespace anneal::data {

BatchPrefetcher::BatchPrefetcher(const ExperimentSpec& spec, const Dataset& data, int depth)
    : m_sampler(spec, data), m_depth(depth < 0 ? 0 : depth), m_consumed(m_sampler.state()) {}

BatchPrefetcher::~BatchPrefetcher() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void BatchPrefetcher::run() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_cv.wait(lock,
                  [this] { return m_stop || (!m_failed && static_cast<int>(m_ready.size()) < m_depth); });
        if (m_stop) {
            return;
        }
        Entry e;
        e.step = m_next;
        if (!m_free.empty()) {
            e.batch = std::move(m_free.back());
            m_free.pop_back();
        }
        m_drawing = true;
        lock.unlock();
        try {
            m_sampler.nextBatch(e.step, e.batch);
        } catch (...) {
            e.error = std::current_exception();
        }
        e.after = m_sampler.state();
        lock.lock();
        m_drawing = false;
        m_failed = e.error != nullptr;
        ++m_next;
        m_ready.push_back(std::move(e));
        m_cv.notify_all();
    }
}

void BatchPrefetcher::restartLocked(std::unique_lock<std::mutex>& lock, std::int64_t step) {
    m_cv.wait(lock, [this] { return !m_drawing; });
    for (Entry& e : m_ready) {
        m_free.push_back(std::move(e.batch));
    }
    m_ready.clear();
    m_sampler.setState(m_consumed);
    m_next = step;
    m_failed = false;
    m_expected = step;
    m_cv.notify_all();
}

void BatchPrefetcher::take(std::int64_t step, Batch& out) {
    if (m_depth == 0) {
        if (step != m_expected) {
            m_sampler.setState(m_consumed);
        }
        m_expected = -1;  // a throw below leaves the counters half-advanced: the next take resets them
        m_sampler.nextBatch(step, out);
        m_consumed = m_sampler.state();
        m_expected = step + 1;
        return;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    if (step != m_expected) {
        restartLocked(lock, step);
    }
    if (!m_started) {
        m_started = true;
        m_thread = std::thread([this] { run(); });
    }
    m_cv.wait(lock, [this] { return !m_ready.empty(); });
    Entry e = std::move(m_ready.front());
    m_ready.pop_front();
    std::swap(out, e.batch);
    m_free.push_back(std::move(e.batch));
    m_cv.notify_all();
    if (e.error) {
        m_expected = -1;  // the next take restarts from the state before this batch
        std::rethrow_exception(e.error);
    }
    m_consumed = std::move(e.after);
    m_expected = step + 1;
}

void BatchPrefetcher::setState(const SamplerState& s) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [this] { return !m_drawing; });
    m_sampler.setState(s);  // checks the domain count
    m_consumed = s;
    m_expected = -1;  // the next take restarts the read-ahead from s
}

int BatchPrefetcher::ready() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return static_cast<int>(m_ready.size());
}

}  // namespace anneal::data
