// SPDX-License-Identifier: GPL-3.0-or-later
// The seam from the views to the store: readAsync (a pool thread's value or error, delivered on the
// GUI thread, never to a destroyed receiver, never after a cancel), RequestSequence (stale results
// dropped), and runExperiment (a stored run's experiment, or an error naming the run).
#include <QSemaphore>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <fstream>
#include <memory>
#include <sqlite3.h>

#include "anneal/error.h"
#include "anneal/run_experiment.h"
#include "anneal/store.h"
#include "async_read.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

/// Runs one SQL statement on the file behind the store's back (a hand-edited database).
void execSql(const std::string& db, const std::string& sql) {
    sqlite3* h = nullptr;
    QCOMPARE(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    const QString message = err ? QString::fromUtf8(err) : QString();
    sqlite3_free(err);
    sqlite3_close(h);
    QVERIFY2(rc == SQLITE_OK, qPrintable(message));
}

/// The message of what fn throws as anneal::Error, with its code; fails the test when it does not throw.
template <typename Fn>
std::pair<ErrorCode, QString> errorOf(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        return {e.code(), QString::fromStdString(e.what())};
    }
    return {ErrorCode::Internal, QStringLiteral("<nothing thrown>")};
}

}  // namespace

class TestAsyncRead : public QObject {
    Q_OBJECT

private slots:
    void deliversTheValueOnTheReceiversThread();
    void deliversTheErrorText();
    void deliversTheStoresErrorNamingTheFile();
    void neverCallsADestroyedReceiver();
    void cancelledWorkIsNotDelivered();
    void reportsProgress();
    void dropsSupersededResults();
    void storedRunParses();
    void corruptedStoredConfigNamesTheRun();
    void overrideErrorsStayTheOverrides();
    void importedRunHasNoExperiment();
};

void TestAsyncRead::deliversTheValueOnTheReceiversThread() {
    QObject receiver;
    QThread* workThread = nullptr;
    QThread* doneThread = nullptr;
    int value = 0;
    int calls = 0;
    readAsync(
        &receiver,
        [&workThread] {
            workThread = QThread::currentThread();
            return 42;
        },
        [&](const ReadResult<int>& r) {
            doneThread = QThread::currentThread();
            QVERIFY(r.ok());
            value = r.value;
            ++calls;
        });
    QTRY_COMPARE(calls, 1);
    QCOMPARE(value, 42);
    QVERIFY(workThread != nullptr);
    QVERIFY(workThread != QThread::currentThread());
    QCOMPARE(doneThread, QThread::currentThread());
    QTest::qWait(20);
    QCOMPARE(calls, 1);  // once
}

void TestAsyncRead::deliversTheErrorText() {
    QObject receiver;
    QStringList errors;
    readAsync(
        &receiver, []() -> int { throw Error(ErrorCode::NotFound, "run 7 does not exist", "/data/lab.db"); },
        [&](const ReadResult<int>& r) { errors << r.error; });
    readAsync(
        &receiver, []() -> int { throw 17; }, [&](const ReadResult<int>& r) { errors << r.error; });
    QTRY_COMPARE(errors.size(), 2);
    QVERIFY2(errors.contains(QStringLiteral("/data/lab.db: run 7 does not exist")),
             qPrintable(errors.join('|')));
    QVERIFY2(errors.contains(QStringLiteral("unknown error")), qPrintable(errors.join('|')));
}

void TestAsyncRead::deliversTheStoresErrorNamingTheFile() {
    test::TempDir dir;
    const std::string path = dir.path("not-a-database.db");
    std::ofstream(path) << "this is a text file, not SQLite\n";
    QObject receiver;
    ReadResult<std::int64_t> got;
    bool called = false;
    readAsync(
        &receiver, [path] { return Store::open(path, Store::Mode::ReadOnly)->dataVersion(); },
        [&](const ReadResult<std::int64_t>& r) {
            got = r;
            called = true;
        });
    QTRY_VERIFY(called);
    QVERIFY(!got.ok());
    QVERIFY2(got.error.contains(QString::fromStdString(path)), qPrintable(got.error));
}

void TestAsyncRead::neverCallsADestroyedReceiver() {
    auto release = std::make_shared<QSemaphore>(0);
    auto finished = std::make_shared<std::atomic<bool>>(false);
    auto calls = std::make_shared<int>(0);
    auto* receiver = new QObject;
    QFuture<ReadResult<int>> future = readAsync(
        receiver,
        [release, finished] {
            release->acquire();  // held until the receiver is gone
            *finished = true;
            return 1;
        },
        [calls](const ReadResult<int>&) { ++*calls; });
    delete receiver;
    release->release();
    future.waitForFinished();
    QVERIFY(finished->load());
    QTest::qWait(50);  // any queued delivery would run here
    QCoreApplication::sendPostedEvents();
    QCOMPARE(*calls, 0);
}

void TestAsyncRead::cancelledWorkIsNotDelivered() {
    QObject receiver;
    auto started = std::make_shared<QSemaphore>(0);
    int calls = 0;
    QFuture<ReadResult<int>> future = readAsync(
        &receiver,
        [started](ReadProgress& progress) {
            started->release();
            while (!progress.cancelled()) {
                QThread::msleep(1);
            }
            return 1;
        },
        [&calls](const ReadResult<int>&) { ++calls; });
    started->acquire();
    future.cancel();
    future.waitForFinished();
    QTest::qWait(50);
    QCOMPARE(calls, 0);
}

void TestAsyncRead::reportsProgress() {
    QObject receiver;
    QList<int> values;
    bool called = false;
    readAsync(
        &receiver,
        [](ReadProgress& progress) {
            progress.setRange(0, 3);
            for (int i = 1; i <= 3; ++i) {
                QThread::msleep(5);
                progress.setValue(i);
            }
            return 3;
        },
        [&called](const ReadResult<int>& r) { called = r.ok() && r.value == 3; },
        [&values, &receiver](QFutureWatcher<ReadResult<int>>* watcher) {
            QObject::connect(watcher, &QFutureWatcher<ReadResult<int>>::progressValueChanged, &receiver,
                             [&values](int v) { values << v; });
        });
    QTRY_VERIFY(called);
    QVERIFY(!values.isEmpty());
    QCOMPARE(values.last(), 3);
}

void TestAsyncRead::dropsSupersededResults() {
    QObject receiver;
    RequestSequence requests;
    QList<int> applied;
    int delivered = 0;
    auto slowRelease = std::make_shared<QSemaphore>(0);
    const auto request = [&](int value, std::shared_ptr<QSemaphore> gate) {
        const quint64 ticket = requests.next();
        return readAsync(
            &receiver,
            [value, gate] {
                if (gate) {
                    gate->acquire();
                }
                return value;
            },
            [&, ticket](const ReadResult<int>& r) {
                ++delivered;
                if (requests.isLatest(ticket)) {
                    applied << r.value;
                }
            });
    };
    QFuture<ReadResult<int>> first = request(1, slowRelease);  // superseded before it ends
    request(2, nullptr);
    QTRY_COMPARE(delivered, 1);
    slowRelease->release();
    first.waitForFinished();
    QTRY_COMPARE(delivered, 2);
    QCOMPARE(applied, QList<int>{2});

    const quint64 t = requests.next();
    QVERIFY(requests.isLatest(t));
    requests.invalidate();
    QVERIFY(!requests.isLatest(t));
}

void TestAsyncRead::storedRunParses() {
    test::TempDir dir;
    const std::string db = dir.path("lab.db");
    auto store = Store::open(db);
    const std::int64_t id = store->createRun(test::plainRun("plain"));
    const ExperimentSpec spec = runExperiment(*store, id);
    QCOMPARE(spec.train.steps, std::int64_t{10});
    QCOMPARE(spec.data.domains.size(), std::size_t{2});
    QCOMPARE(runExperiment(store->run(id), {"train.steps=30"}).train.steps, std::int64_t{30});
}

void TestAsyncRead::corruptedStoredConfigNamesTheRun() {
    test::TempDir dir;
    const std::string db = dir.path("lab.db");
    std::int64_t broken = 0, invalid = 0;
    {
        auto store = Store::open(db);
        broken = store->createRun(test::plainRun("broken"));
        invalid = store->createRun(test::plainRun("invalid"));
    }
    execSql(db, "UPDATE runs SET config_toml = 'name = \"tiny\"\n[model\nn_layer = 1' WHERE id = " +
                    std::to_string(broken));
    execSql(db, "UPDATE runs SET config_toml = replace(config_toml, 'lr = 0.01', 'lr = -1') WHERE id = " +
                    std::to_string(invalid));
    auto store = Store::open(db, Store::Mode::ReadOnly);

    const auto [code1, notToml] = errorOf([&] { runExperiment(*store, broken); });
    QCOMPARE(code1, ErrorCode::InvalidConfig);
    QVERIFY2(notToml.startsWith(QStringLiteral("run %1 config:").arg(broken)), qPrintable(notToml));

    const auto [code2, badValue] = errorOf([&] { runExperiment(*store, invalid); });
    QCOMPARE(code2, ErrorCode::InvalidConfig);
    QVERIFY2(badValue.contains(QStringLiteral("stored config of run %1").arg(invalid)), qPrintable(badValue));
    QVERIFY2(badValue.contains(QStringLiteral("train.lr")), qPrintable(badValue));
    // With overrides, the stored config is still what is named.
    const auto [code3, withOverride] =
        errorOf([&] { runExperiment(store->run(invalid), {"train.steps=30"}); });
    QCOMPARE(code3, ErrorCode::InvalidConfig);
    QVERIFY2(withOverride.contains(QStringLiteral("stored config of run %1").arg(invalid)),
             qPrintable(withOverride));
}

void TestAsyncRead::overrideErrorsStayTheOverrides() {
    test::TempDir dir;
    auto store = Store::open(dir.path("lab.db"));
    const std::int64_t id = store->createRun(test::plainRun("plain"));
    try {
        runExperiment(store->run(id), {"train.lr=-1"});
        QFAIL("a negative lr was accepted");
    } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.field()),
                 QStringLiteral("train.lr"));  // the branch dialog's widget
        QVERIFY2(!QString::fromStdString(e.what()).contains(QStringLiteral("stored config")), e.what());
    }
}

void TestAsyncRead::importedRunHasNoExperiment() {
    RunRecord imported;
    imported.id = 12;
    imported.kind = "imported";
    const auto [code, message] = errorOf([&] { runExperiment(imported); });
    QCOMPARE(code, ErrorCode::InvalidInput);
    QVERIFY2(message.contains(QStringLiteral("run 12")) && message.contains(QStringLiteral("imported")),
             qPrintable(message));
}

QTEST_MAIN(TestAsyncRead)
#include "test_async_read.moc"
