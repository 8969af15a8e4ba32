// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one class (the writer's Impl); statements, batches, tiles share one connection.
// The storage writer thread (STYLE lesson 13): one connection, statements prepared once and reused
// (bind -> exec -> reset) inside one transaction per batch of events.

#include "anneal/store_writer.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "anneal/error.h"
#include "anneal/metric_names.h"
#include "anneal/store.h"
#include "store/metric_tiles.h"
#include "store/schema.h"
#include "store/wal_checkpointer.h"
#include "store/weights_codec.h"
#include "store/weights_summary.h"

namespace anneal {

namespace {

struct RunInfo {
    RunFacts facts;
    std::int64_t lastStep = -1;
    std::int64_t lastTokens = 0;
    double lastWall = 0;
    bool progressed = false;
};

}  // namespace

struct StoreWriter::Impl {
    std::string path;
    std::shared_ptr<EventQueue> queue;
    Options opt;
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::mutex mutex;                            // guards stats, flush generations, described
    std::map<std::int64_t, RunFacts> described;  // describeRun(), read by the writer thread
    std::condition_variable flushCv;
    std::uint64_t requested = 0;
    std::uint64_t done = 0;
    StoreWriterStats stats;

    std::unique_ptr<SQLite::Database> db;
    std::unique_ptr<SQLite::Statement> insMetric, insStep, insNotice, insCheckpoint, insChunk, insStats,
        updProgress, updStatus, selName, insName;
    std::map<std::string, std::int64_t> nameIds;
    std::map<std::int64_t, RunInfo> runs;
    store::TileAccumulator tiles;  // min/max tiles of the curves written (metric_tiles.h)
    std::vector<std::string> filesToDelete;
    std::unique_ptr<store::WalCheckpointer> checkpointer;  // checkpoints off this thread (wal_checkpointer.h)

    void prepare() {
        db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE, opt.busyTimeoutMs);
        store::configureConnection(*db, false, opt.busyTimeoutMs);
        checkpointer->attach(db->getHandle());
        store::ensureTileTables(db->getHandle());
        auto st = [&](const char* sql) { return std::make_unique<SQLite::Statement>(*db, sql); };
        insMetric = st("INSERT OR REPLACE INTO metrics(run_id, name_id, step, value) VALUES (?,?,?,?)");
        insStep = st("INSERT OR REPLACE INTO steps(run_id, step, tokens, wall) VALUES (?,?,?,?)");
        insNotice = st("INSERT INTO notices(run_id, step, kind, message, value) VALUES (?,?,?,?,?)");
        insCheckpoint =
            st("INSERT OR REPLACE INTO checkpoints(run_id, step, path, bytes, created_at, pinned) VALUES "
               "(?,?,?,?,?, coalesce((SELECT pinned FROM checkpoints WHERE run_id = ? AND step = ?), 0))");
        insChunk =
            st("INSERT OR REPLACE INTO weight_chunks(run_id, bucket, step, n, data) VALUES (?,?,?,?,?)");
        insStats =
            st("INSERT OR REPLACE INTO weight_stats(run_id, step, domain, count, mean, std, min, max, q05, "
               "q25, q50, "
               "q75, q95, share, loss_mean, noisy_count, noisy_mean, hist) VALUES "
               "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        updProgress =
            st("UPDATE runs SET steps_done = ?, tokens_done = ?, wall_seconds = ?, heartbeat_at = ? WHERE id "
               "= ?");
        updStatus =
            st("UPDATE runs SET status = ?, message = ?, message_step = ?, steps_done = max(steps_done, ?), "
               "heartbeat_at = ?, ended_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?");
        selName = st("SELECT id FROM metric_names WHERE name = ?");
        insName = st("INSERT OR IGNORE INTO metric_names(name) VALUES (?)");
    }

    RunInfo& info(std::int64_t runId) {
        auto it = runs.find(runId);
        if (it != runs.end()) {
            return it->second;
        }
        RunInfo ri;
        {
            std::lock_guard<std::mutex> lock(mutex);
            auto d = described.find(runId);
            if (d != described.end()) {
                ri.facts = d->second;
                return runs.emplace(runId, ri).first->second;
            }
        }
        // Not described (a writer fed by hand): the domains the run row was created with, no
        // reweighting, the writer's own retention.
        ri.facts.keepCheckpoints = opt.keepCheckpoints;
        SQLite::Statement q(*db, "SELECT name FROM run_domains WHERE run_id = ? ORDER BY idx");
        q.bind(1, runId);
        while (q.executeStep()) {
            ri.facts.domains.push_back(q.getColumn(0).getString());
        }
        return runs.emplace(runId, ri).first->second;
    }

    /// The run's own file for a checkpoint row being retired: step-NNNNNNNNN.ckpt in the run's
    /// checkpoint directory (where the row points, or beside the database under the same name for a
    /// row with a relative path from an earlier build). Empty for anything else.
    std::string ownCheckpointFile(std::int64_t run, const std::string& file) {
        static const std::regex name("step-[0-9]{9}\\.ckpt");
        SQLite::Statement q(*db, "SELECT uuid FROM runs WHERE id = ?");
        q.bind(1, run);
        if (!q.executeStep()) {
            return {};
        }
        try {
            namespace fs = std::filesystem;
            const fs::path dir = fs::path(checkpointDirFor(path, q.getColumn(0).getString()));
            const fs::path f(file);
            if (!std::regex_match(f.filename().string(), name)) {
                return {};
            }
            if (fs::weakly_canonical(f.parent_path()) == fs::weakly_canonical(dir)) {
                return file;
            }
            return (dir / f.filename()).string();
        } catch (const std::exception&) {
            return {};  // a malformed uuid or an unresolvable path: keep the file
        }
    }

    std::int64_t nameId(const std::string& name) {
        auto it = nameIds.find(name);
        if (it != nameIds.end()) {
            return it->second;
        }
        insName->bind(1, name);
        insName->exec();
        insName->reset();
        selName->bind(1, name);
        selName->executeStep();
        const std::int64_t id = selName->getColumn(0).getInt64();
        selName->reset();
        nameIds[name] = id;
        return id;
    }

    void metric(std::int64_t run, const std::string& name, std::int64_t step, double value) {
        const std::int64_t id = nameId(name);
        insMetric->bind(1, run);
        insMetric->bind(2, id);
        insMetric->bind(3, step);
        std::isfinite(value) ? insMetric->bind(4, value) : insMetric->bind(4);
        insMetric->exec();
        insMetric->reset();
        tiles.add(run, id, step, value);
        ++stats.rowsWritten;
    }

    void apply(std::int64_t run, const StepEvent& e) {
        RunInfo& ri = info(run);
        forEachStepMetric(e, ri.facts,
                          [&](const std::string& name, double v) { metric(run, name, e.step, v); });
        insStep->bind(1, run);
        insStep->bind(2, e.step);
        insStep->bind(3, e.tokens);
        insStep->bind(4, e.wallSeconds);
        insStep->exec();
        insStep->reset();
        ri.lastStep = std::max(ri.lastStep, e.step);
        ri.lastTokens = e.tokens;
        ri.lastWall = e.wallSeconds;
        ri.progressed = true;
    }

    void apply(std::int64_t run, const EvalEvent& e) {
        forEachEvalMetric(e, info(run).facts,
                          [&](const std::string& name, double v) { metric(run, name, e.step, v); });
    }

    void apply(std::int64_t run, const StatusEvent& e) {
        const bool terminal = e.status != RunStatus::Running && e.status != RunStatus::Created;
        updStatus->bind(1, runStatusName(e.status));
        updStatus->bind(2, e.message);
        e.message.empty() ? updStatus->bind(3) : updStatus->bind(3, e.step);
        updStatus->bind(4, e.step);
        updStatus->bind(5, nowSeconds());
        updStatus->bind(6, terminal ? 1 : 0);
        updStatus->bind(7, nowSeconds());
        updStatus->bind(8, run);
        updStatus->exec();
        updStatus->reset();
        ++stats.rowsWritten;
    }

    void apply(std::int64_t /*run*/, const PrepareEvent& /*e*/) {}  // progress, not a record

    void apply(std::int64_t run, const NoticeEvent& e) {
        insNotice->bind(1, run);
        insNotice->bind(2, e.step);
        insNotice->bind(3, e.kind);
        insNotice->bind(4, e.message);
        std::isfinite(e.value) ? insNotice->bind(5, e.value) : insNotice->bind(5);
        insNotice->exec();
        insNotice->reset();
        ++stats.rowsWritten;
    }

    void apply(std::int64_t run, const CheckpointEvent& e) {
        insCheckpoint->bind(1, run);
        insCheckpoint->bind(2, e.step);
        insCheckpoint->bind(3, e.path);
        insCheckpoint->bind(4, e.bytes);
        insCheckpoint->bind(5, nowSeconds());
        insCheckpoint->bind(6, run);
        insCheckpoint->bind(7, e.step);
        insCheckpoint->exec();
        insCheckpoint->reset();
        ++stats.rowsWritten;
        // Keep the newest K unpinned checkpoints; never one a branch started from.
        SQLite::Statement old(
            *db,
            "SELECT id, path FROM checkpoints WHERE run_id = ? AND pinned = 0 AND id NOT IN "
            "(SELECT branch_checkpoint_id FROM runs WHERE branch_checkpoint_id IS NOT NULL) "
            "ORDER BY step DESC LIMIT -1 OFFSET ?");
        old.bind(1, run);
        old.bind(2, info(run).facts.keepCheckpoints);
        std::vector<std::int64_t> ids;
        while (old.executeStep()) {
            ids.push_back(old.getColumn(0).getInt64());
            // Only a file this run wrote is deleted: step-NNNNNNNNN.ckpt in the run's own checkpoint
            // directory. A row pointing elsewhere (a database from someone else, or moved from another
            // machine) loses its row, never the file it names.
            const std::string own = ownCheckpointFile(run, old.getColumn(1).getString());
            if (!own.empty()) {
                filesToDelete.push_back(own);
            }
        }
        for (std::int64_t id : ids) {
            SQLite::Statement del(*db, "DELETE FROM checkpoints WHERE id = ?");
            del.bind(1, id);
            del.exec();
        }
    }

    void apply(std::int64_t run, const WeightSnapshotEvent& e) {
        for (const auto& chunk : store::encodeSnapshot(e)) {
            insChunk->bind(1, run);
            insChunk->bind(2, chunk.bucket);
            insChunk->bind(3, e.step);
            insChunk->bind(4, chunk.n);
            insChunk->bindNoCopy(5, chunk.blob.data(), static_cast<int>(chunk.blob.size()));
            insChunk->exec();
            insChunk->reset();
            ++stats.rowsWritten;
        }
        insChunk->clearBindings();  // the blobs were bound without a copy
        for (const auto& s : store::summarizeSnapshot(e)) {
            int i = 1;
            auto real = [&](double v) { std::isfinite(v) ? insStats->bind(i++, v) : insStats->bind(i++); };
            insStats->bind(i++, run);
            insStats->bind(i++, e.step);
            insStats->bind(i++, s.domain);
            insStats->bind(i++, s.count);
            for (double v :
                 {s.mean, s.std, s.min, s.max, s.q05, s.q25, s.q50, s.q75, s.q95, s.share, s.lossMean}) {
                real(v);
            }
            insStats->bind(i++, s.noisyCount);
            real(s.noisyMean);
            insStats->bind(i++, s.hist.data(), static_cast<int>(s.hist.size() * sizeof(std::uint32_t)));
            insStats->exec();
            insStats->reset();
            ++stats.rowsWritten;
        }
    }

    void writeBatch(const std::vector<Event>& events) {
        SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
        for (const Event& e : events) {
            std::visit([&](const auto& p) { apply(e.runId, p); }, e.payload);
        }
        const double now = nowSeconds();
        for (auto& [id, ri] : runs) {
            if (ri.progressed) {
                updProgress->bind(1, ri.lastStep + 1);
                updProgress->bind(2, ri.lastTokens);
                updProgress->bind(3, ri.lastWall);
                updProgress->bind(4, now);
                updProgress->bind(5, id);
                updProgress->exec();
                updProgress->reset();
            }
        }
        tiles.flush(db->getHandle());
        tx.commit();
        for (auto& [id, ri] : runs) {
            ri.progressed = false;
        }
    }

    void writeWithRetry(const std::vector<Event>& events) {
        int delayMs = 100;
        for (int attempt = 0;; ++attempt) {
            try {
                if (!db) {
                    prepare();  // the open failed before (busy, disk full...): try again, same retries
                }
                writeBatch(events);
                std::lock_guard<std::mutex> lock(mutex);
                stats.eventsWritten += events.size();
                ++stats.transactions;
                break;
            } catch (const std::exception& e) {
                // Statements may hold a half-bound state after a failure: reset them all.
                for (auto* s :
                     {insMetric.get(), insStep.get(), insNotice.get(), insCheckpoint.get(), insChunk.get(),
                      insStats.get(), updProgress.get(), updStatus.get(), selName.get(), insName.get()}) {
                    try {
                        if (s) {
                            s->reset();
                            s->clearBindings();
                        }
                    } catch (...) {
                    }
                }
                if (!insName) {
                    closeDb();  // prepare() failed part-way: start from a fresh connection next time
                }
                nameIds.clear();  // ids inserted in the rolled-back transaction are gone
                tiles.clear();    // so are its tiles
                filesToDelete.clear();
                std::lock_guard<std::mutex> lock(mutex);
                stats.lastError = e.what();
                if (attempt >= 8 || (stopping && attempt >= 2)) {
                    stats.eventsLost += events.size();
                    break;
                }
                ++stats.retries;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
            delayMs = std::min(delayMs * 2, 2000);
        }
        for (const std::string& f : filesToDelete) {
            std::error_code ec;
            std::filesystem::remove(f, ec);
        }
        filesToDelete.clear();
    }

    void loop() {
        checkpointer = std::make_unique<store::WalCheckpointer>(path, opt.busyTimeoutMs);
        try {
            prepare();
        } catch (const std::exception& e) {
            closeDb();  // writeWithRetry opens it again with the first batch
            std::lock_guard<std::mutex> lock(mutex);
            stats.lastError = std::string("cannot open the database for writing: ") + e.what();
        }
        std::vector<Event> events;
        for (;;) {
            std::uint64_t req;
            {
                std::lock_guard<std::mutex> lock(mutex);
                req = requested;
            }
            events.clear();
            queue->drain(events, std::chrono::milliseconds(opt.maxBatchMs), 50000);
            if (!events.empty()) {
                writeWithRetry(events);
            }
            if (queue->size() == 0) {
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    done = std::max(done, req);
                }
                flushCv.notify_all();
                if (stopping) {
                    break;
                }
            }
        }
        closeDb();
        checkpointer->stop();  // after the writer's connection: the last to close checkpoints the rest
    }

    void closeDb() {
        insMetric.reset();
        insStep.reset();
        insNotice.reset();
        insCheckpoint.reset();
        insChunk.reset();
        insStats.reset();
        updProgress.reset();
        updStatus.reset();
        selName.reset();
        insName.reset();
        db.reset();
    }
};

StoreWriter::StoreWriter(const std::string& dbPath, std::shared_ptr<EventQueue> queue)
    : StoreWriter(dbPath, std::move(queue), Options{}) {}

StoreWriter::StoreWriter(const std::string& dbPath, std::shared_ptr<EventQueue> queue, Options options)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->path = dbPath;
    m_impl->queue = std::move(queue);
    m_impl->opt = options;
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->loop(); });
}

StoreWriter::~StoreWriter() { stop(); }

void StoreWriter::describeRun(std::int64_t runId, RunFacts facts) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->described[runId] = std::move(facts);
}

void StoreWriter::flush() {
    std::unique_lock<std::mutex> lock(m_impl->mutex);
    if (!m_impl->thread.joinable()) {
        return;
    }
    const std::uint64_t ticket = ++m_impl->requested;
    m_impl->flushCv.wait(lock, [&] { return m_impl->done >= ticket || !m_impl->thread.joinable(); });
}

void StoreWriter::stop() {
    if (!m_impl->thread.joinable()) {
        return;
    }
    m_impl->stopping = true;
    m_impl->thread.join();
}

StoreWriterStats StoreWriter::stats() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return m_impl->stats;
}

}  // namespace anneal
