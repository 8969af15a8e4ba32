// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file fit_input.h
/// The data a scaling law is fitted to: independent points (N, D, C or a generic x with a loss, or a
/// sweep's best LR and batch size) or whole loss curves with their learning-rate sequences.
///
/// Units: N = non-embedding parameters unless the caller says otherwise, D = training tokens,
/// C = training FLOPs (C = 6ND when only two of them are known), losses in nats per token, learning
/// rates as applied by the optimizer, batch sizes in tokens. Plain data: no invariants are enforced
/// here; fitLaw() validates and throws anneal::Error(InvalidInput) naming the offending field.
/// Thread-safety: plain values, safe to copy between threads.

#include <cstdint>
#include <string>
#include <vector>

namespace anneal::fit {

/// One loss curve: the LR of every optimizer update and the losses logged along the way.
///
/// Step convention (used by S1/S2, see annealing_area.h): update u (0-based) applies lr[u]; the
/// loss logged after update u has seen lr[0..u], so its forward area is S1(u) = lr[0] + ... + lr[u].
/// A loss logged before any update has no forward area and cannot be fitted.
struct Curve {
    std::string name;             ///< a label for messages and exports (run id, file name)
    std::vector<double> lr;       ///< LR of update 0, 1, ..., T-1 (every update, not only logged ones)
    std::vector<int64_t> steps;   ///< update index after which each loss was logged, strictly increasing
    std::vector<double> losses;   ///< observed loss at each entry of steps (> 0)
    std::vector<double> weights;  ///< optional per-loss weights (empty: all 1)
    int64_t warmupSteps = -1;     ///< updates in warmup; -1: the index of the first maximum of lr
};

/// Points or curves to fit. Only the vectors a law needs must be filled; all filled per-point vectors
/// must have the same length.
///
/// * power: loss plus exactly one of n, d, c, x (or FitOptions::variable names which one).
/// * kaplan, chinchilla: n, loss and d, or n, loss and c (then D = C / (6N)).
/// * steplaw: n, d and lr (best learning rate) and/or batch (best batch size in tokens).
/// * lr_annealing, mpl: curves.
struct FitInput {
    std::vector<double> n;            ///< parameters (non-embedding unless stated)
    std::vector<double> d;            ///< training tokens
    std::vector<double> c;            ///< training FLOPs
    std::vector<double> x;            ///< a generic positive variable (e.g. steps) for the power law
    std::vector<double> loss;         ///< observed loss (nats/token), > 0
    std::vector<double> lr;           ///< steplaw: best learning rate of each (N, D) cell
    std::vector<double> batch;        ///< steplaw: best batch size of each (N, D) cell, in tokens
    std::vector<double> weight;       ///< optional per-point weights >= 0 (empty: all 1)
    std::vector<std::string> labels;  ///< optional per-point labels (run ids) carried into exports
    std::vector<Curve> curves;        ///< lr_annealing: one or more curves sharing the law's parameters
};

}  // namespace anneal::fit
