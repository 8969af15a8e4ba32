// SPDX-License-Identifier: GPL-3.0-or-later
// Imported curves and stored fits.
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "anneal/error.h"
#include "anneal/store.h"
#include "anneal/version.h"
#include "store/metric_tiles.h"
#include "store/store_impl.h"

namespace anneal {

std::int64_t Store::importRun(const NewRun& run,
                              const std::vector<std::pair<std::string, MetricSeries>>& metrics,
                              const StepAxis& axis) {
    try {
        SQLite::Transaction tx(*m_impl->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(
            *m_impl->db,
            "INSERT INTO runs(uuid, name, group_name, kind, status, spec_toml, config_toml, version, "
            "created_at, ended_at, steps_total, steps_done, tokens_done, n_params, n_params_nonembed, "
            "tags) VALUES (lower(hex(randomblob(16))), ?, ?, 'imported', 'completed', ?, '', ?, ?, ?, ?, ?, "
            "?, ?, ?, ?)");
        const double now = nowSeconds();
        const std::int64_t last = axis.steps.empty() ? 0 : axis.steps.back() + 1;
        q.bind(1, run.name);
        q.bind(2, run.group);
        q.bind(3, run.specToml);
        q.bind(4, kVersion);
        q.bind(5, now);
        q.bind(6, now);
        q.bind(7, last);
        q.bind(8, last);
        q.bind(9, axis.tokens.empty() ? std::int64_t{0} : axis.tokens.back());
        q.bind(10, run.params);
        q.bind(11, run.paramsNonEmbedding);
        q.bind(12, nlohmann::json(run.tags).dump());
        q.exec();
        const std::int64_t id = m_impl->db->getLastInsertRowid();
        SQLite::Statement m(*m_impl->db,
                            "INSERT INTO metrics(run_id, name_id, step, value) VALUES (?,?,?,?)");
        for (const auto& [name, series] : metrics) {
            const std::int64_t nameId = m_impl->nameId(name, true);
            for (size_t i = 0; i < series.steps.size(); ++i) {
                m.bind(1, id);
                m.bind(2, nameId);
                m.bind(3, series.steps[i]);
                std::isfinite(series.values[i]) ? m.bind(4, series.values[i]) : m.bind(4);
                m.exec();
                m.reset();
            }
        }
        SQLite::Statement a(*m_impl->db, "INSERT INTO steps(run_id, step, tokens, wall) VALUES (?,?,?,?)");
        for (size_t i = 0; i < axis.steps.size(); ++i) {
            a.bind(1, id);
            a.bind(2, axis.steps[i]);
            a.bind(3, i < axis.tokens.size() ? axis.tokens[i] : std::int64_t{0});
            a.bind(4, i < axis.wall.size() ? axis.wall[i] : 0.0);
            a.exec();
            a.reset();
        }
        if (store::hasTileTables(m_impl->db->getHandle())) {
            store::rebuildRunTiles(m_impl->db->getHandle(), id);
        }
        tx.commit();
        return id;
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

std::int64_t Store::saveFit(const FitRecord& f) {
    try {
        SQLite::Statement q(
            *m_impl->db,
            "INSERT INTO fits(name, law, created_at, version, source, objective, n_points, result_json) "
            "VALUES (?,?,?,?,?,?,?,?)");
        q.bind(1, f.name);
        q.bind(2, f.law);
        q.bind(3, f.createdAt > 0 ? f.createdAt : nowSeconds());
        q.bind(4, f.version.empty() ? std::string(kVersion) : f.version);
        q.bind(5, f.source);
        std::isfinite(f.objective) ? q.bind(6, f.objective) : q.bind(6);
        q.bind(7, f.nPoints);
        q.bind(8, f.resultJson);
        q.exec();
        return m_impl->db->getLastInsertRowid();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

namespace {
FitRecord readFit(SQLite::Statement& q) {
    FitRecord f;
    f.id = q.getColumn(0).getInt64();
    f.name = q.getColumn(1).getString();
    f.law = q.getColumn(2).getString();
    f.createdAt = q.getColumn(3).getDouble();
    f.version = q.getColumn(4).getString();
    f.source = q.getColumn(5).getString();
    f.objective = realOr(q.getColumn(6), std::nan(""));
    f.nPoints = q.getColumn(7).getInt64();
    f.resultJson = q.getColumn(8).getString();
    return f;
}
const char* kFitColumns = "id, name, law, created_at, version, source, objective, n_points, result_json";
}  // namespace

std::vector<FitRecord> Store::listFits() const {
    std::vector<FitRecord> out;
    try {
        SQLite::Statement q(*m_impl->db, std::string("SELECT ") + kFitColumns + " FROM fits ORDER BY id");
        while (q.executeStep()) {
            out.push_back(readFit(q));
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return out;
}

FitRecord Store::fitRecord(std::int64_t fitId) const {
    try {
        SQLite::Statement q(*m_impl->db, std::string("SELECT ") + kFitColumns + " FROM fits WHERE id = ?");
        q.bind(1, fitId);
        if (!q.executeStep()) {
            throw Error(ErrorCode::NotFound,
                        "no fit with id " + std::to_string(fitId) + " in " + m_impl->path, "--fit",
                        "an id listed by `anneal-cli fits`");
        }
        return readFit(q);
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

}  // namespace anneal
