// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <chrono>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <unistd.h>

#include "anneal/error.h"
#include "anneal/version.h"
#include "core/user_dirs.h"
#include "store/metric_tiles.h"
#include "store/process_info.h"
#include "store/schema.h"
#include "store/store_impl.h"

namespace fs = std::filesystem;

namespace anneal {

double nowSeconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string hostName() {
    char buf[256] = {0};
    if (::gethostname(buf, sizeof buf - 1) != 0) {
        return "localhost";
    }
    return buf;
}

std::string defaultDatabasePath() {
    return userPath("ANNEAL_DB", XdgBase::Data, "anneal.db",
                    (fs::temp_directory_path() / "anneal" / "anneal.db").string());
}

std::string checkpointDirFor(const std::string& dbPath, const std::string& runUuid) {
    // The uuid comes from the database, which may be someone else's: it names a directory, so it
    // must be a uuid (no '/', no '..'), or a crafted row would make a run write its checkpoints, and
    // delete old ones, anywhere.
    static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    if (!std::regex_match(runUuid, uuid)) {
        throw Error(ErrorCode::Storage,
                    "a run's uuid \"" + runUuid + "\" is not a uuid (the database was altered)", dbPath,
                    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    }
    // Absolute, so the paths stored in checkpoint rows resolve from any working directory.
    const fs::path db = fs::absolute(dbPath).lexically_normal();
    return (db.parent_path() / (db.stem().string() + "-checkpoints") / ("run-" + runUuid)).string();
}

Error store::storageError(const std::string& path, const SQLite::Exception& e) {
    const int code = e.getErrorCode() & 0xff;
    std::string what = e.what();
    if (code == SQLITE_FULL) {
        what = "the disk is full: " + what;
    } else if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM) {
        what = "cannot write here (read-only file or directory?): " + what;
    } else if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        what = "database is busy: " + what;
    }
    return Error(ErrorCode::Storage, what, path);
}

namespace {

/// Whether a read-only open must use immutable=1: a WAL-mode file (header bytes 18-19 = 2) without
/// a -shm file, in a directory this process cannot write, with no -wal content.
bool needsImmutableOpen(const std::string& path) {
    std::error_code ec;
    const fs::path p(path);
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    if (fs::exists(path + "-shm", ec) || ::access(dir.c_str(), W_OK) == 0) {
        return false;
    }
    if (fs::exists(path + "-wal", ec) && fs::file_size(path + "-wal", ec) > 0) {
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    char header[20] = {0};
    in.read(header, sizeof header);
    return in && header[18] == 2 && header[19] == 2;
}

/// file: URI of a path with immutable=1 (RFC 3986: everything but unreserved characters and '/' is
/// percent-encoded).
std::string immutableUri(const std::string& path) {
    std::string uri = "file:";
    for (unsigned char c : fs::absolute(path).string()) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            uri += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            uri += buf;
        }
    }
    return uri + "?immutable=1";
}

}  // namespace

Store::Store() : m_impl(std::make_unique<Impl>()) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::string& path, Mode mode) {
    std::unique_ptr<Store> s(new Store());
    Impl& m = *s->m_impl;
    m.path = path;
    m.readOnly = mode == Mode::ReadOnly;
    const bool existed = fs::exists(path);
    if (m.readOnly && !existed) {
        throw Error(ErrorCode::NotFound, "database does not exist", path);
    }
    if (existed && fs::is_directory(path)) {
        throw Error(ErrorCode::Storage, "is a directory, not a database file", path);
    }
    try {
        if (!existed && !fs::path(path).parent_path().empty()) {
            fs::create_directories(fs::path(path).parent_path());
        }
    } catch (const fs::filesystem_error& e) {
        throw Error(ErrorCode::Storage, std::string("cannot create the database's directory: ") + e.what(),
                    path);
    }
    try {
        if (m.readOnly && needsImmutableOpen(path)) {
            // A WAL database in a directory this process cannot write (a colleague's results, a
            // read-only mount) cannot get its -shm file; with no -wal content to read, opening it as
            // immutable reads exactly what is committed. Nothing else can write there either.
            m.db = std::make_unique<SQLite::Database>(immutableUri(path),
                                                      SQLite::OPEN_READONLY | SQLite::OPEN_URI, 10000);
        } else {
            const int flags =
                m.readOnly ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            m.db = std::make_unique<SQLite::Database>(path, flags, 10000);
        }
        // Read the version before anything that could write to the file (WAL mode does).
        m.version = store::readSchemaVersion(*m.db, path);
        if (m.version > kSchemaVersion) {
            throw Error(ErrorCode::SchemaTooNew,
                        "was written by a newer Anneal (schema " + std::to_string(m.version) +
                            ", this build reads up to " + std::to_string(kSchemaVersion) +
                            "); it was not changed",
                        path, "upgrade Anneal to open it");
        }
        if (m.readOnly) {
            store::configureConnection(*m.db, true, 10000);
            if (m.version == 0) {
                throw Error(ErrorCode::Storage, "is empty (not an Anneal database yet)", path);
            }
            return s;
        }
        store::configureConnection(*m.db, false, 10000);
        if (m.version == 0) {
            // Another process may have created it since: read what is there now.
            store::createSchema(*m.db);
            m.version = store::readSchemaVersion(*m.db, path);
            if (m.version > kSchemaVersion) {
                throw Error(ErrorCode::SchemaTooNew,
                            "was just created by a newer Anneal (schema " + std::to_string(m.version) + ")",
                            path, "upgrade Anneal to open it");
            }
        }
        if (m.version < kSchemaVersion) {
            store::migrate(*m.db, path, path + ".bak-schema" + std::to_string(m.version));
            m.version = kSchemaVersion;
        }
        store::ensureTileTables(m.db->getHandle());
        s->recoverInterruptedRuns();
    } catch (const SQLite::Exception& e) {
        if ((e.getErrorCode() & 0xff) == SQLITE_NOTADB) {
            throw Error(ErrorCode::Storage, "is not an SQLite database", path, "an Anneal database file");
        }
        throw store::storageError(path, e);
    }
    return s;
}

const std::string& Store::path() const { return m_impl->path; }
int Store::schemaVersion() const { return m_impl->version; }
void* Store::handle() const { return m_impl->db->getHandle(); }

std::int64_t Store::dataVersion() const {
    return guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db, "PRAGMA data_version");
        q.executeStep();
        return q.getColumn(0).getInt64();
    });
}

}  // namespace anneal
