// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one suite, a case per kind of bad database file, one nothing-changed check.
// Bad files around the store get a clear error and change nothing, through anneal-cli as a user
// meets them. Every refusal exits 1 with "anneal-cli: error: <the file>: ..." (never a signal), and
// the database's content — or, where asked, its bytes — is the same afterwards.
//   - a file that is not SQLite, a truncated database, a corrupted one, a directory as --db;
//   - a database from a newer schema: refused by every command, file bytes untouched;
//   - a real schema-1 database (tests/data/reliability/schema-v1.db): read as it is, migrated to the
//     current schema by the first writable open in one transaction after a byte-exact backup; a
//     migration that fails half-way changes nothing; concurrent openers migrate it once;
//   - a read-only database file and a read-only directory (run as `nobody` when the suite is root,
//     since root ignores permissions): reading works, writing is refused, nothing changes;
//   - a full disk (a size-limited tmpfs when this machine allows mounting, else a loop file system,
//     else RLIMIT_FSIZE; the suite prints which ran): the run fails with "disk is full", everything
//     committed before is intact, and once space is free `resume` completes it bit for bit;
//   - import files: every broken file in tests/data/fit and out-of-range steps/tokens;
//   - a missing, corrupt, foreign or newer-format checkpoint for resume and branch.
#include <QtTest>
#include <QJsonDocument>
#include <QJsonObject>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "anneal/error.h"
#include "anneal/store.h"
#include "reliability_support.h"
#include "temp_paths.h"

using namespace anneal;
namespace fs = std::filesystem;

namespace {

/// The bytes of every file in a directory (name -> hash), to prove nothing was created or changed.
std::map<std::string, std::string> directoryHashes(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.is_regular_file()) {
            out[e.path().filename().string()] = rel::fileHash(e.path().string());
        }
    }
    return out;
}

/// The names that differ between two directoryHashes() results, for messages.
std::string changedFiles(const std::map<std::string, std::string>& a,
                         const std::map<std::string, std::string>& b) {
    std::string out;
    for (const auto& [name, hash] : b) {
        auto it = a.find(name);
        if (it == a.end()) {
            out += " +" + name;
        } else if (it->second != hash) {
            out += " ~" + name;
        }
    }
    for (const auto& [name, hash] : a) {
        if (!b.count(name)) {
            out += " -" + name;
        }
    }
    return out;
}

/// A refusal: exit code 1 (not a crash), one error on stderr that names `file`, and `says` in it.
void expectRefusal(const rel::CliResult& r, const std::string& file, const std::vector<std::string>& says,
                   const std::string& what) {
    QVERIFY2(r.code == 1, (what + ": exit " + std::to_string(r.code) + ", stderr: " + r.err).c_str());
    QVERIFY2(r.err.rfind("anneal-cli: error: ", 0) == 0, (what + ": " + r.err).c_str());
    QVERIFY2(r.err.find(file) != std::string::npos,
             (what + ": the error does not name " + file + ": " + r.err).c_str());
    bool any = says.empty();
    for (const auto& s : says) {
        any = any || r.err.find(s) != std::string::npos;
    }
    QVERIFY2(any, (what + ": unexpected message: " + r.err).c_str());
}

/// Commands that open a database, each with what it needs (run 1, an experiment file, a CSV).
std::vector<std::vector<std::string>> everyDatabaseCommand(const std::string& db) {
    return {{"runs", "--db", db},
            {"metrics", "1", "--name", "train_loss", "--db", db},
            {"checkpoints", "1", "--db", db},
            {"checkpoints", "1", "--pin", "5", "--db", db},
            {"notices", "1", "--db", db},
            {"weights", "1", "--summary", "--db", db},
            {"run", "ok.toml", "--db", db, "-q"},
            {"resume", "1", "--db", db},
            {"branch", "1", "--at-step", "5", "--db", db},
            {"import", "curve.csv", "--db", db}};
}

/// Runs anneal-cli as `nobody` when this process is root (root ignores file permissions); plain
/// otherwise. The paths it touches must be reachable by that user.
rel::CliResult runCliAsUser(const std::vector<std::string>& args, const std::string& dir) {
    if (::geteuid() != 0) {
        return rel::runCli(args, dir);
    }
    std::vector<std::string> all = {"--reuid=65534", "--regid=65534", "--clear-groups", rel::cliPath()};
    all.insert(all.end(), args.begin(), args.end());
    rel::Child c("/usr/bin/setpriv", all, dir);
    rel::CliResult r;
    r.code = c.wait(120000);
    r.out = c.out();
    r.err = c.err();
    return r;
}

}  // namespace

class TestBadStorage : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;
    std::string m_good;  ///< a database with one completed run (5 steps, checkpoints at 5 and 10)

    /// A fresh copy of m_good (with its checkpoints) under a new name in a new directory.
    std::string freshDb(const std::string& name) {
        const std::string dir = m_dir.path(name);
        fs::create_directories(dir);
        const auto r = rel::runCli({"run", "ok.toml", "--db", dir + "/" + name + ".db", "-q"}, m_dir.path());
        if (r.code != 0) {
            qWarning("%s", r.err.c_str());
        }
        return dir + "/" + name + ".db";
    }

private slots:
    void initTestCase() {
        rel::writeFile(
            m_dir.path("ok.toml"),
            rel::tinySpec(10, 1, "[log]\ncheckpoint_every = 5\nkeep_checkpoints = 5\nweights_every = 5\n"));
        rel::writeFile(m_dir.path("curve.csv"), "step,loss\n0,5.0\n10,4.0\n");
        m_good = freshDb("good");
        QVERIFY(fs::exists(m_good));
    }

    void notSqliteIsRefusedByEveryCommand() {
        const std::string dir = m_dir.path("text");
        fs::create_directories(dir);
        const std::string db = dir + "/notes.db";
        rel::writeFile(db,
                       "These are my notes, not a database. They are long enough to look like a header.\n");
        const auto before = directoryHashes(dir);
        for (const auto& cmd : everyDatabaseCommand(db)) {
            expectRefusal(rel::runCli(cmd, m_dir.path()), db, {"is not an SQLite database"}, cmd[0]);
        }
        QVERIFY2(directoryHashes(dir) == before, "a file was created or changed beside a text file");
    }

    void directoryAsDatabaseIsRefused() {
        const std::string dir = m_dir.path("a-directory.db");
        fs::create_directories(dir);
        for (const auto& cmd :
             {std::vector<std::string>{"runs", "--db", dir}, {"run", "ok.toml", "--db", dir, "-q"}}) {
            expectRefusal(rel::runCli(cmd, m_dir.path()), dir, {"is a directory"}, cmd[0]);
        }
    }

    void truncatedDatabaseIsRefusedUnchanged() {
        const std::string db = freshDb("truncated");
        rel::RawDb(db, false).exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
        fs::resize_file(db, fs::file_size(db) / 3);
        const auto before = directoryHashes(fs::path(db).parent_path().string());
        int refused = 0;
        for (const auto& cmd : everyDatabaseCommand(db)) {
            const auto r = rel::runCli(cmd, m_dir.path());
            // Some reads never touch the missing pages; none may crash, and a refusal names the file.
            QVERIFY2(r.code == 0 || r.code == 1,
                     (cmd[0] + ": exit " + std::to_string(r.code) + " " + r.err).c_str());
            if (r.code == 1) {
                ++refused;
                expectRefusal(r, db, {"corrupt", "malformed", "not a database", "truncated", "disk image"},
                              cmd[0]);
            }
        }
        QVERIFY(refused >= 5);
        QVERIFY2(directoryHashes(fs::path(db).parent_path().string()) == before,
                 "a truncated database was written to");
    }

    void corruptedDatabaseIsRefusedUnchanged() {
        const std::string db = freshDb("corrupt");
        rel::RawDb(db, false).exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
        {
            // Garbage over every page after the first two (the schema stays readable).
            std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
            const auto size = static_cast<std::streamoff>(fs::file_size(db));
            std::string junk(4096, '\0');
            for (size_t i = 0; i < junk.size(); ++i) {
                junk[i] = static_cast<char>((i * 131 + 7) & 0xff);
            }
            for (std::streamoff at = 8192; at + 4096 <= size; at += 4096) {
                f.seekp(at);
                f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
            }
        }
        const auto before = directoryHashes(fs::path(db).parent_path().string());
        int refused = 0;
        for (const auto& cmd : everyDatabaseCommand(db)) {
            const auto r = rel::runCli(cmd, m_dir.path());
            QVERIFY2(r.code == 0 || r.code == 1,
                     (cmd[0] + ": exit " + std::to_string(r.code) + " " + r.err).c_str());
            if (r.code == 1) {
                ++refused;
                expectRefusal(r, db, {"corrupt", "malformed", "disk image"}, cmd[0]);
            }
        }
        QVERIFY(refused >= 5);
        QVERIFY2(directoryHashes(fs::path(db).parent_path().string()) == before,
                 "a corrupt database was written to");
    }

    void newerSchemaIsRefusedByEveryCommandBytesUntouched() {
        const std::string db = freshDb("newer");
        rel::RawDb(db, false).exec("UPDATE schema_version SET version = 99");  // stays in WAL mode
        const auto before = directoryHashes(fs::path(db).parent_path().string());
        for (const auto& cmd : everyDatabaseCommand(db)) {
            expectRefusal(rel::runCli(cmd, m_dir.path()), db, {"newer Anneal (schema 99"}, cmd[0]);
        }
        QVERIFY2(directoryHashes(fs::path(db).parent_path().string()) == before,
                 "a newer database (or its -wal/-shm) was changed or created");
        try {
            Store::open(db);
            QFAIL("opened a newer schema");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::SchemaTooNew);
        }
    }

    void schemaV1IsReadAsIsThenMigratedWithABackup() {
        const std::string dir = m_dir.path("v1");
        fs::create_directories(dir);
        const std::string db = dir + "/lab.db";
        fs::copy_file(test::dataFile("reliability/schema-v1.db"), db);
        const std::string original = rel::fileHash(db);
        const std::string originalDump = rel::logicalDump(db);
        rel::RawDb v1(db, true);
        QCOMPARE(*v1.scalar("SELECT version FROM schema_version"), std::string("1"));
        const auto runs1 = v1.rows("SELECT * FROM runs ORDER BY id");
        const auto metrics1 = rel::metricRows(v1, 1);
        const auto notes1 = v1.rows("SELECT * FROM annotations");
        const auto weights1 = v1.rows("SELECT * FROM weight_chunks ORDER BY run_id, bucket, step");
        QVERIFY(metrics1.size() > 50);

        // Reading does not migrate (or touch) the file.
        const auto list = rel::runCli({"runs", "--db", db, "--json"}, dir);
        QVERIFY2(list.code == 0, list.err.c_str());
        QVERIFY(list.out.find("made-by-schema-1") != std::string::npos);
        QCOMPARE(rel::fileHash(db), original);
        QVERIFY(!fs::exists(db + ".bak-schema1"));

        // The first writable open migrates: a backup first (the old file's exact content, schema 1),
        // then one transaction; everything stored before is there unchanged.
        const auto run = rel::runCli({"run", m_dir.path("ok.toml"), "--db", db, "--json"}, dir);
        QVERIFY2(run.code == 0, run.err.c_str());
        const std::string backup = db + ".bak-schema1";
        QVERIFY(rel::logicalDump(backup) == originalDump);
        QCOMPARE(rel::integrityCheck(backup), std::string("ok"));
        const std::string backupBytes = rel::fileHash(backup);
        rel::RawDb v2(db, true);
        QCOMPARE(*v2.scalar("SELECT version FROM schema_version"), std::to_string(kSchemaVersion));
        for (const std::string index : {"annotations_run", "runs_status", "runs_branch_checkpoint"}) {
            QVERIFY2(
                v2.scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND name = '" + index + "'"),
                index.c_str());
        }
        auto runs2 = v2.rows("SELECT * FROM runs WHERE id <= 2 ORDER BY id");
        QCOMPARE(runs2.size(), runs1.size());
        QVERIFY(rel::metricRows(v2, 1) == metrics1);
        QVERIFY(v2.rows("SELECT * FROM annotations") == notes1);
        QVERIFY(v2.rows("SELECT * FROM weight_chunks WHERE run_id <= 2 ORDER BY run_id, bucket, step") ==
                weights1);
        QCOMPARE(*v2.scalar("SELECT count(*) FROM runs"), std::string("3"));
        QCOMPARE(rel::integrityCheck(db), std::string("ok"));
        // A migrated file has the same schema as a new one.
        const std::string fresh = m_dir.path("fresh-schema.db");
        Store::open(fresh).reset();
        rel::RawDb f(fresh, true);
        const char* schema =
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name";
        QVERIFY2(v2.rows(schema) == f.rows(schema), "a migrated database's schema differs from a new one's");
        // Opening again changes neither the backup nor the version.
        Store::open(db).reset();
        QCOMPARE(rel::fileHash(backup), backupBytes);
    }

    void failedMigrationChangesNothing() {
        const std::string dir = m_dir.path("v1-fail");
        fs::create_directories(dir);
        const std::string db = dir + "/lab.db";
        fs::copy_file(test::dataFile("reliability/schema-v1.db"), db);
        // An object in the way of the second statement of the migration: the first index is created,
        // then the migration fails; the transaction must take the first one back.
        rel::RawDb(db, false).exec("CREATE TABLE runs_status (x)");
        const std::string dump = rel::logicalDump(db);
        const auto r = rel::runCli({"run", m_dir.path("ok.toml"), "--db", db, "-q"}, dir);
        expectRefusal(r, db, {"runs_status"}, "migration");
        QCOMPARE(rel::logicalDump(db), dump);
        rel::RawDb raw(db, true);
        QCOMPARE(*raw.scalar("SELECT version FROM schema_version"), std::string("1"));
        QVERIFY(!raw.scalar("SELECT name FROM sqlite_master WHERE name = 'annotations_run'").has_value());
    }

    void concurrentOpenersMigrateOnce() {
        const std::string dir = m_dir.path("v1-race");
        fs::create_directories(dir);
        const std::string db = dir + "/lab.db";
        fs::copy_file(test::dataFile("reliability/schema-v1.db"), db);
        const std::string originalDump = rel::logicalDump(db);
        std::atomic<int> ready{0}, failures{0};
        std::vector<std::thread> threads;
        for (int k = 0; k < 4; ++k) {
            threads.emplace_back([&] {
                ++ready;
                while (ready < 4) {
                }
                try {
                    Store::open(db)->listRuns();
                } catch (const std::exception& e) {
                    qWarning("%s", e.what());
                    ++failures;
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        QCOMPARE(failures.load(), 0);
        QVERIFY2(rel::logicalDump(db + ".bak-schema1") == originalDump,
                 "the backup is not the old file: a second opener overwrote it after the first migrated");
        QCOMPARE(Store::open(db)->schemaVersion(), kSchemaVersion);
        QCOMPARE(rel::integrityCheck(db), std::string("ok"));
    }

    void readOnlyFileAndDirectory() {
        // A directory `nobody` can reach (the suite's temporary directory is private to root).
        const std::string dir = "/tmp/anneal-ro-" + std::to_string(::getpid());
        fs::remove_all(dir);
        fs::create_directories(dir);
        struct Cleanup {
            std::string dir;
            ~Cleanup() {
                fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add);
                std::error_code ec;
                fs::remove_all(dir, ec);
            }
        } cleanup{dir};
        fs::copy_file(m_dir.path("ok.toml"), dir + "/ok.toml");
        fs::copy_file(m_dir.path("curve.csv"), dir + "/curve.csv");
        const std::string db = dir + "/ro.db";
        QCOMPARE(rel::runCli({"run", "ok.toml", "--db", db, "-q"}, dir).code, 0);
        fs::remove_all(dir + "/ro-checkpoints");
        if (::geteuid() == 0) {
            QCOMPARE(std::system(("chown -R 65534:65534 " + dir).c_str()), 0);
            qInfo("running the CLI as nobody (this suite is root, and root ignores permissions)");
        }
        const std::string dump = rel::logicalDump(db);
        // byteExact: compare the directory's bytes (this root process must not open the database
        // there itself: root would create its -wal/-shm in the read-only directory).
        // The children's output files go to the suite's own directory, never into `dir`.
        const std::string spec = dir + "/ok.toml";
        const std::string csv = dir + "/curve.csv";
        auto readsAndRefusesWrites = [&](const std::string& what, bool byteExact) {
            const auto before = directoryHashes(dir);
            for (const auto& cmd : std::vector<std::vector<std::string>>{
                     {"runs", "--db", db}, {"metrics", "1", "--name", "train_loss", "--db", db}}) {
                const auto r = runCliAsUser(cmd, m_dir.path());
                QVERIFY2(r.code == 0, (what + ": " + cmd[0] + " cannot read: " + r.err).c_str());
            }
            for (const auto& cmd :
                 std::vector<std::vector<std::string>>{{"run", spec, "--db", db, "-q"},
                                                       {"import", csv, "--db", db},
                                                       {"checkpoints", "1", "--pin", "5", "--db", db}}) {
                expectRefusal(runCliAsUser(cmd, m_dir.path()), db,
                              {"read-only file or directory", "readonly"}, what + " " + cmd[0]);
            }
            if (byteExact) {
                const auto after = directoryHashes(dir);
                QVERIFY2(after == before, (what + ": changed:" + changedFiles(before, after)).c_str());
            } else {
                QCOMPARE(rel::logicalDump(db), dump);
            }
        };
        // A read-only file in a writable directory.
        fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
        readsAndRefusesWrites("read-only file", false);
        // A writable file in a read-only directory (no -wal/-shm: a cleanly closed database).
        fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
        fs::remove(db + "-wal");
        fs::remove(db + "-shm");
        fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                 fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
        const auto before = directoryHashes(dir);
        readsAndRefusesWrites("read-only directory", true);
        expectRefusal(runCliAsUser({"run", spec, "--db", dir + "/new.db", "-q"}, m_dir.path()),
                      dir + "/new.db", {"read-only file or directory", "cannot create"},
                      "new database in a read-only directory");
        const auto after = directoryHashes(dir);
        QVERIFY2(after == before, ("changed:" + changedFiles(before, after)).c_str());
    }

    void importBadFilesChangeNothing_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("says");
        for (const char* f : {"bad_duplicate_step.csv", "bad_empty_cell.csv", "bad_inf.jsonl",
                              "bad_json.jsonl", "bad_missing_column.csv", "bad_missing_key.jsonl",
                              "bad_nan.csv", "bad_not_number.csv", "bad_not_number.jsonl", "bad_quote.csv",
                              "bad_ragged.csv", "bad_unsorted_steps.csv", "empty.csv", "header_only.csv"}) {
            QTest::newRow(f) << QString::fromStdString(test::dataFile(std::string("fit/") + f)) << QString();
        }
        const std::string dir = m_dir.path("imports");
        fs::create_directories(dir);
        const std::vector<std::tuple<const char*, const char*, const char*>> made = {
            {"huge-step.csv", "step,loss\n0,5\n1e19,4\n", ":3"},
            {"fraction-step.csv", "step,loss\n0,5\n2.5,4\n", ":3"},
            {"negative-step.csv", "step,loss\n-1,5\n", ":2"},
            {"huge-tokens.csv", "step,loss,tokens\n0,5,1e300\n", ":2"},
            {"binary.csv", "\x7f\x45\x4c\x46\x02\x01\x01\x00\n\x00\x00,\x01\n", ""},
            {"no-loss.jsonl", "{\"step\": 0, \"lr\": 1}\n", ":1"}};
        for (const auto& [name, text, line] : made) {
            rel::writeFile(dir + "/" + name, text);
            QTest::newRow(name) << QString::fromStdString(dir + "/" + name) << QString(line);
        }
    }
    void importBadFilesChangeNothing() {
        QFETCH(QString, file);
        QFETCH(QString, says);
        const std::string db = m_dir.path("good/good.db");
        const std::string dump = rel::logicalDump(db);
        const auto r = rel::runCli({"import", file.toStdString(), "--db", db}, m_dir.path());
        expectRefusal(r, file.toStdString() + says.toStdString(), {}, "import");
        QCOMPARE(rel::logicalDump(db), dump);
    }

    void importOfAMissingFileIsAUsageError() {
        const auto r = rel::runCli({"import", "no-such-file.csv", "--db", m_good}, m_dir.path());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.find("no-such-file.csv") != std::string::npos, r.err.c_str());
    }

    void missingOrCorruptCheckpoints() {
        const std::string db = freshDb("ckpt");
        rel::RawDb(db, false).exec("UPDATE runs SET status = 'failed' WHERE id = 1");  // resumable
        const auto rows =
            rel::RawDb(db, true).rows("SELECT step, path FROM checkpoints WHERE run_id = 1 ORDER BY step");
        QCOMPARE(rows.size(), size_t{2});
        const std::string cp5 = rows[0][1];
        const std::string cp10 = rows[1][1];
        const std::string good5 = rel::readFile(cp5);
        const std::string good10 = rel::readFile(cp10);
        auto restore = [&] {
            rel::writeFile(cp5, good5);
            rel::writeFile(cp10, good10);
        };
        auto flip = [](const std::string& path) {
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(static_cast<std::streamoff>(fs::file_size(path) / 2));
            f.put('\x5a');
        };
        const std::string dump = rel::logicalDump(db);
        auto unchanged = [&](const std::string& what) {
            QVERIFY2(rel::logicalDump(db) == dump, (what + ": the database changed").c_str());
        };

        fs::remove(cp5);
        fs::remove(cp10);
        expectRefusal(rel::runCli({"resume", "1", "--db", db}, m_dir.path()), "run 1",
                      {"no usable checkpoint"}, "resume, files missing");
        unchanged("resume, files missing");
        expectRefusal(rel::runCli({"branch", "1", "--at-step", "5", "--db", db}, m_dir.path()), cp5,
                      {"missing or unreadable"}, "branch, file missing");
        unchanged("branch, file missing");

        restore();
        flip(cp5);
        flip(cp10);
        const auto r = rel::runCli({"resume", "1", "--db", db}, m_dir.path());
        expectRefusal(r, "run 1", {"no usable checkpoint"}, "resume, files corrupt");
        QVERIFY2(r.err.find("corrupt") != std::string::npos, r.err.c_str());
        unchanged("resume, files corrupt");
        expectRefusal(rel::runCli({"branch", "1", "--at-step", "5", "--db", db}, m_dir.path()), cp5,
                      {"corrupt"}, "branch, file corrupt");
        unchanged("branch, file corrupt");

        // Not a checkpoint at all, and one from a newer Anneal (format field = 99).
        rel::writeFile(cp5, "step,loss\n0,1\n");
        expectRefusal(rel::runCli({"branch", "1", "--at-step", "5", "--db", db}, m_dir.path()), cp5,
                      {"not an Anneal checkpoint"}, "branch, foreign file");
        restore();
        {
            std::fstream f(cp5, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(8);
            const std::uint32_t v = 99;
            f.write(reinterpret_cast<const char*>(&v), sizeof v);
        }
        expectRefusal(rel::runCli({"branch", "1", "--at-step", "5", "--db", db}, m_dir.path()), cp5,
                      {"newer Anneal"}, "branch, newer checkpoint format");
        unchanged("branch, newer format");
        restore();
        // A branch whose model does not fit the checkpoint.
        const auto shape = rel::runCli(
            {"branch", "1", "--at-step", "5", "--db", db, "--set", "model.d_model=64"}, m_dir.path());
        QVERIFY2(shape.code == 1 && shape.err.find("model") != std::string::npos, shape.err.c_str());
        QCOMPARE(*rel::RawDb(db, true).scalar(
                     "SELECT count(*) FROM runs WHERE parent_id = 1 AND status = 'completed'"),
                 std::string("0"));
        // With intact files both work again.
        const auto ok = rel::runCli({"branch", "1", "--at-step", "5", "--db", db, "--json"}, m_dir.path());
        QVERIFY2(ok.code == 0, ok.err.c_str());
    }

    void checkpointsResolveFromAnyDirectoryAndAfterAMove() {
        // A run started with a relative --db, resumed and branched from another working directory,
        // then with the database and its checkpoint directory moved together.
        const std::string dir = m_dir.path("relative");
        fs::create_directories(dir);
        rel::writeFile(dir + "/ok.toml",
                       rel::tinySpec(10, 4, "[log]\ncheckpoint_every = 5\nkeep_checkpoints = 5\n"));
        QCOMPARE(rel::runCli({"run", "ok.toml", "--db", "lab.db", "-q"}, dir).code, 0);
        {
            rel::RawDb raw(dir + "/lab.db", false);
            const std::string uuid = *raw.scalar("SELECT uuid FROM runs WHERE id = 1");
            // What builds before this fix stored: a path relative to the directory the run started in.
            raw.exec("UPDATE checkpoints SET path = 'lab-checkpoints/run-" + uuid +
                     "/step-' || printf('%09d', step) || '.ckpt'");
            raw.exec("UPDATE runs SET status = 'failed' WHERE id = 1");
        }
        const auto resumed = rel::runCli({"resume", "1", "--db", dir + "/lab.db", "--json"}, m_dir.path());
        QVERIFY2(resumed.code == 0, resumed.err.c_str());
        QVERIFY2(resumed.err.find("at step 10") != std::string::npos, resumed.err.c_str());
        const std::string moved = m_dir.path("relative-moved");
        fs::rename(dir, moved);
        const auto branched =
            rel::runCli({"branch", "1", "--at-step", "5", "--db", moved + "/lab.db", "--json"}, m_dir.path());
        QVERIFY2(branched.code == 0, branched.err.c_str());
        QCOMPARE(rel::integrityCheck(moved + "/lab.db"), std::string("ok"));
    }

    void fullDisk() {
        const std::string mnt = m_dir.path("small-disk");
        fs::create_directories(mnt);
        std::string how;
        if (std::system(("mount -t tmpfs -o size=16m tmpfs " + mnt + " 2>/dev/null").c_str()) == 0) {
            how = "a 16 MiB tmpfs";
        } else if (std::system(("truncate -s 16M " + mnt + ".img && mkfs.ext4 -q -F " + mnt +
                                ".img >/dev/null 2>&1 && "
                                "mount -o loop " +
                                mnt + ".img " + mnt + " 2>/dev/null")
                                   .c_str()) == 0) {
            how = "a 16 MiB ext4 loop file system";
        } else {
            how = "RLIMIT_FSIZE (this machine cannot mount a small file system)";
        }
        struct Unmount {
            std::string dir;
            bool mounted;
            ~Unmount() {
                if (mounted && std::system(("umount -l " + dir).c_str()) != 0) {
                    qWarning("could not unmount %s", dir.c_str());
                }
            }
        } unmount{mnt, how.rfind("RLIMIT", 0) != 0};
        qInfo("full disk: %s", how.c_str());
        const bool rlimit = !unmount.mounted;

        const std::string db = mnt + "/lab.db";
        QCOMPARE(rel::runCli({"run", m_dir.path("ok.toml"), "--db", db, "-q"}, m_dir.path()).code, 0);
        rel::MetricRows before;
        {
            rel::RawDb raw(db, true);
            before = rel::metricRows(raw, 1);
        }
        const std::string spec = m_dir.path("full.toml");
        rel::writeFile(spec, rel::tinySpec(200, 9, "[log]\ncheckpoint_every = 20\nweights_every = 10\n"));
        const auto reference =
            rel::runCli({"run", spec, "--db", m_dir.path("full-ref.db"), "-q"}, m_dir.path());
        QCOMPARE(reference.code, 0);

        rel::CliResult r;
        if (!rlimit) {
            // Fill the disk, then leave ~150 KiB: enough to start, not for a checkpoint (~300 KiB).
            const std::string filler = mnt + "/filler";
            {
                std::ofstream f(filler, std::ios::binary);
                const std::string chunk(64 * 1024, 'x');
                while (f.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && f.flush()) {
                }
            }
            fs::resize_file(filler,
                            fs::file_size(filler) > 150 * 1024 ? fs::file_size(filler) - 150 * 1024 : 0);
            r = rel::runCli({"run", spec, "--db", db, "--json"},
                            m_dir.path());  // its output files off the full disk
            fs::remove(filler);
        } else {
            // Files may not grow past 256 KiB: the checkpoints and the WAL hit it.
            ::signal(SIGXFSZ, SIG_IGN);  // the child inherits it: writes fail with EFBIG instead of a kill
            rel::Child c("/usr/bin/prlimit",
                         {"--fsize=262144", rel::cliPath(), "run", spec, "--db", db, "--json"}, m_dir.path());
            r.code = c.wait(300000);
            r.out = c.out();
            r.err = c.err();
            ::signal(SIGXFSZ, SIG_DFL);
        }
        // --json puts the run's outcome on stdout: its message and the store writer's last error.
        const QJsonObject j =
            QJsonDocument::fromJson(QByteArray::fromStdString(r.out).trimmed().split('\n').last()).object();
        const std::string said = r.err + " | " + j["message"].toString().toStdString() + " | " +
                                 j["store_error"].toString().toStdString();
        qInfo("run on a full disk: exit %d, status %s: %s", r.code, qPrintable(j["status"].toString()),
              said.c_str());
        QCOMPARE(r.code, 1);
        QVERIFY2(said.find("full") != std::string::npos || (rlimit && said.find("I/O") != std::string::npos),
                 said.c_str());
        QCOMPARE(rel::integrityCheck(db), std::string("ok"));
        rel::RawDb raw(db, true);
        QVERIFY2(rel::metricRows(raw, 1) == before, "a full disk changed a run that was stored before");
        const auto id = raw.scalar("SELECT max(id) FROM runs WHERE id > 1");
        if (id && !id->empty()) {
            const std::int64_t run = std::stoll(*id);
            const auto steps = rel::stepRows(raw, run);
            for (size_t i = 0; i < steps.size(); ++i) {
                QCOMPARE(steps[i], static_cast<std::int64_t>(i));
            }
            Store::open(db).reset();  // marks it interrupted if its status could not be written
            const std::string status = *raw.scalar("SELECT status FROM runs WHERE id = ?", {run});
            QVERIFY2(status == "failed" || status == "interrupted", status.c_str());
            // With space again, resume completes it, bit for bit as on a roomy disk.
            const auto resumed = rel::runCli({"resume", *id, "--db", db, "--json"}, m_dir.path());
            QVERIFY2(resumed.code == 0, resumed.err.c_str());
            const auto got = rel::metricSeries(raw, run, "train_loss");
            rel::RawDb ref(m_dir.path("full-ref.db"), true);
            const auto want = rel::metricSeries(ref, 1, "train_loss");
            QVERIFY(got.first == want.first);
            QVERIFY2(
                std::memcmp(got.second.data(), want.second.data(), got.second.size() * sizeof(double)) == 0,
                "the run resumed after a full disk differs from the same run on a roomy disk");
            qInfo("stopped at step %zu by the full disk; resumed and completed bit for bit", steps.size());
        }
        QCOMPARE(rel::integrityCheck(db), std::string("ok"));
        if (rlimit) {
            return;
        }
        // A long run without periodic checkpoints: anneal-cli stops it as soon as the store writer
        // gives up on a batch, instead of training on for hours without storing anything.
        const std::string endless = m_dir.path("endless.toml");
        rel::writeFile(endless, rel::tinySpec(1000000, 3, "[log]\ncheckpoint_every = 0\n"));
        {
            const std::string filler = mnt + "/filler";
            std::ofstream f(filler, std::ios::binary);
            const std::string chunk(64 * 1024, 'x');
            while (f.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && f.flush()) {
            }
            f.close();
            fs::resize_file(filler,
                            fs::file_size(filler) > 150 * 1024 ? fs::file_size(filler) - 150 * 1024 : 0);
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto e = rel::runCli({"run", endless, "--db", db, "-q"}, m_dir.path(), 300000);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        fs::remove(mnt + "/filler");
        qInfo("a run without checkpoints on a full disk ended after %.1f s: exit %d: %s", secs, e.code,
              e.err.c_str());
        QCOMPARE(e.code, 1);
        QVERIFY2(e.err.find("cannot store this run's events") != std::string::npos, e.err.c_str());
        QVERIFY(secs < 120);
        QCOMPARE(rel::integrityCheck(db), std::string("ok"));
        QVERIFY2(rel::metricRows(raw, 1) == before, "a full disk changed a run that was stored before");
    }
};

QTEST_APPLESS_MAIN(TestBadStorage)
#include "test_bad_storage.moc"
