// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A prepared statement on a raw sqlite3 handle, for code that works on a connection it does not own
// (Store::handle()) and for row loops where SQLite::Statement's per-column objects cost as much as the
// rows. Errors throw SQLite::Exception, as SQLiteCpp does, so callers keep their usual catch.

#include <SQLiteCpp/Exception.h>
#include <cstdint>
#include <sqlite3.h>
#include <string>

namespace anneal::store {

class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) : m_db(db) {
        const int rc = sqlite3_prepare_v2(db, sql, -1, &m_s, nullptr);
        if (rc != SQLITE_OK) {
            throw SQLite::Exception(db, rc);
        }
    }
    ~Stmt() { sqlite3_finalize(m_s); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    sqlite3_stmt* get() const { return m_s; }
    Stmt& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(m_s, i, v);
        return *this;
    }
    Stmt& bind(int i, double v) {
        sqlite3_bind_double(m_s, i, v);
        return *this;
    }
    Stmt& bind(int i, const std::string& v) {
        sqlite3_bind_text(m_s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    /// true: a row is ready; false: done.
    bool step() {
        const int rc = sqlite3_step(m_s);
        if (rc == SQLITE_ROW) {
            return true;
        }
        if (rc != SQLITE_DONE) {
            throw SQLite::Exception(m_db, rc);
        }
        return false;
    }
    /// Runs a statement that returns no rows, then resets it.
    void exec() {
        step();
        reset();
    }
    void reset() {
        sqlite3_reset(m_s);
        sqlite3_clear_bindings(m_s);
    }
    std::int64_t i64(int c) const { return sqlite3_column_int64(m_s, c); }
    double real(int c) const { return sqlite3_column_double(m_s, c); }
    bool null(int c) const { return sqlite3_column_type(m_s, c) == SQLITE_NULL; }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_s = nullptr;
};

/// Runs SQL that returns no rows (several statements allowed).
inline void execSql(sqlite3* db, const char* sql) {
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        throw SQLite::Exception(db, rc);
    }
}

}  // namespace anneal::store
