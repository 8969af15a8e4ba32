// SPDX-License-Identifier: GPL-3.0-or-later
// The scaling-law view: fits in the background with progress and cancel; the drawn curves are the
// law evaluated at the fitted parameters (power, chinchilla slices, lr_annealing curves), the band
// comes from the bootstrap fits, the extrapolation is fit::predict, the frontier is computeOptimal;
// fits are stored with their JSON export and provenance, listed, and exported in four formats.
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QtTest>
#include <cmath>

#include "anneal/fit/compute_optimal.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/fit_export.h"
#include "anneal/fit/fit_record.h"
#include "anneal/fit/law.h"
#include "anneal/store.h"
#include "app_fixture.h"
#include "fit_curves.h"
#include "fit_options_panel.h"
#include "fit_plot.h"
#include "fit_view_wait.h"
#include "resources.h"
#include "scaling_law_view.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

QString writeFile(const QString& path, const QString& text) {
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(text.toUtf8());
    return path;
}

}  // namespace

class TestScalingLawView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void powerFitCurveBandAndExtrapolation();
    void chinchillaCsvSlicesFrontierAndTime();
    void cancelStopsTheFit();
    void storeListAndExport();
    void sweepGroupOfRuns();
    void lrAnnealingCurvesAreThePredictions();
    void badFileNamesItsLine();

private:
    test::TempDir m_dir;
    QString m_powerCsv;
    QString m_db;
};

void TestScalingLawView::initTestCase() {
    initResources();
    QString csv = QStringLiteral("N,loss\n");
    int i = 0;
    for (double n : {1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 2e8, 5e8}) {
        const double loss = (1.8 + 300.0 * std::pow(n, -0.35)) * (1.0 + 0.003 * std::sin(3.0 * i++));
        csv += QStringLiteral("%1,%2\n").arg(n, 0, 'g', 17).arg(loss, 0, 'g', 17);
    }
    m_powerCsv = writeFile(m_dir.qpath(QStringLiteral("power.csv")), csv);
    m_db = m_dir.qpath(QStringLiteral("fits.db"));
    Store::open(m_db.toStdString());  // created
}

void TestScalingLawView::powerFitCurveBandAndExtrapolation() {
    ScalingLawView view;
    view.resize(1400, 800);
    view.show();
    view.setDatabasePath(m_db);
    QVERIFY(view.options()->setFile(m_powerCsv));
    view.options()->setLaw(QStringLiteral("power"));
    view.options()->bootstrapBox()->setValue(40);
    QVERIFY(view.startFit());
    QVERIFY(!view.fitButton()->isEnabled());
    QVERIFY(view.cancelButton()->isEnabled());
    QVERIFY(test::waitForFit(view));
    QCOMPARE(view.progressBar()->value(), 1000);
    const fit::FitResult& f = view.fitResult();
    QCOMPARE(f.law, std::string("power"));
    QCOMPARE(f.nPoints, std::size_t(9));
    qInfo("power fit in the view (9 points, 40 bootstrap resamples): %.2f s", view.lastFitSeconds());

    // The drawn curve is the law at the fitted parameters, point by point.
    const fit::Law& law = fit::lawByName("power");
    const std::vector<double> params = f.values();
    const XYCurve* curve = nullptr;
    for (const XYCurve& c : view.fitPlot()->curves()) {
        if (c.label.startsWith(QStringLiteral("fit: "))) {
            curve = &c;
        }
    }
    QVERIFY(curve);
    QVERIFY(curve->x.size() > 50);
    for (std::size_t i = 0; i < curve->x.size(); ++i) {
        fit::Point p;
        p.x = curve->x[i];
        QCOMPARE(curve->y[i], law.evaluate(params, p));
    }
    // The band: the quantiles of the bootstrap fits' curves, around the fitted one.
    QCOMPARE(view.fitPlot()->bands().size(), std::size_t(1));
    const Band& band = view.fitPlot()->bands().front();
    QCOMPARE(band.x, curve->x);
    QVERIFY(f.bootstrapSamples.size() >= 30);
    for (std::size_t i = 0; i < band.x.size(); i += 17) {
        std::vector<double> ys;
        fit::Point p;
        p.x = band.x[i];
        for (const auto& s : f.bootstrapSamples) {
            ys.push_back(law.evaluate(s, p));
        }
        QCOMPARE(band.lo[i], quantile(ys, (1 - f.ciLevel) / 2));
        QCOMPARE(band.hi[i], quantile(ys, (1 + f.ciLevel) / 2));
        QVERIFY(band.lo[i] <= band.hi[i]);
    }
    // Extrapolation to a typed N: fit::predict, with a marker on the plot.
    view.setTarget(1e10, fit::kNaN, fit::kNaN, fit::kNaN);
    fit::Point at;
    at.n = 1e10;
    QCOMPARE(view.targetPrediction().value, fit::predict(f, at));
    QVERIFY(view.targetPrediction().lo <= view.targetPrediction().value);
    QVERIFY(view.targetPrediction().hi >= view.targetPrediction().value);
    QVERIFY(view.predictionLabel()->text().contains(QString::number(fit::predict(f, at), 'g', 5)));
    QVERIFY(view.fitPlot()->curves().front().x.back() >= 1e10);  // the curve reaches the target
    // Residuals: one per point, log(predicted) - log(observed).
    const auto& res = view.residualPlot()->points();
    QVERIFY(!res.empty());
    QCOMPARE(res.front().y.size(), f.points.size());
    for (std::size_t i = 0; i < f.points.size(); ++i) {
        QCOMPARE(res.front().y[i], f.points[i].residual);
    }
    QCOMPARE(view.paramsTable()->rowCount(), 3);
}

void TestScalingLawView::chinchillaCsvSlicesFrontierAndTime() {
    ScalingLawView view;
    view.resize(1400, 800);
    view.show();
    const QString csv = QString::fromStdString(test::dataFile("reference/chinchilla_svg_extracted.csv"));
    QVERIFY(view.options()->setFile(csv));
    QCOMPARE(view.options()->law(), QStringLiteral("chinchilla"));
    QCOMPARE(view.options()->columnCombo(QStringLiteral("n"))->currentText(), QStringLiteral("Model Size"));
    QCOMPARE(view.options()->columnCombo(QStringLiteral("c"))->currentText(),
             QStringLiteral("Training FLOP"));
    QCOMPARE(view.options()->columnCombo(QStringLiteral("loss"))->currentText(), QStringLiteral("loss"));
    view.options()->bootstrapBox()->setValue(0);
    QVERIFY(view.startFit());
    QVERIFY(test::waitForFit(view));
    qInfo("chinchilla fit of the Chinchilla CSV in the view (%zu points, 4500 starts): %.2f s",
          view.fitResult().nPoints, view.lastFitSeconds());
    const fit::FitResult& f = view.fitResult();
    const fit::Law& law = fit::lawByName("chinchilla");
    const std::vector<Slice> slices = fitSlices(f);
    QVERIFY(slices.size() >= 3);
    QVERIFY(slices.front().byCompute);  // iso-FLOP data: slices of equal compute
    int checked = 0;
    for (const Slice& s : slices) {
        const XYCurve* c = view.fitPlot()->curve(QStringLiteral("fit at ") + s.label);
        QVERIFY2(c, qPrintable(s.label));
        for (std::size_t i = 0; i < c->x.size(); ++i) {
            fit::Point p;
            p.n = c->x[i];
            p.d = s.value / (6.0 * c->x[i]);
            QCOMPARE(c->y[i], law.evaluate(f.values(), p));
            ++checked;
        }
    }
    QVERIFY(checked > 100);
    // The compute-optimal frontier.
    const XYCurve* nOpt = view.frontierPlot()->curve(QStringLiteral("N_opt(C): parameters"));
    QVERIFY(nOpt);
    for (std::size_t i = 0; i < nOpt->x.size(); i += 10) {
        QCOMPARE(nOpt->y[i], fit::computeOptimal(fit::chinchillaParams(f), nOpt->x[i]).nOpt);
    }
    view.setTarget(fit::kNaN, fit::kNaN, 5.76e23, fit::kNaN);
    QVERIFY2(view.predictionLabel()->text().contains(QStringLiteral("compute-optimal")),
             qPrintable(view.predictionLabel()->text()));
}

void TestScalingLawView::cancelStopsTheFit() {
    ScalingLawView view;
    const QString csv = QString::fromStdString(test::dataFile("reference/chinchilla_svg_extracted.csv"));
    QVERIFY(view.options()->setFile(csv));
    view.options()->bootstrapBox()->setValue(5000);
    QVERIFY(view.startFit());
    QTest::qWait(300);
    QElapsedTimer t;
    t.start();
    view.cancelButton()->click();
    QSignalSpy done(&view, &ScalingLawView::fitFinished);
    QVERIFY(done.wait(60000));
    qInfo("cancel took %lld ms", static_cast<long long>(t.elapsed()));
    QCOMPARE(done.first().first().toBool(), false);
    QVERIFY(view.statusLabel()->text().startsWith(QStringLiteral("Cancelled")));
    QVERIFY(!view.hasFit());
    QVERIFY(view.fitButton()->isEnabled());
    QVERIFY(t.elapsed() < 20000);
}

void TestScalingLawView::storeListAndExport() {
    ScalingLawView view;
    view.setDatabasePath(m_db);
    QVERIFY(view.options()->setFile(m_powerCsv));
    view.options()->setLaw(QStringLiteral("power"));
    view.options()->bootstrapBox()->setValue(0);
    QVERIFY(view.startFit());
    QVERIFY(test::waitForFit(view));
    QSignalSpy saved(&view, &ScalingLawView::fitSaved);
    QSignalSpy listed(&view, &ScalingLawView::storedFitsLoaded);
    view.saveFit(QStringLiteral("power on power.csv"));
    QVERIFY(saved.wait(30000));
    const qint64 id = saved.first().first().toLongLong();
    QTRY_VERIFY(listed.count() >= 1);
    auto store = Store::open(m_db.toStdString(), Store::Mode::ReadOnly);
    const FitRecord rec = store->fitRecord(id);
    QCOMPARE(rec.name, std::string("power on power.csv"));
    QCOMPARE(rec.law, std::string("power"));
    // The stored JSON is the export with provenance: the file and its SHA-256.
    QCOMPARE(rec.resultJson, fit::fitToJson(view.fitResult(), view.provenance()));
    const fit::LoadedFit loaded = fit::fitFromJson(rec.resultJson);
    QCOMPARE(loaded.provenance.filePath, m_powerCsv.toStdString());
    QCOMPARE(loaded.provenance.fileSha256.size(), std::size_t(64));
    QCOMPARE(loaded.fit.values(), view.fitResult().values());
    bool inTable = false;
    for (int r = 0; r < view.storedFitsTable()->rowCount(); ++r) {
        inTable = inTable || view.storedFitsTable()->item(r, 0)->data(Qt::DisplayRole).toLongLong() == id;
    }
    QVERIFY(inTable);
    // Showing a stored fit draws it.
    QVERIFY(view.showStoredFit(id));
    QCOMPARE(view.fitResult().values(), loaded.fit.values());
    // Exports: exactly fit::exportFit's text.
    for (const char* format : {"json", "csv", "latex", "python"}) {
        const QString path = m_dir.qpath(QStringLiteral("fit.") + QLatin1String(format));
        QString error;
        QVERIFY2(view.exportFit(QString::fromLatin1(format), path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().toStdString(), fit::exportFit(view.fitResult(), view.provenance(), format));
    }
}

void TestScalingLawView::sweepGroupOfRuns() {
    // A small size sweep: four widths, one group; the view fits the group's final val_loss vs N.
    const std::string db = m_dir.path("sweep.db");
    std::vector<std::int64_t> ids;
    for (int width : {16, 24, 32, 48}) {
        ids.push_back(test::trainRun(db, test::tinyExperimentToml(30, 1),
                                     {"model.d_model=" + std::to_string(width), "data.val_every=10"},
                                     "d" + std::to_string(width), "sizes"));
    }
    ScalingLawView view;
    view.setDatabasePath(QString::fromStdString(db));
    view.setGroups({QStringLiteral("sizes")});
    view.options()->setSource(FitRequest::Source::Group);
    view.options()->setLaw(QStringLiteral("power"));
    view.options()->variableCombo()->setCurrentText(QStringLiteral("N"));
    view.options()->bootstrapBox()->setValue(0);
    QVERIFY(view.startFit());
    QVERIFY2(test::waitForFit(view), qPrintable(view.statusLabel()->text()));
    const fit::FitResult& f = view.fitResult();
    QCOMPARE(f.nPoints, ids.size());
    auto store = Store::open(db, Store::Mode::ReadOnly);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const RunRecord r = store->run(ids[i]);
        QCOMPARE(f.points[i].x, static_cast<double>(r.paramsNonEmbedding));
        QCOMPARE(f.points[i].observed, store->metric(ids[i], "val_loss").values.back());
    }
    QCOMPARE(view.provenance().runIds.size(), ids.size());
    QVERIFY(view.provenance().source.find("group sizes") != std::string::npos);
}

void TestScalingLawView::lrAnnealingCurvesAreThePredictions() {
    // Curves generated from the law itself (a constant and a cosine schedule) in one JSONL file.
    // C is chosen so that the annealing term (C times S2, the momentum of the LR drops) stays well
    // below L0 here: with C = 20 the cosine curve went negative, which is no loss.
    const std::vector<double> truth = {1.5, 0.6, 0.45, 2.0, 0.999};
    QString jsonl;
    for (int curve = 0; curve < 2; ++curve) {
        std::vector<double> lr(400);
        for (int t = 0; t < 400; ++t) {
            const double warm = std::min(1.0, (t + 1) / 20.0);
            lr[static_cast<std::size_t>(t)] =
                1e-3 * warm * (curve == 0 ? 1.0 : 0.55 + 0.45 * std::cos(3.14159265358979323846 * t / 399.0));
        }
        const std::vector<double> loss = fit::predictCurve(truth, lr, fit::WarmupMode::ClampDrops);
        for (int t = 0; t < 400; ++t) {
            jsonl += QStringLiteral("{\"run\": \"%1\", \"step\": %2, \"lr\": %3, \"loss\": %4}\n")
                         .arg(curve == 0 ? QStringLiteral("constant") : QStringLiteral("cosine"))
                         .arg(t)
                         .arg(lr[static_cast<std::size_t>(t)], 0, 'g', 17)
                         .arg(loss[static_cast<std::size_t>(t)], 0, 'g', 17);
        }
    }
    const QString file = writeFile(m_dir.qpath(QStringLiteral("curves.jsonl")), jsonl);
    ScalingLawView view;
    QVERIFY(view.options()->setFile(file));
    QCOMPARE(view.options()->law(), QStringLiteral("lr_annealing"));
    QCOMPARE(view.options()->columnCombo(QStringLiteral("group"))->currentText(), QStringLiteral("run"));
    view.options()->bootstrapBox()->setValue(0);
    QVERIFY(view.startFit());
    QVERIFY2(test::waitForFit(view), qPrintable(view.statusLabel()->text()));
    const fit::FitResult& f = view.fitResult();
    QCOMPARE(f.curves.size(), std::size_t(2));
    for (const fit::Curve& c : f.curves) {
        const XYCurve* drawn =
            view.fitPlot()->curve(QStringLiteral("fit: ") + QString::fromStdString(c.name));
        QVERIFY2(drawn, c.name.c_str());
        const std::vector<double> expected = fit::predictCurve(f, c.lr, c.warmupSteps);
        QCOMPARE(drawn->y.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            if (std::isfinite(expected[i])) {
                QCOMPARE(drawn->y[i], expected[i]);
            }
        }
    }
    QVERIFY(view.predictionLabel()->text().contains(QStringLiteral("Schedule")));
}

void TestScalingLawView::badFileNamesItsLine() {
    ScalingLawView view;
    const QString bad =
        writeFile(m_dir.qpath(QStringLiteral("bad.csv")), QStringLiteral("N,loss\n1e6,3.2\n2e6,abc\n"));
    QVERIFY(view.options()->setFile(bad));  // the header reads
    view.options()->setLaw(QStringLiteral("power"));
    QSignalSpy failed(&view, &ScalingLawView::failed);
    QVERIFY(view.startFit());
    QVERIFY(failed.wait(30000));
    const QString message = failed.first().at(1).toString();
    QVERIFY2(message.contains(QStringLiteral("bad.csv:3")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("loss")), qPrintable(message));
    QVERIFY(!view.hasFit());
}

QTEST_MAIN(TestScalingLawView)
#include "test_scaling_law_view.moc"
