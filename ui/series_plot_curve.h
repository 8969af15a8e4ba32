// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SeriesPlot's per-curve state, shared by its source files (not part of its interface).

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ema_smoother.h"
#include "min_max_pyramid.h"
#include "series_plot.h"

class QCPGraph;

namespace anneal::ui {

struct SeriesPlot::Curve {
    CurveStyle style;
    std::vector<double> x, y, smooth;
    EmaSmoother ema;
    MinMaxPyramid rawPyramid;     ///< over y: fast decimation of long series
    MinMaxPyramid smoothPyramid;  ///< over smooth
    QCPGraph* raw = nullptr;
    QCPGraph* smoothGraph = nullptr;
    static constexpr double kInf = std::numeric_limits<double>::infinity();
    double xMin = kInf, xMax = -kInf, xMinPos = kInf;
    double yMin = kInf, yMax = -kInf, yMinPos = kInf;

    void clearBounds() {
        xMin = xMinPos = yMin = yMinPos = kInf;
        xMax = yMax = -kInf;
    }
    void extendBounds(std::size_t from) {
        for (std::size_t i = from; i < x.size(); ++i) {
            const double v = y[i];
            if (!std::isfinite(v) || !std::isfinite(x[i])) {
                continue;
            }
            xMin = std::min(xMin, x[i]);
            xMax = std::max(xMax, x[i]);
            if (x[i] > 0) {
                xMinPos = std::min(xMinPos, x[i]);
            }
            yMin = std::min(yMin, v);
            yMax = std::max(yMax, v);
            if (v > 0) {
                yMinPos = std::min(yMinPos, v);
            }
        }
    }
};

}  // namespace anneal::ui
