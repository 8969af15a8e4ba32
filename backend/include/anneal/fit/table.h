// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file table.h
/// The conversions of imported tables (anneal/table.h) to fit inputs: points for the N/D laws and
/// loss curves for the curve laws, as `anneal-cli fit --csv` and the fit view read them.
/// Thread-safety: pure functions.

#include <string>
#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/lr_sequence.h"
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
    /// The LR of every update from --schedule / --lr-file (anneal/lr_sequence.h), for every curve of
    /// the file: the lr column becomes optional and, when present, must agree with it.
    const LrSequence* lrSequence = nullptr;
    /// Filled by tableToCurves(): what the user should know (a curve without warmup information).
    std::vector<std::string>* warnings = nullptr;
};
/// Curves for lr_annealing and mpl. With columns.lrSequence, every curve takes that LR of every
/// update (its logged steps must lie inside it; a logged lr column must agree). Without, the LR of
/// updates between logged steps is interpolated linearly (exact when every step is logged) and
/// updates before the first logged step get its LR (a warning when that step is not 0). Steps must be
/// non-negative and strictly increasing per curve (the table spec enforces it when built with
/// curveSpec()).
std::vector<Curve> tableToCurves(const Table& table, const CurveColumns& columns);
/// The TableSpec that tableToCurves() needs.
TableSpec curveSpec(const CurveColumns& columns);

}  // namespace anneal::fit
