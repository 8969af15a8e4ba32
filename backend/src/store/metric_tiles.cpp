// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/metric_tiles.h"

#include <cmath>
#include <iterator>
#include <sqlite3.h>

#include "store/sqlite_stmt.h"

namespace anneal::store {

namespace {

const char* kTileTables = R"SQL(
CREATE TABLE IF NOT EXISTS metric_tiles (
    run_id INTEGER NOT NULL,
    name_id INTEGER NOT NULL,
    level INTEGER NOT NULL,
    tile INTEGER NOT NULL,
    min_step INTEGER NOT NULL,
    min_value REAL NOT NULL,
    max_step INTEGER NOT NULL,
    max_value REAL NOT NULL,
    PRIMARY KEY (run_id, name_id, level, tile)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metric_tile_marks (
    run_id INTEGER NOT NULL,
    name_id INTEGER NOT NULL,
    run_uuid TEXT NOT NULL,
    PRIMARY KEY (run_id, name_id)
) WITHOUT ROWID;
)SQL";

const char* kUpsert =
    "INSERT INTO metric_tiles(run_id, name_id, level, tile, min_step, min_value, max_step, max_value) "
    "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(run_id, name_id, level, tile) DO UPDATE SET "
    "min_step = CASE WHEN excluded.min_value < min_value THEN excluded.min_step ELSE min_step END, "
    "min_value = min(min_value, excluded.min_value), "
    "max_step = CASE WHEN excluded.max_value > max_value THEN excluded.max_step ELSE max_step END, "
    "max_value = max(max_value, excluded.max_value)";

const char* kMark =
    "INSERT OR REPLACE INTO metric_tile_marks(run_id, name_id, run_uuid) SELECT ?, ?, uuid FROM runs WHERE "
    "id = ?";

/// Streams one curve's ascending (step, value) points into finished tiles of every level.
class TileBuilder {
public:
    explicit TileBuilder(sqlite3* db) : m_insert(db, kUpsert), m_mark(db, kMark) {}
    /// Starts a curve (finishing the previous one) and marks it complete.
    void start(std::int64_t runId, std::int64_t nameId) {
        finish();
        m_run = runId;
        m_name = nameId;
        m_mark.bind(1, runId).bind(2, nameId).bind(3, runId).exec();
    }
    void add(std::int64_t step, double v) {
        for (size_t l = 0; l < std::size(kTileLevels); ++l) {
            Current& c = m_current[l];
            const std::int64_t tile = step >> kTileLevels[l].shift;
            if (!c.open || tile != c.tile) {
                write(l);
                c = {true, tile, step, step, v, v};
                continue;
            }
            if (v < c.minValue) {
                c.minValue = v;
                c.minStep = step;
            }
            if (v > c.maxValue) {
                c.maxValue = v;
                c.maxStep = step;
            }
        }
    }
    void finish() {
        for (size_t l = 0; l < std::size(kTileLevels); ++l) {
            write(l);
        }
    }

private:
    struct Current {
        bool open = false;
        std::int64_t tile = 0, minStep = 0, maxStep = 0;
        double minValue = 0, maxValue = 0;
    };
    void write(size_t l) {
        Current& c = m_current[l];
        if (!c.open) {
            return;
        }
        m_insert.bind(1, m_run).bind(2, m_name).bind(3, std::int64_t{kTileLevels[l].level}).bind(4, c.tile);
        m_insert.bind(5, c.minStep).bind(6, c.minValue).bind(7, c.maxStep).bind(8, c.maxValue).exec();
        c.open = false;
    }
    Stmt m_insert;
    Stmt m_mark;
    std::int64_t m_run = 0, m_name = 0;
    Current m_current[std::size(kTileLevels)];
};

/// Runs fn inside a savepoint (works inside and outside a transaction).
template <typename Fn>
void inSavepoint(sqlite3* db, Fn fn) {
    execSql(db, "SAVEPOINT anneal_tiles");
    try {
        fn();
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK TO anneal_tiles; RELEASE anneal_tiles", nullptr, nullptr, nullptr);
        throw;
    }
    execSql(db, "RELEASE anneal_tiles");
}

/// Feeds the rows of a (run_id, name_id, step, value) query ordered by run, name and step.
void build(sqlite3* db, Stmt& q) {
    TileBuilder b(db);
    std::int64_t run = -1, name = -1;
    bool first = true;
    while (q.step()) {
        const std::int64_t r = q.i64(0), n = q.i64(1);
        if (first || r != run || n != name) {
            run = r;
            name = n;
            first = false;
            b.start(run, name);
        }
        if (!q.null(3)) {
            const double v = q.real(3);
            if (std::isfinite(v)) {
                b.add(q.i64(2), v);
            }
        }
    }
    b.finish();
}

}  // namespace

bool hasTileTables(sqlite3* db) {
    Stmt q(db,
           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('metric_tiles', "
           "'metric_tile_marks')");
    return q.step() && q.i64(0) == 2;
}

void ensureTileTables(sqlite3* db) {
    if (!hasTileTables(db)) {
        execSql(db, kTileTables);
    }
}

void rebuildTiles(sqlite3* db, std::int64_t runId, std::int64_t nameId) {
    inSavepoint(db, [&] {
        Stmt(db, "DELETE FROM metric_tiles WHERE run_id = ? AND name_id = ?")
            .bind(1, runId)
            .bind(2, nameId)
            .exec();
        Stmt(db, "DELETE FROM metric_tile_marks WHERE run_id = ? AND name_id = ?")
            .bind(1, runId)
            .bind(2, nameId)
            .exec();
        // An empty curve is complete too: mark it even when the scan finds no row.
        Stmt(db, kMark).bind(1, runId).bind(2, nameId).bind(3, runId).exec();
        Stmt q(db,
               "SELECT run_id, name_id, step, value FROM metrics WHERE run_id = ? AND name_id = ? ORDER BY "
               "step");
        q.bind(1, runId).bind(2, nameId);
        build(db, q);
    });
}

void rebuildRunTiles(sqlite3* db, std::int64_t runId) {
    inSavepoint(db, [&] {
        if (runId >= 0) {
            deleteRunTiles(db, runId);
            Stmt q(db,
                   "SELECT run_id, name_id, step, value FROM metrics WHERE run_id = ? ORDER BY run_id, "
                   "name_id, step");
            q.bind(1, runId);
            build(db, q);
        } else {
            execSql(db, "DELETE FROM metric_tiles; DELETE FROM metric_tile_marks");
            Stmt q(db, "SELECT run_id, name_id, step, value FROM metrics ORDER BY run_id, name_id, step");
            build(db, q);
        }
    });
}

void deleteRunTiles(sqlite3* db, std::int64_t runId) {
    Stmt(db, "DELETE FROM metric_tiles WHERE run_id = ?").bind(1, runId).exec();
    Stmt(db, "DELETE FROM metric_tile_marks WHERE run_id = ?").bind(1, runId).exec();
}

void TileAccumulator::add(std::int64_t runId, std::int64_t nameId, std::int64_t step, double value) {
    if (!std::isfinite(value)) {
        return;  // stored as NULL; tiles summarise values only
    }
    for (const TileLevel& l : kTileLevels) {
        const Key key{runId, nameId, l.level, step >> l.shift};
        auto it = m_pending.find(key);
        if (it == m_pending.end()) {
            m_pending.emplace(key, Tile{step, step, value, value});
            continue;
        }
        Tile& t = it->second;
        // The rebuild's rule: strict comparisons in step order (the earliest extreme wins a tie).
        if (value < t.minValue || (value == t.minValue && step < t.minStep)) {
            t.minValue = value;
            t.minStep = step;
        }
        if (value > t.maxValue || (value == t.maxValue && step < t.maxStep)) {
            t.maxValue = value;
            t.maxStep = step;
        }
    }
}

void TileAccumulator::flush(sqlite3* db) {
    if (m_pending.empty()) {
        return;
    }
    // Curves met for the first time: a marked one is appended to; any other is rebuilt from its rows,
    // which include this batch's (the caller's transaction is still open).
    std::set<std::pair<std::int64_t, std::int64_t>> rebuilt;
    Stmt check(db,
               "SELECT 1 FROM metric_tile_marks m JOIN runs r ON r.id = m.run_id "
               "WHERE m.run_id = ? AND m.name_id = ? AND m.run_uuid = r.uuid");
    for (const auto& entry : m_pending) {
        const std::pair<std::int64_t, std::int64_t> curve{std::get<0>(entry.first), std::get<1>(entry.first)};
        if (m_marked.count(curve) || rebuilt.count(curve)) {
            continue;
        }
        check.bind(1, curve.first).bind(2, curve.second);
        const bool marked = check.step();
        check.reset();
        if (marked) {
            m_marked.insert(curve);
        } else {
            rebuildTiles(db, curve.first, curve.second);
            rebuilt.insert(curve);
        }
    }
    Stmt up(db, kUpsert);
    for (const auto& [key, t] : m_pending) {
        if (rebuilt.count({std::get<0>(key), std::get<1>(key)})) {
            continue;
        }
        up.bind(1, std::get<0>(key)).bind(2, std::get<1>(key)).bind(3, std::int64_t{std::get<2>(key)});
        up.bind(4, std::get<3>(key))
            .bind(5, t.minStep)
            .bind(6, t.minValue)
            .bind(7, t.maxStep)
            .bind(8, t.maxValue);
        up.exec();
    }
    m_marked.insert(rebuilt.begin(), rebuilt.end());
    m_pending.clear();
}

void TileAccumulator::clear() {
    m_pending.clear();
    m_marked.clear();
}

}  // namespace anneal::store
