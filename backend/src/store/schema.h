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
/// Creates the current schema in an empty database (one transaction).
void createSchema(SQLite::Database& db);
/// Migrates from `from` to the current version in one transaction (the caller backs up first).
void migrate(SQLite::Database& db, int from);
/// WAL, synchronous=NORMAL, foreign keys, busy timeout.
void configureConnection(SQLite::Database& db, bool readOnly, int busyTimeoutMs);

}  // namespace anneal::store
