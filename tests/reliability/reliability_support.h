// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the reliability suites (docs/RELIABILITY.md): anneal-cli as a child process that can be
// killed with SIGKILL at any moment, a raw SQLite connection to look at a database the way a third
// party would (integrity check, exact rows), file hashes, and the experiment files the suites run.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace anneal::rel {

// ---------------------------------------------------------------------------------------------
// Child processes

/// A running anneal-cli (or any program) started with posix_spawn; stdout and stderr go to files.
class Child {
public:
    /// Starts `program args...` in `workDir` with OPENBLAS_NUM_THREADS=1 added to the environment.
    Child(const std::string& program, const std::vector<std::string>& args, const std::string& workDir,
          const std::vector<std::string>& extraEnv = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return m_pid; }
    /// Sends SIGKILL (if still running) and reaps. Returns true when the kill hit a live process.
    bool kill();
    /// Non-blocking: whether it has exited (and reaps it).
    bool exited();
    /// Waits up to timeoutMs; kills it on timeout. Returns the exit code, or -signal.
    int wait(int timeoutMs);
    /// Exit code (>= 0) or -signal, once exited.
    int status() const { return m_status; }
    std::string out() const;
    std::string err() const;

private:
    void reap(int rawStatus);
    pid_t m_pid = -1;
    bool m_done = false;
    int m_status = 0;
    std::string m_outPath, m_errPath;
};

/// anneal-cli's path (ctest passes ANNEAL_CLI).
std::string cliPath();
/// Runs anneal-cli to the end (timeoutMs) and returns {exit code, stdout, stderr}.
struct CliResult {
    int code = -1;
    std::string out;
    std::string err;
};
CliResult runCli(const std::vector<std::string>& args, const std::string& workDir, int timeoutMs = 180000,
                 const std::vector<std::string>& extraEnv = {});

// ---------------------------------------------------------------------------------------------
// SQLite as a third party sees it

/// One raw connection (sqlite3 C API), closed on destruction. Throws std::runtime_error on errors.
class RawDb {
public:
    explicit RawDb(const std::string& path, bool readOnly = true, int busyTimeoutMs = 10000);
    ~RawDb();
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    /// Every row of a query; each column as text that compares exactly (REAL as a hex float, BLOB as
    /// hex, NULL as ""); `?` parameters bound as integers.
    std::vector<std::vector<std::string>> rows(const std::string& sql,
                                               const std::vector<std::int64_t>& ints = {});
    /// First column of the first row, or nullopt.
    std::optional<std::string> scalar(const std::string& sql, const std::vector<std::int64_t>& ints = {});
    void exec(const std::string& sql);
    sqlite3* handle() const { return m_db; }

private:
    sqlite3* m_db = nullptr;
};

/// `PRAGMA integrity_check` of a database file ("ok" when sound).
std::string integrityCheck(const std::string& dbPath);

/// Every metric row of a run: (metric name, step) -> the value's bit pattern (NULL -> a NaN pattern).
using MetricRows = std::map<std::pair<std::string, std::int64_t>, std::uint64_t>;
MetricRows metricRows(RawDb& db, std::int64_t runId);
/// The steps of a run's `steps` table, in order.
std::vector<std::int64_t> stepRows(RawDb& db, std::int64_t runId);
/// One metric in step order: (steps, values) with NaN for NULL.
std::pair<std::vector<std::int64_t>, std::vector<double>> metricSeries(RawDb& db, std::int64_t runId,
                                                                       const std::string& name);

/// Every table's schema and rows (sorted, exact text): equal dumps mean nothing stored changed, even
/// when the file's bytes differ (a WAL checkpoint moves pages without changing content).
std::string logicalDump(const std::string& dbPath);

// ---------------------------------------------------------------------------------------------
// Files

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& text);
/// SHA-256 (hex) of a file's bytes; "" when it cannot be read.
std::string fileHash(const std::string& path);
/// Hash of a database file together with its -wal and -shm files (what "untouched" means).
std::string databaseHash(const std::string& dbPath);

/// A tiny CPU experiment: 1 layer, d_model 32, context 16, batch 4, `steps` steps, log every step.
/// `extra` is appended (it may add tables or keys of [log], which comes last).
std::string tinySpec(int steps, unsigned seed, const std::string& extra = {});

/// Whether long opt-in runs are asked for (ANNEAL_LONG_TESTS=1).
bool longTests();
/// A seed for the suite's random choices: ANNEAL_TEST_SEED, else the time (printed by the caller).
std::uint64_t testSeed();

}  // namespace anneal::rel
