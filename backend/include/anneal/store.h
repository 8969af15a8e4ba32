// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file store.h
/// The SQLite store: one file holds many runs, their metrics, per-sample weights, checkpoints index,
/// fits and notices (schema: docs/STORAGE.md). WAL mode; readers never block the writer; every
/// statement uses bound parameters. A Store is one connection: use it from one thread at a time
/// (open one per thread). Opening migrates an older schema in one transaction after backing the file
/// up, refuses a newer one (SchemaTooNew, file untouched) and a file that is not an Anneal database.
/// Throws anneal::Error (Storage, SchemaTooNew, NotFound).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anneal/events.h"

namespace anneal {

constexpr int kSchemaVersion = 1;

/// Where the database lives by default: $ANNEAL_DB, else $XDG_DATA_HOME/anneal/anneal.db, else
/// ~/.local/share/anneal/anneal.db.
std::string defaultDatabasePath();
/// Checkpoints of a database go beside it: <dir>/<stem>-checkpoints/run-<uuid>/.
std::string checkpointDirFor(const std::string& dbPath, const std::string& runUuid);

struct DomainRecord {
    std::string name;
    std::string source;
    double weight = 0;
    double entropyRate = 0;   ///< nats/token, NaN when unknown
    double entropyFloor = 0;  ///< at the run's context
    std::string description;
};

struct RunRecord {
    std::int64_t id = 0;
    std::string uuid;
    std::string name;
    std::string group;
    std::string kind = "trained";  ///< trained | imported
    std::optional<std::int64_t> parentId;
    std::optional<std::int64_t> branchStep;
    std::optional<std::int64_t> branchCheckpointId;
    RunStatus status = RunStatus::Created;
    std::string specToml;          ///< the experiment file as given
    std::string configToml;        ///< the resolved config the run used
    std::string overridesJson = "[]";
    std::uint64_t seed = 0;
    std::string device;
    std::string version;
    double createdAt = 0, startedAt = 0, endedAt = 0, heartbeatAt = 0;  ///< unix seconds
    std::string host;
    std::int64_t pid = 0;
    std::int64_t stepsTotal = 0, stepsDone = 0, tokensDone = 0;
    std::string message;           ///< why it failed / stopped / was interrupted
    std::optional<std::int64_t> messageStep;
    std::int64_t params = 0, paramsNonEmbedding = 0;
    double flopsPerToken = 0;
    double entropyFloor = 0;       ///< the static mix's floor, nats/token
    std::vector<std::string> tags;
    std::vector<DomainRecord> domains;
    double wallSeconds = 0;        ///< training time of the last logged step
};

struct NewRun {
    std::string name;
    std::string group;
    std::string kind = "trained";
    std::optional<std::int64_t> parentId;
    std::optional<std::int64_t> branchStep;
    std::optional<std::int64_t> branchCheckpointId;
    std::string specToml;
    std::string configToml;
    std::string overridesJson = "[]";
    std::uint64_t seed = 0;
    std::string device;
    std::int64_t stepsTotal = 0;
    std::int64_t params = 0, paramsNonEmbedding = 0;
    double flopsPerToken = 0;
    double entropyFloor = 0;
    std::vector<std::string> tags;
    std::vector<DomainRecord> domains;
};

struct MetricSeries {
    std::vector<std::int64_t> steps;
    std::vector<double> values;   ///< NaN where the stored value was NULL
};

struct StepAxis {
    std::vector<std::int64_t> steps;
    std::vector<std::int64_t> tokens;
    std::vector<double> wall;
};

struct CheckpointRecord {
    std::int64_t id = 0;
    std::int64_t runId = 0;
    std::int64_t step = 0;
    std::string path;
    std::int64_t bytes = 0;
    double createdAt = 0;
    bool pinned = false;
};

struct NoticeRecord {
    std::int64_t runId = 0;
    std::int64_t step = 0;
    std::string kind;
    std::string message;
    double value = 0;
};

class Store {
public:
    enum class Mode { ReadWrite, ReadOnly };

    /// Opens (creating when missing and ReadWrite) and migrates.
    static std::unique_ptr<Store> open(const std::string& path, Mode mode = Mode::ReadWrite);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    const std::string& path() const;
    int schemaVersion() const;

    // --- runs ---
    std::int64_t createRun(const NewRun& run);
    /// Marks a run running in this process (pid, host, start time, heartbeat).
    void markRunning(std::int64_t runId);
    void setRunStatus(std::int64_t runId, RunStatus status, const std::string& message = {},
                      std::optional<std::int64_t> step = std::nullopt);
    void setRunName(std::int64_t runId, const std::string& name);
    void setRunTags(std::int64_t runId, const std::vector<std::string>& tags);
    std::vector<RunRecord> listRuns() const;
    std::optional<RunRecord> findRun(std::int64_t runId) const;
    /// Throws NotFound naming the id.
    RunRecord run(std::int64_t runId) const;
    /// Runs marked running whose process is gone (same host, pid dead) or whose heartbeat is older
    /// than staleSeconds (other hosts) become interrupted. Returns how many changed.
    int recoverInterruptedRuns(double staleSeconds = 600);
    /// Deletes a run, its metrics, weights, notices and checkpoint rows (not its branches' rows).
    void deleteRun(std::int64_t runId);

    // --- metrics ---
    std::vector<std::string> metricNames(std::int64_t runId) const;
    /// A run's series. withHistory: a branch's series starts with its parent's points before the
    /// branch step (recursively), since a branch shares that history instead of copying it.
    MetricSeries metric(std::int64_t runId, const std::string& name, bool withHistory = false) const;
    /// Steps after minStep only (live polling).
    MetricSeries metricSince(std::int64_t runId, const std::string& name, std::int64_t minStep) const;
    StepAxis stepAxis(std::int64_t runId, bool withHistory = false) const;
    /// Writes metric rows directly (imports; training goes through StoreWriter).
    void insertMetrics(std::int64_t runId, const std::string& name, const MetricSeries& series);
    void insertStepAxis(std::int64_t runId, const StepAxis& axis);

    // --- checkpoints and notices ---
    std::vector<CheckpointRecord> checkpoints(std::int64_t runId) const;
    std::optional<CheckpointRecord> checkpoint(std::int64_t checkpointId) const;
    std::optional<CheckpointRecord> checkpointAt(std::int64_t runId, std::int64_t step) const;
    void pinCheckpoint(std::int64_t checkpointId, bool pinned);
    std::vector<NoticeRecord> notices(std::int64_t runId) const;

    /// The underlying sqlite3* (for the weights and fits modules in the backend).
    void* handle() const;

private:
    Store();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Current time as unix seconds.
double nowSeconds();
/// This machine's host name.
std::string hostName();

}  // namespace anneal
