// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/events.h"

#include <algorithm>

namespace anneal {

const char* runStatusName(RunStatus s) {
    switch (s) {
        case RunStatus::Created:
            return "created";
        case RunStatus::Running:
            return "running";
        case RunStatus::Completed:
            return "completed";
        case RunStatus::Failed:
            return "failed";
        case RunStatus::Stopped:
            return "stopped";
        case RunStatus::Interrupted:
            return "interrupted";
    }
    return "interrupted";
}

RunStatus parseRunStatus(const std::string& name) {
    for (RunStatus s : {RunStatus::Created, RunStatus::Running, RunStatus::Completed, RunStatus::Failed,
                        RunStatus::Stopped, RunStatus::Interrupted}) {
        if (name == runStatusName(s)) {
            return s;
        }
    }
    return RunStatus::Interrupted;
}

bool EventQueue::tryPush(Event e) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_closed || m_events.size() >= m_capacity) {
            m_dropped.fetch_add(1);
            return false;
        }
        m_events.push_back(std::move(e));
    }
    m_cv.notify_one();
    return true;
}

std::size_t EventQueue::drain(std::vector<Event>& out, std::chrono::milliseconds timeout, std::size_t max) {
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_events.empty() && timeout.count() > 0 && !m_closed) {
        m_cv.wait_for(lock, timeout, [this] { return !m_events.empty() || m_closed; });
    }
    const std::size_t n = std::min(max, m_events.size());
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(std::move(m_events.front()));
        m_events.pop_front();
    }
    return n;
}

void EventQueue::close() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_closed = true;
    }
    m_cv.notify_all();
}

bool EventQueue::closed() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_closed;
}

std::size_t EventQueue::size() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_events.size();
}

void EventBus::subscribe(std::shared_ptr<EventQueue> q) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queues.push_back(std::move(q));
}

void EventBus::unsubscribe(const std::shared_ptr<EventQueue>& q) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queues.erase(std::remove(m_queues.begin(), m_queues.end(), q), m_queues.end());
}

void EventBus::publish(const Event& e) {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& q : m_queues) {
        q->tryPush(e);
    }
}

void EventBus::publish(Event&& e) {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (size_t i = 0; i < m_queues.size(); ++i) {
        if (i + 1 == m_queues.size()) {
            m_queues[i]->tryPush(std::move(e));
        } else {
            m_queues[i]->tryPush(e);
        }
    }
}

std::uint64_t EventBus::dropped() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::uint64_t n = 0;
    for (const auto& q : m_queues) {
        n += q->dropped();
    }
    return n;
}

}  // namespace anneal
