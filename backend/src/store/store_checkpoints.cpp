// SPDX-License-Identifier: GPL-3.0-or-later
// Store: the checkpoints index and a run's notices.
#include <SQLiteCpp/Statement.h>
#include <cmath>
#include <filesystem>

#include "anneal/error.h"
#include "anneal/store.h"
#include "store/store_impl.h"

namespace fs = std::filesystem;

namespace anneal {

namespace {
/// Where a checkpoint file is now: beside the database (<stem>-checkpoints/run-<uuid>/, where Anneal
/// writes it) when it is there, else the stored path. Rows written by earlier builds hold a path
/// relative to the directory the run was started from ('--db lab.db' gave
/// 'lab-checkpoints/...'), which does not resolve from anywhere else; and a database moved or copied
/// together with its checkpoint directory keeps working.
std::string locateCheckpoint(const std::string& dbPath, const std::string& uuid, const std::string& stored) {
    std::error_code ec;
    try {
        const fs::path beside = fs::path(checkpointDirFor(dbPath, uuid)) / fs::path(stored).filename();
        if (fs::exists(beside, ec)) {
            return beside.string();
        }
    } catch (const Error&) {
        // not a uuid: only the stored path
    }
    return stored;
}

CheckpointRecord readCheckpoint(SQLite::Statement& q, const std::string& dbPath) {
    return {q.getColumn(0).getInt64(),
            q.getColumn(1).getInt64(),
            q.getColumn(2).getInt64(),
            locateCheckpoint(dbPath, q.getColumn(7).getString(), q.getColumn(3).getString()),
            q.getColumn(4).getInt64(),
            q.getColumn(5).getDouble(),
            q.getColumn(6).getInt() != 0};
}
const char* kCheckpointColumns =
    "c.id, c.run_id, c.step, c.path, c.bytes, c.created_at, c.pinned, r.uuid FROM checkpoints c JOIN runs r "
    "ON r.id = "
    "c.run_id";
}  // namespace

std::vector<CheckpointRecord> Store::checkpoints(std::int64_t runId) const {
    return guarded(m_impl->path, [&] {
        std::vector<CheckpointRecord> out;
        SQLite::Statement q(
            *m_impl->db, std::string("SELECT ") + kCheckpointColumns + " WHERE c.run_id = ? ORDER BY c.step");
        q.bind(1, runId);
        while (q.executeStep()) {
            out.push_back(readCheckpoint(q, m_impl->path));
        }
        return out;
    });
}

std::optional<CheckpointRecord> Store::checkpoint(std::int64_t checkpointId) const {
    return guarded(m_impl->path, [&]() -> std::optional<CheckpointRecord> {
        SQLite::Statement q(*m_impl->db, std::string("SELECT ") + kCheckpointColumns + " WHERE c.id = ?");
        q.bind(1, checkpointId);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        return readCheckpoint(q, m_impl->path);
    });
}

std::optional<CheckpointRecord> Store::checkpointAt(std::int64_t runId, std::int64_t step) const {
    return guarded(m_impl->path, [&]() -> std::optional<CheckpointRecord> {
        SQLite::Statement q(
            *m_impl->db, std::string("SELECT ") + kCheckpointColumns + " WHERE c.run_id = ? AND c.step = ?");
        q.bind(1, runId);
        q.bind(2, step);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        return readCheckpoint(q, m_impl->path);
    });
}

void Store::pinCheckpoint(std::int64_t checkpointId, bool pinned) {
    guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db, "UPDATE checkpoints SET pinned = ? WHERE id = ?");
        q.bind(1, pinned ? 1 : 0);
        q.bind(2, checkpointId);
        q.exec();
    });
}

std::vector<NoticeRecord> Store::notices(std::int64_t runId) const {
    return guarded(m_impl->path, [&] {
        std::vector<NoticeRecord> out;
        SQLite::Statement q(
            *m_impl->db,
            "SELECT run_id, step, kind, message, value FROM notices WHERE run_id = ? ORDER BY step, id");
        q.bind(1, runId);
        while (q.executeStep()) {
            out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getString(),
                           q.getColumn(3).getString(), realOr(q.getColumn(4), std::nan(""))});
        }
        return out;
    });
}

}  // namespace anneal
