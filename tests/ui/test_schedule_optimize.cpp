// SPDX-License-Identifier: GPL-3.0-or-later
// The schedule editor's Optimize box and `table` schedules: Optimize with a chosen mpl fit runs on a
// worker thread, its result (the optimiser's own, recomputed here) is drawn beside the current schedule
// with its predicted loss, and "Use this" makes it the experiment's table schedule, which validates and
// is what "Run this" starts. Cancel stops a long run; "Load LR table…" reads a step,lr file.
#include <qcustomplot.h>
#include <QLabel>
#include <QPushButton>
#include <QLineEdit>
#include <QSignalSpy>
#include <QtTest>

#include <fstream>

#include "anneal/config.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/schedule_optimizer.h"
#include "anneal/schedule.h"
#include "fit_result.h"
#include "resources.h"
#include "schedule_editor.h"
#include "schedule_optimize_panel.h"
#include "schedule_plot.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

PredictionFit mplFit() {
    // METHODS 8.8, 400M: L0, A, alpha, B, C, beta, gamma.
    PredictionFit pf;
    pf.id = 5;
    pf.name = QStringLiteral("mpl 400M");
    pf.fit = test::fitWithParams(
        "mpl", {2.37474466, 0.65421216, 0.42878731, 523.42464371, 2.02462735, 0.59350493, 0.63472457});
    pf.source = QStringLiteral("METHODS 8.8");
    return pf;
}

ExperimentSpec tiny(int steps) {
    return parseExperiment(test::tinyExperimentToml(steps), "tiny",
                           {"train.lr=3e-4", "schedule.warmup_steps=20", "schedule.final_lr_fraction=0.1"});
}

}  // namespace

class TestScheduleOptimize : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { initResources(); }

    void optimizeShowsAndAppliesTheSchedule() {
        ScheduleEditor editor;
        editor.resize(1000, 700);
        editor.show();
        const PredictionFit pf = mplFit();
        editor.setPredictionFits({pf});
        editor.selectPredictionFit(pf.id);
        editor.setExperiment(tiny(200), QStringLiteral("test"));
        ScheduleOptimizePanel* panel = editor.optimizePanel();
        QVERIFY(panel->optimizeButton()->isEnabled());
        QVERIFY(!panel->useButton()->isEnabled());
        const double current = editor.predictedLoss().back();

        QSignalSpy done(panel, &ScheduleOptimizePanel::finished);
        QTest::mouseClick(panel->optimizeButton(), Qt::LeftButton);
        QVERIFY(done.wait(30000));
        QVERIFY(panel->result().has_value());
        const fit::OptimizedSchedule r = *panel->result();  // a copy: "Use this" clears the panel

        // The optimiser's result for this problem, computed here from the backend directly.
        fit::ScheduleProblem p;
        p.steps = 200;
        p.peakLr = 3e-4;
        p.warmupSteps = 20;
        const fit::OptimizedSchedule want = fit::optimizeSchedule(pf.fit, p);
        QCOMPARE(r.best.lr, want.best.lr);
        QCOMPARE(r.best.finalLoss, want.best.finalLoss);
        QVERIFY(r.best.finalLoss < current);
        QVERIFY(panel->resultLabel()->text().contains(QString::number(r.best.finalLoss, 'f', 5)));
        QVERIFY(panel->useButton()->isEnabled());

        // Drawn beside the current schedule: the optimised LR and its predicted loss.
        QCOMPARE(editor.lrPlot()->optimizedLrGraph()->data()->size(), 200);
        // The predicted loss from the end of warmup on (updates 20..199), where the law applies.
        QCOMPARE(editor.lrPlot()->optimizedLossGraph()->data()->size(), 180);
        QCOMPARE(editor.lrPlot()->optimizedLossGraph()->data()->begin()->key, 20.0);
        const auto predicted = fit::predictCurve(pf.fit, r.best.lr, 20);
        QCOMPARE((editor.lrPlot()->optimizedLossGraph()->data()->end() - 1)->value, predicted.back());
        QCOMPARE(editor.lrCurve(), learningRates(tiny(200)));  // the current schedule is unchanged

        // "Use this": the experiment's schedule is now that table, valid, and what "Run this" starts.
        QTest::mouseClick(panel->useButton(), Qt::LeftButton);
        QCOMPARE(editor.experiment().schedule.kind, std::string("table"));
        QCOMPARE(learningRates(editor.experiment()), r.best.lr);
        QCOMPARE(editor.lrCurve(), r.best.lr);
        QVERIFY2(editor.validationError().isEmpty(), qPrintable(editor.validationError()));
        QVERIFY(std::abs(editor.predictedLoss().back() - r.best.finalLoss) < 1e-12 * r.best.finalLoss);
        QCOMPARE(editor.lrPlot()->optimizedLrGraph()->data()->size(), 0);
        QSignalSpy run(&editor, &ScheduleEditor::runRequested);
        QTest::mouseClick(editor.runButton(), Qt::LeftButton);
        QCOMPARE(run.size(), 1);
        const ExperimentSpec launched = parseExperiment(run[0][0].toString().toStdString(), "launched");
        QCOMPARE(learningRates(launched), r.best.lr);
    }

    // The minimum LR field bounds the optimised LR after warmup (the CLI's --min-lr): the panel's
    // result equals the backend's optimum of the same problem with that bound, and a bad value is
    // refused in the result line without starting anything.
    void minimumLrBoundsTheSchedule() {
        ScheduleEditor editor;
        const PredictionFit pf = mplFit();
        editor.setPredictionFits({pf});
        editor.selectPredictionFit(pf.id);
        editor.setExperiment(tiny(200), QStringLiteral("test"));
        ScheduleOptimizePanel* panel = editor.optimizePanel();
        panel->minLrEdit()->setText(QStringLiteral("abc"));
        QTest::mouseClick(panel->optimizeButton(), Qt::LeftButton);
        QVERIFY(!panel->running());
        QVERIFY2(panel->resultLabel()->text().contains(QStringLiteral("Minimum LR")),
                 qPrintable(panel->resultLabel()->text()));
        panel->minLrEdit()->setText(QStringLiteral("1e-4"));
        QSignalSpy done(panel, &ScheduleOptimizePanel::finished);
        QTest::mouseClick(panel->optimizeButton(), Qt::LeftButton);
        QVERIFY(done.wait(30000));
        QVERIFY(panel->result().has_value());
        fit::ScheduleProblem p;
        p.steps = 200;
        p.peakLr = 3e-4;
        p.warmupSteps = 20;
        p.minLr = 1e-4;
        const fit::OptimizedSchedule want = fit::optimizeSchedule(pf.fit, p);
        QCOMPARE(panel->result()->floorLr, 1e-4);
        QCOMPARE(panel->result()->best.lr, want.best.lr);
        for (std::size_t u = 20; u < 200; ++u) {
            QVERIFY(panel->result()->best.lr[u] >= 1e-4);
        }
    }

    void cancelStopsALongRun() {
        ScheduleEditor editor;
        const PredictionFit pf = mplFit();
        editor.setPredictionFits({pf});
        editor.selectPredictionFit(pf.id);
        editor.setExperiment(tiny(200000), QStringLiteral("test"));
        ScheduleOptimizePanel* panel = editor.optimizePanel();
        editor.startOptimize();
        QVERIFY(panel->running());
        QVERIFY(panel->cancelButton()->isVisibleTo(panel));
        QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->running(), 20000);
        QVERIFY(!panel->result().has_value());
        QVERIFY(!panel->useButton()->isEnabled());
    }

    void loadsAnLrTableFile() {
        test::TempDir dir;
        const std::string csv = dir.path("lr.csv");
        std::ofstream(csv) << "step,lr\n0,1e-4\n10,3e-4\n150,3e-4\n199,1e-5\n";
        ScheduleEditor editor;
        editor.setExperiment(tiny(200), QStringLiteral("test"));
        QVERIFY(editor.loadLrTable(QString::fromStdString(csv)));
        QCOMPARE(editor.experiment().schedule.kind, std::string("table"));
        QVERIFY(std::abs(editor.lrCurve()[5] - 2e-4) < 1e-18);
        QCOMPARE(editor.lrCurve()[199], 1e-5);
        QVERIFY(editor.validationError().isEmpty());
        std::ofstream(csv) << "step,lr\n0,1e-4\n10,-3e-4\n";
        QVERIFY(!editor.loadLrTable(QString::fromStdString(csv)));
        QVERIFY(editor.validationError().contains(QStringLiteral("lr.csv:3")));
        QCOMPARE(editor.lrCurve()[199], 1e-5);  // unchanged
    }
};

QTEST_MAIN(TestScheduleOptimize)
#include "test_schedule_optimize.moc"
