// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one suite; its kill points share one child-process fixture and resume check.
// Killed runs lose nothing committed. `anneal-cli run` is started as a child and killed with SIGKILL
// at random moments — during start-up, training, commits, checkpoint writes (a kill as soon as a
// checkpoint's .tmp file appears) and the final checkpoint — then resumed with `anneal-cli resume`,
// which is itself killed at random, until the run completes. After every kill:
//   - PRAGMA integrity_check is ok;
//   - every metric row the harness read from the database just before the kill is still there with
//     the same bits;
//   - the steps table is contiguous from 0 and train_loss/lr have exactly its steps (a step's rows
//     commit together, so at most the last uncommitted batch is missing);
//   - the run reads as `interrupted` at once (read-only view and `anneal-cli runs`) and is marked so
//     when the database is next opened for writing;
//   - every checkpoint row points to a complete file (the row is committed after the file);
// and sometimes the newest checkpoint file is truncated or corrupted on purpose (a torn write), so the
// resume must skip it. Each resume must start at the newest intact checkpoint (anneal-cli says where),
// never at a .tmp left by a kill mid-write, and the completed run must equal an uninterrupted run bit
// for bit: train_loss, val_loss, lr, grad_norm, per-domain losses, mixtures and the per-sample weight
// snapshots. ANNEAL_LONG_TESTS=1 does 500 kills instead of 50; ANNEAL_TEST_SEED repeats a sequence.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <sys/inotify.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <numeric>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "anneal/error.h"
#include "anneal/store.h"
#include "reliability_support.h"
#include "temp_paths.h"
#include "train/checkpoint.h"

using namespace anneal;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

/// Watches a checkpoint root (<stem>-checkpoints/) and its run-<uuid>/ subdirectories for the
/// creation of *.tmp files: the moment a checkpoint write begins.
class TmpWatcher {
public:
    explicit TmpWatcher(const std::string& root) : m_fd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
        add(root);
        for (const auto& e : fs::directory_iterator(root)) {
            if (e.is_directory()) {
                add(e.path().string());
            }
        }
    }
    ~TmpWatcher() { ::close(m_fd); }
    /// Reads pending events (waiting up to timeoutMs); returns the number of .tmp files created so far.
    int poll(int timeoutMs) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0) {
            return m_tmpCreated;
        }
        alignas(inotify_event) char buf[8192];
        const ssize_t n = ::read(m_fd, buf, sizeof buf);
        for (ssize_t off = 0; off < n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
            const std::string name = ev->len ? ev->name : "";
            if ((ev->mask & IN_CREATE) && (ev->mask & IN_ISDIR)) {
                add(m_dirs[ev->wd] + "/" + name);
            } else if ((ev->mask & IN_CREATE) && name.size() > 4 &&
                       name.compare(name.size() - 4, 4, ".tmp") == 0) {
                ++m_tmpCreated;
            }
            off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        }
        return m_tmpCreated;
    }

private:
    void add(const std::string& dir) {
        const int wd = inotify_add_watch(m_fd, dir.c_str(), IN_CREATE);
        if (wd >= 0) {
            m_dirs[wd] = dir;
        }
    }
    int m_fd;
    std::map<int, std::string> m_dirs;
    int m_tmpCreated = 0;
};

struct Config {
    std::string name;
    std::string spec;  ///< experiment file text
    std::string specPath;
    int steps = 0;
    double seconds = 0;  ///< wall time of an uninterrupted `anneal-cli run`, start-up included
    std::string refDb;   ///< the uninterrupted run (id 1)
};

/// Metrics compared bit for bit between a killed-and-resumed run and the uninterrupted one
/// (everything but tokens_per_s, which is a timing).
const char* kExactMetrics[] = {"train_loss",       "val_loss",        "lr",
                               "grad_norm",        "loss_z",          "train_loss.markov",
                               "train_loss.noise", "val_loss.markov", "val_loss.noise",
                               "mix.markov",       "mix.noise",       "train_loss_weighted",
                               "grad_share.markov"};

struct Tally {
    int kills = 0;
    int killsAtCheckpointWrite = 0;  ///< kills triggered by a .tmp checkpoint file appearing
    int tmpLeftBehind = 0;           ///< kills that left a .tmp file the killed process wrote
    int killedBeforeRunRow = 0;
    int integrityChecks = 0;
    int rowsVerified = 0;  ///< metric rows read before a kill and found unchanged after it
    int statusChecks = 0;
    int cliStatusChecks = 0;
    int checkpointsVerified = 0;
    int tornCheckpoints = 0;  ///< checkpoint files damaged on purpose
    int resumes = 0;
    int resumeStartsVerified = 0;
    int completions = 0;  ///< chains that reached completed
    int bitExactRuns = 0;
    std::int64_t maxRowsLostAtKill = 0;  ///< steps computed after the last commit seen (upper bound)
};

std::optional<std::int64_t> newestRunId(rel::RawDb& db) {
    try {
        auto v = db.scalar("SELECT max(id) FROM runs");
        if (v && !v->empty()) {
            return std::stoll(*v);
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

/// The .tmp checkpoint files under a directory, with their modification times.
std::set<std::pair<std::string, fs::file_time_type>> tmpFiles(const std::string& root) {
    std::set<std::pair<std::string, fs::file_time_type>> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (e.path().extension() == ".tmp") {
            out.insert({e.path().string(), e.last_write_time()});
        }
    }
    return out;
}

}  // namespace

class TestKillResume : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;
    std::vector<Config> m_configs;
    Tally m_t;
    std::mt19937_64 m_rng;

    double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(m_rng); }

    /// Metric rows of the newest run, as the harness sees them now (empty when there is none yet).
    rel::MetricRows snapshot(const std::string& db, std::optional<std::int64_t>& runId) {
        if (!fs::exists(db)) {
            return {};
        }
        try {
            rel::RawDb raw(db, true, 2000);
            if (!runId) {
                runId = newestRunId(raw);
            }
            return runId ? rel::metricRows(raw, *runId) : rel::MetricRows{};
        } catch (const std::exception& e) {
            const std::string what = e.what();
            // A database that does not exist yet or has no tables yet is fine; anything else (locked,
            // corrupt) is a finding.
            if (what.find("no such table") == std::string::npos &&
                what.find("unable to open") == std::string::npos) {
                qWarning("snapshot read failed: %s", e.what());
                QTest::qFail(("reading the database while the child writes failed: " + what).c_str(),
                             __FILE__, __LINE__);
            }
            return {};
        }
    }

    /// Everything that must hold after a kill. Returns the run's status as stored after a writable open.
    RunStatus verifyAfterKill(const std::string& db, std::int64_t runId, const rel::MetricRows& before,
                              std::set<std::string>& damaged) {
        const std::string ok = rel::integrityCheck(db);
        ++m_t.integrityChecks;
        if (ok != "ok") {
            QTest::qFail(("integrity_check after a kill: " + ok).c_str(), __FILE__, __LINE__);
            return RunStatus::Failed;
        }
        rel::RawDb raw(db, true);
        const rel::MetricRows after = rel::metricRows(raw, runId);
        for (const auto& [key, bits] : before) {
            auto it = after.find(key);
            // A resumed process recomputes the steps after its checkpoint and rewrites their rows:
            // equal bits for everything deterministic; tokens_per_s is a timing and only has to be there.
            const bool timing = key.first == "tokens_per_s";
            if (it == after.end() || (!timing && it->second != bits)) {
                QTest::qFail(("metric " + key.first + " at step " + std::to_string(key.second) +
                              (it == after.end() ? " was committed before the kill and is gone"
                                                 : " changed across the kill"))
                                 .c_str(),
                             __FILE__, __LINE__);
                return RunStatus::Failed;
            }
        }
        m_t.rowsVerified += static_cast<int>(before.size());
        const auto steps = rel::stepRows(raw, runId);
        for (size_t i = 0; i < steps.size(); ++i) {
            if (steps[i] != static_cast<std::int64_t>(i)) {
                QTest::qFail(("steps are not contiguous from 0: row " + std::to_string(i) + " is step " +
                              std::to_string(steps[i]))
                                 .c_str(),
                             __FILE__, __LINE__);
                return RunStatus::Failed;
            }
        }
        for (const char* name : {"train_loss", "lr", "grad_norm"}) {
            if (rel::metricSeries(raw, runId, name).first != steps) {
                QTest::qFail((std::string(name) + " rows do not match the steps table after a kill").c_str(),
                             __FILE__, __LINE__);
                return RunStatus::Failed;
            }
        }
        std::int64_t maxBefore = -1;
        for (const auto& [key, bits] : before) {
            maxBefore = std::max(maxBefore, key.second);
        }
        m_t.maxRowsLostAtKill = std::max<std::int64_t>(
            m_t.maxRowsLostAtKill, static_cast<std::int64_t>(steps.size()) - 1 - maxBefore);

        // The run is interrupted at once: in a read-only view, in anneal-cli runs, and in the file
        // after the next writable open.
        const RunStatus shown = Store::open(db, Store::Mode::ReadOnly)->run(runId).status;
        ++m_t.statusChecks;
        if (shown == RunStatus::Running) {
            QTest::qFail("a killed run still reads as running", __FILE__, __LINE__);
            return RunStatus::Failed;
        }
        if (m_t.kills % 5 == 0) {
            const auto r = rel::runCli({"runs", "--db", db, "--json"}, fs::path(db).parent_path().string());
            const QJsonArray arr = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).array();
            QString status;
            for (const auto& v : arr) {
                if (v.toObject()["id"].toInteger() == runId) {
                    status = v.toObject()["status"].toString();
                }
            }
            if (r.code != 0 || status != QString(runStatusName(shown))) {
                QTest::qFail(("anneal-cli runs shows \"" + status.toStdString() + "\", expected " +
                              runStatusName(shown) + "; stderr: " + r.err)
                                 .c_str(),
                             __FILE__, __LINE__);
                return RunStatus::Failed;
            }
            ++m_t.cliStatusChecks;
        }
        Store::open(db).reset();
        const std::string stored = *raw.scalar("SELECT status FROM runs WHERE id = ?", {runId});
        if (stored == "running") {
            QTest::qFail("a killed run is still `running` in the file after a writable open", __FILE__,
                         __LINE__);
            return RunStatus::Failed;
        }
        if (stored == "interrupted" &&
            raw.scalar("SELECT message FROM runs WHERE id = ?", {runId})->find("anneal-cli resume") ==
                std::string::npos) {
            QTest::qFail("an interrupted run's message does not say how to resume it", __FILE__, __LINE__);
            return RunStatus::Failed;
        }

        // Every checkpoint row names a complete file, except those this harness damaged on purpose.
        for (const auto& row :
             raw.rows("SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step", {runId})) {
            const std::int64_t step = std::stoll(row[0]);
            try {
                const auto h = train::readCheckpointHeader(row[1]);
                damaged.erase(row[1]);  // rewritten since
                if (h.step != step) {
                    QTest::qFail(
                        ("checkpoint row at step " + row[0] + " holds step " + std::to_string(h.step))
                            .c_str(),
                        __FILE__, __LINE__);
                    return RunStatus::Failed;
                }
                ++m_t.checkpointsVerified;
            } catch (const Error& e) {
                if (!damaged.count(row[1])) {
                    QTest::qFail(
                        ("a checkpoint row points to an incomplete file: " + std::string(e.what())).c_str(),
                        __FILE__, __LINE__);
                    return RunStatus::Failed;
                }
            }
        }
        return parseRunStatus(stored);
    }

    /// The step a resume must start at: the newest checkpoint row whose file is intact (0 without any).
    std::int64_t expectedResumeStep(const std::string& db, std::int64_t runId,
                                    const std::set<std::string>& damaged) {
        rel::RawDb raw(db, true);
        std::int64_t best = 0;
        for (const auto& row :
             raw.rows("SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step", {runId})) {
            if (!damaged.count(row[1])) {
                best = std::stoll(row[0]);
            }
        }
        return best;
    }

    /// Sometimes damages the newest checkpoint file: cut in half (a torn write) or one byte flipped.
    void maybeTearNewestCheckpoint(const std::string& db, std::int64_t runId,
                                   std::set<std::string>& damaged) {
        rel::RawDb raw(db, true);
        const auto rows =
            raw.rows("SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step DESC", {runId});
        int intact = 0;
        for (const auto& r : rows) {
            intact += damaged.count(r[1]) ? 0 : 1;
        }
        if (intact < 2 || uniform(0, 1) > 0.25 || damaged.count(rows[0][1])) {
            return;
        }
        const std::string path = rows[0][1];
        if (uniform(0, 1) < 0.5) {
            fs::resize_file(path, fs::file_size(path) / 2);
        } else {
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(static_cast<std::streamoff>(fs::file_size(path) / 2));
            f.put('\x7f');
        }
        damaged.insert(path);
        ++m_t.tornCheckpoints;
    }

    /// The completed run equals the uninterrupted one bit for bit.
    void verifyCompleted(const Config& cfg, const std::string& db, std::int64_t runId) {
        ++m_t.completions;
        QCOMPARE(rel::integrityCheck(db), std::string("ok"));
        rel::RawDb raw(db, true);
        rel::RawDb ref(cfg.refDb, true);
        QCOMPARE(*raw.scalar("SELECT status FROM runs WHERE id = ?", {runId}), std::string("completed"));
        std::vector<std::int64_t> all(static_cast<size_t>(cfg.steps));
        std::iota(all.begin(), all.end(), 0);
        QVERIFY(rel::stepRows(raw, runId) == all);
        for (const char* name : kExactMetrics) {
            const auto got = rel::metricSeries(raw, runId, name);
            const auto want = rel::metricSeries(ref, 1, name);
            QVERIFY2(got.first == want.first,
                     (cfg.name + ": " + name + " has other steps than the uninterrupted run").c_str());
            // (memcmp of an empty vector's null data() is undefined: UBSan reports it.)
            QVERIFY2(got.second.empty() || std::memcmp(got.second.data(), want.second.data(),
                                                       got.second.size() * sizeof(double)) == 0,
                     (cfg.name + ": " + name + " differs from the uninterrupted run").c_str());
        }
        QVERIFY(!rel::metricSeries(raw, runId, "train_loss").first.empty());
        // Per-sample weights: the same snapshots with the same bytes, and the same statistics.
        const char* chunks =
            "SELECT bucket, step, n, data FROM weight_chunks WHERE run_id = ? ORDER BY bucket, step";
        const char* stats = "SELECT * FROM weight_stats WHERE run_id = ? ORDER BY step, domain";
        auto strip = [](std::vector<std::vector<std::string>> rows) {
            for (auto& r : rows) {
                r.erase(r.begin());  // run_id
            }
            return rows;
        };
        QVERIFY2(raw.rows(chunks, {runId}) == ref.rows(chunks, {1}),
                 (cfg.name + ": per-sample weight snapshots differ from the uninterrupted run").c_str());
        QVERIFY2(strip(raw.rows(stats, {runId})) == strip(ref.rows(stats, {1})),
                 (cfg.name + ": weight statistics differ from the uninterrupted run").c_str());
        // No .tmp checkpoint is left once every step was trained again.
        for (const auto& e : fs::recursive_directory_iterator(fs::path(db).parent_path())) {
            QVERIFY2(e.path().extension() != ".tmp", ("left behind: " + e.path().string()).c_str());
        }
        ++m_t.bitExactRuns;
    }

private slots:
    void initTestCase() {
        const std::uint64_t seed = rel::testSeed();
        qInfo("ANNEAL_TEST_SEED=%llu", static_cast<unsigned long long>(seed));
        m_rng.seed(seed);
        const std::string logPlain =
            "[log]\nevery = 1\ncheckpoint_every = 3\nkeep_checkpoints = 3\nweights_every = 10\n";
        const std::string reweighted =
            "[reweight]\nstrategy = \"loss_quadratic\"\nburnin_steps = 10\n"
            "[log]\nevery = 1\ncheckpoint_every = 4\nkeep_checkpoints = 2\nweights_every = 7\n";
        m_configs = {{"plain", rel::tinySpec(60, 7, logPlain), "", 60, 0, ""},
                     {"reweighted", rel::tinySpec(48, 11, reweighted), "", 48, 0, ""}};
        for (auto& c : m_configs) {
            const std::string dir = m_dir.path("ref-" + c.name);
            fs::create_directories(dir);
            c.specPath = dir + "/" + c.name + ".toml";
            rel::writeFile(c.specPath, c.spec);
            c.refDb = dir + "/ref.db";
            const auto t0 = Clock::now();
            const auto r = rel::runCli({"run", c.specPath, "--db", c.refDb, "--json"}, dir);
            c.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            QVERIFY2(r.code == 0, r.err.c_str());
            qInfo("reference run %s: %d steps in %.2f s (start-up included)", c.name.c_str(), c.steps,
                  c.seconds);
        }
    }

    void killsLoseNothingCommitted() {
        const int target = rel::longTests() ? 500 : 50;
        const int maxKillsPerChain = 12;
        const auto started = Clock::now();
        for (int chain = 0; m_t.kills < target; ++chain) {
            const Config& cfg = m_configs[static_cast<size_t>(chain) % m_configs.size()];
            const std::string dir = m_dir.path("chain-" + std::to_string(chain));
            const std::string db = dir + "/kill.db";
            const std::string ckRoot = dir + "/kill-checkpoints";
            fs::create_directories(ckRoot);
            std::optional<std::int64_t> runId;
            std::optional<std::int64_t> expectedStart;
            std::set<std::string> damaged;
            int chainKills = 0;
            for (;;) {
                std::vector<std::string> args =
                    runId ? std::vector<std::string>{"resume", std::to_string(*runId), "--db", db, "--json"}
                          : std::vector<std::string>{"run", cfg.specPath, "--db", db, "-q"};
                const bool mayKill = chainKills < maxKillsPerChain && m_t.kills < target;
                const bool atCheckpoint = uniform(0, 1) < 0.3;
                const int nthTmp = static_cast<int>(uniform(1, 6));
                const auto deadline =
                    Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(uniform(0, cfg.seconds * 1.1)));
                const auto tmpBefore = tmpFiles(ckRoot);
                TmpWatcher watcher(ckRoot);
                rel::Child child(rel::cliPath(), args, dir);
                rel::MetricRows before;
                bool killed = false;
                auto lastSnap = Clock::now() - std::chrono::seconds(1);
                while (!child.exited()) {
                    if (!mayKill) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                        continue;
                    }
                    if (atCheckpoint) {
                        // Kill as soon as the n-th checkpoint write of this process begins (its
                        // .tmp appears), with the last rows read at most ~20 ms before.
                        if (watcher.poll(2) >= nthTmp) {
                            std::this_thread::sleep_for(
                                std::chrono::microseconds(static_cast<int>(uniform(0, 1500))));
                            killed = child.kill();
                            m_t.killsAtCheckpointWrite += killed ? 1 : 0;
                            break;
                        }
                        if (Clock::now() - lastSnap > std::chrono::milliseconds(20)) {
                            before = snapshot(db, runId);
                            lastSnap = Clock::now();
                        }
                        if (Clock::now() > deadline + std::chrono::seconds(3)) {
                            before = snapshot(db, runId);
                            killed = child.kill();
                            break;
                        }
                    } else if (Clock::now() >= deadline) {
                        before = snapshot(db, runId);
                        killed = child.kill();
                        break;
                    } else {
                        std::this_thread::sleep_for(std::chrono::microseconds(500));
                    }
                }
                if (QTest::currentTestFailed()) {
                    return;
                }
                if (!runId && fs::exists(db)) {
                    try {
                        rel::RawDb raw(db, true);
                        runId = newestRunId(raw);
                    } catch (const std::exception&) {
                    }
                }
                if (expectedStart) {
                    // anneal-cli resume says where it starts; it must be the newest intact checkpoint.
                    static const std::regex re("resuming run [0-9]+ at step ([0-9]+)");
                    std::smatch m;
                    const std::string err = child.err();
                    if (std::regex_search(err, m, re)) {
                        QCOMPARE(std::stoll(m[1].str()), *expectedStart);
                        ++m_t.resumeStartsVerified;
                    } else if (!killed) {
                        QFAIL(("resume did not say where it starts: " + err).c_str());
                    }
                }
                if (!killed) {
                    QVERIFY2(child.status() == 0, ("the child failed: " + child.err()).c_str());
                    QVERIFY(runId.has_value());
                    verifyCompleted(cfg, db, *runId);
                    break;
                }
                ++m_t.kills;
                ++chainKills;
                bool tmp = false;
                for (const auto& f : tmpFiles(ckRoot)) {
                    tmp = tmp || !tmpBefore.count(f);  // created or rewritten by the killed process
                }
                m_t.tmpLeftBehind += tmp ? 1 : 0;
                if (!runId) {
                    ++m_t.killedBeforeRunRow;
                    if (fs::exists(db)) {
                        QCOMPARE(rel::integrityCheck(db), std::string("ok"));
                        ++m_t.integrityChecks;
                    }
                    continue;  // nothing was stored yet: start the run again
                }
                const RunStatus status = verifyAfterKill(db, *runId, before, damaged);
                if (QTest::currentTestFailed()) {
                    qWarning("failed in chain %d after %d kills (%s); files kept in %s", chain, chainKills,
                             cfg.name.c_str(), dir.c_str());
                    qputenv("ANNEAL_KEEP_TEMP", "1");
                    return;
                }
                if (status == RunStatus::Completed) {
                    verifyCompleted(cfg, db, *runId);  // killed after its last commit
                    break;
                }
                maybeTearNewestCheckpoint(db, *runId, damaged);
                expectedStart = expectedResumeStep(db, *runId, damaged);
                ++m_t.resumes;
            }
            if (QTest::currentTestFailed()) {
                return;
            }
        }
        const double secs = std::chrono::duration<double>(Clock::now() - started).count();
        qInfo(
            "kills: %d in %.0f s (%d at a checkpoint write, %d left a .tmp behind, %d before the run row "
            "existed)",
            m_t.kills, secs, m_t.killsAtCheckpointWrite, m_t.tmpLeftBehind, m_t.killedBeforeRunRow);
        qInfo(
            "checks: %d integrity_check ok, %d committed metric rows unchanged, %d status checks (%d via "
            "anneal-cli "
            "runs), %d checkpoint files verified, %d torn on purpose and skipped",
            m_t.integrityChecks, m_t.rowsVerified, m_t.statusChecks, m_t.cliStatusChecks,
            m_t.checkpointsVerified, m_t.tornCheckpoints);
        qInfo(
            "resumes: %d (%d start steps verified); %d runs completed, %d bit for bit equal to the "
            "uninterrupted run; "
            "at most %lld steps were uncommitted at a kill (relative to the harness's last read)",
            m_t.resumes, m_t.resumeStartsVerified, m_t.completions, m_t.bitExactRuns,
            static_cast<long long>(m_t.maxRowsLostAtKill));
        QVERIFY(m_t.kills >= target);
        QCOMPARE(m_t.bitExactRuns, m_t.completions);
        QVERIFY(m_t.completions >= 2);
        // The harness must actually have hit checkpoint writes, or the claim above is untested.
        QVERIFY2(m_t.tmpLeftBehind >= 1, "no kill landed inside a checkpoint write");
        QVERIFY(m_t.resumeStartsVerified >= m_t.kills / 4);
    }
};

QTEST_APPLESS_MAIN(TestKillResume)
#include "test_kill_resume.moc"
