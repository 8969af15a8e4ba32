// SPDX-License-Identifier: GPL-3.0-or-later
// The main window: it opens on a fresh database, a live run fills the loss plot with the values the
// store holds, and the GUI thread stays responsive while a run trains.
#include <qcustomplot.h>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QtTest>
#include <ctime>

#include "anneal/store.h"
#include "branch_dialog.h"
#include "loss_plot_view.h"
#include "main_window.h"
#include "plot_options_bar.h"
#include "resources.h"
#include "run_browser.h"
#include "run_controller.h"
#include "run_list_model.h"
#include "run_property_panel.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

MainWindow::Options optionsFor(const QString& db) {
    MainWindow::Options o;
    o.dbPath = db;
    o.startDefaultIfEmpty = false;
    o.restoreSettings = false;
    return o;
}

qint64 startedRunId(QSignalSpy& spy) { return spy.first().first().value<LiveRunInfo>().runId; }

/// CPU time the calling thread has used.
qint64 threadCpuNs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// The 1-minute load average (0 when unknown).
double loadAverage() {
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? f.readAll().split(' ').value(0).toDouble() : 0.0;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void windowOpens();
    void liveRunFillsLossPlot();
    void guiStaysResponsiveDuringRun();
    void badExperimentNamesTheField();
    void branchFromTheGuiStartsABranch();
    void settingsPersist();

private:
    test::TempDir m_tmp;
};

void TestMainWindow::initTestCase() {
    qputenv("XDG_CONFIG_HOME", m_tmp.qpath(QStringLiteral("config")).toUtf8());
    initResources();
}

void TestMainWindow::windowOpens() {
    const QString db = m_tmp.qpath(QStringLiteral("open.db"));
    MainWindow w(optionsFor(db));
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_VERIFY(w.browser()->loaded());
    QVERIFY(QFileInfo::exists(db));  // created and migrated off the GUI thread
    QStringList tabs;
    for (int i = 0; i < w.tabs()->count(); ++i) {
        tabs << w.tabs()->tabText(i);
    }
    for (const char* t : {"Loss", "LR", "Mixture", "Grad norm", "Throughput"}) {
        QVERIFY2(tabs.contains(QString::fromLatin1(t)), t);
    }
    bool pathShown = false;
    for (QLabel* l : w.statusBar()->findChildren<QLabel*>()) {
        pathShown = pathShown || l->text() == db;
    }
    QVERIFY2(pathShown, "the status bar shows the database path");
    QStringList shortcuts;
    for (QAction* a : w.findChildren<QAction*>()) {
        shortcuts << a->shortcut().toString();
    }
    QVERIFY(shortcuts.contains(QKeySequence(QKeySequence::Open).toString()));
    QVERIFY(shortcuts.contains(QKeySequence(QKeySequence::New).toString()));
    QVERIFY(shortcuts.contains(QKeySequence(QKeySequence::Quit).toString()));
    QVERIFY(w.lastError().isEmpty());
}

void TestMainWindow::liveRunFillsLossPlot() {
    const QString db = m_tmp.qpath(QStringLiteral("live.db"));
    MainWindow w(optionsFor(db));
    w.resize(1200, 800);
    w.show();
    QTRY_VERIFY(w.browser()->loaded());
    QSignalSpy started(w.controller(), &RunController::runStarted);
    QSignalSpy finished(w.controller(), &RunController::runFinished);
    w.launchExperiment(QString::fromStdString(test::tinyExperimentToml(200, 3)), QStringLiteral("tiny"));
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 30000);
    const qint64 runId = startedRunId(started);
    QTRY_VERIFY(w.lossView()->runs().contains(runId));  // the new run gets selected

    const QString trainKey = MetricPlotView::curveKey(runId, QStringLiteral("train_loss"));
    QList<std::size_t> counts;
    QElapsedTimer t;
    t.start();
    while (finished.isEmpty() && t.elapsed() < 120000) {
        QTest::qWait(30);
        counts << w.lossView()->plot()->curvePointCount(trainKey);
    }
    QCOMPARE(finished.count(), 1);
    QTest::qWait(100);
    const std::size_t final = w.lossView()->plot()->curvePointCount(trainKey);
    counts << final;
    QVERIFY(std::is_sorted(counts.begin(), counts.end()));
    QList<std::size_t> growing;
    for (std::size_t c : counts) {
        if (c > 0 && c < final && !growing.contains(c)) {
            growing << c;
        }
    }
    qInfo("train curve point counts while running: %lld distinct partial counts, final %zu",
          static_cast<long long>(growing.size()), final);
    QVERIFY2(growing.size() >= 2, "points arrive while the run trains, not only at its end");
    QCOMPARE(final, std::size_t(200));

    // The plotted values are exactly the stored ones, at known steps.
    auto store = Store::open(db.toStdString(), Store::Mode::ReadOnly);
    const MetricSeries stored = store->metric(runId, "train_loss");
    QCOMPARE(stored.steps.size(), std::size_t(200));
    w.lossView()->plot()->refreshNow();
    QCPGraph* g = w.lossView()->plot()->graph(trainKey);
    QCOMPARE(g->data()->size(), 200);  // fewer points than pixels: drawn as they are
    for (int step : {0, 1, 50, 123, 199}) {
        const auto it = g->data()->findBegin(step, false);
        QCOMPARE(it->key, double(step));
        QCOMPARE(it->value, stored.values[static_cast<std::size_t>(step)]);
    }
    const QString valKey = MetricPlotView::curveKey(runId, QStringLiteral("val_loss.markov"));
    const MetricSeries val = store->metric(runId, "val_loss.markov");
    QVERIFY(!val.steps.empty());
    const std::vector<double>* vx = w.lossView()->plot()->curveX(valKey);
    const std::vector<double>* vy = w.lossView()->plot()->curveY(valKey);
    QVERIFY(vx && vy);
    QCOMPARE(vx->size(), val.steps.size());
    for (std::size_t i = 0; i < val.steps.size(); ++i) {
        QCOMPARE((*vx)[i], double(val.steps[i]));
        QCOMPARE((*vy)[i], val.values[i]);
    }
}

void TestMainWindow::guiStaysResponsiveDuringRun() {
    const QString db = m_tmp.qpath(QStringLiteral("latency.db"));
    MainWindow w(optionsFor(db));
    w.resize(1400, 860);
    w.show();
    QTRY_VERIFY(w.browser()->loaded());
    QSignalSpy started(w.controller(), &RunController::runStarted);
    QSignalSpy finished(w.controller(), &RunController::runFinished);
    w.launchExperiment(QString::fromStdString(test::tinyExperimentToml(1500, 5)), QStringLiteral("tiny"));
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 30000);

    // A timer that measures its own lateness: how long after its due time the event loop ran it.
    // Beside it, the GUI thread's own CPU time between two ticks: the part of the lateness that our
    // code spent (the rest is the thread waiting for a core on a loaded machine).
    constexpr int kIntervalMs = 10;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(kIntervalMs);
    QElapsedTimer clock;
    qint64 last = -1;
    qint64 lastCpu = 0;
    qint64 worstBusy = 0;
    std::vector<qint64> lateness;
    connect(&probe, &QTimer::timeout, this, [&] {
        const qint64 now = clock.nsecsElapsed();
        const qint64 cpu = threadCpuNs();
        if (last >= 0) {
            lateness.push_back(std::max<qint64>(0, now - last - qint64(kIntervalMs) * 1000000));
            worstBusy = std::max(worstBusy, cpu - lastCpu);
        }
        last = now;
        lastCpu = cpu;
    });
    clock.start();
    probe.start();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 180000);
    probe.stop();
    QVERIFY2(lateness.size() > 20, "the run lasted long enough to measure");
    std::sort(lateness.begin(), lateness.end());
    const double maxMs = static_cast<double>(lateness.back()) / 1e6;
    const double p99Ms = static_cast<double>(lateness[lateness.size() * 99 / 100]) / 1e6;
    const double busyMs = static_cast<double>(worstBusy) / 1e6;
    const double load = loadAverage();
    const int cores = QThread::idealThreadCount();
    qInfo(
        "event-loop latency during a live run: max %.1f ms, p99 %.1f ms over %zu ticks (%.1f s of training); "
        "GUI thread busiest between two ticks: %.1f ms of CPU; load average %.1f on %d cores",
        maxMs, p99Ms, lateness.size(), static_cast<double>(clock.elapsed()) / 1000.0, busyMs, load, cores);
    // What our code costs the event loop, whatever else the machine runs.
    QVERIFY2(busyMs < 50.0,
             qPrintable(QStringLiteral("the GUI thread was busy %1 ms at a stretch").arg(busyMs)));
    if (load <= cores) {
        QVERIFY2(maxMs < 50.0, qPrintable(QStringLiteral("max lateness %1 ms").arg(maxMs)));
    } else {
        // Oversubscribed (other builds and tests): a core can be denied to the GUI thread for tens of
        // ms whatever it does, so hold the bound for 99% of the ticks and report the max.
        qWarning("load average %.1f on %d cores: checking the 99th percentile, the max was %.1f ms", load,
                 cores, maxMs);
        QVERIFY2(p99Ms < 50.0, qPrintable(QStringLiteral("p99 lateness %1 ms").arg(p99Ms)));
    }
    QCOMPARE(w.lossView()->plot()->curvePointCount(
                 MetricPlotView::curveKey(startedRunId(started), QStringLiteral("train_loss"))),
             std::size_t(1500));
}

void TestMainWindow::badExperimentNamesTheField() {
    const QString db = m_tmp.qpath(QStringLiteral("bad.db"));
    MainWindow w(optionsFor(db));
    QTRY_VERIFY(w.browser()->loaded());
    QSignalSpy failed(w.controller(), &RunController::failed);
    w.launchExperiment(QString::fromStdString(test::tinyExperimentToml(20)), QStringLiteral("bad.toml"),
                       {QStringLiteral("train.lr=-1")});
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("bad.toml")), "the source is named");
    QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("train.lr")), "the field is named");
    QVERIFY(w.lastError().contains(QStringLiteral("train.lr")));
    QVERIFY(w.controller()->liveRunIds().isEmpty());
}

void TestMainWindow::branchFromTheGuiStartsABranch() {
    const QString db = m_tmp.qpath(QStringLiteral("branch.db"));
    MainWindow w(optionsFor(db));
    w.resize(1400, 900);
    w.show();
    QTRY_VERIFY(w.browser()->loaded());
    QSignalSpy started(w.controller(), &RunController::runStarted);
    QSignalSpy finished(w.controller(), &RunController::runFinished);
    w.launchExperiment(QString::fromStdString(test::tinyExperimentToml(30, 4)), QStringLiteral("tiny"),
                       {QStringLiteral("log.checkpoint_every=10")});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    const qint64 parent = startedRunId(started);
    // The finished run is current: the property panel lists its checkpoints.
    QTRY_COMPARE(w.propertyPanel()->runId(), parent);
    QTRY_COMPARE(w.propertyPanel()->checkpoints().size(), std::size_t(3));
    BranchDialog* dialog = w.openBranchDialog(parent, 10);
    QVERIFY(dialog);
    QCOMPARE(dialog->step(), qint64(10));
    dialog->setOverrides({QStringLiteral("train.lr=0.002"), QStringLiteral("train.steps=20")});
    QVERIFY2(dialog->validationError().isEmpty(), qPrintable(dialog->validationError()));
    for (QPushButton* b : dialog->findChildren<QPushButton*>()) {
        if (b->text() == QLatin1String("Start branch")) {
            b->click();
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 2, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
    const qint64 child = started.at(1).first().value<LiveRunInfo>().runId;
    auto store = Store::open(db.toStdString(), Store::Mode::ReadOnly);
    const RunRecord r = store->run(child);
    QCOMPARE(r.parentId.value_or(0), parent);
    QCOMPARE(r.branchStep.value_or(0), std::int64_t(10));
    QCOMPARE(store->metric(child, "train_loss").steps.front(), std::int64_t(10));
    // The branch sits under its parent in the run browser.
    QTRY_VERIFY(w.browser()->model()->indexOf(child).isValid());
    QCOMPARE(w.browser()->model()->indexOf(child).parent(), w.browser()->model()->indexOf(parent));
}

void TestMainWindow::settingsPersist() {
    const QString db = m_tmp.qpath(QStringLiteral("settings.db"));
    MainWindow::Options o = optionsFor(db);
    o.restoreSettings = true;
    {
        MainWindow w(o);
        w.show();
        PlotOptions p;
        p.xAxis = XAxisKind::Tokens;
        p.logY = true;
        p.smoothing = 0.33;
        w.plotOptionsBar()->setOptions(p);
        w.tabs()->setCurrentIndex(2);
        w.close();  // saves
    }
    MainWindow again(o);
    QCOMPARE(again.plotOptionsBar()->options().xAxis, XAxisKind::Tokens);
    QCOMPARE(again.plotOptionsBar()->options().logY, true);
    QCOMPARE(again.plotOptionsBar()->options().smoothing, 0.33);
    QCOMPARE(again.tabs()->currentIndex(), 2);
    QCOMPARE(again.lossView()->options().xAxis, XAxisKind::Tokens);
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
