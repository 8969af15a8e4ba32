// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file store_writer.h
/// The storage writer: one thread, one connection, prepared statements reused inside batched
/// transactions. It drains its event queue (filled by a run without ever blocking it), writes every
/// event, and keeps the last K checkpoints of each run (pinned ones are kept). When the database
/// cannot take a batch (disk full, locked past the busy timeout) the batch is kept and retried;
/// what finally cannot be written is counted and reported by stats(), never silently dropped.

#include <cstdint>
#include <memory>
#include <string>

#include "anneal/events.h"
#include "anneal/metric_names.h"

namespace anneal {

struct StoreWriterStats {
    std::uint64_t eventsWritten = 0;
    std::uint64_t rowsWritten = 0;
    std::uint64_t transactions = 0;
    std::uint64_t eventsLost = 0;  ///< could not be written after retries
    std::uint64_t retries = 0;
    std::string lastError;
};

class StoreWriter {
public:
    struct Options {
        int keepCheckpoints = 3;  ///< per run not described by describeRun()
        int maxBatchMs = 100;     ///< longest time events wait before a commit
        int busyTimeoutMs = 10000;
    };
    StoreWriter(const std::string& dbPath, std::shared_ptr<EventQueue> queue, Options options);
    StoreWriter(const std::string& dbPath, std::shared_ptr<EventQueue> queue);
    /// Drains what is queued, commits and joins.
    ~StoreWriter();
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    /// What the writer needs to know about a run (its domains, whether it reweights, how many
    /// checkpoints it keeps), from whoever holds its parsed experiment; call it before the run's
    /// events are queued. A run never described gets the domains its row was created with, no
    /// reweighting metrics and Options::keepCheckpoints.
    void describeRun(std::int64_t runId, RunFacts facts);
    /// Blocks until every event queued before the call is committed (or given up on).
    void flush();
    /// Drains, commits and stops the thread (idempotent).
    void stop();
    StoreWriterStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace anneal
