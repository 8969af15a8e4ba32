// SPDX-License-Identifier: GPL-3.0-or-later
// The Multi-Power Law (mpl) in the desktop like lr_annealing: the fit view lists it, fits it on curves of
// a file and draws each curve's prediction; the schedule editor lists a stored mpl fit and predicts the
// edited schedule with it. Every drawn or predicted value is checked against a direct sum of the METHODS
// formula written out in tests/support/curve_law_reference.h (not the library's evaluators).
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>
#include <cmath>

#include "anneal/config.h"
#include "anneal/fit/fit_export.h"
#include "anneal/fit/fit_record.h"
#include "anneal/fit/law.h"
#include "anneal/import_curve.h"
#include "anneal/schedule.h"
#include "anneal/store.h"
#include "curve_law_reference.h"
#include "fit_options_panel.h"
#include "fit_result.h"
#include "fit_plot.h"
#include "fit_view_wait.h"
#include "prediction_fits.h"
#include "resources.h"
#include "scaling_law_view.h"
#include "schedule_editor.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

// METHODS 8.8, 400M (thu-yao-01-luo/MultiPowerLaw): L0, A, alpha, B, C, beta, gamma.
const std::vector<double> k400M = {2.37474466, 0.65421216, 0.42878731, 523.42464371,
                                   2.02462735, 0.59350493, 0.63472457};

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

fit::FitResult mplFit(const std::vector<double>& values) { return test::fitWithParams("mpl", values); }

}  // namespace

class TestCurveLawViews : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { initResources(); }
    void fitViewOffersMplAndDrawsItsCurves();
    void scheduleEditorPredictsWithAStoredMplFit();
    void fitViewHoldsOutRunsAndScoresThem();

private:
    test::TempDir m_dir;
};

void TestCurveLawViews::fitViewOffersMplAndDrawsItsCurves() {
    // Two curves (constant and cosine after a 20-update warmup, peak 3e-4 as in the paper), losses from
    // the 400M parameters logged every 10 updates and at the last, in one CSV (the fit interpolates the
    // LR between rows: the drawn curves are checked on the LR sequence the fit holds).
    QString csv = QStringLiteral("run,step,lr,loss\n");
    for (int curve = 0; curve < 2; ++curve) {
        std::vector<double> lr(400);
        for (int t = 0; t < 400; ++t) {
            const double warm = std::min(1.0, (t + 1) / 20.0);
            lr[static_cast<std::size_t>(t)] =
                3e-4 * warm * (curve == 0 ? 1.0 : 0.55 + 0.45 * std::cos(3.14159265358979323846 * t / 399.0));
        }
        const std::int64_t w = test::firstMaximum(lr);
        for (int t = 0; t < 400; ++t) {
            if (t % 10 != 0 && t != 399) {
                continue;
            }
            csv += QStringLiteral("%1,%2,%3,%4\n")
                       .arg(curve == 0 ? QStringLiteral("constant") : QStringLiteral("cosine"))
                       .arg(t)
                       .arg(lr[static_cast<std::size_t>(t)], 0, 'g', 17)
                       .arg(test::mplDirect(k400M, lr, w, t), 0, 'g', 17);
        }
    }
    QFile f(m_dir.qpath(QStringLiteral("mpl.csv")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(csv.toUtf8());
    f.close();

    ScalingLawView view;
    QVERIFY(view.options()->lawCombo()->findData(QStringLiteral("mpl")) >= 0);
    QVERIFY(view.options()->setFile(f.fileName()));
    view.options()->setLaw(QStringLiteral("mpl"));
    QCOMPARE(view.options()->law(), QStringLiteral("mpl"));
    QVERIFY(!view.options()->lambdaEdit()->isEnabled());  // lambda is lr_annealing's
    QCOMPARE(view.options()->columnCombo(QStringLiteral("group"))->currentText(), QStringLiteral("run"));
    view.options()->bootstrapBox()->setValue(0);
    QVERIFY(view.startFit());
    QVERIFY2(test::waitForFit(view), qPrintable(view.statusLabel()->text()));
    const fit::FitResult& r = view.fitResult();
    QCOMPARE(QString::fromStdString(r.law), QStringLiteral("mpl"));
    QCOMPARE(r.curves.size(), std::size_t(2));
    QCOMPARE(r.nPoints, std::size_t(82));
    double worst = 0;
    for (const fit::Curve& c : r.curves) {
        const XYCurve* drawn =
            view.fitPlot()->curve(QStringLiteral("fit: ") + QString::fromStdString(c.name));
        QVERIFY2(drawn, c.name.c_str());
        QCOMPARE(drawn->x.size(), c.lr.size());  // every update of a short curve
        const std::int64_t w = c.warmupSteps >= 0 ? c.warmupSteps : test::firstMaximum(c.lr);
        for (std::size_t i = 0; i < drawn->x.size(); ++i) {
            QCOMPARE(drawn->x[i], static_cast<double>(i));
            const double expected = test::mplDirect(r.values(), c.lr, w, static_cast<std::int64_t>(i));
            worst = std::max(worst, relative(drawn->y[i], expected));
        }
    }
    qInfo("mpl curves drawn vs direct sum at the fitted parameters: worst relative difference %.3g", worst);
    QVERIFY2(worst < 1e-9, qPrintable(QString::number(worst)));
    QVERIFY(view.predictionLabel()->text().contains(QStringLiteral("Schedule")));
}

void TestCurveLawViews::scheduleEditorPredictsWithAStoredMplFit() {
    // A stored mpl fit is listed for the schedule editor (loadPredictionFits), and the editor's
    // predicted curve is the law on the LR the trainer applies at every step.
    const std::string db = m_dir.path("fits.db");
    {
        auto store = Store::open(db);
        fit::Provenance p;
        p.source = "test";
        fit::storeFit(*store, mplFit(k400M), p, "mpl test fit");
        fit::FitResult chinchilla;
        chinchilla.law = "chinchilla";
        for (const char* name : {"E", "A", "B", "alpha", "beta"}) {
            fit::ParamEstimate e;
            e.name = name;
            e.value = 1.0;
            chinchilla.params.push_back(e);
        }
        fit::storeFit(*store, chinchilla, p, "not a curve law");
    }
    QString error;
    const std::vector<PredictionFit> fits = loadPredictionFits(db, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(fits.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(fits[0].fit.law), QStringLiteral("mpl"));

    ScheduleEditor editor;
    editor.setPredictionFits(fits);
    editor.selectPredictionFit(fits[0].id);
    QVERIFY(editor.fitCombo()->findData(fits[0].id) >= 0);
    double worst = 0;
    for (const std::vector<std::string>& o :
         {std::vector<std::string>{"schedule.kind=cosine", "schedule.warmup_steps=20",
                                   "schedule.final_lr_fraction=0.1"},
          std::vector<std::string>{"schedule.kind=wsd", "schedule.decay_fraction=0.2",
                                   "schedule.decay_shape=1-sqrt"}}) {
        std::vector<std::string> overrides = o;
        overrides.push_back("train.steps=300");
        const ExperimentSpec spec = parseExperiment(test::tinyExperimentToml(300), "tiny", overrides);
        editor.setExperiment(spec, QStringLiteral("test"));
        QVERIFY(editor.predictionFit() != nullptr);
        std::vector<double> lr;
        for (std::int64_t t = 0; t < spec.train.steps; ++t) {
            lr.push_back(learningRate(spec, t));
        }
        const std::int64_t w =
            spec.schedule.warmupSteps >= 0 ? spec.schedule.warmupSteps : test::firstMaximum(lr);
        const std::vector<double>& got = editor.predictedLoss();
        QCOMPARE(got.size(), lr.size());
        for (std::size_t t = 0; t < got.size(); ++t) {
            worst = std::max(worst,
                             relative(got[t], test::mplDirect(k400M, lr, w, static_cast<std::int64_t>(t))));
        }
    }
    qInfo("schedule editor's mpl prediction vs direct sum: worst relative difference %.3g", worst);
    QVERIFY2(worst < 1e-9, qPrintable(QString::number(worst)));
}

void TestCurveLawViews::fitViewHoldsOutRunsAndScoresThem() {
    // Three imported runs with the LR of every update (--lr-file): constant, cosine and a WSD cooldown,
    // losses from the 400M parameters logged every 20 updates. The WSD run is held out: the fit sees the
    // other two, and the view scores the held-out run against a direct sum of the formula at the fitted
    // parameters, with PredE, WorstE and the final error recomputed here.
    const std::string db = m_dir.path("heldout.db");
    const int T = 400, W = 20;
    std::vector<std::vector<double>> lrs;
    for (int kind = 0; kind < 3; ++kind) {
        std::vector<double> lr(T);
        for (int t = 0; t < T; ++t) {
            const double warm = std::min(1.0, (t + 1) / double(W));
            const double shape = kind == 0   ? 1.0
                                 : kind == 1 ? 0.55 + 0.45 * std::cos(3.14159265358979323846 * t / (T - 1.0))
                                             : (t < 320 ? 1.0 : 1.0 - (t - 320) / 80.0 * 0.99);
            lr[static_cast<std::size_t>(t)] = 3e-4 * warm * shape;
        }
        const std::string base = m_dir.path("run" + std::to_string(kind));
        QFile lrFile(QString::fromStdString(base + "-lr.csv")), curve(QString::fromStdString(base + ".csv"));
        QVERIFY(lrFile.open(QIODevice::WriteOnly) && curve.open(QIODevice::WriteOnly));
        lrFile.write("step,lr\n");
        curve.write("step,loss\n");
        for (int t = 0; t < T; ++t) {
            lrFile.write(QStringLiteral("%1,%2\n").arg(t).arg(lr[size_t(t)], 0, 'g', 17).toUtf8());
            if (t >= W && t % 20 == 19) {
                curve.write(QStringLiteral("%1,%2\n")
                                .arg(t)
                                .arg(test::mplDirect(k400M, lr, test::firstMaximum(lr), t), 0, 'g', 17)
                                .toUtf8());
            }
        }
        lrFile.close();
        curve.close();
        CurveImport request;
        request.file = base + ".csv";
        request.lrFile = base + "-lr.csv";
        QCOMPARE(importCurveFile(db, request).runId, std::int64_t(kind + 1));
        lrs.push_back(lr);
    }

    ScalingLawView view;
    view.setDatabasePath(QString::fromStdString(db));
    view.setSelectedRuns({1, 2, 3});
    view.options()->setSource(FitRequest::Source::Runs);
    view.options()->setLaw(QStringLiteral("mpl"));
    view.options()->metricEdit()->setText(QStringLiteral("train_loss"));
    view.options()->bootstrapBox()->setValue(0);
    QVERIFY(view.options()->heldOutRunsEdit()->isVisibleTo(&view));
    // A run that is not selected is refused, naming the field and the selected runs.
    view.options()->heldOutRunsEdit()->setText(QStringLiteral("3, 9"));
    QVERIFY(!view.startFit());
    QVERIFY2(view.statusLabel()->text().contains(QStringLiteral("Held-out runs")) &&
                 view.statusLabel()->text().contains(QStringLiteral("1, 2, 3")),
             qPrintable(view.statusLabel()->text()));
    view.options()->heldOutRunsEdit()->setText(QStringLiteral("3"));
    view.options()->minStepEdit()->setText(QStringLiteral("100"));
    QVERIFY(view.startFit());
    QVERIFY2(test::waitForFit(view), qPrintable(view.statusLabel()->text()));
    QCOMPARE(view.fitResult().curves.size(), std::size_t(2));  // runs 1 and 2 only
    QCOMPARE(view.heldOutRuns().size(), std::size_t(1));
    const fit::RunPrediction& r = view.heldOutRuns().front();
    QCOMPARE(r.runId, std::int64_t(3));
    QCOMPARE(r.steps.front(), std::int64_t(119));  // from step 100 on
    const std::vector<double> p = view.fitResult().values();
    double predE = 0, worstE = 0, worst = 0;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const double expected = test::mplDirect(p, lrs[2], test::firstMaximum(lrs[2]), r.steps[i]);
        worst = std::max(worst, relative(r.predicted[i], expected));
        const double e = std::abs(expected - r.observed[i]) / r.observed[i];
        predE += e / static_cast<double>(r.steps.size());
        worstE = std::max(worstE, e);
    }
    qInfo("held-out WSD run: PredE %.3g%%, WorstE %.3g%%; predictions vs direct sum %.3g", 100 * predE,
          100 * worstE, worst);
    QVERIFY2(worst < 1e-9, qPrintable(QString::number(worst)));
    QVERIFY(relative(r.errors.meanRelative, predE) < 1e-6);
    QVERIFY(relative(r.errors.worstRelative, worstE) < 1e-6);
    const QString summary = view.summaryLabel()->text();
    QVERIFY2(summary.contains(QStringLiteral("held-out run 3")) &&
                 summary.contains(QStringLiteral("PredE %1 %").arg(100 * predE, 0, 'g', 3)),
             qPrintable(summary));
    QVERIFY(view.fitPlot()->curve(QStringLiteral("held out: run 3 (run2.csv), predicted")) != nullptr);
}

QTEST_MAIN(TestCurveLawViews)
#include "test_curve_law_views.moc"
