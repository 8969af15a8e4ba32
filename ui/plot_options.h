// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every plot view shares: the x axis, log axes, the smoothing weight, and the units of the
// Loss tab (nats per token or bits per byte; the other views ignore them).

#include <QString>

#include "x_axis.h"

namespace anneal::ui {

/// The Loss tab's units: val_loss.* in nats per token, or val_bpb.* in bits per byte.
enum class LossUnits { NatsPerToken, BitsPerByte };

/// "nats" | "bpb": the key stored in the settings.
inline const char* lossUnitsKey(LossUnits u) { return u == LossUnits::BitsPerByte ? "bpb" : "nats"; }
inline LossUnits lossUnitsFromKey(const QString& key) {
    return key == QLatin1String("bpb") ? LossUnits::BitsPerByte : LossUnits::NatsPerToken;
}

struct PlotOptions {
    XAxisKind xAxis = XAxisKind::Step;
    bool logX = false;
    bool logY = false;
    double smoothing = 0.6;  ///< EMA weight; 0 = raw only
    LossUnits lossUnits = LossUnits::NatsPerToken;

    bool operator==(const PlotOptions& o) const {
        return xAxis == o.xAxis && logX == o.logX && logY == o.logY && smoothing == o.smoothing &&
               lossUnits == o.lossUnits;
    }
    bool operator!=(const PlotOptions& o) const { return !(*this == o); }
};

}  // namespace anneal::ui
