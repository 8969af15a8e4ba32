// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: one local L-BFGS minimisation of a HuberObjective (Ceres GradientProblemSolver, LBFGS
// direction, Wolfe line search, analytic gradients). Ceres is included only in lbfgs.cpp.

#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "huber_objective.h"
#include "param_map.h"

namespace anneal::fit::detail {

struct SolverSettings {
    int maxIterations = 2000;
    double functionTolerance = 1e-12;
    double gradientTolerance = 1e-12;
    double parameterTolerance = 1e-12;
};

struct LocalFit {
    std::vector<double> theta;    // full theta (fixed components included)
    double objective = HUGE_VAL;  // +inf when the start was invalid
    bool converged = false;
    int iterations = 0;
};

/// Minimises from theta0 (full theta; fixed components are overwritten). Returns objective = +inf
/// when the model is invalid at the start. Stops early (not converged) when *cancel becomes true.
LocalFit minimizeLbfgs(const HuberObjective& objective, const ParamMap& map,
                       const std::vector<double>& theta0, const SolverSettings& settings,
                       const std::atomic<bool>* cancel);

}  // namespace anneal::fit::detail
