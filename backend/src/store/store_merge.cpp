// SPDX-License-Identifier: GPL-3.0-or-later
// Merging database shards (Slurm array tasks write one each) into one database.
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "anneal/error.h"
#include "anneal/store.h"
#include "store/metric_tiles.h"
#include "store/store_impl.h"

namespace anneal {

namespace {

// Columns of runs copied as they are (id, parent_id and branch_checkpoint_id are remapped).
const char* kRunCopyColumns =
    "uuid, name, group_name, kind, branch_step, status, spec_toml, config_toml, overrides, seed, device, "
    "version, "
    "created_at, started_at, ended_at, heartbeat_at, host, pid, proc_start, steps_total, steps_done, "
    "tokens_done, "
    "wall_seconds, message, message_step, n_params, n_params_nonembed, flops_per_token, entropy_floor, tags";

void exec(SQLite::Database& db, const std::string& sql) { db.exec(sql); }

}  // namespace

MergeStats Store::mergeFrom(const std::string& shardPath) {
    // Validate the shard like any database: not SQLite, not Anneal, newer schema are refused here.
    {
        auto shard = Store::open(shardPath, Mode::ReadOnly);
        if (shard->schemaVersion() != m_impl->version) {
            throw Error(ErrorCode::Storage,
                        "shard has schema " + std::to_string(shard->schemaVersion()) + ", this database " +
                            std::to_string(m_impl->version) + ": open both with this Anneal first to migrate",
                        shardPath);
        }
    }
    MergeStats stats;
    SQLite::Database& db = *m_impl->db;
    try {
        {
            SQLite::Statement attach(db, "ATTACH DATABASE ? AS shard");
            attach.bind(1, shardPath);
            attach.exec();
        }
        struct Detach {
            SQLite::Database& db;
            ~Detach() {
                try {
                    db.exec("DETACH DATABASE shard");
                } catch (...) {
                }
            }
        } detach{db};
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        exec(db, "CREATE TEMP TABLE IF NOT EXISTS run_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)");
        exec(db, "CREATE TEMP TABLE IF NOT EXISTS name_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)");
        exec(db, "CREATE TEMP TABLE IF NOT EXISTS ckpt_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)");
        exec(db, "DELETE FROM temp.run_map; DELETE FROM temp.name_map; DELETE FROM temp.ckpt_map");

        // Runs: new rows for uuids this database does not have.
        SQLite::Statement runs(db, "SELECT id, uuid FROM shard.runs ORDER BY id");
        std::vector<std::int64_t> newRuns;
        while (runs.executeStep()) {
            const std::int64_t old = runs.getColumn(0).getInt64();
            SQLite::Statement exists(db, "SELECT id FROM main.runs WHERE uuid = ?");
            exists.bind(1, runs.getColumn(1).getString());
            if (exists.executeStep()) {
                ++stats.runsSkipped;
                continue;
            }
            SQLite::Statement ins(db, std::string("INSERT INTO main.runs(") + kRunCopyColumns + ") SELECT " +
                                          kRunCopyColumns + " FROM shard.runs WHERE id = ?");
            ins.bind(1, old);
            ins.exec();
            const std::int64_t id = db.getLastInsertRowid();
            SQLite::Statement map(db, "INSERT INTO temp.run_map(old, new) VALUES (?, ?)");
            map.bind(1, old);
            map.bind(2, id);
            map.exec();
            newRuns.push_back(id);
            ++stats.runsAdded;
        }
        // Metric names.
        exec(db, "INSERT OR IGNORE INTO main.metric_names(name) SELECT name FROM shard.metric_names");
        exec(db,
             "INSERT INTO temp.name_map(old, new) SELECT s.id, m.id FROM shard.metric_names s "
             "JOIN main.metric_names m ON m.name = s.name");
        // Checkpoints, one by one to map their ids.
        SQLite::Statement cps(
            db,
            "SELECT c.id, r.new, c.step, c.path, c.bytes, c.created_at, c.pinned FROM shard.checkpoints c "
            "JOIN temp.run_map r ON r.old = c.run_id ORDER BY c.id");
        while (cps.executeStep()) {
            SQLite::Statement ins(
                db,
                "INSERT INTO main.checkpoints(run_id, step, path, bytes, created_at, pinned) VALUES "
                "(?,?,?,?,?,?)");
            ins.bind(1, cps.getColumn(1).getInt64());
            ins.bind(2, cps.getColumn(2).getInt64());
            ins.bind(3, cps.getColumn(3).getString());
            ins.bind(4, cps.getColumn(4).getInt64());
            ins.bind(5, cps.getColumn(5).getDouble());
            ins.bind(6, cps.getColumn(6).getInt());
            ins.exec();
            SQLite::Statement map(db, "INSERT INTO temp.ckpt_map(old, new) VALUES (?, ?)");
            map.bind(1, cps.getColumn(0).getInt64());
            map.bind(2, db.getLastInsertRowid());
            map.exec();
        }
        // Parents and branch checkpoints point at the new ids (a parent outside the shard stays NULL).
        exec(db,
             "UPDATE main.runs SET "
             "parent_id = (SELECT m.new FROM temp.run_map m JOIN shard.runs s ON s.parent_id = m.old "
             "             JOIN temp.run_map me ON me.old = s.id WHERE me.new = main.runs.id), "
             "branch_checkpoint_id = (SELECT c.new FROM temp.ckpt_map c JOIN shard.runs s ON "
             "s.branch_checkpoint_id = c.old "
             "             JOIN temp.run_map me ON me.old = s.id WHERE me.new = main.runs.id) "
             "WHERE id IN (SELECT new FROM temp.run_map)");
        // Everything keyed by run.
        exec(db,
             "INSERT INTO main.run_domains SELECT r.new, d.idx, d.name, d.source, d.weight, d.entropy_rate, "
             "d.entropy_floor, d.description FROM shard.run_domains d JOIN temp.run_map r ON r.old = "
             "d.run_id");
        exec(db,
             "INSERT INTO main.metrics(run_id, name_id, step, value) SELECT r.new, n.new, m.step, m.value "
             "FROM shard.metrics m JOIN temp.run_map r ON r.old = m.run_id JOIN temp.name_map n ON n.old = "
             "m.name_id");
        stats.metricRows = db.getChanges();
        exec(db,
             "INSERT INTO main.steps SELECT r.new, s.step, s.tokens, s.wall FROM shard.steps s "
             "JOIN temp.run_map r ON r.old = s.run_id");
        exec(db,
             "INSERT INTO main.notices(run_id, step, kind, message, value) SELECT r.new, n.step, n.kind, "
             "n.message, "
             "n.value FROM shard.notices n JOIN temp.run_map r ON r.old = n.run_id ORDER BY n.id");
        exec(db,
             "INSERT INTO main.weight_chunks SELECT r.new, w.bucket, w.step, w.n, w.data FROM "
             "shard.weight_chunks w "
             "JOIN temp.run_map r ON r.old = w.run_id");
        exec(db,
             "INSERT INTO main.weight_stats SELECT r.new, w.step, w.domain, w.count, w.mean, w.std, w.min, "
             "w.max, "
             "w.q05, w.q25, w.q50, w.q75, w.q95, w.share, w.loss_mean, w.noisy_count, w.noisy_mean, w.hist "
             "FROM shard.weight_stats w JOIN temp.run_map r ON r.old = w.run_id");
        exec(db,
             "INSERT INTO main.annotations(run_id, step, text, created_at) SELECT r.new, a.step, a.text, "
             "a.created_at "
             "FROM shard.annotations a JOIN temp.run_map r ON r.old = a.run_id");
        // Fits: identical results are the same fit.
        exec(
            db,
            "INSERT INTO main.fits(name, law, created_at, version, source, objective, n_points, result_json) "
            "SELECT name, law, created_at, version, source, objective, n_points, result_json FROM shard.fits "
            "s "
            "WHERE NOT EXISTS (SELECT 1 FROM main.fits f WHERE f.result_json = s.result_json)");
        stats.fitsAdded = db.getChanges();
        if (store::hasTileTables(db.getHandle())) {
            for (std::int64_t id : newRuns) {
                store::rebuildRunTiles(db.getHandle(), id);  // the shard's tiles are not copied: ids differ
            }
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return stats;
}

}  // namespace anneal
