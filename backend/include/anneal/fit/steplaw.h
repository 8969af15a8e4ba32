// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file steplaw.h
/// StepLaw (Li et al., "Predictable Scale: Part I", arXiv:2503.04715; METHODS 7.5): optimal learning
/// rate and batch size as power laws of N (non-embedding parameters: [recalled] in METHODS, not
/// confirmed) and D (tokens):
///
///   lr_opt(N, D) = exp(c_lr) N^c_N D^c_D,     B_opt(D) = exp(c_bs) D^c_bD   (B in tokens)
///
/// kPublished holds the mean of the repository's 1000 bootstrap fits, the reference the authors' tool
/// uses (a refit on their CSV differs, step-law/steplaw#10). Fitting the same forms to a user's sweep
/// is fitLaw() with law "steplaw". Pure functions, thread-safe; coefficientsOf() throws
/// Error(InvalidInput) for a fit of another law.

#include "anneal/fit/fit_result.h"

namespace anneal::fit::steplaw {

struct Coefficients {
    double cLr = 0.5863;
    double cN = -0.71292;
    double cD = 0.30749;
    double cBs = -0.5435;
    double cBD = 0.57094;
};

inline constexpr Coefficients kPublished{};

double optimalLr(double n, double d, const Coefficients& k = kPublished);
/// Optimal batch size in tokens (divide by the sequence length for sequences).
double optimalBatchTokens(double d, const Coefficients& k = kPublished);

/// The coefficients of a steplaw fit (a part not fitted, e.g. no batch data, is NaN).
Coefficients coefficientsOf(const FitResult& fit);

}  // namespace anneal::fit::steplaw
