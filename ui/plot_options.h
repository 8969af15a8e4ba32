// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every plot view shares: the x axis, log axes and the smoothing weight.

#include "x_axis.h"

namespace anneal::ui {

struct PlotOptions {
    XAxisKind xAxis = XAxisKind::Step;
    bool logX = false;
    bool logY = false;
    double smoothing = 0.6;  ///< EMA weight; 0 = raw only

    bool operator==(const PlotOptions& o) const {
        return xAxis == o.xAxis && logX == o.logX && logY == o.logY && smoothing == o.smoothing;
    }
    bool operator!=(const PlotOptions& o) const { return !(*this == o); }
};

}  // namespace anneal::ui
