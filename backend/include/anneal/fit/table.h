// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file table.h
/// The conversions of imported tables (anneal/table.h) to fit inputs: points for the N/D laws and
/// loss curves for the curve laws, as `anneal-cli fit --csv` and the fit view read them.
/// Thread-safety: pure functions.

#include <string>
#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/table.h"

namespace anneal::fit {

/// Which columns hold what, for tableToPoints(); empty names are not read.
struct PointColumns {
    std::string n, d, c, x, loss, lr, batch, weight, label;
};
/// Points for power/kaplan/chinchilla/steplaw. Every named column must be in the table.
FitInput tableToPoints(const Table& table, const PointColumns& columns);

struct CurveColumns {
    std::string step = "step";
    std::string loss = "loss";
    std::string lr = "lr";
    std::string group;  ///< optional text column splitting rows into curves (e.g. "run")
};
/// Curves for lr_annealing. The LR of updates between logged steps is interpolated linearly (exact
/// when every step is logged); updates before the first logged step get its LR. Steps must be
/// non-negative and strictly increasing per curve (the table spec enforces it when built with
/// curveSpec()).
std::vector<Curve> tableToCurves(const Table& table, const CurveColumns& columns);
/// The TableSpec that tableToCurves() needs.
TableSpec curveSpec(const CurveColumns& columns);

}  // namespace anneal::fit
