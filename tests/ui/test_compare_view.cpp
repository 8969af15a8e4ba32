// SPDX-License-Identifier: GPL-3.0-or-later
// The compare view on short CPU runs: alignment by branch point puts a branch's first step at 0, the
// config diff lists exactly the keys that differ, the final-metrics table holds the stored values,
// sorts by them and exports to CSV.
#include <qcustomplot.h>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "anneal/store.h"
#include "compare_plot_view.h"
#include "compare_view.h"
#include "config_diff.h"
#include "config_diff_model.h"
#include "final_metrics_model.h"
#include "lab_fixture.h"
#include "run_data_cache.h"

using namespace anneal;
using namespace anneal::ui;

class TestCompareView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void alignsBranchPointAtZero();
    void configDiffListsExactlyTheDifferingKeys();
    void configDiffPure();
    void finalMetricsTable();

private:
    std::unique_ptr<CompareView> viewOf(const QList<qint64>& runs);
    test::LabFixture m_fx;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<RunDataCache> m_cache;
};

void TestCompareView::initTestCase() {
    m_fx.build();
    m_store = Store::open(m_fx.db, Store::Mode::ReadOnly);
    m_cache = std::make_unique<RunDataCache>();
    m_cache->setDatabasePath(m_fx.qdb());
}

std::unique_ptr<CompareView> TestCompareView::viewOf(const QList<qint64>& runs) {
    auto view = std::make_unique<CompareView>(m_cache.get());
    view->setDatabasePath(m_fx.qdb());
    view->resize(1000, 700);
    view->show();
    QSignalSpy loaded(view.get(), &CompareView::tablesLoaded);
    view->setRuns(runs);
    if (!loaded.wait(20000)) {
        qWarning("tables not loaded");
    }
    return view;
}

void TestCompareView::alignsBranchPointAtZero() {
    auto view = viewOf({m_fx.base, m_fx.branch});
    view->setMetric(QStringLiteral("train_loss"));
    view->setAlignment(XAxisKind::RelativeStep);
    const QString branchKey = MetricPlotView::curveKey(m_fx.branch, QStringLiteral("train_loss"));
    const QString baseKey = MetricPlotView::curveKey(m_fx.base, QStringLiteral("train_loss"));
    SeriesPlot* plot = view->plotView()->plot();
    QTRY_COMPARE(plot->curvePointCount(branchKey), std::size_t(test::LabFixture::kSteps));
    QTRY_COMPARE(plot->curvePointCount(baseKey), std::size_t(test::LabFixture::kSteps));
    const MetricSeries own = m_store->metric(m_fx.branch, "train_loss");
    // The branch's first own step (its branch step) sits at x = 0, with its own value.
    const auto* x = plot->curveX(branchKey);
    const auto zero = std::find(x->begin(), x->end(), 0.0);
    QVERIFY(zero != x->end());
    const auto i = static_cast<std::size_t>(zero - x->begin());
    QCOMPARE(i, std::size_t(test::LabFixture::kBranchStep));
    QCOMPARE((*plot->curveY(branchKey))[i], own.values.front());
    QCOMPARE(x->front(), -double(test::LabFixture::kBranchStep));  // the shared history before it
    // The parent is shifted by the same branch step, so the two curves meet at x = 0.
    QCOMPARE(plot->curveX(baseKey)->at(i), 0.0);
    QCOMPARE(plot->plot()->xAxis->label(), xAxisLabel(XAxisKind::RelativeStep));
    view->setAlignment(XAxisKind::Step);
    QCOMPARE(plot->curveX(branchKey)->at(i), double(test::LabFixture::kBranchStep));
}

void TestCompareView::configDiffListsExactlyTheDifferingKeys() {
    auto view = viewOf({m_fx.base, m_fx.lrHigh, m_fx.branch});
    const ConfigDiff& diff = view->configDiffModel()->diff();
    QStringList keys = diff.keys;
    keys.sort();
    // base vs lr-high: seed, lr and the checkpoint cadence; the branch differs from base in lr only.
    QCOMPARE(keys, (QStringList{QStringLiteral("log.checkpoint_every"), QStringLiteral("seed"),
                                QStringLiteral("train.lr")}));
    const int lr = static_cast<int>(diff.keys.indexOf(QStringLiteral("train.lr")));
    QCOMPARE(diff.values[lr][0].toDouble(), 0.01);
    QCOMPARE(diff.values[lr][1].toDouble(), 0.02);
    QCOMPARE(diff.values[lr][2].toDouble(), 0.005);
    QCOMPARE(view->configDiffModel()->columnCount(), 4);  // key + 3 runs
    QVERIFY(
        view->configDiffModel()->headerData(1, Qt::Horizontal).toString().contains(QStringLiteral("base")));

    auto pair = viewOf({m_fx.base, m_fx.branch});
    QCOMPARE(pair->configDiffModel()->diff().keys, QStringList{QStringLiteral("train.lr")});
}

void TestCompareView::configDiffPure() {
    const ConfigDiff d = diffConfigs({"a = 1\nb = 2\n[t]\nx = 1\n", "a = 1\nb = 3\n[t]\nx = 1\ny = 2\n"});
    QCOMPARE(d.keys, (QStringList{QStringLiteral("b"), QStringLiteral("t.y")}));
    QVERIFY(d.values[1][0].isNull());  // missing in the first config
    QCOMPARE(d.values[1][1], QStringLiteral("2"));
    QVERIFY(diffConfigs({"a = 1\n", "a = 1\n"}).keys.isEmpty());
}

void TestCompareView::finalMetricsTable() {
    auto view = viewOf({m_fx.base, m_fx.lrHigh});
    const FinalMetricsModel* model = view->finalMetricsModel();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->domains(), (QStringList{QStringLiteral("markov"), QStringLiteral("noise")}));
    for (int row = 0; row < 2; ++row) {
        const FinalMetrics& m = model->metrics()[row];
        const MetricSeries val = m_store->metric(m.runId, "val_loss.markov");
        QCOMPARE(m.finalDomain[0], val.values.back());
        QCOMPARE(m.bestDomain[0], *std::min_element(val.values.begin(), val.values.end()));
        QCOMPARE(m.tokens, qint64(test::LabFixture::kSteps) * 64);
        const QModelIndex cell = model->index(row, FinalMetricsModel::FirstDomainColumn);
        QCOMPARE(model->data(cell, Qt::DisplayRole).toString(), QString::number(val.values.back(), 'f', 4));
    }
    // Sorting by final val orders the rows by the exact value.
    QSortFilterProxyModel* proxy = view->finalMetricsProxy();
    proxy->sort(FinalMetricsModel::FinalValColumn, Qt::DescendingOrder);
    const double first =
        proxy->index(0, FinalMetricsModel::FinalValColumn).data(Qt::UserRole + 10).toDouble();
    const double second =
        proxy->index(1, FinalMetricsModel::FinalValColumn).data(Qt::UserRole + 10).toDouble();
    QVERIFY(first >= second);
    const QString csv = QString::fromStdString(m_fx.dir.path("final.csv"));
    QString error;
    QVERIFY2(view->exportFinalMetricsCsv(csv, &error), qPrintable(error));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith(QStringLiteral("Run,Status,Steps,Tokens")));
    QCOMPARE(lines[1].split(QLatin1Char(','))[FinalMetricsModel::FinalValColumn].toDouble(), first);
}

QTEST_MAIN(TestCompareView)
#include "test_compare_view.moc"
