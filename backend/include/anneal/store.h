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

/// Version 2 adds indexes for readers, version 3 the compact weight blobs (docs/STORAGE.md); an older
/// file is migrated on open.
constexpr int kSchemaVersion = 3;

/// Where the database lives by default: $ANNEAL_DB, else $XDG_DATA_HOME/anneal/anneal.db, else
/// ~/.local/share/anneal/anneal.db.
std::string defaultDatabasePath();
/// Checkpoints of a database go beside it: <dir>/<stem>-checkpoints/run-<uuid>/. Throws Storage
/// when runUuid is not a uuid (it comes from the database, which may be someone else's).
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
    std::string specToml;    ///< the experiment file as given
    std::string configToml;  ///< the resolved config the run used
    std::string overridesJson = "[]";
    std::uint64_t seed = 0;
    std::string device;
    std::string version;
    double createdAt = 0, startedAt = 0, endedAt = 0, heartbeatAt = 0;  ///< unix seconds
    std::string host;
    std::int64_t pid = 0;
    std::int64_t stepsTotal = 0, stepsDone = 0, tokensDone = 0;
    std::string message;  ///< why it failed / stopped / was interrupted
    std::optional<std::int64_t> messageStep;
    std::int64_t params = 0, paramsNonEmbedding = 0;
    double flopsPerToken = 0;
    double entropyFloor = 0;  ///< the static mix's floor, nats/token
    std::vector<std::string> tags;
    std::vector<DomainRecord> domains;
    double wallSeconds = 0;  ///< training time of the last logged step (pauses excluded)
    bool paused = false;     ///< running, but paused by the user (its last pause notice)
};

/// One run of a branch's history (Store::branchHistory).
struct HistorySegment {
    std::int64_t runId = 0;
    std::optional<std::int64_t> branchStep;  ///< where this run branched from its parent
    std::int64_t below = 0;                  ///< its points with step < below belong to the history
};

/// The longest chain of branch parents a history walk follows.
constexpr int kMaxBranchDepth = 10000;

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
    std::vector<double> values;  ///< NaN where the stored value was NULL
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

/// One stored per-sample weight. `weight` is relative to plain averaging: 1.0 is the weight every
/// sample gets without reweighting (the trainer stores w_i · batch_size).
struct SampleWeight {
    std::uint64_t sampleId = 0;
    int domain = 0;
    std::int64_t step = 0;  ///< step the sample was trained on
    float loss = 0;         ///< its mean per-token loss at that step
    float weight = 0;
    bool noisy = false;  ///< planted label noise
};

/// Statistics of one weight snapshot, overall (domain -1) or per domain.
struct WeightStatsRow {
    std::int64_t step = 0;
    int domain = -1;
    std::int64_t count = 0;
    double mean = 0, std = 0, min = 0, max = 0, q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;
    double share = 0;  ///< the domain's share of the total weight (its effective gradient share)
    double lossMean = 0;
    std::int64_t noisyCount = 0;
    double noisyMean = 0;             ///< mean weight of the planted-noise samples (NaN if none)
    std::vector<std::uint32_t> hist;  ///< 64 bins of log10(weight) over [-2, 2]
};

/// A stored scaling-law fit: its full JSON export (anneal/fit/fit_export.h) plus a few columns to list it.
struct FitRecord {
    std::int64_t id = 0;
    std::string name;
    std::string law;
    double createdAt = 0;
    std::string version;
    std::string source;  ///< where the points came from, one line
    double objective = 0;
    std::int64_t nPoints = 0;
    std::string resultJson;
};

struct MergeStats {
    int runsAdded = 0;
    int runsSkipped = 0;  ///< already present (same uuid): merging a shard twice adds nothing
    std::int64_t metricRows = 0;
    int fitsAdded = 0;
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
    /// withConfig = false leaves specToml and configToml empty: a cheap list for periodic refreshes.
    std::vector<RunRecord> listRuns(bool withConfig = true) const;
    /// Changes whenever another connection commits to the database (PRAGMA data_version): poll it
    /// and re-read only when it moved.
    std::int64_t dataVersion() const;
    std::optional<RunRecord> findRun(std::int64_t runId) const;
    /// Throws NotFound naming the id.
    RunRecord run(std::int64_t runId) const;
    /// Runs marked running whose process is gone (same host, pid dead) or whose heartbeat is older
    /// than staleSeconds (other hosts) become interrupted. Returns how many changed.
    int recoverInterruptedRuns(double staleSeconds = 600);
    /// Deletes a run, its metrics, weights, notices and checkpoint rows (not its branches' rows).
    void deleteRun(std::int64_t runId);

    // --- branch history ---
    /// The runs whose points make up runId's history, oldest first, ending with runId itself: each
    /// ancestor contributes its points with step < below (the smallest branch step below it). This
    /// is the one walk over runs.parent_id; metric, stepAxis, the decimated curve query and the LR
    /// of a branch use it. A parent that no longer exists ends the chain. Throws NotFound when runId
    /// does not exist, and Storage naming runs.parent_id when the parents form a loop or a chain
    /// deeper than kMaxBranchDepth (only a database changed outside Anneal can hold either).
    std::vector<HistorySegment> branchHistory(std::int64_t runId) const;

    // --- metrics ---
    std::vector<std::string> metricNames(std::int64_t runId) const;
    /// A run's series. withHistory: a branch's series starts with its parent's points before the
    /// branch step (recursively), since a branch shares that history instead of copying it.
    MetricSeries metric(std::int64_t runId, const std::string& name, bool withHistory = false) const;
    /// Number of stored points of a run's metric (without the parent's history).
    std::int64_t metricCount(std::int64_t runId, const std::string& name) const;
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

    // --- per-sample weights (store_weights.cpp) ---
    std::vector<std::int64_t> weightSnapshotSteps(std::int64_t runId) const;
    /// Every sample of the snapshot written at `snapshotStep`, by sample id.
    std::vector<SampleWeight> weightSnapshot(std::int64_t runId, std::int64_t snapshotStep) const;
    /// The samples trained on at exactly `step` (from the first snapshot at or after it).
    std::vector<SampleWeight> weightsAtStep(std::int64_t runId, std::int64_t step) const;
    /// Every stored weight of one sample in step order: one indexed query on its id bucket.
    std::vector<SampleWeight> sampleWeightHistory(std::int64_t runId, std::uint64_t sampleId) const;
    std::vector<WeightStatsRow> weightStats(std::int64_t runId) const;

    // --- imported curves and fits (store_fits.cpp) ---
    /// Creates a run (kind "imported") with its metrics and step axis in one transaction: a failed
    /// import stores nothing.
    std::int64_t importRun(const NewRun& run,
                           const std::vector<std::pair<std::string, MetricSeries>>& metrics,
                           const StepAxis& axis);
    std::int64_t saveFit(const FitRecord& fit);
    std::vector<FitRecord> listFits() const;
    /// Throws NotFound naming the id.
    FitRecord fitRecord(std::int64_t fitId) const;

    /// Copies another database's runs (metrics, steps, domains, notices, checkpoints index, weights,
    /// annotations) and fits into this one in one transaction, with new ids (parents and branch
    /// checkpoints remapped). Runs already present (by uuid) and identical fits are skipped. The shard
    /// is opened read-only and checked like any database (store_merge.cpp).
    MergeStats mergeFrom(const std::string& shardPath);

    /// The underlying sqlite3* (for backend modules with their own tables).
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
