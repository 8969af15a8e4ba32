// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file events.h
/// What a training run publishes: typed events on a bounded, never-blocking queue. The trainer is
/// the producer; the store writer, the GUI's RunController and the CLI's progress printer each own
/// a queue and drain it at their own pace. A full queue drops the event and counts it (the count
/// is reported as a notice), so training never waits for storage or the UI.
/// Thread-safety: EventQueue and EventBus are safe for concurrent producers and one consumer.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace anneal {

enum class RunStatus { Created, Running, Completed, Failed, Stopped, Interrupted };
const char* runStatusName(RunStatus s);
/// Parses a status name; unknown names give Interrupted.
RunStatus parseRunStatus(const std::string& name);

/// Metrics of one logged training step. `step` is the 0-based update index; the losses are those of
/// this step's batch before the update; tokens counts the targets seen after this update.
struct StepEvent {
    std::int64_t step = 0;
    std::int64_t tokens = 0;
    double wallSeconds = 0;   ///< training time since the run started (across resumes)
    double trainLoss = 0;     ///< mean per-token cross-entropy of the batch (nats)
    double weightedLoss = 0;  ///< the loss that was backpropagated (= trainLoss without reweighting)
    double lr = 0;
    double gradNorm = 0;  ///< global L2 norm before clipping
    double tokensPerSecond = 0;
    double lossZ = 0;                ///< z-score of trainLoss against the recent window
    std::vector<double> domainLoss;  ///< mean loss per domain in this batch (NaN where absent)
    std::vector<double> mixDrawn;    ///< share of samples drawn per domain since the last logged step
    std::vector<double> epochs;      ///< passes over each finite domain so far (NaN when unbounded)
    std::vector<double> gradShare;   ///< effective per-domain share of the weighted loss
};

/// Validation losses after update `step` (i.e. after step + 1 updates).
struct EvalEvent {
    std::int64_t step = 0;
    std::int64_t tokens = 0;
    std::vector<double> domainLoss;  ///< per domain, mean per-token loss on its fixed validation set
    double meanLoss = 0;             ///< average over domains weighted by the static domain weights
    /// per domain, bits per byte: the validation set's summed loss (nats) / (its target bytes · ln 2).
    /// Last, so that {step, tokens, domainLoss, meanLoss} initialisers keep their meaning.
    std::vector<double> domainBpb;
};

struct StatusEvent {
    RunStatus status = RunStatus::Running;
    std::int64_t step = 0;  ///< steps completed when the status changed
    std::string message;    ///< why it failed or stopped
};

/// Something a user should see on the timeline: a loss spike, a skipped update, dropped events.
struct NoticeEvent {
    std::int64_t step = 0;
    std::string kind;  ///< "spike" | "skipped_update" | "dropped_events" | "warning"
    std::string message;
    double value = 0;
};

/// A checkpoint whose file is complete on disk (written to a temp name, synced, renamed).
struct CheckpointEvent {
    std::int64_t step = 0;  ///< updates completed (the checkpoint resumes at this step)
    std::string path;
    std::int64_t bytes = 0;
};

/// Per-sample weights of the samples seen since the previous snapshot.
struct WeightSnapshotEvent {
    std::int64_t step = 0;
    std::vector<std::uint64_t> sampleIds;
    std::vector<float> losses;
    std::vector<float> weights;
    std::vector<std::uint8_t> flags;  ///< bit 0: planted noise
    std::vector<std::int32_t> steps;  ///< step each sample was seen at
};

/// Preparing the data before step 0: training a tokenizer, tokenising a domain's documents (each
/// can take a minute on a large corpus; both are cached, so a second run of the same data skips
/// them). Published at most five times a second per stage, and once with done == total. Not stored.
struct PrepareEvent {
    std::string stage;  ///< "train tokenizer", "tokenise prose", ...
    std::int64_t done = 0;
    std::int64_t total = 0;
};

using EventPayload = std::variant<StepEvent, EvalEvent, StatusEvent, NoticeEvent, CheckpointEvent,
                                  WeightSnapshotEvent, PrepareEvent>;

struct Event {
    std::int64_t runId = 0;
    EventPayload payload;
};

class EventQueue {
public:
    explicit EventQueue(std::size_t capacity = 1 << 16) : m_capacity(capacity) {}

    /// Never blocks. Returns false (and counts the drop) when the queue is full or closed.
    bool tryPush(Event e);
    /// Moves up to `max` events into out (appending); waits up to `timeout` when empty.
    std::size_t drain(std::vector<Event>& out,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
                      std::size_t max = SIZE_MAX);
    /// Wakes a waiting consumer; later pushes fail.
    void close();
    bool closed() const;
    std::uint64_t dropped() const { return m_dropped.load(); }
    std::size_t size() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Event> m_events;
    std::size_t m_capacity;
    bool m_closed = false;
    std::atomic<std::uint64_t> m_dropped{0};
};

/// Fan-out: every published event goes to every subscribed queue.
class EventBus {
public:
    void subscribe(std::shared_ptr<EventQueue> q);
    void unsubscribe(const std::shared_ptr<EventQueue>& q);
    /// Copies the event into every queue.
    void publish(const Event& e);
    /// Copies it into all queues but the last, which gets it moved: a large payload (a weight snapshot)
    /// costs the publishing thread one copy less.
    void publish(Event&& e);
    /// Total events dropped by all queues.
    std::uint64_t dropped() const;

private:
    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<EventQueue>> m_queues;
};

}  // namespace anneal
