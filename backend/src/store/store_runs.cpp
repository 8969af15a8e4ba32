// SPDX-License-Identifier: GPL-3.0-or-later
// Store: the runs table (create, status, names and tags, list, recover, delete).
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "anneal/error.h"
#include "anneal/store.h"
#include "anneal/version.h"
#include "store/metric_tiles.h"
#include "store/process_info.h"
#include "store/store_impl.h"

namespace anneal {

namespace {

const char* kRunColumns =
    "id, uuid, name, group_name, kind, parent_id, branch_step, branch_checkpoint_id, status, spec_toml, "
    "config_toml, overrides, seed, device, version, created_at, started_at, ended_at, heartbeat_at, host, "
    "pid, "
    "proc_start, steps_total, steps_done, tokens_done, message, message_step, n_params, n_params_nonembed, "
    "flops_per_token, entropy_floor, tags, wall_seconds, "
    "(SELECT n.kind = 'paused' FROM notices n WHERE n.run_id = runs.id AND n.kind IN ('paused', 'resumed') "
    "ORDER BY n.id DESC LIMIT 1)";

/// The same columns with empty strings for the two config texts (spec_toml, config_toml): the run
/// list re-read every few seconds need not copy every run's TOML. Spelled out as a literal so that
/// every SQL text in the store is a constant (tests/reliability/test_security.cpp checks that);
/// keep it in step with kRunColumns.
const char* kRunColumnsWithoutConfig =
    "id, uuid, name, group_name, kind, parent_id, branch_step, branch_checkpoint_id, status, '', "
    "'', overrides, seed, device, version, created_at, started_at, ended_at, heartbeat_at, host, pid, "
    "proc_start, steps_total, steps_done, tokens_done, message, message_step, n_params, n_params_nonembed, "
    "flops_per_token, entropy_floor, tags, wall_seconds, "
    "(SELECT n.kind = 'paused' FROM notices n WHERE n.run_id = runs.id AND n.kind IN ('paused', 'resumed') "
    "ORDER BY n.id DESC LIMIT 1)";

std::string newUuid() {
    std::random_device rd;
    std::mt19937_64 gen(
        (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    const std::uint64_t a = gen();
    const std::uint64_t b = gen();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return buf;
}

}  // namespace

std::int64_t Store::createRun(const NewRun& r) {
    try {
        SQLite::Transaction tx(*m_impl->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(
            *m_impl->db,
            "INSERT INTO runs(uuid, name, group_name, kind, parent_id, branch_step, "
            "branch_checkpoint_id, status, spec_toml, config_toml, overrides, seed, device, version, "
            "created_at, steps_total, n_params, n_params_nonembed, flops_per_token, entropy_floor, tags) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        int i = 1;
        q.bind(i++, newUuid());
        q.bind(i++, r.name);
        q.bind(i++, r.group);
        q.bind(i++, r.kind);
        r.parentId ? q.bind(i++, *r.parentId) : q.bind(i++);
        r.branchStep ? q.bind(i++, *r.branchStep) : q.bind(i++);
        r.branchCheckpointId ? q.bind(i++, *r.branchCheckpointId) : q.bind(i++);
        q.bind(i++, runStatusName(RunStatus::Created));
        q.bind(i++, r.specToml);
        q.bind(i++, r.configToml);
        q.bind(i++, r.overridesJson);
        q.bind(i++, static_cast<std::int64_t>(r.seed));
        q.bind(i++, r.device);
        q.bind(i++, kVersion);
        q.bind(i++, nowSeconds());
        q.bind(i++, r.stepsTotal);
        q.bind(i++, r.params);
        q.bind(i++, r.paramsNonEmbedding);
        q.bind(i++, r.flopsPerToken);
        std::isfinite(r.entropyFloor) ? q.bind(i++, r.entropyFloor) : q.bind(i++);
        q.bind(i++, nlohmann::json(r.tags).dump());
        q.exec();
        const std::int64_t id = m_impl->db->getLastInsertRowid();
        SQLite::Statement d(
            *m_impl->db,
            "INSERT INTO run_domains(run_id, idx, name, source, weight, entropy_rate, entropy_floor, "
            "description) VALUES (?,?,?,?,?,?,?,?)");
        for (size_t k = 0; k < r.domains.size(); ++k) {
            const DomainRecord& dom = r.domains[k];
            d.bind(1, id);
            d.bind(2, static_cast<std::int64_t>(k));
            d.bind(3, dom.name);
            d.bind(4, dom.source);
            d.bind(5, dom.weight);
            std::isfinite(dom.entropyRate) ? d.bind(6, dom.entropyRate) : d.bind(6);
            std::isfinite(dom.entropyFloor) ? d.bind(7, dom.entropyFloor) : d.bind(7);
            d.bind(8, dom.description);
            d.exec();
            d.reset();
        }
        tx.commit();
        return id;
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

void Store::markRunning(std::int64_t runId) {
    try {
        SQLite::Statement q(
            *m_impl->db,
            "UPDATE runs SET status = 'running', started_at = coalesce(started_at, ?), heartbeat_at = ?, "
            "host = ?, pid = ?, proc_start = ?, message = '', message_step = NULL, ended_at = NULL "
            "WHERE id = ?");
        const double now = nowSeconds();
        q.bind(1, now);
        q.bind(2, now);
        q.bind(3, hostName());
        q.bind(4, store::currentPid());
        q.bind(5, store::processStartTime(store::currentPid()));
        q.bind(6, runId);
        q.exec();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

void Store::setRunStatus(std::int64_t runId, RunStatus status, const std::string& message,
                         std::optional<std::int64_t> step) {
    try {
        const bool terminal = status != RunStatus::Running && status != RunStatus::Created;
        SQLite::Statement q(*m_impl->db,
                            "UPDATE runs SET status = ?, message = ?, message_step = ?, "
                            "ended_at = CASE WHEN ? THEN ? ELSE ended_at END WHERE id = ?");
        q.bind(1, runStatusName(status));
        q.bind(2, message);
        step ? q.bind(3, *step) : q.bind(3);
        q.bind(4, terminal ? 1 : 0);
        q.bind(5, nowSeconds());
        q.bind(6, runId);
        q.exec();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

void Store::setRunName(std::int64_t runId, const std::string& name) {
    guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db, "UPDATE runs SET name = ? WHERE id = ?");
        q.bind(1, name);
        q.bind(2, runId);
        q.exec();
    });
}

void Store::setRunTags(std::int64_t runId, const std::vector<std::string>& tags) {
    guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db, "UPDATE runs SET tags = ? WHERE id = ?");
        q.bind(1, nlohmann::json(tags).dump());
        q.bind(2, runId);
        q.exec();
    });
}

std::vector<RunRecord> Store::listRuns(bool withConfig) const {
    std::vector<RunRecord> out;
    try {
        SQLite::Statement q(
            *m_impl->db, withConfig
                             ? std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id"
                             : std::string("SELECT ") + kRunColumnsWithoutConfig + " FROM runs ORDER BY id");
        while (q.executeStep()) {
            out.push_back(m_impl->readRun(q));
        }
        // Every run's domains in one ordered scan (runs are in id order too), not one query per run.
        SQLite::Statement d(*m_impl->db,
                            "SELECT run_id, name, source, weight, entropy_rate, entropy_floor, description "
                            "FROM run_domains ORDER BY run_id, idx");
        size_t at = 0;
        while (d.executeStep()) {
            const std::int64_t runId = d.getColumn(0).getInt64();
            while (at < out.size() && out[at].id < runId) {
                ++at;
            }
            if (at == out.size()) {
                break;
            }
            if (out[at].id == runId) {
                out[at].domains.push_back({d.getColumn(1).getString(), d.getColumn(2).getString(),
                                           d.getColumn(3).getDouble(), realOr(d.getColumn(4), std::nan("")),
                                           realOr(d.getColumn(5), std::nan("")), d.getColumn(6).getString()});
            }
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return out;
}

std::optional<RunRecord> Store::findRun(std::int64_t runId) const {
    try {
        SQLite::Statement q(*m_impl->db, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
        q.bind(1, runId);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        RunRecord r = m_impl->readRun(q);
        m_impl->loadDomains(r);
        return r;
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

RunRecord Store::run(std::int64_t runId) const {
    auto r = findRun(runId);
    if (!r) {
        throw Error(ErrorCode::NotFound, "no run with id " + std::to_string(runId) + " in " + m_impl->path,
                    "RUN_ID", "an id listed by `anneal-cli runs`");
    }
    return *r;
}

int Store::recoverInterruptedRuns(double staleSeconds) {
    if (m_impl->readOnly) {
        return 0;
    }
    struct Candidate {
        std::int64_t id;
        std::int64_t steps;
    };
    std::vector<Candidate> dead;
    guarded(m_impl->path, [&] {
        SQLite::Statement q(
            *m_impl->db,
            "SELECT id, host, pid, proc_start, heartbeat_at, steps_done FROM runs WHERE status = 'running'");
        while (q.executeStep()) {
            if (Impl::isDead(q.getColumn(1).getString(), q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                             realOr(q.getColumn(4), 0), staleSeconds)) {
                dead.push_back({q.getColumn(0).getInt64(), q.getColumn(5).getInt64()});
            }
        }
    });
    for (const auto& d : dead) {
        setRunStatus(d.id, RunStatus::Interrupted,
                     "the process writing this run ended without finishing it (killed or crashed); "
                     "`anneal-cli resume " +
                         std::to_string(d.id) + "` continues from its last checkpoint",
                     d.steps);
    }
    return static_cast<int>(dead.size());
}

void Store::deleteRun(std::int64_t runId) {
    try {
        SQLite::Transaction tx(*m_impl->db, SQLite::TransactionBehavior::IMMEDIATE);
        for (const char* sql :
             {"DELETE FROM metrics WHERE run_id = ?", "DELETE FROM steps WHERE run_id = ?",
              "DELETE FROM weight_chunks WHERE run_id = ?", "DELETE FROM weight_stats WHERE run_id = ?",
              "DELETE FROM runs WHERE id = ?"}) {
            SQLite::Statement q(*m_impl->db, sql);
            q.bind(1, runId);
            q.exec();
        }
        if (store::hasTileTables(m_impl->db->getHandle())) {
            store::deleteRunTiles(m_impl->db->getHandle(), runId);
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

}  // namespace anneal
