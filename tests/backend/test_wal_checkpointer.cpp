// SPDX-License-Identifier: GPL-3.0-or-later
// store::WalCheckpointer: a writing connection's commits past the threshold get checkpointed by the
// other thread (the WAL's frames reach the database file), the writer's own automatic checkpoints
// are off, and the data is intact.
#include <QtTest>
#include <chrono>
#include <filesystem>
#include <sqlite3.h>
#include <string>
#include <thread>

#include "store/wal_checkpointer.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

void exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string what = err ? err : "?";
        sqlite3_free(err);
        QFAIL(what.c_str());
    }
}

}  // namespace

class TestWalCheckpointer : public QObject {
    Q_OBJECT
private slots:
    void commitsPastTheThresholdAreCheckpointedElsewhere() {
        test::TempDir dir;
        const std::string path = dir.path("wal.db");
        sqlite3* w = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &w), SQLITE_OK);
        exec(w,
             "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t(k INTEGER PRIMARY KEY, "
             "v BLOB)");
        {
            store::WalCheckpointer c(path, 5000, 50);
            c.attach(w);
            // 40 commits of ~16 KB: 4-5 pages each, the threshold (50 pages) passed several times.
            for (int i = 0; i < 40; ++i) {
                exec(w, "INSERT INTO t(v) VALUES (randomblob(16000))");
            }
            for (int wait = 0; wait < 200 && c.checkpoints() == 0; ++wait) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            QVERIFY2(c.checkpoints() > 0, "no checkpoint ran");
            c.stop();
        }
        // The checkpoints copied the WAL's pages into the database file: at least the 50 pages of the
        // first one. (The writer's own automatic checkpoints are off while hooked, and SQLite's default
        // threshold, 1000 pages, is never reached here: without the checkpointer the file stays small.)
        QVERIFY2(std::filesystem::file_size(path) >= 50 * 4096,
                 qPrintable(QString("database file %1 bytes").arg(std::filesystem::file_size(path))));
        sqlite3_stmt* q = nullptr;
        sqlite3_prepare_v2(w, "SELECT count(*), sum(length(v)) FROM t", -1, &q, nullptr);
        QCOMPARE(sqlite3_step(q), SQLITE_ROW);
        QCOMPARE(sqlite3_column_int(q, 0), 40);
        QCOMPARE(sqlite3_column_int64(q, 1), sqlite3_int64{40 * 16000});
        sqlite3_finalize(q);
        sqlite3_close(w);
    }

    void belowTheThresholdNothingRuns() {
        test::TempDir dir;
        const std::string path = dir.path("quiet.db");
        sqlite3* w = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &w), SQLITE_OK);
        exec(w, "PRAGMA journal_mode = WAL; CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)");
        store::WalCheckpointer c(path, 5000, 100000);
        c.attach(w);
        for (int i = 0; i < 20; ++i) {
            exec(w, "INSERT INTO t(v) VALUES (randomblob(16000))");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        QCOMPARE(c.checkpoints(), 0);
        // Nothing was copied into the database file: the pages are all in the WAL.
        QVERIFY2(std::filesystem::file_size(path) < 20 * 4096,
                 qPrintable(QString("database file %1 bytes").arg(std::filesystem::file_size(path))));
        QVERIFY(std::filesystem::file_size(path + "-wal") >= 20 * 16000);
        c.stop();
        sqlite3_close(w);
    }
};

QTEST_APPLESS_MAIN(TestWalCheckpointer)
#include "test_wal_checkpointer.moc"
