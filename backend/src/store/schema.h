// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Schema creation and migrations (docs/STORAGE.md). Version 1 is the first; each later version adds
// one migration function that runs inside the same transaction as the version bump.

#include <SQLiteCpp/Database.h>
#include <string>

namespace anneal::store {

/// Version stored in the file, 0 for an empty database. Throws Storage when the file is not SQLite
/// or is SQLite but not an Anneal database.
int readSchemaVersion(SQLite::Database& db, const std::string& path);
/// Creates the current schema in an empty database (one transaction); does nothing when another
/// connection created it since the caller read version 0.
void createSchema(SQLite::Database& db);
/// Migrates an older schema to the current version in one IMMEDIATE transaction: reads the version
/// under the write lock, backs the file at dbPath up to `backupPath` (read through a second
/// connection while the lock is held, so the copy is exactly the old file; checked, or Storage is
/// thrown and nothing changes), runs every migration and bumps the version. Returns false when the
/// file was already current (another connection migrated it first).
bool migrate(SQLite::Database& db, const std::string& dbPath, const std::string& backupPath);
/// WAL, synchronous=NORMAL, foreign keys, busy timeout.
void configureConnection(SQLite::Database& db, bool readOnly, int busyTimeoutMs);

}  // namespace anneal::store
