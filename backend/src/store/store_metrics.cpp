// SPDX-License-Identifier: GPL-3.0-or-later
// Store: metric series and the step axis (names, counts, reads with a run's history, inserts).
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <cmath>
#include <limits>

#include "anneal/error.h"
#include "anneal/store.h"
#include "store/metric_tiles.h"
#include "store/sqlite_stmt.h"
#include "store/store_impl.h"

namespace anneal {

std::int64_t Store::metricCount(std::int64_t runId, const std::string& name) const {
    return guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db,
                            "SELECT count(*) FROM metrics WHERE run_id = ? AND name_id = "
                            "(SELECT id FROM metric_names WHERE name = ?)");
        q.bind(1, runId);
        q.bind(2, name);
        q.executeStep();
        return q.getColumn(0).getInt64();
    });
}

std::vector<std::string> Store::metricNames(std::int64_t runId) const {
    return guarded(m_impl->path, [&] {
        std::vector<std::string> out;
        // One index seek per known name, instead of reading every row of the run to find its distinct names
        // (a 1e6-step run has ~1e7 rows).
        SQLite::Statement q(
            *m_impl->db,
            "SELECT name FROM metric_names n WHERE EXISTS "
            "(SELECT 1 FROM metrics m WHERE m.run_id = ? AND m.name_id = n.id) ORDER BY name");
        q.bind(1, runId);
        while (q.executeStep()) {
            out.push_back(q.getColumn(0).getString());
        }
        return out;
    });
}

MetricSeries Store::metricSince(std::int64_t runId, const std::string& name, std::int64_t minStep) const {
    MetricSeries s;
    try {
        const std::int64_t id = m_impl->nameId(name, false);
        if (id < 0) {
            return s;
        }
        // The rows are read with the C API: SQLite::Statement::getColumn copies a shared pointer per
        // column, which costs as much as the row itself on a curve of millions of points.
        store::Stmt q(
            m_impl->db->getHandle(),
            "SELECT step, value FROM metrics WHERE run_id = ? AND name_id = ? AND step > ? ORDER BY step");
        q.bind(1, runId).bind(2, id).bind(3, minStep);
        while (q.step()) {
            s.steps.push_back(q.i64(0));
            const double v = q.real(1);
            s.values.push_back(v == 0.0 && q.null(1) ? std::nan("") : v);
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return s;
}

MetricSeries Store::metric(std::int64_t runId, const std::string& name, bool withHistory) const {
    if (!withHistory) {
        return metricSince(runId, name, std::numeric_limits<std::int64_t>::min());
    }
    MetricSeries out;
    for (const HistorySegment& g : branchHistory(runId)) {
        const MetricSeries own = metricSince(g.runId, name, std::numeric_limits<std::int64_t>::min());
        for (size_t i = 0; i < own.steps.size() && own.steps[i] < g.below; ++i) {
            out.steps.push_back(own.steps[i]);
            out.values.push_back(own.values[i]);
        }
    }
    return out;
}

StepAxis Store::stepAxis(std::int64_t runId, bool withHistory) const {
    StepAxis a;
    const std::vector<HistorySegment> history =
        withHistory
            ? branchHistory(runId)
            : std::vector<HistorySegment>{{runId, std::nullopt, std::numeric_limits<std::int64_t>::max()}};
    try {
        store::Stmt q(m_impl->db->getHandle(),
                      "SELECT step, tokens, wall FROM steps WHERE run_id = ? AND step < ? ORDER BY step");
        for (const HistorySegment& g : history) {
            q.reset();
            q.bind(1, g.runId).bind(2, g.below);
            while (q.step()) {  // C API per row, as in metricSince
                a.steps.push_back(q.i64(0));
                a.tokens.push_back(q.i64(1));
                a.wall.push_back(q.real(2));
            }
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return a;
}

void Store::insertMetrics(std::int64_t runId, const std::string& name, const MetricSeries& series) {
    try {
        SQLite::Transaction tx(*m_impl->db, SQLite::TransactionBehavior::IMMEDIATE);
        const std::int64_t id = m_impl->nameId(name, true);
        SQLite::Statement q(*m_impl->db,
                            "INSERT OR REPLACE INTO metrics(run_id, name_id, step, value) VALUES (?,?,?,?)");
        for (size_t i = 0; i < series.steps.size(); ++i) {
            q.bind(1, runId);
            q.bind(2, id);
            q.bind(3, series.steps[i]);
            std::isfinite(series.values[i]) ? q.bind(4, series.values[i]) : q.bind(4);
            q.exec();
            q.reset();
        }
        if (store::hasTileTables(m_impl->db->getHandle())) {
            store::rebuildTiles(m_impl->db->getHandle(), runId, id);  // values may have been replaced
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

void Store::insertStepAxis(std::int64_t runId, const StepAxis& axis) {
    try {
        SQLite::Transaction tx(*m_impl->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_impl->db,
                            "INSERT OR REPLACE INTO steps(run_id, step, tokens, wall) VALUES (?,?,?,?)");
        for (size_t i = 0; i < axis.steps.size(); ++i) {
            q.bind(1, runId);
            q.bind(2, axis.steps[i]);
            q.bind(3, i < axis.tokens.size() ? axis.tokens[i] : 0);
            q.bind(4, i < axis.wall.size() ? axis.wall[i] : 0.0);
            q.exec();
            q.reset();
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

}  // namespace anneal
