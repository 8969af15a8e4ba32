// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: maps the optimizer's free variables z onto the law's fitted parametrisation theta.
//
// Fixed parameters are removed from z. Bounds are imposed by smooth one-to-one transforms (the MINUIT
// ones), so an unconstrained L-BFGS can be used (Ceres' GradientProblemSolver has no bounds):
//   [l, u]:    theta = l + (u - l) (sin z + 1) / 2
//   [l, inf):  theta = l - 1 + sqrt(z^2 + 1)
//   (-inf, u]: theta = u + 1 - sqrt(z^2 + 1)
// Unbounded parameters (the default for every law except lr_annealing's lambda) are not transformed,
// so the Hoffmann procedure runs on exactly theta.

#include <vector>

#include "anneal/fit/fit_options.h"
#include "anneal/fit/law.h"

namespace anneal::fit::detail {

class ParamMap {
public:
    /// Validates FitOptions::bounds and ::fixed against the law; throws Error(InvalidInput).
    ParamMap(const Law& law, const FitOptions& options);

    size_t numTheta() const { return m_bounds.size(); }
    size_t numFree() const { return m_free.size(); }
    const std::vector<size_t>& freeIndices() const { return m_free; }
    bool isFixed(size_t j) const { return m_isFixed[j]; }
    const Bounds& thetaBounds(size_t j) const { return m_bounds[j]; }

    /// theta with the fixed components set.
    std::vector<double> withFixed(std::vector<double> theta) const;
    /// z -> theta (fixed components from the options).
    void toTheta(const double* z, double* theta) const;
    /// d f / d z from d f / d theta.
    void gradientToZ(const double* z, const double* gradTheta, double* gradZ) const;
    /// theta -> z; a start on or outside a bound is first moved just inside it.
    std::vector<double> toZ(const std::vector<double>& theta) const;
    /// Whether theta_j is within relTol of one of its finite bounds.
    bool atBound(const std::vector<double>& theta, size_t j, double relTol = 1e-6) const;

private:
    std::vector<Bounds> m_bounds;  // in theta units
    std::vector<bool> m_isFixed;
    std::vector<double> m_fixedTheta;
    std::vector<size_t> m_free;
};

}  // namespace anneal::fit::detail
