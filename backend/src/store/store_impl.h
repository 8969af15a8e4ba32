// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Store's private state and helpers, shared by the files that implement Store (store.cpp,
// store_runs.cpp, store_metrics.cpp, store_checkpoints.cpp, store_weights.cpp, store_fits.cpp).

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "anneal/error.h"
#include "anneal/store.h"
#include "store/process_info.h"

namespace anneal {

namespace store {
inline std::optional<std::int64_t> optInt(const SQLite::Column& c) {
    if (c.isNull()) {
        return std::nullopt;
    }
    return c.getInt64();
}

inline double realOr(const SQLite::Column& c, double def) { return c.isNull() ? def : c.getDouble(); }
/// An anneal::Error for a failed SQLite call: names the database and says what a full disk, a
/// read-only location or a busy database means.
Error storageError(const std::string& path, const SQLite::Exception& e);

/// Runs f, turning SQLite's exceptions into the store's anneal::Error that names the database (what
/// the API promises; a bare SQLite::Exception reached the CLI as "attempt to write a readonly
/// database" without the file, and the GUI does not catch it as a storage error).
template <typename F>
auto guarded(const std::string& path, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const SQLite::Exception& e) {
        throw storageError(path, e);
    }
}
}  // namespace store

using store::guarded;
using store::optInt;
using store::realOr;

struct Store::Impl {
    std::string path;
    std::unique_ptr<SQLite::Database> db;
    bool readOnly = false;
    int version = 0;

    RunRecord readRun(SQLite::Statement& q) const {
        RunRecord r;
        r.id = q.getColumn(0).getInt64();
        r.uuid = q.getColumn(1).getString();
        r.name = q.getColumn(2).getString();
        r.group = q.getColumn(3).getString();
        r.kind = q.getColumn(4).getString();
        r.parentId = optInt(q.getColumn(5));
        r.branchStep = optInt(q.getColumn(6));
        r.branchCheckpointId = optInt(q.getColumn(7));
        r.status = parseRunStatus(q.getColumn(8).getString());
        r.specToml = q.getColumn(9).getString();
        r.configToml = q.getColumn(10).getString();
        r.overridesJson = q.getColumn(11).getString();
        r.seed = static_cast<std::uint64_t>(q.getColumn(12).getInt64());
        r.device = q.getColumn(13).getString();
        r.version = q.getColumn(14).getString();
        r.createdAt = realOr(q.getColumn(15), 0);
        r.startedAt = realOr(q.getColumn(16), 0);
        r.endedAt = realOr(q.getColumn(17), 0);
        r.heartbeatAt = realOr(q.getColumn(18), 0);
        r.host = q.getColumn(19).getString();
        r.pid = q.getColumn(20).getInt64();
        const std::int64_t procStart = q.getColumn(21).getInt64();
        r.stepsTotal = q.getColumn(22).getInt64();
        r.stepsDone = q.getColumn(23).getInt64();
        r.tokensDone = q.getColumn(24).getInt64();
        r.message = q.getColumn(25).getString();
        r.messageStep = optInt(q.getColumn(26));
        r.params = q.getColumn(27).getInt64();
        r.paramsNonEmbedding = q.getColumn(28).getInt64();
        r.flopsPerToken = q.getColumn(29).getDouble();
        r.entropyFloor = realOr(q.getColumn(30), std::nan(""));
        try {
            r.tags = nlohmann::json::parse(q.getColumn(31).getString()).get<std::vector<std::string>>();
        } catch (const nlohmann::json::exception&) {
            r.tags.clear();
        }
        r.wallSeconds = q.getColumn(32).getDouble();
        r.paused =
            r.status == RunStatus::Running && !q.getColumn(33).isNull() && q.getColumn(33).getInt() != 0;
        // A read-only view still shows a dead writer's run as interrupted (nothing is written).
        if (r.status == RunStatus::Running && isDead(r.host, r.pid, procStart, r.heartbeatAt, 600)) {
            r.status = RunStatus::Interrupted;
        }
        return r;
    }

    static bool isDead(const std::string& host, std::int64_t pid, std::int64_t procStart, double heartbeat,
                       double staleSeconds) {
        if (host == hostName()) {
            return !store::processAlive(pid, procStart);
        }
        return nowSeconds() - heartbeat > staleSeconds;
    }

    void loadDomains(RunRecord& r) const {
        SQLite::Statement q(
            *db,
            "SELECT name, source, weight, entropy_rate, entropy_floor, description FROM run_domains "
            "WHERE run_id = ? ORDER BY idx");
        q.bind(1, r.id);
        while (q.executeStep()) {
            r.domains.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                                 q.getColumn(2).getDouble(), realOr(q.getColumn(3), std::nan("")),
                                 realOr(q.getColumn(4), std::nan("")), q.getColumn(5).getString()});
        }
    }

    std::int64_t nameId(const std::string& name, bool create) {
        SQLite::Statement q(*db, "SELECT id FROM metric_names WHERE name = ?");
        q.bind(1, name);
        if (q.executeStep()) {
            return q.getColumn(0).getInt64();
        }
        if (!create) {
            return -1;
        }
        SQLite::Statement ins(*db, "INSERT INTO metric_names(name) VALUES (?)");
        ins.bind(1, name);
        ins.exec();
        return db->getLastInsertRowid();
    }
};

}  // namespace anneal
