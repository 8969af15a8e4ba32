// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesPlot with 10 runs x 1e6 points: decimation keeps the drawn points bounded and the refresh
// (decimation + replot) fast; prints the measured times.
#include <qcustomplot.h>
#include <QElapsedTimer>
#include <QtTest>
#include <cmath>

#include "series_plot.h"

using anneal::ui::CurveStyle;
using anneal::ui::SeriesPlot;

class TestPlotPerformance : public QObject {
    Q_OBJECT

private slots:
    void tenRunsOfAMillionPoints_data();
    void tenRunsOfAMillionPoints();
};

void TestPlotPerformance::tenRunsOfAMillionPoints_data() {
    QTest::addColumn<double>("smoothing");
    QTest::newRow("raw") << 0.0;
    QTest::newRow("smoothed 0.9") << 0.9;
}

void TestPlotPerformance::tenRunsOfAMillionPoints() {
    QFETCH(double, smoothing);
    constexpr int kRuns = 10;
    constexpr std::size_t kPoints = 1000000;
    SeriesPlot plot;
    plot.resize(1400, 800);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setSmoothing(smoothing);
    for (int r = 0; r < kRuns; ++r) {
        std::vector<double> x(kPoints), y(kPoints);
        for (std::size_t i = 0; i < kPoints; ++i) {
            x[i] = static_cast<double>(i);
            y[i] =
                2.0 + r * 0.1 + 3.0 * std::exp(-static_cast<double>(i) / 1e5) + 0.05 * std::sin(i * 0.37 + r);
        }
        y[100000 * static_cast<std::size_t>(r) + 7] = 20.0 + r;  // one spike per run
        const QString key = QStringLiteral("run%1").arg(r);
        plot.setCurve(key, CurveStyle{key, anneal::ui::curveColor(r)});
        plot.setCurveData(key, std::move(x), std::move(y));
    }
    QElapsedTimer t;
    t.start();
    plot.refreshNow();  // decimation + an immediate replot
    const double totalMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    const double replotMs = plot.plot()->replotTime();
    const int columns = plot.pixelColumns();
    const std::size_t drawn = plot.drawnPointCount();
    const int curves = smoothing > 0 ? 2 * kRuns : kRuns;
    qInfo(
        "%d runs x 1e6 points, smoothing %.1f: decimation %.1f ms, replot %.1f ms, total %.1f ms; "
        "%zu points drawn for %d pixel columns (bound %d)",
        kRuns, smoothing, plot.lastDecimationMs(), replotMs, totalMs, drawn, columns,
        curves * (2 * columns + 2));
    QVERIFY(drawn <= static_cast<std::size_t>(curves) * (2 * static_cast<std::size_t>(columns) + 2));
    // Every run's spike is still drawn.
    for (int r = 0; r < kRuns; ++r) {
        QCPGraph* g = plot.graph(QStringLiteral("run%1").arg(r));
        double maxY = 0;
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            maxY = std::max(maxY, it->value);
        }
        QCOMPARE(maxY, 20.0 + r);
    }
    // Generous bound: drawing 10 million raw points takes seconds; the decimated view a fraction.
    QVERIFY2(totalMs < 1000.0, qPrintable(QStringLiteral("refresh took %1 ms").arg(totalMs)));
}

QTEST_MAIN(TestPlotPerformance)
#include "test_plot_performance.moc"
