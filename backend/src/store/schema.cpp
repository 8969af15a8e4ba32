// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/schema.h"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <SQLiteCpp/Transaction.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <thread>

#include "anneal/error.h"
#include "anneal/store.h"

namespace anneal::store {

namespace {

// Version 1. Metrics are WITHOUT ROWID tables keyed (run, name, step): a run's curve is one range
// scan. Per-sample weights are blobs per (run, id bucket, snapshot step): a sample's history is one
// indexed query over its bucket (see weights_codec.h).
const char* kSchemaV1 = R"SQL(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    group_name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'trained',
    parent_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    branch_step INTEGER,
    branch_checkpoint_id INTEGER,
    status TEXT NOT NULL,
    spec_toml TEXT NOT NULL DEFAULT '',
    config_toml TEXT NOT NULL DEFAULT '',
    overrides TEXT NOT NULL DEFAULT '[]',
    seed INTEGER NOT NULL DEFAULT 0,
    device TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    ended_at REAL,
    heartbeat_at REAL,
    host TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL DEFAULT 0,
    proc_start INTEGER NOT NULL DEFAULT 0,
    steps_total INTEGER NOT NULL DEFAULT 0,
    steps_done INTEGER NOT NULL DEFAULT 0,
    tokens_done INTEGER NOT NULL DEFAULT 0,
    wall_seconds REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    message_step INTEGER,
    n_params INTEGER NOT NULL DEFAULT 0,
    n_params_nonembed INTEGER NOT NULL DEFAULT 0,
    flops_per_token REAL NOT NULL DEFAULT 0,
    entropy_floor REAL,
    tags TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX runs_parent ON runs(parent_id);
CREATE INDEX runs_group ON runs(group_name);
CREATE TABLE run_domains (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    weight REAL NOT NULL,
    entropy_rate REAL,
    entropy_floor REAL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
CREATE TABLE metric_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE metrics (
    run_id INTEGER NOT NULL,
    name_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, name_id, step)
) WITHOUT ROWID;
CREATE TABLE steps (
    run_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    wall REAL NOT NULL,
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    value REAL
);
CREATE INDEX notices_run ON notices(run_id, step);
CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at REAL NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0,
    UNIQUE (run_id, step)
);
CREATE TABLE weight_chunks (
    run_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    step INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_id, bucket, step)
) WITHOUT ROWID;
CREATE INDEX weight_chunks_step ON weight_chunks(run_id, step);
CREATE TABLE weight_stats (
    run_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    domain INTEGER NOT NULL,
    count INTEGER NOT NULL,
    mean REAL, std REAL, min REAL, max REAL,
    q05 REAL, q25 REAL, q50 REAL, q75 REAL, q95 REAL,
    share REAL,
    loss_mean REAL,
    noisy_count INTEGER NOT NULL DEFAULT 0,
    noisy_mean REAL,
    hist BLOB,
    PRIMARY KEY (run_id, step, domain)
) WITHOUT ROWID;
CREATE TABLE fits (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    law TEXT NOT NULL,
    created_at REAL NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    objective REAL,
    n_points INTEGER NOT NULL DEFAULT 0,
    result_json TEXT NOT NULL
);
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    text TEXT NOT NULL,
    created_at REAL NOT NULL
);
)SQL";

// Version 2: indexes that readers and the writer want. annotations(run_id, step): a run's notes are
// read by run (and deleting a run cascades into them); runs(status): every writable open looks for
// runs left `running`, and the run browser filters by status; runs(branch_checkpoint_id): the store
// writer's checkpoint retention skips checkpoints a branch started from, on every checkpoint.
const char* kMigrationV2 = R"SQL(
CREATE INDEX IF NOT EXISTS annotations_run ON annotations(run_id, step);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE INDEX IF NOT EXISTS runs_branch_checkpoint ON runs(branch_checkpoint_id)
    WHERE branch_checkpoint_id IS NOT NULL;
)SQL";

// Version 3: weight_chunks blobs may be format 2 (store/weights_codec.h: 10.3 bytes a sample instead
// of 15). Older blobs stay as they are and still read; the version bump makes an older Anneal refuse
// the file ("written by a newer Anneal") instead of calling its new blobs corrupt. No table changes.
const char* kMigrationV3 = R"SQL(
SELECT 1;
)SQL";

/// Schema changes after version 1, in order. A new database is version 1 plus all of them, so a
/// migrated file and a new one have the same schema.
struct Migration {
    int to;
    const char* sql;
};
const Migration kMigrations[] = {{2, kMigrationV2}, {3, kMigrationV3}};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == kSchemaVersion - 1,
              "every schema version after 1 needs its migration");

void applyMigrations(SQLite::Database& db, int from) {
    for (const auto& m : kMigrations) {
        if (from < m.to) {
            db.exec(m.sql);
        }
    }
}

bool hasTable(SQLite::Database& db, const char* name) {
    SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    q.bind(1, name);
    return q.executeStep();
}

}  // namespace

int readSchemaVersion(SQLite::Database& db, const std::string& path) {
    try {
        SQLite::Statement count(db, "SELECT count(*) FROM sqlite_master");
        count.executeStep();
        const int objects = count.getColumn(0).getInt();
        if (!hasTable(db, "schema_version")) {
            if (objects == 0) {
                return 0;
            }
            throw Error(ErrorCode::Storage,
                        "is an SQLite database but not an Anneal one (no schema_version table)", path,
                        "a database created by Anneal, or a new file");
        }
        SQLite::Statement q(db, "SELECT version FROM schema_version");
        if (!q.executeStep()) {
            throw Error(ErrorCode::Storage, "schema_version table is empty", path);
        }
        return q.getColumn(0).getInt();
    } catch (const SQLite::Exception& e) {
        const int code = e.getErrorCode() & 0xff;
        if (code == SQLITE_NOTADB) {
            throw Error(ErrorCode::Storage, "is not an SQLite database", path, "an Anneal database file");
        }
        if (code == SQLITE_CORRUPT) {
            throw Error(ErrorCode::Storage, std::string("database is corrupt: ") + e.what(), path);
        }
        if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM) {
            // Reading a WAL database needs its -wal and -shm files: in a read-only directory a writable
            // open cannot create them ("attempt to write a readonly database" is SQLite's wording).
            throw Error(ErrorCode::Storage,
                        std::string("cannot open the database for writing (read-only file or directory?): ") +
                            e.what(),
                        path, "a database file and directory you can write, or a read-only command");
        }
        throw Error(ErrorCode::Storage, std::string("cannot read the database: ") + e.what(), path);
    }
}

namespace {
int versionUnderLock(SQLite::Database& db) {
    if (!hasTable(db, "schema_version")) {
        return 0;
    }
    SQLite::Statement q(db, "SELECT version FROM schema_version");
    return q.executeStep() ? q.getColumn(0).getInt() : 0;
}
}  // namespace

void createSchema(SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Two processes (two `anneal-cli run`, the app and a sweep...) may open a new file at once: both
    // saw it empty, the first one to get the write lock creates the schema, the other finds it here.
    if (versionUnderLock(db) != 0) {
        tx.commit();
        return;
    }
    db.exec(kSchemaV1);
    applyMigrations(db, 1);
    SQLite::Statement v(db, "INSERT INTO schema_version(version) VALUES (?)");
    v.bind(1, kSchemaVersion);
    v.exec();
    db.exec("INSERT INTO meta(key, value) VALUES ('application', 'anneal')");
    tx.commit();
}

namespace {

/// Copies the committed content of dbPath into backupPath with SQLite's online backup, through a
/// second, read-only connection, and checks the copy holds schema `version`. Throws Storage naming
/// the backup. (SQLite::Database::backup ignores sqlite3_backup_step's result: run from a connection
/// inside a write transaction it silently wrote an empty file.)
void backupFile(const std::string& dbPath, const std::string& backupPath, int version) {
    const std::string tmp = backupPath + ".tmp";
    auto fail = [&](const std::string& why) {
        std::remove(tmp.c_str());
        throw Error(ErrorCode::Storage, "cannot back the database up before migrating it: " + why, backupPath,
                    "a writable directory with room for a copy of the database");
    };
    sqlite3* src = nullptr;
    sqlite3* dst = nullptr;
    std::remove(tmp.c_str());
    int rc = sqlite3_open_v2(dbPath.c_str(), &src, SQLITE_OPEN_READONLY, nullptr);
    if (rc == SQLITE_OK) {
        rc = sqlite3_open_v2(tmp.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    }
    std::string why;
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(src, 10000);
        sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
        if (!b) {
            why = sqlite3_errmsg(dst);
        } else {
            const int step = sqlite3_backup_step(b, -1);
            const int fin = sqlite3_backup_finish(b);
            if (step != SQLITE_DONE || fin != SQLITE_OK) {
                why = std::string(sqlite3_errstr(step != SQLITE_DONE ? step : fin));
            }
        }
    } else {
        why = sqlite3_errstr(rc);
    }
    if (why.empty()) {
        sqlite3_stmt* q = nullptr;
        const bool ok =
            sqlite3_prepare_v2(dst, "SELECT version FROM schema_version", -1, &q, nullptr) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == version;
        sqlite3_finalize(q);
        if (!ok) {
            why = "the copy does not hold schema version " + std::to_string(version);
        }
    }
    sqlite3_close(src);
    sqlite3_close(dst);
    if (!why.empty()) {
        fail(why);
    }
    if (std::rename(tmp.c_str(), backupPath.c_str()) != 0) {
        fail(std::string("cannot rename the copy into place: ") + std::strerror(errno));
    }
}

}  // namespace

bool migrate(SQLite::Database& db, const std::string& dbPath, const std::string& backupPath) {
    // The write lock first: a concurrent opener that migrated meanwhile is seen here, and nobody
    // writes between the backup and the migration.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int from = versionUnderLock(db);
    if (from >= kSchemaVersion) {
        tx.commit();
        return false;
    }
    if (from < 1) {
        throw Error(ErrorCode::Internal, "cannot migrate from schema version " + std::to_string(from));
    }
    // A reader sees the committed file, which nobody can change while this transaction holds the
    // write lock: the backup is exactly the old database.
    backupFile(dbPath, backupPath, from);
    applyMigrations(db, from);
    SQLite::Statement v(db, "UPDATE schema_version SET version = ?");
    v.bind(1, kSchemaVersion);
    v.exec();
    tx.commit();
    return true;
}

namespace {
/// Switching a new file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once,
/// without calling the busy handler, while another connection is opening the same new file (two
/// processes starting runs into a database that does not exist yet). Retry until the busy timeout.
void setWalMode(SQLite::Database& db, int busyTimeoutMs) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busyTimeoutMs);
    for (int attempt = 1;; ++attempt) {
        try {
            db.exec("PRAGMA journal_mode = WAL");
            return;
        } catch (const SQLite::Exception& e) {
            const int code = e.getErrorCode() & 0xff;
            if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) ||
                std::chrono::steady_clock::now() > deadline) {
                throw;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 * attempt, 50)));
    }
}
}  // namespace

void configureConnection(SQLite::Database& db, bool readOnly, int busyTimeoutMs) {
    db.setBusyTimeout(busyTimeoutMs);
    if (!readOnly) {
        setWalMode(db, busyTimeoutMs);
        db.exec("PRAGMA synchronous = NORMAL");
    }
    db.exec("PRAGMA foreign_keys = ON");
    // A database may come from someone else: its schema (triggers, views) must not call functions
    // with side effects. Extension loading stays disabled (SQLite's default; Anneal never enables it).
    db.exec("PRAGMA trusted_schema = OFF");
}

}  // namespace anneal::store
