// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <SQLiteCpp/Transaction.h>
#include <chrono>
#include <cmath>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <unistd.h>

#include "anneal/error.h"
#include "anneal/version.h"
#include "store/metric_tiles.h"
#include "store/process_info.h"
#include "store/schema.h"
#include "store/sqlite_stmt.h"
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
    if (const char* p = std::getenv("ANNEAL_DB"); p && *p) {
        return p;
    }
    fs::path base;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) {
        base = x;
    } else if (const char* h = std::getenv("HOME"); h && *h) {
        base = fs::path(h) / ".local" / "share";
    } else {
        base = fs::temp_directory_path();
    }
    return (base / "anneal" / "anneal.db").string();
}

std::string checkpointDirFor(const std::string& dbPath, const std::string& runUuid) {
    // The uuid comes from the database, which may be someone else's: it names a directory, so it
    // must be a uuid (no '/', no '..'), or a crafted row would make a run write its checkpoints, and
    // delete old ones, anywhere.
    static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    if (!std::regex_match(runUuid, uuid)) {
        throw Error(ErrorCode::Storage, "a run's uuid \"" + runUuid + "\" is not a uuid (the database was altered)",
                    dbPath, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    }
    // Absolute, so the paths stored in checkpoint rows resolve from any working directory.
    const fs::path db = fs::absolute(dbPath).lexically_normal();
    return (db.parent_path() / (db.stem().string() + "-checkpoints") / ("run-" + runUuid)).string();
}

namespace {

std::string newUuid() {
    std::random_device rd;
    std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    const std::uint64_t a = gen();
    const std::uint64_t b = gen();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return buf;
}

}  // namespace

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

const char* kRunColumns =
    "id, uuid, name, group_name, kind, parent_id, branch_step, branch_checkpoint_id, status, spec_toml, "
    "config_toml, overrides, seed, device, version, created_at, started_at, ended_at, heartbeat_at, host, pid, "
    "proc_start, steps_total, steps_done, tokens_done, message, message_step, n_params, n_params_nonembed, "
    "flops_per_token, entropy_floor, tags, wall_seconds, "
    "(SELECT n.kind = 'paused' FROM notices n WHERE n.run_id = runs.id AND n.kind IN ('paused', 'resumed') "
    "ORDER BY n.id DESC LIMIT 1)";

/// The same columns with empty strings for the two config texts (spec_toml, config_toml): the run
/// list re-read every few seconds need not copy every run's TOML. Spelled out as a literal so that
/// every SQL text in the store is a constant (tests/reliability/test_security.cpp checks that);
/// keep it in step with kRunColumns.
const char* kRunColumnsWithoutConfig =
    "id, uuid, name, group_name, kind, parent_id, branch_step, branch_checkpoint_id, status, '', "
    "'', overrides, seed, device, version, created_at, started_at, ended_at, heartbeat_at, host, pid, "
    "proc_start, steps_total, steps_done, tokens_done, message, message_step, n_params, n_params_nonembed, "
    "flops_per_token, entropy_floor, tags, wall_seconds, "
    "(SELECT n.kind = 'paused' FROM notices n WHERE n.run_id = runs.id AND n.kind IN ('paused', 'resumed') "
    "ORDER BY n.id DESC LIMIT 1)";

/// Runs f, turning SQLite's exceptions into the store's anneal::Error that names the database (what
/// the API promises; a bare SQLite::Exception reached the CLI as "attempt to write a readonly
/// database" without the file, and the GUI does not catch it as a storage error).
template <typename F>
auto guarded(const std::string& path, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(path, e);
    }
}

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
        throw Error(ErrorCode::Storage, std::string("cannot create the database's directory: ") + e.what(), path);
    }
    try {
        if (m.readOnly && needsImmutableOpen(path)) {
            // A WAL database in a directory this process cannot write (a colleague's results, a
            // read-only mount) cannot get its -shm file; with no -wal content to read, opening it as
            // immutable reads exactly what is committed. Nothing else can write there either.
            m.db = std::make_unique<SQLite::Database>(immutableUri(path), SQLite::OPEN_READONLY | SQLite::OPEN_URI,
                                                      10000);
        } else {
            const int flags = m.readOnly ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            m.db = std::make_unique<SQLite::Database>(path, flags, 10000);
        }
        // Read the version before anything that could write to the file (WAL mode does).
        m.version = store::readSchemaVersion(*m.db, path);
        if (m.version > kSchemaVersion) {
            throw Error(ErrorCode::SchemaTooNew,
                        "was written by a newer Anneal (schema " + std::to_string(m.version) + ", this build reads up to " +
                            std::to_string(kSchemaVersion) + "); it was not changed",
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
                            "was just created by a newer Anneal (schema " + std::to_string(m.version) + ")", path,
                            "upgrade Anneal to open it");
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

std::int64_t Store::createRun(const NewRun& r) {
    try {
        SQLite::Transaction tx(*m_impl->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_impl->db,
                            "INSERT INTO runs(uuid, name, group_name, kind, parent_id, branch_step, "
                            "branch_checkpoint_id, status, spec_toml, config_toml, overrides, seed, device, version, "
                            "created_at, steps_total, n_params, n_params_nonembed, flops_per_token, entropy_floor, tags) "
                            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        int i = 1;
        q.bind(i++, newUuid());
        q.bind(i++, r.name);
        q.bind(i++, r.group);
        q.bind(i++, r.kind);
        r.parentId ? q.bind(i++, *r.parentId) : q.bind(i++);
        r.branchStep ? q.bind(i++, *r.branchStep) : q.bind(i++);
        r.branchCheckpointId ? q.bind(i++, *r.branchCheckpointId) : q.bind(i++);
        q.bind(i++, runStatusName(RunStatus::Created));
        q.bind(i++, r.specToml);
        q.bind(i++, r.configToml);
        q.bind(i++, r.overridesJson);
        q.bind(i++, static_cast<std::int64_t>(r.seed));
        q.bind(i++, r.device);
        q.bind(i++, kVersion);
        q.bind(i++, nowSeconds());
        q.bind(i++, r.stepsTotal);
        q.bind(i++, r.params);
        q.bind(i++, r.paramsNonEmbedding);
        q.bind(i++, r.flopsPerToken);
        std::isfinite(r.entropyFloor) ? q.bind(i++, r.entropyFloor) : q.bind(i++);
        q.bind(i++, nlohmann::json(r.tags).dump());
        q.exec();
        const std::int64_t id = m_impl->db->getLastInsertRowid();
        SQLite::Statement d(*m_impl->db,
                            "INSERT INTO run_domains(run_id, idx, name, source, weight, entropy_rate, entropy_floor, "
                            "description) VALUES (?,?,?,?,?,?,?,?)");
        for (size_t k = 0; k < r.domains.size(); ++k) {
            const DomainRecord& dom = r.domains[k];
            d.bind(1, id);
            d.bind(2, static_cast<std::int64_t>(k));
            d.bind(3, dom.name);
            d.bind(4, dom.source);
            d.bind(5, dom.weight);
            std::isfinite(dom.entropyRate) ? d.bind(6, dom.entropyRate) : d.bind(6);
            std::isfinite(dom.entropyFloor) ? d.bind(7, dom.entropyFloor) : d.bind(7);
            d.bind(8, dom.description);
            d.exec();
            d.reset();
        }
        tx.commit();
        return id;
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

void Store::markRunning(std::int64_t runId) {
    try {
        SQLite::Statement q(*m_impl->db,
                            "UPDATE runs SET status = 'running', started_at = coalesce(started_at, ?), heartbeat_at = ?, "
                            "host = ?, pid = ?, proc_start = ?, message = '', message_step = NULL, ended_at = NULL "
                            "WHERE id = ?");
        const double now = nowSeconds();
        q.bind(1, now);
        q.bind(2, now);
        q.bind(3, hostName());
        q.bind(4, store::currentPid());
        q.bind(5, store::processStartTime(store::currentPid()));
        q.bind(6, runId);
        q.exec();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

void Store::setRunStatus(std::int64_t runId, RunStatus status, const std::string& message,
                         std::optional<std::int64_t> step) {
    try {
        const bool terminal = status != RunStatus::Running && status != RunStatus::Created;
        SQLite::Statement q(*m_impl->db,
                            "UPDATE runs SET status = ?, message = ?, message_step = ?, "
                            "ended_at = CASE WHEN ? THEN ? ELSE ended_at END WHERE id = ?");
        q.bind(1, runStatusName(status));
        q.bind(2, message);
        step ? q.bind(3, *step) : q.bind(3);
        q.bind(4, terminal ? 1 : 0);
        q.bind(5, nowSeconds());
        q.bind(6, runId);
        q.exec();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

void Store::setRunName(std::int64_t runId, const std::string& name) {
    guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db, "UPDATE runs SET name = ? WHERE id = ?");
        q.bind(1, name);
        q.bind(2, runId);
        q.exec();
    });
}

void Store::setRunTags(std::int64_t runId, const std::vector<std::string>& tags) {
    guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db, "UPDATE runs SET tags = ? WHERE id = ?");
        q.bind(1, nlohmann::json(tags).dump());
        q.bind(2, runId);
        q.exec();
    });
}

std::int64_t Store::dataVersion() const {
    return guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db, "PRAGMA data_version");
        q.executeStep();
        return q.getColumn(0).getInt64();
    });
}

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

std::vector<RunRecord> Store::listRuns(bool withConfig) const {
    std::vector<RunRecord> out;
    try {
        SQLite::Statement q(*m_impl->db, withConfig
                                             ? std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id"
                                             : std::string("SELECT ") + kRunColumnsWithoutConfig + " FROM runs ORDER BY id");
        while (q.executeStep()) {
            out.push_back(m_impl->readRun(q));
        }
        // Every run's domains in one ordered scan (runs are in id order too), not one query per run.
        SQLite::Statement d(*m_impl->db,
                            "SELECT run_id, name, source, weight, entropy_rate, entropy_floor, description "
                            "FROM run_domains ORDER BY run_id, idx");
        size_t at = 0;
        while (d.executeStep()) {
            const std::int64_t runId = d.getColumn(0).getInt64();
            while (at < out.size() && out[at].id < runId) {
                ++at;
            }
            if (at == out.size()) {
                break;
            }
            if (out[at].id == runId) {
                out[at].domains.push_back({d.getColumn(1).getString(), d.getColumn(2).getString(),
                                           d.getColumn(3).getDouble(), realOr(d.getColumn(4), std::nan("")),
                                           realOr(d.getColumn(5), std::nan("")), d.getColumn(6).getString()});
            }
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return out;
}

std::optional<RunRecord> Store::findRun(std::int64_t runId) const {
    try {
        SQLite::Statement q(*m_impl->db, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
        q.bind(1, runId);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        RunRecord r = m_impl->readRun(q);
        m_impl->loadDomains(r);
        return r;
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

RunRecord Store::run(std::int64_t runId) const {
    auto r = findRun(runId);
    if (!r) {
        throw Error(ErrorCode::NotFound, "no run with id " + std::to_string(runId) + " in " + m_impl->path, "RUN_ID",
                    "an id listed by `anneal-cli runs`");
    }
    return *r;
}

int Store::recoverInterruptedRuns(double staleSeconds) {
    if (m_impl->readOnly) {
        return 0;
    }
    struct Candidate {
        std::int64_t id;
        std::int64_t steps;
    };
    std::vector<Candidate> dead;
    guarded(m_impl->path, [&] {
        SQLite::Statement q(*m_impl->db,
                            "SELECT id, host, pid, proc_start, heartbeat_at, steps_done FROM runs WHERE status = 'running'");
        while (q.executeStep()) {
            if (Impl::isDead(q.getColumn(1).getString(), q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                             realOr(q.getColumn(4), 0), staleSeconds)) {
                dead.push_back({q.getColumn(0).getInt64(), q.getColumn(5).getInt64()});
            }
        }
    });
    for (const auto& d : dead) {
        setRunStatus(d.id, RunStatus::Interrupted,
                     "the process writing this run ended without finishing it (killed or crashed); "
                     "`anneal-cli resume " + std::to_string(d.id) + "` continues from its last checkpoint",
                     d.steps);
    }
    return static_cast<int>(dead.size());
}

void Store::deleteRun(std::int64_t runId) {
    try {
        SQLite::Transaction tx(*m_impl->db, SQLite::TransactionBehavior::IMMEDIATE);
        for (const char* sql : {"DELETE FROM metrics WHERE run_id = ?", "DELETE FROM steps WHERE run_id = ?",
                                "DELETE FROM weight_chunks WHERE run_id = ?", "DELETE FROM weight_stats WHERE run_id = ?",
                                "DELETE FROM runs WHERE id = ?"}) {
            SQLite::Statement q(*m_impl->db, sql);
            q.bind(1, runId);
            q.exec();
        }
        if (store::hasTileTables(m_impl->db->getHandle())) {
            store::deleteRunTiles(m_impl->db->getHandle(), runId);
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
}

std::vector<std::string> Store::metricNames(std::int64_t runId) const {
    return guarded(m_impl->path, [&] {
        std::vector<std::string> out;
        // One index seek per known name, instead of reading every row of the run to find its distinct names
        // (a 1e6-step run has ~1e7 rows).
        SQLite::Statement q(*m_impl->db,
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
        store::Stmt q(m_impl->db->getHandle(),
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
        withHistory ? branchHistory(runId)
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
        SQLite::Statement q(*m_impl->db, "INSERT OR REPLACE INTO metrics(run_id, name_id, step, value) VALUES (?,?,?,?)");
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
        SQLite::Statement q(*m_impl->db, "INSERT OR REPLACE INTO steps(run_id, step, tokens, wall) VALUES (?,?,?,?)");
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
    "c.id, c.run_id, c.step, c.path, c.bytes, c.created_at, c.pinned, r.uuid FROM checkpoints c JOIN runs r ON r.id = "
    "c.run_id";
}  // namespace

std::vector<CheckpointRecord> Store::checkpoints(std::int64_t runId) const {
    return guarded(m_impl->path, [&] {
        std::vector<CheckpointRecord> out;
        SQLite::Statement q(*m_impl->db,
                            std::string("SELECT ") + kCheckpointColumns + " WHERE c.run_id = ? ORDER BY c.step");
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
        SQLite::Statement q(*m_impl->db,
                            std::string("SELECT ") + kCheckpointColumns + " WHERE c.run_id = ? AND c.step = ?");
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
        SQLite::Statement q(*m_impl->db,
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
