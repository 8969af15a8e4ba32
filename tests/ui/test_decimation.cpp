// SPDX-License-Identifier: GPL-3.0-or-later
// MinMaxDecimator and SeriesPlot keep one-step spikes visible with a bounded number of drawn points.
#include <qcustomplot.h>
#include <QElapsedTimer>
#include <QtTest>
#include <cmath>
#include <random>

#include "min_max_decimator.h"
#include "min_max_pyramid.h"
#include "series_plot.h"

using anneal::ui::MinMaxDecimator;
using anneal::ui::SeriesPlot;

namespace {

constexpr std::size_t kMillion = 1000000;

/// A noisy decaying loss curve with one planted spike at `spikeAt`.
void makeCurve(std::size_t n, std::size_t spikeAt, double spike, std::vector<double>& x,
               std::vector<double>& y) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 0.02);
    x.resize(n);
    y.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = static_cast<double>(i);
        y[i] = 2.0 + 3.0 * std::exp(-static_cast<double>(i) / 2e5) + noise(rng);
    }
    y[spikeAt] = spike;
}

}  // namespace

class TestDecimation : public QObject {
    Q_OBJECT

private slots:
    void spikeSurvivesFullZoomOut_data();
    void spikeSurvivesFullZoomOut();
    void keepsMinimumAndOrder();
    void copiesSmallRangesExactly();
    void addsNeighboursOutsideTheRange();
    void logColumns();
    void plotKeepsSpikeWithBoundedPoints();
    void pyramidKeepsExtremes_data();
    void pyramidKeepsExtremes();
    void pyramidUpdatesIncrementally();
    void pyramidMidpointsFollowTheTrend();
};

void TestDecimation::spikeSurvivesFullZoomOut_data() {
    QTest::addColumn<int>("columns");
    QTest::addColumn<qulonglong>("spikeAt");
    QTest::newRow("800 px, spike mid") << 800 << qulonglong(523457);
    QTest::newRow("1920 px, spike first") << 1920 << qulonglong(0);
    QTest::newRow("333 px, spike last") << 333 << qulonglong(kMillion - 1);
    QTest::newRow("50 px") << 50 << qulonglong(77);
}

void TestDecimation::spikeSurvivesFullZoomOut() {
    QFETCH(int, columns);
    QFETCH(qulonglong, spikeAt);
    std::vector<double> x, y;
    makeCurve(kMillion, spikeAt, 40.0, x, y);
    MinMaxDecimator::Range r;
    r.xMin = 0;
    r.xMax = static_cast<double>(kMillion - 1);
    r.columns = columns;
    std::vector<double> ox, oy;
    QElapsedTimer t;
    t.start();
    MinMaxDecimator::decimate(x.data(), y.data(), x.size(), r, ox, oy);
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    const auto it = std::find(oy.begin(), oy.end(), 40.0);
    QVERIFY2(it != oy.end(), "the planted spike was decimated away");
    QCOMPARE(ox[static_cast<std::size_t>(it - oy.begin())], static_cast<double>(spikeAt));
    QVERIFY2(ox.size() <= 2 * static_cast<std::size_t>(columns) + 2,
             qPrintable(QStringLiteral("%1 points for %2 columns").arg(ox.size()).arg(columns)));
    QVERIFY(ox.size() >= static_cast<std::size_t>(columns));  // every column holds data
    QVERIFY(std::is_sorted(ox.begin(), ox.end()));
    qInfo("1e6 points -> %zu drawn for %d pixel columns (bound %d) in %.2f ms", ox.size(), columns,
          2 * columns + 2, ms);
}

void TestDecimation::keepsMinimumAndOrder() {
    // A column holding a dip before a peak must give the dip first, then the peak.
    std::vector<double> x(1000), y(1000, 1.0);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = static_cast<double>(i);
    }
    y[400] = -5.0;  // dip
    y[402] = 9.0;   // peak in the same column (10 points per column)
    MinMaxDecimator::Range r{0, 999, 100, false};
    std::vector<double> ox, oy;
    MinMaxDecimator::decimate(x.data(), y.data(), x.size(), r, ox, oy);
    const auto dip = std::find(oy.begin(), oy.end(), -5.0);
    const auto peak = std::find(oy.begin(), oy.end(), 9.0);
    QVERIFY(dip != oy.end());
    QVERIFY(peak != oy.end());
    QVERIFY(dip < peak);
    QCOMPARE(*std::min_element(oy.begin(), oy.end()), -5.0);
    QCOMPARE(*std::max_element(oy.begin(), oy.end()), 9.0);
}

void TestDecimation::copiesSmallRangesExactly() {
    std::vector<double> x{0, 1, 2, 3, 4}, y{5, 4, std::nan(""), 2, 1};
    MinMaxDecimator::Range r{0, 4, 10, false};
    std::vector<double> ox, oy;
    MinMaxDecimator::decimate(x.data(), y.data(), x.size(), r, ox, oy);
    QCOMPARE(ox, x);
    QCOMPARE(oy.size(), y.size());
    QVERIFY(std::isnan(oy[2]));  // kept as a gap
    QCOMPARE(oy[4], 1.0);
}

void TestDecimation::addsNeighboursOutsideTheRange() {
    std::vector<double> x(100), y(100);
    for (std::size_t i = 0; i < 100; ++i) {
        x[i] = static_cast<double>(i);
        y[i] = static_cast<double>(i % 7);
    }
    MinMaxDecimator::Range r{10.5, 20.5, 100, false};
    std::vector<double> ox, oy;
    MinMaxDecimator::decimate(x.data(), y.data(), x.size(), r, ox, oy);
    QCOMPARE(ox.front(), 10.0);  // left neighbour
    QCOMPARE(ox.back(), 21.0);   // right neighbour
    QCOMPARE(ox.size(), std::size_t(12));
}

void TestDecimation::logColumns() {
    // On a log axis the first decade gets as many columns as the last: the early points survive.
    std::vector<double> x, y;
    makeCurve(kMillion, 3, 40.0, x, y);
    for (double& v : x) {
        v += 1;  // steps from 1: log-safe
    }
    MinMaxDecimator::Range r{1, 1e6, 600, true};
    std::vector<double> ox, oy;
    MinMaxDecimator::decimate(x.data(), y.data(), x.size(), r, ox, oy);
    QVERIFY(ox.size() <= 2 * 600 + 2);
    QVERIFY(std::find(oy.begin(), oy.end(), 40.0) != oy.end());
    const auto early = std::count_if(ox.begin(), ox.end(), [](double v) { return v <= 10; });
    QCOMPARE(early, 10);  // steps 1..10 each have a column of their own
}

void TestDecimation::plotKeepsSpikeWithBoundedPoints() {
    SeriesPlot plot;
    plot.resize(1000, 600);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    std::vector<double> x, y;
    makeCurve(kMillion, 654321, 40.0, x, y);
    plot.setCurve(QStringLiteral("loss"), {QStringLiteral("loss"), Qt::blue});
    plot.setSmoothing(0.0);
    plot.setCurveData(QStringLiteral("loss"), x, y);
    plot.refreshNow();
    const int columns = plot.pixelColumns();
    QVERIFY(columns > 100);
    QCPGraph* g = plot.graph(QStringLiteral("loss"));
    QVERIFY(g);
    double maxY = -1;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
        maxY = std::max(maxY, it->value);
    }
    QCOMPARE(maxY, 40.0);
    const std::size_t drawn = plot.drawnPointCount();
    qInfo("SeriesPlot: 1e6 points -> %zu drawn for %d pixel columns (bound %d), decimation %.2f ms", drawn,
          columns, 2 * columns + 2, plot.lastDecimationMs());
    QVERIFY(drawn <= 2 * static_cast<std::size_t>(columns) + 2);
    // With smoothing the raw curve stays (faint) and keeps the spike; both curves stay bounded.
    plot.setSmoothing(0.9);
    plot.refreshNow();
    QVERIFY(plot.drawnPointCount() <= 2 * (2 * static_cast<std::size_t>(columns) + 2));
    maxY = -1;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
        maxY = std::max(maxY, it->value);
    }
    QCOMPARE(maxY, 40.0);
}

void TestDecimation::pyramidKeepsExtremes_data() {
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::addColumn<int>("columns");
    QTest::newRow("full range") << 0.0 << 9999999.0 << 1400;
    QTest::newRow("zoomed") << 2000000.5 << 6543210.0 << 800;
    QTest::newRow("narrow") << 4999000.0 << 5001000.0 << 1000;  // falls back to the plain pass
}

void TestDecimation::pyramidKeepsExtremes() {
    QFETCH(double, lo);
    QFETCH(double, hi);
    QFETCH(int, columns);
    constexpr std::size_t kTen = 10 * kMillion;
    std::vector<double> x, y;
    makeCurve(kTen, 5000123, 40.0, x, y);
    y[5000999] = -30.0;  // a dip too
    y[123] = std::nan("");
    anneal::ui::MinMaxPyramid pyramid;
    QElapsedTimer t;
    t.start();
    pyramid.build(y.data(), y.size());
    const double buildMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    MinMaxDecimator::Range r{lo, hi, columns, false};
    std::vector<double> px, py, bx, by;
    t.restart();
    pyramid.decimate(x.data(), y.data(), x.size(), r, px, py);
    const double pyramidMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    t.restart();
    MinMaxDecimator::decimate(x.data(), y.data(), x.size(), r, bx, by);
    const double plainMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    qInfo("1e7 points, %d columns: pyramid %.3f ms (built once in %.0f ms), plain pass %.2f ms; %zu points",
          columns, pyramidMs, buildMs, plainMs, px.size());
    QVERIFY(px.size() <= 2 * static_cast<std::size_t>(columns) + 2);
    QVERIFY(std::is_sorted(px.begin(), px.end()));
    // The same extremes as the plain pass: the spike and the dip survive wherever they are visible.
    QCOMPARE(*std::max_element(py.begin(), py.end()), *std::max_element(by.begin(), by.end()));
    QCOMPARE(*std::min_element(py.begin(), py.end()), *std::min_element(by.begin(), by.end()));
    if (lo <= 5000123 && hi >= 5000123) {
        QCOMPARE(*std::max_element(py.begin(), py.end()), 40.0);
    }
    // Every point is a real sample.
    for (std::size_t i = 0; i < px.size(); i += 97) {
        QCOMPARE(py[i], y[static_cast<std::size_t>(px[i])]);
    }
}

void TestDecimation::pyramidUpdatesIncrementally() {
    std::vector<double> x, y;
    makeCurve(3 * kMillion, 2222222, 40.0, x, y);
    anneal::ui::MinMaxPyramid whole, grown;
    whole.build(y.data(), y.size());
    // Appended in uneven pieces, as a live run delivers its points.
    for (std::size_t n = 1; n < y.size(); n = std::min(y.size(), n * 3 + 17)) {
        grown.update(y.data(), n);
    }
    grown.update(y.data(), y.size());
    MinMaxDecimator::Range r{0, double(y.size() - 1), 1000, false};
    std::vector<double> ax, ay, bx, by;
    whole.decimate(x.data(), y.data(), x.size(), r, ax, ay);
    grown.decimate(x.data(), y.data(), x.size(), r, bx, by);
    QCOMPARE(ax, bx);
    QCOMPARE(ay, by);
    QVERIFY(std::find(ay.begin(), ay.end(), 40.0) != ay.end());
}

void TestDecimation::pyramidMidpointsFollowTheTrend() {
    // A smoothed curve's decimation: one point per dense column, each the middle of that column's
    // extremes, so it lies inside the values of the samples around it.
    std::vector<double> x, y;
    makeCurve(kMillion, 500000, 40.0, x, y);
    anneal::ui::MinMaxPyramid pyramid;
    pyramid.build(y.data(), y.size());
    const int columns = 1200;
    MinMaxDecimator::Range r{0, double(y.size() - 1), columns, false};
    std::vector<double> mx, my, px, py;
    pyramid.decimate(x.data(), y.data(), x.size(), r, mx, my, true);
    pyramid.decimate(x.data(), y.data(), x.size(), r, px, py, false);
    QVERIFY2(mx.size() <= static_cast<std::size_t>(columns) + 2, qPrintable(QString::number(mx.size())));
    QVERIFY(mx.size() >= static_cast<std::size_t>(columns) - 2);
    QVERIFY(px.size() > static_cast<std::size_t>(columns) + 2);  // the envelope keeps two a column
    QVERIFY(std::is_sorted(mx.begin(), mx.end()));
    const double perColumn = static_cast<double>(y.size()) / columns;
    for (std::size_t k = 0; k < mx.size(); ++k) {
        // The samples within two columns of the point: its value lies between their extremes.
        const auto lo = static_cast<std::size_t>(std::max(0.0, mx[k] - 2 * perColumn));
        const auto hi = static_cast<std::size_t>(std::min(double(y.size() - 1), mx[k] + 2 * perColumn));
        const auto [mn, mxv] = std::minmax_element(y.begin() + static_cast<std::ptrdiff_t>(lo),
                                                   y.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
        QVERIFY2(my[k] >= *mn && my[k] <= *mxv, qPrintable(QString("point %1 at x %2").arg(k).arg(mx[k])));
    }
    // The spike's column: the midpoint of 40 and that column's lowest value.
    const auto at = std::min_element(
        mx.begin(), mx.end(), [](double a, double b) { return std::abs(a - 500000) < std::abs(b - 500000); });
    QVERIFY(my[static_cast<std::size_t>(at - mx.begin())] > 20.0);
}

QTEST_MAIN(TestDecimation)
#include "test_decimation.moc"
