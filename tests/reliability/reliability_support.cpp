// SPDX-License-Identifier: GPL-3.0-or-later
#include "reliability_support.h"
#include "temp_paths.h"

#include <QCryptographicHash>
#include <QFile>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "anneal_test_paths.h"

extern char** environ;

namespace anneal::rel {

namespace {
int g_childCounter = 0;

/// A column as text that compares exactly: REAL as a hex float ("%a"), BLOB as hex, NULL as "".
std::string exactText(sqlite3_stmt* st, int c) {
    switch (sqlite3_column_type(st, c)) {
        case SQLITE_NULL:
            return {};
        case SQLITE_INTEGER:
            return std::to_string(sqlite3_column_int64(st, c));
        case SQLITE_FLOAT: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%a", sqlite3_column_double(st, c));
            return buf;
        }
        case SQLITE_BLOB: {
            const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(st, c));
            const int n = sqlite3_column_bytes(st, c);
            static const char* hex = "0123456789abcdef";
            std::string out;
            for (int i = 0; i < n; ++i) {
                out += hex[p[i] >> 4];
                out += hex[p[i] & 15];
            }
            return out;
        }
        default: {
            const auto* t = sqlite3_column_text(st, c);
            return t ? reinterpret_cast<const char*>(t) : "";
        }
    }
}
}  // namespace

Child::Child(const std::string& program, const std::vector<std::string>& args, const std::string& workDir,
             const std::vector<std::string>& extraEnv) {
    const int n = ++g_childCounter;
    m_outPath = workDir + "/child-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".out";
    m_errPath = workDir + "/child-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, m_outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, m_errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    std::vector<std::string> argStore;
    argStore.push_back(program);
    argStore.insert(argStore.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argStore) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> envStore;
    for (char** e = environ; *e; ++e) {
        if (std::strncmp(*e, "OPENBLAS_NUM_THREADS=", 21) != 0) {
            envStore.emplace_back(*e);
        }
    }
    envStore.emplace_back("OPENBLAS_NUM_THREADS=1");
    envStore.insert(envStore.end(), extraEnv.begin(), extraEnv.end());
    std::vector<char*> envp;
    for (auto& e : envStore) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    // posix_spawn has no chdir action in glibc 2.36's public API before _np; use the _np variant.
    posix_spawn_file_actions_addchdir_np(&fa, workDir.c_str());
    const int rc = posix_spawn(&m_pid, program.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
}

Child::~Child() {
    if (!m_done) {
        kill();
    }
}

void Child::reap(int raw) {
    m_done = true;
    m_status = WIFEXITED(raw) ? WEXITSTATUS(raw) : (WIFSIGNALED(raw) ? -WTERMSIG(raw) : -1);
}

bool Child::kill() {
    if (m_done) {
        return false;
    }
    int raw = 0;
    if (::waitpid(m_pid, &raw, WNOHANG) == m_pid) {
        reap(raw);
        return false;  // it had already ended on its own
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, &raw, 0);
    reap(raw);
    return WIFSIGNALED(raw) && WTERMSIG(raw) == SIGKILL;
}

bool Child::exited() {
    if (m_done) {
        return true;
    }
    int raw = 0;
    if (::waitpid(m_pid, &raw, WNOHANG) == m_pid) {
        reap(raw);
    }
    return m_done;
}

int Child::wait(int timeoutMs) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (!exited()) {
        if (std::chrono::steady_clock::now() > until) {
            kill();
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return m_status;
}

std::string Child::out() const { return readFile(m_outPath); }
std::string Child::err() const { return readFile(m_errPath); }

std::string cliPath() {
    if (const char* p = std::getenv("ANNEAL_CLI"); p && *p) {
        return p;
    }
    return std::string(anneal::test::kBinaryDir) + "/bin/anneal-cli";
}

CliResult runCli(const std::vector<std::string>& args, const std::string& workDir, int timeoutMs,
                 const std::vector<std::string>& extraEnv) {
    Child c(cliPath(), args, workDir, extraEnv);
    CliResult r;
    r.code = c.wait(timeoutMs);
    r.out = c.out();
    r.err = c.err();
    return r;
}

// ---------------------------------------------------------------------------------------------

RawDb::RawDb(const std::string& path, bool readOnly, int busyTimeoutMs) {
    const int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        const std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw std::runtime_error("cannot open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(m_db, busyTimeoutMs);
}

RawDb::~RawDb() { sqlite3_close(m_db); }

std::vector<std::vector<std::string>> RawDb::rows(const std::string& sql,
                                                  const std::vector<std::int64_t>& ints) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(m_db) + " in " + sql);
    }
    for (size_t i = 0; i < ints.size(); ++i) {
        sqlite3_bind_int64(st, static_cast<int>(i + 1), ints[i]);
    }
    std::vector<std::vector<std::string>> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
            row.push_back(exactText(st, c));
        }
        out.push_back(std::move(row));
    }
    const std::string err = sqlite3_errmsg(m_db);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        throw std::runtime_error("step: " + err + " in " + sql);
    }
    return out;
}

std::optional<std::string> RawDb::scalar(const std::string& sql, const std::vector<std::int64_t>& ints) {
    const auto r = rows(sql, ints);
    if (r.empty() || r[0].empty()) {
        return std::nullopt;
    }
    return r[0][0];
}

void RawDb::exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : "error";
        sqlite3_free(err);
        throw std::runtime_error(msg + " in " + sql);
    }
}

std::string integrityCheck(const std::string& dbPath) {
    RawDb db(dbPath, false);
    std::string all;
    for (const auto& r : db.rows("PRAGMA integrity_check")) {
        all += (all.empty() ? "" : "; ") + r[0];
    }
    return all;
}

MetricRows metricRows(RawDb& db, std::int64_t runId) {
    MetricRows out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(
        db.handle(),
        "SELECT n.name, m.step, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id "
        "WHERE m.run_id = ?",
        -1, &st, nullptr);
    sqlite3_bind_int64(st, 1, runId);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        const std::int64_t step = sqlite3_column_int64(st, 1);
        std::uint64_t bits = 0x7ff8dead00000000ULL;  // NULL
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            const double v = sqlite3_column_double(st, 2);
            std::memcpy(&bits, &v, sizeof bits);
        }
        out[{name, step}] = bits;
    }
    const std::string err = sqlite3_errmsg(db.handle());
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        throw std::runtime_error("reading metrics: " + err);
    }
    return out;
}

std::vector<std::int64_t> stepRows(RawDb& db, std::int64_t runId) {
    std::vector<std::int64_t> out;
    for (const auto& r : db.rows("SELECT step FROM steps WHERE run_id = ? ORDER BY step", {runId})) {
        out.push_back(std::stoll(r[0]));
    }
    return out;
}

std::pair<std::vector<std::int64_t>, std::vector<double>> metricSeries(RawDb& db, std::int64_t runId,
                                                                       const std::string& name) {
    std::pair<std::vector<std::int64_t>, std::vector<double>> out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db.handle(),
                       "SELECT m.step, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id "
                       "WHERE m.run_id = ? AND n.name = ? ORDER BY m.step",
                       -1, &st, nullptr);
    sqlite3_bind_int64(st, 1, runId);
    sqlite3_bind_text(st, 2, name.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        out.first.push_back(sqlite3_column_int64(st, 0));
        out.second.push_back(sqlite3_column_type(st, 1) == SQLITE_NULL ? std::nan("")
                                                                       : sqlite3_column_double(st, 1));
    }
    sqlite3_finalize(st);
    return out;
}

std::string logicalDump(const std::string& dbPath) {
    RawDb db(dbPath, true);
    std::string out;
    for (const auto& t : db.rows("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")) {
        out += t[0] + " " + t[1] + ": " + t[2] + "\n";
        if (t[0] != "table" || t[1].rfind("sqlite_", 0) == 0) {
            continue;
        }
        std::string quoted = "\"";
        for (char c : t[1]) {
            quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        }
        quoted += "\"";
        auto rows = db.rows("SELECT * FROM " + quoted);
        std::sort(rows.begin(), rows.end());
        for (const auto& r : rows) {
            for (const auto& c : r) {
                out += c + "|";
            }
            out += "\n";
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

std::string fileHash(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex().toStdString();
}

std::string databaseHash(const std::string& dbPath) {
    return fileHash(dbPath) + "/" + fileHash(dbPath + "-wal") + "/" + fileHash(dbPath + "-shm");
}

std::string tinySpec(int steps, unsigned seed, const std::string& extra) {
    return test::tinyExperimentWithoutLog(steps, seed) + extra;
}

bool longTests() {
    const char* v = std::getenv("ANNEAL_LONG_TESTS");
    return v && std::string(v) == "1";
}

std::uint64_t testSeed() {
    if (const char* v = std::getenv("ANNEAL_TEST_SEED"); v && *v) {
        return std::strtoull(v, nullptr, 10);
    }
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

}  // namespace anneal::rel
