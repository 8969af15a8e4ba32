// SPDX-License-Identifier: GPL-3.0-or-later
// The schedule editor draws anneal::learningRate at every step for every kind, knots move the
// parameters they stand for, updates stay well under 50 ms, and invalid parameters show the
// backend's error under their field.
#include <qcustomplot.h>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

#include "anneal/config.h"
#include "anneal/fit/fit.h"
#include "anneal/lr_table.h"
#include "anneal/mixture.h"
#include "anneal/schedule.h"
#include "fit_result.h"
#include "resources.h"
#include "schedule_editor.h"
#include "schedule_form.h"
#include "schedule_plot.h"
#include "series_plot.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

ExperimentSpec specWith(const std::vector<std::string>& overrides, int steps = 300) {
    std::vector<std::string> all = overrides;
    all.push_back("train.steps=" + std::to_string(steps));
    return parseExperiment(test::tinyExperimentToml(steps), "tiny", all);
}

}  // namespace

class TestScheduleEditor : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { initResources(); }
    void curveIsLearningRateAtEveryStep_data();
    void curveIsLearningRateAtEveryStep();
    void knotsMoveTheirParameters();
    void formEditsRedrawTheCurve();
    void updateIsFast();
    void invalidParameterShowsError();
    void mixtureBelowAndPredictedLossSlot();
    void predictedLossIsTheBackendsPrediction();
    void tableKnotsAreDraggable();
};

void TestScheduleEditor::curveIsLearningRateAtEveryStep_data() {
    QTest::addColumn<QStringList>("overrides");
    auto row = [](const char* name, QStringList o) { QTest::newRow(name) << o; };
    row("constant", {"schedule.kind=constant", "schedule.warmup_steps=10"});
    row("cosine", {"schedule.kind=cosine", "schedule.warmup_steps=20", "schedule.final_lr_fraction=0.1"});
    row("linear", {"schedule.kind=linear", "schedule.final_lr_fraction=0.0"});
    row("inverse_sqrt",
        {"schedule.kind=inverse_sqrt", "schedule.warmup_steps=30", "schedule.decay_fraction=0.2"});
    row("wsd 1-sqrt", {"schedule.kind=wsd", "schedule.decay_fraction=0.25", "schedule.decay_shape=1-sqrt"});
    row("wsd exponential", {"schedule.kind=wsd", "schedule.decay_fraction=0.3",
                            "schedule.decay_shape=exponential", "schedule.final_lr_fraction=0.05"});
    row("rewarm", {"schedule.kind=rewarm", "schedule.warmup_steps=10", "schedule.rewarm_at=150",
                   "schedule.rewarm_steps=20", "schedule.rewarm_peak_fraction=0.5"});
    row("infinite", {"schedule.kind=infinite", "schedule.warmup_steps=10", "schedule.cooldown_steps=100",
                     "schedule.anneal_fraction=0.2", "schedule.final_lr_fraction=0.01"});
}

void TestScheduleEditor::curveIsLearningRateAtEveryStep() {
    QFETCH(QStringList, overrides);
    std::vector<std::string> o;
    for (const QString& s : overrides) {
        o.push_back(s.toStdString());
    }
    const ExperimentSpec spec = specWith(o);
    ScheduleEditor editor;
    editor.resize(1200, 700);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.setExperiment(spec, QStringLiteral("test"));
    QVERIFY2(editor.validationError().isEmpty(), qPrintable(editor.validationError()));
    const std::vector<double>& curve = editor.lrCurve();
    QCOMPARE(curve.size(), std::size_t(300));
    for (std::int64_t t = 0; t < 300; ++t) {
        QCOMPARE(curve[static_cast<std::size_t>(t)], learningRate(spec, t));
    }
    // What is drawn: 300 steps fit the plot's pixels, so every step is a point of the graph.
    QCPGraph* g = editor.lrPlot()->lrGraph();
    QCOMPARE(g->data()->size(), 300);
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
        QCOMPARE(it->value, learningRate(spec, static_cast<std::int64_t>(it->key)));
    }
    // The knots are the backend's.
    const auto knots = scheduleKnots(spec.schedule, 300);
    QCOMPARE(editor.lrPlot()->knots().size(), knots.size());
}

void TestScheduleEditor::knotsMoveTheirParameters() {
    ScheduleEditor editor;
    editor.setExperiment(
        specWith({"schedule.kind=wsd", "schedule.decay_fraction=0.2", "schedule.warmup_steps=20"}, 1000),
        QStringLiteral("test"));
    editor.moveKnot(QStringLiteral("decay_start"), 600.4, 1.0);
    QCOMPARE(editor.experiment().schedule.decayFraction, 0.4);
    QCOMPARE(decayStartStep(editor.experiment().schedule, 1000), std::int64_t(600));
    editor.moveKnot(QStringLiteral("warmup_end"), 50, 1.0);
    QCOMPARE(editor.experiment().schedule.warmupSteps, std::int64_t(50));
    editor.moveKnot(QStringLiteral("end"), 1000, 0.25);
    QCOMPARE(editor.experiment().schedule.finalLrFraction, 0.25);
    // The form shows the new values, and the curve is the new spec's.
    auto* decay =
        qobject_cast<QLineEdit*>(editor.form()->fieldWidget(QStringLiteral("schedule.decay_fraction")));
    QCOMPARE(decay->text(), QStringLiteral("0.4"));
    for (std::int64_t t : {0, 49, 50, 599, 600, 800, 999}) {
        QCOMPARE(editor.lrCurve()[static_cast<std::size_t>(t)], learningRate(editor.experiment(), t));
    }
    QCOMPARE(editor.lrCurve()[999],
             editor.experiment().train.lr * decayValue("linear", 1.0, 0.25, 399.0 / 400.0));

    // A drag with the mouse on the decay knot does the same.
    editor.resize(1200, 700);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.lrPlot()->plot()->replot();
    QCustomPlot* p = editor.lrPlot()->plot();
    const QPoint from(static_cast<int>(p->xAxis->coordToPixel(600)),
                      static_cast<int>(p->yAxis->coordToPixel(editor.experiment().train.lr)));
    const QPoint to(static_cast<int>(p->xAxis->coordToPixel(800)), from.y());
    QTest::mousePress(p, Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(to), p->mapToGlobal(QPointF(to)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(p, &move);
    QTest::mouseRelease(p, Qt::LeftButton, {}, to);
    QVERIFY2(std::abs(decayStartStep(editor.experiment().schedule, 1000) - 800) <= 3,
             qPrintable(QString::number(decayStartStep(editor.experiment().schedule, 1000))));
}

void TestScheduleEditor::formEditsRedrawTheCurve() {
    ScheduleEditor editor;
    editor.setExperiment(specWith({"schedule.kind=cosine"}), QStringLiteral("test"));
    auto* warmup =
        qobject_cast<QLineEdit*>(editor.form()->fieldWidget(QStringLiteral("schedule.warmup_steps")));
    QVERIFY(warmup);
    warmup->selectAll();
    QTest::keyClicks(warmup, QStringLiteral("40"));
    QCOMPARE(editor.experiment().schedule.warmupSteps, std::int64_t(40));
    for (std::int64_t t = 0; t < 300; t += 7) {
        QCOMPARE(editor.lrCurve()[static_cast<std::size_t>(t)], learningRate(editor.experiment(), t));
    }
    // Rows of keys the kind does not use are hidden.
    QVERIFY(editor.form()->fieldWidget(QStringLiteral("schedule.decay_fraction"))->isHidden());
    QVERIFY(!editor.form()->fieldWidget(QStringLiteral("schedule.final_lr_fraction"))->isHidden());
}

void TestScheduleEditor::updateIsFast() {
    ScheduleEditor editor;
    editor.resize(1400, 800);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.setExperiment(specWith({"schedule.kind=wsd", "schedule.decay_fraction=0.2"}, 100000),
                         QStringLiteral("100k steps"));
    double worst = 0;
    for (int i = 0; i < 20; ++i) {
        editor.moveKnot(QStringLiteral("decay_start"), 60000 + 1000 * i, 1.0);
        worst = std::max(worst, editor.lastUpdateMs());
    }
    qInfo("schedule editor update (100k steps, LR curve + mixture): worst %.1f ms over 20 drags", worst);
    QVERIFY2(worst < 50.0, qPrintable(QString::number(worst)));
}

void TestScheduleEditor::invalidParameterShowsError() {
    ScheduleEditor editor;
    editor.setExperiment(specWith({"schedule.kind=wsd", "schedule.decay_fraction=0.2"}),
                         QStringLiteral("test"));
    QVERIFY(editor.runButton()->isEnabled());
    auto* decay =
        qobject_cast<QLineEdit*>(editor.form()->fieldWidget(QStringLiteral("schedule.decay_fraction")));
    decay->selectAll();
    QTest::keyClicks(decay, QStringLiteral("1.5"));
    QTRY_VERIFY(!editor.validationError().isEmpty());
    QVERIFY2(editor.validationError().contains(QStringLiteral("schedule.decay_fraction")),
             qPrintable(editor.validationError()));
    QVERIFY(!editor.form()->errorLabel(QStringLiteral("schedule.decay_fraction"))->text().isEmpty());
    QVERIFY(!editor.runButton()->isEnabled());
    decay->selectAll();
    QTest::keyClicks(decay, QStringLiteral("0.3"));
    QTRY_VERIFY(editor.validationError().isEmpty());
    QSignalSpy run(&editor, &ScheduleEditor::runRequested);
    editor.runButton()->click();
    QCOMPARE(run.count(), 1);
    const ExperimentSpec launched = parseExperiment(run.first().at(0).toString().toStdString(), "launched");
    QCOMPARE(launched.schedule.decayFraction, 0.3);
    QCOMPARE(learningRates(launched), editor.lrCurve());
}

void TestScheduleEditor::mixtureBelowAndPredictedLossSlot() {
    ScheduleEditor editor;
    editor.setExperiment(
        specWith({"mixture.upsample.start_fraction=0.5", "mixture.upsample.weights={noise=0.9}"}),
        QStringLiteral("test"));
    SeriesPlot* mix = editor.mixturePlot();
    QCOMPARE(mix->curveKeys(), (QStringList{QStringLiteral("markov"), QStringLiteral("noise")}));
    const auto* x = mix->curveX(QStringLiteral("noise"));
    const auto* y = mix->curveY(QStringLiteral("noise"));
    for (std::size_t i = 0; i < x->size(); ++i) {
        QCOMPARE((*y)[i], mixtureAt(editor.experiment(), static_cast<std::int64_t>((*x)[i]))[1]);
    }
    QCOMPARE(mixtureAt(editor.experiment(), 299)[1], (*y).back());
    // No predicted loss until a fitted law provides it; the slot draws what it is given.
    QCOMPARE(editor.lrPlot()->predictedLossGraph()->data()->size(), 0);
    editor.setPredictedLoss({0, 100, 200}, {3.0, 2.0, 1.5});
    QCOMPARE(editor.lrPlot()->predictedLossGraph()->data()->size(), 3);
}

void TestScheduleEditor::predictedLossIsTheBackendsPrediction() {
    // A stored lr_annealing fit (parameters L0, A, alpha, C, lambda) given to the editor: its
    // predicted curve must be fit::predictCurve on the LR the trainer will apply, computed here
    // independently from anneal::learningRate at every step, for every schedule the user edits.
    PredictionFit pf;
    pf.id = 7;
    pf.name = QStringLiteral("test fit");
    pf.fit = test::fitWithParams("lr_annealing", {1.8, 0.5, 0.4, 2.0, 0.999});  // L0, A, alpha, C, lambda
    pf.source = QStringLiteral("test");
    ScheduleEditor editor;
    editor.setPredictionFits({pf});
    editor.selectPredictionFit(7);
    for (const QStringList& o :
         {QStringList{"schedule.kind=cosine", "schedule.warmup_steps=20", "schedule.final_lr_fraction=0.1"},
          QStringList{"schedule.kind=wsd", "schedule.decay_fraction=0.2", "schedule.decay_shape=1-sqrt"},
          QStringList{"schedule.kind=constant", "schedule.warmup_steps=5"}}) {
        std::vector<std::string> overrides;
        for (const QString& x : o) {
            overrides.push_back(x.toStdString());
        }
        const ExperimentSpec spec = specWith(overrides);
        editor.setExperiment(spec, QStringLiteral("test"));
        QVERIFY(editor.predictionFit() != nullptr);
        std::vector<double> lr;
        for (std::int64_t t = 0; t < spec.train.steps; ++t) {
            lr.push_back(learningRate(spec, t));
        }
        const std::vector<double> expected = fit::predictCurve(pf.fit, lr, spec.schedule.warmupSteps);
        const std::vector<double>& got = editor.predictedLoss();
        QCOMPARE(got.size(), expected.size());
        for (std::size_t t = 0; t < got.size(); ++t) {
            QVERIFY2(got[t] == expected[t] || (std::isnan(got[t]) && std::isnan(expected[t])),
                     qPrintable(QStringLiteral("%1: step %2: %3 vs %4")
                                    .arg(o.join(' '))
                                    .arg(t)
                                    .arg(got[t])
                                    .arg(expected[t])));
        }
        // The plot draws it (min/max per pixel column, so every drawn point is a predicted value) from the
        // end of warmup on: the warmup's values (the law's LR area near 0) would stretch the loss axis.
        const auto* graph = editor.lrPlot()->predictedLossGraph();
        QVERIFY(graph->data()->size() > 0);
        QVERIFY(graph->data()->constBegin()->key <= static_cast<double>(spec.schedule.warmupSteps) + 2);
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            QVERIFY(it->key >= static_cast<double>(spec.schedule.warmupSteps));
            QCOMPARE(it->value, expected[static_cast<std::size_t>(it->key)]);
        }
        bool ok = false;
        const QCPRange axis = editor.lrPlot()->predictedLossGraph()->valueAxis()->range();
        const QCPRange drawn = graph->getValueRange(ok);
        QVERIFY(ok && axis.upper < drawn.upper + 0.1 * (drawn.upper - drawn.lower) + 1e-6);
    }
}

/// The LR at every step 0..T-1 of knots, linear between them and held after the last (the test's own).
std::vector<double> interpolate(const std::vector<std::int64_t>& steps, const std::vector<double>& lrs,
                                std::int64_t T) {
    std::vector<double> out;
    for (std::int64_t t = 0; t < T; ++t) {
        size_t i = 0;
        while (i + 1 < steps.size() && steps[i + 1] <= t) {
            ++i;
        }
        out.push_back(i + 1 == steps.size() ? lrs[i]
                                            : lrs[i] + (lrs[i + 1] - lrs[i]) * double(t - steps[i]) /
                                                           double(steps[i + 1] - steps[i]));
    }
    return out;
}

// A table schedule's knots are drawn and dragged like the other kinds' (issue 14 item 4): each moves
// between its neighbours, the first stays at step 0 and the last at its step, LRs stay in [0, peak],
// and the edited table is the experiment's (its LR at every step is the new knots' interpolation).
void TestScheduleEditor::tableKnotsAreDraggable() {
    ExperimentSpec spec = specWith({});
    const std::int64_t T = spec.train.steps;
    applyLrTable(spec, LrTable{{0, 50, 200, T - 1}, {1e-4, 3e-3, 1e-3, 1e-4}}, "knots.csv");
    ScheduleEditor editor;
    editor.setExperiment(spec, QStringLiteral("test"));
    SchedulePlot* plot = editor.lrPlot();
    QCOMPARE(plot->knots().size(), std::size_t(4));
    for (std::size_t i = 0; i < 4; ++i) {
        QCOMPARE(plot->knots()[i].name, "table:" + std::to_string(i));
        QCOMPARE(plot->knots()[i].step, spec.schedule.tableSteps[i]);
        QVERIFY(std::abs(plot->knots()[i].multiplier * 3e-3 - spec.schedule.tableLrs[i]) < 1e-15);
    }
    emit plot->knotDragged(QStringLiteral("table:2"), 250.4, 0.5);
    std::vector<std::int64_t> steps = {0, 50, 250, T - 1};
    std::vector<double> lrs = {1e-4, 3e-3, 1.5e-3, 1e-4};
    QCOMPARE(editor.experiment().schedule.tableSteps, steps);
    QVERIFY(std::abs(editor.experiment().schedule.tableLrs[2] - 1.5e-3) < 1e-15);
    QVERIFY(QString::fromStdString(editor.experiment().schedule.tableSource)
                .startsWith(QStringLiteral("edited in the schedule editor (from knots.csv)")));
    std::vector<double> want = interpolate(steps, editor.experiment().schedule.tableLrs, T);
    std::vector<double> got = learningRates(editor.experiment());
    QCOMPARE(got.size(), want.size());
    for (std::size_t t = 0; t < got.size(); ++t) {
        QVERIFY2(std::abs(got[t] - want[t]) <= 1e-15, qPrintable(QString::number(t)));
    }
    // Clamps: a knot cannot pass its neighbour, the first stays at 0, the last keeps its step, an LR
    // above the peak is the peak.
    emit plot->knotDragged(QStringLiteral("table:1"), 400.0, 2.0);
    QCOMPARE(editor.experiment().schedule.tableSteps[1], std::int64_t(249));
    QVERIFY(std::abs(editor.experiment().schedule.tableLrs[1] - 3e-3) < 1e-15);
    emit plot->knotDragged(QStringLiteral("table:0"), 30.0, 0.1);
    QCOMPARE(editor.experiment().schedule.tableSteps[0], std::int64_t(0));
    emit plot->knotDragged(QStringLiteral("table:3"), 10.0, 0.0);
    QCOMPARE(editor.experiment().schedule.tableSteps[3], T - 1);
    QCOMPARE(editor.experiment().schedule.tableLrs[3], 0.0);
    // Lowering the peak knot: the peak LR (train.lr) follows the table's largest LR, as for a loaded file.
    emit plot->knotDragged(QStringLiteral("table:1"), 249.0, 0.2);
    QVERIFY(std::abs(editor.experiment().train.lr - 1.5e-3) < 1e-15);
    // A per-step table (T knots) shows only its warmup and end markers, which do not move it.
    ExperimentSpec long_ = specWith({});
    std::vector<double> perStep(static_cast<std::size_t>(T), 1e-3);
    applyLrTable(long_, lrTableFromSequence(perStep), "flat.csv");
    long_.schedule.tableSteps.clear();
    long_.schedule.tableLrs.clear();
    for (std::int64_t t = 0; t < T; ++t) {
        long_.schedule.tableSteps.push_back(t);
        long_.schedule.tableLrs.push_back(1e-3 * (1.0 - 0.5 * double(t) / double(T)));
    }
    editor.setExperiment(long_, QStringLiteral("test"));
    for (const auto& k : plot->knots()) {
        QVERIFY(k.name.rfind("table:", 0) != 0);
    }
}

QTEST_MAIN(TestScheduleEditor)
#include "test_schedule_editor.moc"
