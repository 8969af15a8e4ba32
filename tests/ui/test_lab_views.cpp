// SPDX-License-Identifier: GPL-3.0-or-later
// The plot tabs and the property panel on a database filled by short CPU runs: the expected series
// (counts, values at known steps), x axes in tokens and FLOPs, a branch's curve with its parent's
// history, exports, read-out, and the property panel with its checkpoints and branch dialog.
#include <qcustomplot.h>
#include <QImage>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <cmath>

#include "anneal/config.h"
#include "anneal/store.h"
#include "branch_dialog.h"
#include "grad_norm_plot_view.h"
#include "lab_fixture.h"
#include "loss_plot_view.h"
#include "lr_plot_view.h"
#include "mixture_plot_view.h"
#include "run_data_cache.h"
#include "run_property_panel.h"
#include "throughput_plot_view.h"

using namespace anneal;
using namespace anneal::ui;

class TestLabViews : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void lossViewShowsStoredSeries();
    void simpleViewsShowTheirMetric_data();
    void simpleViewsShowTheirMetric();
    void mixtureStacksToOne();
    void tokensAndFlopsAxes();
    void branchCurveIncludesParentHistory();
    void readoutAndLogAxes();
    void exportsFiles();
    void propertyPanelShowsRun();
    void branchDialogValidatesOverrides();
    void plotsFollowThePalette();

private:
    /// A view of the fixture's database showing `runs`, with its data loaded.
    template <typename View>
    std::unique_ptr<View> viewOf(const QList<qint64>& runs, const QStringList& waitFor);
    test::LabFixture m_fx;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<RunDataCache> m_cache;
};

void TestLabViews::initTestCase() {
    m_fx.build();
    m_store = Store::open(m_fx.db, Store::Mode::ReadOnly);
    m_cache = std::make_unique<RunDataCache>();
    m_cache->setDatabasePath(m_fx.qdb());
}

template <typename View>
std::unique_ptr<View> TestLabViews::viewOf(const QList<qint64>& runs, const QStringList& waitFor) {
    auto view = std::make_unique<View>(m_cache.get());
    view->resize(900, 600);
    view->show();
    if (!QTest::qWaitForWindowExposed(view.get())) {
        qWarning("view not exposed");
    }
    view->setRuns(runs);
    for (qint64 r : runs) {
        for (const QString& m : waitFor) {
            const QString key = MetricPlotView::curveKey(r, m);
            if (!QTest::qWaitFor([&] { return view->plot()->curvePointCount(key) > 0; }, 10000)) {
                qWarning("no data for %s", qPrintable(key));
            }
        }
    }
    if (!QTest::qWaitFor([&] { return !m_cache->busy(); }, 10000)) {
        qWarning("history still loading");
    }
    view->plot()->refreshNow();
    return view;
}

void TestLabViews::lossViewShowsStoredSeries() {
    auto view =
        viewOf<LossPlotView>({m_fx.base}, {QStringLiteral("train_loss"), QStringLiteral("val_loss.markov")});
    SeriesPlot* plot = view->plot();
    const QString train = MetricPlotView::curveKey(m_fx.base, QStringLiteral("train_loss"));
    QCOMPARE(plot->curvePointCount(train), std::size_t(test::LabFixture::kSteps));
    const MetricSeries stored = m_store->metric(m_fx.base, "train_loss");
    for (int step : {0, 7, 19, 39}) {
        QCOMPARE((*plot->curveX(train))[static_cast<std::size_t>(step)], double(step));
        QCOMPARE((*plot->curveY(train))[static_cast<std::size_t>(step)],
                 stored.values[static_cast<std::size_t>(step)]);
    }
    // Validation every 10 steps (after updates 9, 19, 29, 39), per domain.
    for (const char* domain : {"markov", "noise"}) {
        const QString key =
            MetricPlotView::curveKey(m_fx.base, QStringLiteral("val_loss.") + QLatin1String(domain));
        const MetricSeries val = m_store->metric(m_fx.base, std::string("val_loss.") + domain);
        QCOMPARE(plot->curvePointCount(key), val.steps.size());
        QCOMPARE(val.steps.size(), std::size_t(4));
        QCOMPARE((*plot->curveX(key))[1], 19.0);
        QCOMPARE((*plot->curveY(key))[1], val.values[1]);
    }
    // The mix's validation loss (val_loss, what the dashed mix floor bounds) is drawn too.
    const QString mix = MetricPlotView::curveKey(m_fx.base, QStringLiteral("val_loss"));
    const MetricSeries mixed = m_store->metric(m_fx.base, "val_loss");
    QCOMPARE(plot->curvePointCount(mix), mixed.steps.size());
    QCOMPARE((*plot->curveY(mix))[2], mixed.values[2]);
    QCOMPARE(plot->curveKeys().size(), 4);  // train + the mix + 2 domains
    // The entropy floor is a reference line; the y range includes it.
    const RunRecord r = m_store->run(m_fx.base);
    QVERIFY(r.entropyFloor > 0);
    QVERIFY(plot->plot()->yAxis->range().lower <= r.entropyFloor);
}

void TestLabViews::simpleViewsShowTheirMetric_data() {
    QTest::addColumn<QString>("metric");
    QTest::newRow("lr") << QStringLiteral("lr");
    QTest::newRow("grad norm") << QStringLiteral("grad_norm");
    QTest::newRow("throughput") << QStringLiteral("tokens_per_s");
}

void TestLabViews::simpleViewsShowTheirMetric() {
    QFETCH(QString, metric);
    std::unique_ptr<MetricPlotView> view;
    if (metric == QLatin1String("lr")) {
        view = viewOf<LrPlotView>({m_fx.base, m_fx.lrHigh}, {metric});
    } else if (metric == QLatin1String("grad_norm")) {
        view = viewOf<GradNormPlotView>({m_fx.base, m_fx.lrHigh}, {metric});
    } else {
        view = viewOf<ThroughputPlotView>({m_fx.base, m_fx.lrHigh}, {metric});
    }
    QCOMPARE(view->plot()->curveKeys().size(), 2);  // one curve per selected run
    for (qint64 run : {m_fx.base, m_fx.lrHigh}) {
        const MetricSeries stored = m_store->metric(run, metric.toStdString());
        const QString key = MetricPlotView::curveKey(run, metric);
        QCOMPARE(view->plot()->curvePointCount(key), stored.steps.size());
        QCOMPARE((*view->plot()->curveY(key))[12], stored.values[12]);
    }
    if (metric == QLatin1String("lr")) {
        // The stored LR is the schedule's: lr-high peaks at 0.02 after its 2 warmup steps.
        const auto* y = view->plot()->curveY(MetricPlotView::curveKey(m_fx.lrHigh, metric));
        QCOMPARE((*y)[2], 0.02);
    }
}

void TestLabViews::mixtureStacksToOne() {
    auto view = viewOf<MixturePlotView>({m_fx.base, m_fx.lrHigh}, {});
    auto areas = [&] {
        QStringList k = view->plot()->curveKeys().filter(QStringLiteral("/mix."));
        k.sort();
        return k;
    };
    // The first run only, one area per domain (in experiment order: markov, noise).
    QTRY_COMPARE(areas().size(), 2);
    view->plot()->refreshNow();
    const QStringList keys = {areas()[0], areas()[1]};
    QCOMPARE(keys.front(), MetricPlotView::curveKey(m_fx.base, QStringLiteral("mix.markov")));
    QCPGraph* top = view->plot()->graph(keys.back());
    QCOMPARE(top->data()->size(), test::LabFixture::kSteps);
    for (auto it = top->data()->constBegin(); it != top->data()->constEnd(); ++it) {
        QVERIFY2(std::abs(it->value - 1.0) < 1e-9, "each step's shares sum to 1");
    }
    const MetricSeries markov = m_store->metric(m_fx.base, "mix.markov");
    QCOMPARE(view->plot()->graph(keys.front())->data()->at(5)->value, markov.values[5]);
    // The planned mix of the config: a static 0.7/0.3 mix, so its one boundary is at 0.7 throughout.
    const QString planned = MixturePlotView::plannedKey(m_fx.base, 0);
    QTRY_VERIFY(view->plot()->hasCurve(planned));
    const auto* py = view->plot()->curveY(planned);
    QVERIFY(!py->empty());
    for (double v : *py) {
        QVERIFY(std::abs(v - 0.7) < 1e-12);
    }
    QCOMPARE(view->plot()->curveX(planned)->back(), double(test::LabFixture::kSteps - 1));
}

void TestLabViews::tokensAndFlopsAxes() {
    auto view = viewOf<LossPlotView>({m_fx.base}, {QStringLiteral("train_loss")});
    const QString key = MetricPlotView::curveKey(m_fx.base, QStringLiteral("train_loss"));
    const StepAxis axis = m_store->stepAxis(m_fx.base);
    const RunRecord r = m_store->run(m_fx.base);
    PlotOptions o = view->options();
    o.xAxis = XAxisKind::Tokens;
    view->setOptions(o);
    // tiny: batch 4 x context 16 = 64 tokens per step, counted after each update.
    QCOMPARE((*view->plot()->curveX(key))[0], 64.0);
    QCOMPARE((*view->plot()->curveX(key))[9], double(axis.tokens[9]));
    QCOMPARE((*view->plot()->curveX(key))[9], 640.0);
    o.xAxis = XAxisKind::Flops;
    view->setOptions(o);
    QCOMPARE((*view->plot()->curveX(key))[9], 640.0 * r.flopsPerToken);
    o.xAxis = XAxisKind::WallTime;
    view->setOptions(o);
    QCOMPARE((*view->plot()->curveX(key))[9], axis.wall[9]);
    QCOMPARE(view->plot()->plot()->xAxis->label(), xAxisLabel(XAxisKind::WallTime));
}

void TestLabViews::branchCurveIncludesParentHistory() {
    auto view = viewOf<LossPlotView>({m_fx.branch}, {QStringLiteral("train_loss")});
    const QString key = MetricPlotView::curveKey(m_fx.branch, QStringLiteral("train_loss"));
    QCOMPARE(view->plot()->curvePointCount(key), std::size_t(test::LabFixture::kSteps));
    const MetricSeries parent = m_store->metric(m_fx.base, "train_loss");
    const MetricSeries own = m_store->metric(m_fx.branch, "train_loss");
    QCOMPARE(own.steps.front(), std::int64_t(test::LabFixture::kBranchStep));
    QCOMPARE((*view->plot()->curveY(key))[5], parent.values[5]);      // before the branch: the parent's
    QCOMPARE((*view->plot()->curveY(key))[25], own.values[25 - 20]);  // after: its own
    QVERIFY(own.values[5] != parent.values[25]);
    // A dotted vertical line marks where the branch leaves its parent.
    bool marked = false;
    for (const ReferenceLine& l : view->plot()->referenceLines()) {
        marked = marked || (l.vertical && l.y == double(test::LabFixture::kBranchStep));
    }
    QVERIFY(marked);
}

void TestLabViews::readoutAndLogAxes() {
    auto view = viewOf<LossPlotView>({m_fx.base}, {QStringLiteral("train_loss")});
    PlotOptions o = view->options();
    o.smoothing = 0;
    o.logY = true;
    view->setOptions(o);
    view->plot()->refreshNow();
    QCOMPARE(view->plot()->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    const MetricSeries stored = m_store->metric(m_fx.base, "train_loss");
    const QStringList lines = view->plot()->readout(10.4);
    QVERIFY(!lines.isEmpty());
    QCOMPARE(lines.front(), QStringLiteral("train: %1").arg(QString::number(stored.values[10], 'g', 5)));
    o.smoothing = 0.9;
    view->setOptions(o);
    const auto* smooth =
        view->plot()->curveSmoothed(MetricPlotView::curveKey(m_fx.base, QStringLiteral("train_loss")));
    QCOMPARE(smooth->size(), stored.values.size());
    QCOMPARE(view->plot()->readout(10.4).front(),
             QStringLiteral("train: %1").arg(QString::number((*smooth)[10], 'g', 5)));
}

void TestLabViews::exportsFiles() {
    auto view = viewOf<LossPlotView>({m_fx.base}, {QStringLiteral("train_loss")});
    const QString dir = QString::fromStdString(m_fx.dir.path());
    for (const char* suffix : {"png", "svg", "pdf"}) {
        const QString path = dir + QStringLiteral("/loss.") + QLatin1String(suffix);
        QString error;
        QVERIFY2(view->plot()->exportImage(path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray head = f.read(64);
        if (QLatin1String(suffix) == QLatin1String("png")) {
            const QImage img(path);
            QVERIFY(img.width() >= 900);  // exported at twice the screen resolution
        } else if (QLatin1String(suffix) == QLatin1String("svg")) {
            QVERIFY(f.readAll().contains("<svg") || head.contains("<svg") || head.contains("<?xml"));
        } else {
            QVERIFY(head.startsWith("%PDF"));
        }
    }
    const QString csv = dir + QStringLiteral("/loss.csv");
    QVERIFY(view->plot()->exportCsv(csv));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.front(), QStringLiteral("curve,step,value,smoothed"));
    QCOMPARE(lines.size(), 1 + 40 + 4 + 4 + 4);  // train + the mix's and two domains' validation curves
    const MetricSeries stored = m_store->metric(m_fx.base, "train_loss");
    QCOMPARE(lines[4].split(QLatin1Char(','))[2].toDouble(), stored.values[3]);
}

void TestLabViews::propertyPanelShowsRun() {
    RunPropertyPanel panel;
    panel.setDatabasePath(m_fx.qdb());
    const RunRecord r = m_store->run(m_fx.base);
    QSignalSpy loaded(&panel, &RunPropertyPanel::checkpointsLoaded);
    panel.setRun(r);
    QTRY_COMPARE(loaded.count(), 1);
    QCOMPARE(panel.summaryValue(QStringLiteral("Seed")), QStringLiteral("1"));
    QCOMPARE(panel.summaryValue(QStringLiteral("Device")), QStringLiteral("cpu"));
    QVERIFY(panel.summaryValue(QStringLiteral("Entropy floor"))
                .startsWith(QString::number(r.entropyFloor, 'f', 4)));
    QCOMPARE(panel.configView()->toPlainText(), QString::fromStdString(r.configToml));
    QCOMPARE(panel.domainTable()->rowCount(), 2);
    QCOMPARE(panel.domainTable()->item(0, 0)->text(), QStringLiteral("markov"));
    QCOMPARE(panel.domainTable()->item(0, 4)->text(), QString::number(r.domains[0].entropyFloor, 'f', 4));
    // Checkpoints every 20 steps: 20 and 40 (the end).
    QCOMPARE(panel.checkpointTable()->rowCount(), 2);
    QCOMPARE(panel.checkpointTable()->item(0, 0)->text(), QStringLiteral("20"));
    QSignalSpy branch(&panel, &RunPropertyPanel::branchRequested);
    panel.checkpointTable()->selectRow(0);
    QVERIFY(panel.branchButton()->isEnabled());
    panel.branchButton()->click();
    QCOMPARE(branch.count(), 1);
    QCOMPARE(branch.first().at(0).toLongLong(), m_fx.base);
    QCOMPARE(branch.first().at(1).toLongLong(), qint64(20));
}

void TestLabViews::branchDialogValidatesOverrides() {
    const RunRecord r = m_store->run(m_fx.base);
    BranchDialog dialog(r, {20, 40}, 20);
    QCOMPARE(dialog.step(), qint64(20));
    QVERIFY(dialog.validationError().isEmpty());
    dialog.setOverrides({QStringLiteral("train.lr=-1")});
    QVERIFY2(dialog.validationError().contains(QStringLiteral("train.lr")),
             qPrintable(dialog.validationError()));
    QVERIFY(dialog.errorLabel()->text().contains(QStringLiteral("train.lr")));
    dialog.setOverrides({QStringLiteral("train.steps=10")});  // ends before the branch step
    QVERIFY(dialog.validationError().contains(QStringLiteral("train.steps")));
    dialog.setOverrides(
        {QStringLiteral("schedule.kind=wsd"), QStringLiteral("schedule.decay_fraction=0.25")});
    QVERIFY2(dialog.validationError().isEmpty(), qPrintable(dialog.validationError()));
    QSignalSpy requested(&dialog, &BranchDialog::branchRequested);
    dialog.accept();  // not through the OK button: accept() alone must not emit
    QCOMPARE(requested.count(), 0);
}

void TestLabViews::plotsFollowThePalette() {
    SeriesPlot plot;
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(20, 20, 24));
    dark.setColor(QPalette::Window, QColor(30, 30, 34));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    plot.setPalette(dark);
    QCOMPARE(plot.plot()->xAxis->tickLabelColor(), QColor(230, 230, 230));
    QCOMPARE(plot.plot()->yAxis->labelColor(), QColor(230, 230, 230));
    QCOMPARE(plot.plot()->legend->textColor(), QColor(230, 230, 230));
    plot.resize(300, 200);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.refreshNow();
    const QImage img = plot.plot()->toPixmap(300, 200).toImage();
    QCOMPARE(img.pixelColor(2, 2), QColor(20, 20, 24));  // the background is the palette's base
}

QTEST_MAIN(TestLabViews)
#include "test_lab_views.moc"
