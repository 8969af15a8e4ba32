// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesPlot's decimation: what QCustomPlot is handed for the visible range (min/max per pixel column
// for lines, mean per column for stacked areas).
#include <qcustomplot.h>
#include <cmath>
#include <limits>

#include "min_max_decimator.h"
#include "series_plot.h"
#include "series_plot_curve.h"

namespace anneal::ui {

int SeriesPlot::pixelColumns() const {
    const int w = m_plot->axisRect()->width();
    return std::max(1, static_cast<int>(std::lround(w * m_plot->devicePixelRatioF())));
}

void SeriesPlot::decimateLines() {
    for (auto& [k, c] : m_curves) {
        decimateCurve(*c);
    }
}

void SeriesPlot::decimateCurve(Curve& c) {
    MinMaxDecimator::Range range;
    range.xMin = m_plot->xAxis->range().lower;
    range.xMax = m_plot->xAxis->range().upper;
    range.columns = pixelColumns();
    range.logX = m_logX;
    std::vector<double> vx, vy;
    QVector<QCPGraphData> points;
    auto fill = [&](QCPGraph* g, const std::vector<double>& x, const std::vector<double>& y,
                    const MinMaxPyramid& pyramid, bool midpoints) {
        pyramid.decimate(x.data(), y.data(), std::min(x.size(), y.size()), range, vx, vy, midpoints);
        points.resize(static_cast<int>(vx.size()));
        for (std::size_t i = 0; i < vx.size(); ++i) {
            points[static_cast<int>(i)] = QCPGraphData(vx[i], vy[i]);
        }
        g->data()->set(points, true);
    };
    fill(c.raw, c.x, c.y, c.rawPyramid, false);
    if (c.smoothGraph->visible()) {
        // The smoothed line is the trend, drawn wide (1.6 px: Qt strokes it as a polygon, the costly
        // part of a replot): one point per dense column. The faint raw envelope keeps every extreme.
        fill(c.smoothGraph, c.x, c.smooth, c.smoothPyramid, true);
    } else {
        c.smoothGraph->data()->clear();
    }
}

void SeriesPlot::decimateStacked() {
    QStringList stack;
    for (const QString& k : m_order) {
        Curve& c = *m_curves.at(k);
        if (c.style.overlay) {
            decimateCurve(c);  // drawn over the stack as a line
        } else {
            stack << k;
        }
    }
    if (stack.isEmpty()) {
        return;
    }
    std::size_t n = std::numeric_limits<std::size_t>::max();
    std::vector<const double*> series;
    const Curve& first = *m_curves.at(stack.front());
    for (const QString& k : stack) {
        const Curve& c = *m_curves.at(k);
        const bool smooth = m_smoothing > 0 && c.style.smoothable && c.smooth.size() == c.y.size();
        n = std::min(n, c.x.size());
        series.push_back(smooth ? c.smooth.data() : c.y.data());
    }
    MinMaxDecimator::Range range;
    range.xMin = m_plot->xAxis->range().lower;
    range.xMax = m_plot->xAxis->range().upper;
    range.columns = pixelColumns();
    range.logX = m_logX;
    std::vector<double> outX;
    std::vector<std::vector<double>> out;
    binnedMeans(first.x.data(), series, n, range, outX, out);
    std::vector<double> acc(outX.size(), 0.0);
    QVector<QCPGraphData> points(static_cast<int>(outX.size()));
    QCPGraph* below = nullptr;
    for (int k = 0; k < stack.size(); ++k) {
        Curve& c = *m_curves.at(stack[k]);
        for (std::size_t i = 0; i < outX.size(); ++i) {
            const double v = out[static_cast<std::size_t>(k)][i];
            acc[i] += std::isfinite(v) ? v : 0.0;
            points[static_cast<int>(i)] = QCPGraphData(outX[i], acc[i]);
        }
        c.raw->data()->set(points, true);
        c.raw->setChannelFillGraph(below);
        c.smoothGraph->data()->clear();
        below = c.raw;
    }
}

std::size_t SeriesPlot::drawnPointCount() const {
    std::size_t n = 0;
    for (const auto& [k, c] : m_curves) {
        n += static_cast<std::size_t>(c->raw->data()->size());
        if (c->smoothGraph->visible()) {
            n += static_cast<std::size_t>(c->smoothGraph->data()->size());
        }
    }
    return n;
}

}  // namespace anneal::ui
