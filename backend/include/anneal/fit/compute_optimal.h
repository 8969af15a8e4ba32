// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file compute_optimal.h
/// Compute-optimal allocation for a Chinchilla law L = E + A/N^alpha + B/D^beta under C = 6ND
/// (METHODS 7.2, the formula of Hoffmann et al. and of Epoch's notebook):
///
///   G = (alpha A / (beta B))^(1/(alpha+beta)),  a = beta/(alpha+beta),  b = alpha/(alpha+beta)
///   N_opt(C) = G (C/6)^a,                        D_opt(C) = G^-1 (C/6)^b
///
/// Units: C in FLOPs, N in parameters, D in tokens, L in nats/token. Pure functions, thread-safe.
/// Throw Error(InvalidInput) for non-positive or non-finite arguments or a non-chinchilla fit.

#include <vector>

#include "anneal/fit/fit_result.h"

namespace anneal::fit {

struct ChinchillaParams {
    double E = kNaN;
    double A = kNaN;
    double B = kNaN;
    double alpha = kNaN;
    double beta = kNaN;
};

/// Hoffmann et al. 2022, rounded published values (METHODS 7.2).
inline constexpr ChinchillaParams kHoffmannRounded{1.69, 406.4, 410.7, 0.34, 0.28};

/// The parameters of a chinchilla fit.
ChinchillaParams chinchillaParams(const FitResult& fit);

double chinchillaLoss(const ChinchillaParams& p, double n, double d);

struct Allocation {
    double flops = kNaN;
    double nOpt = kNaN;  ///< parameters
    double dOpt = kNaN;  ///< tokens; computed as C / (6 N_opt), equal to G^-1 (C/6)^b
    double loss = kNaN;  ///< L(N_opt, D_opt), the loss on the compute-optimal frontier
    double G = kNaN;
    double a = kNaN;  ///< exponent of N_opt in C
    double b = kNaN;  ///< exponent of D_opt in C
};

Allocation computeOptimal(const ChinchillaParams& p, double flops);

struct IsoFlopPoint {
    double n = kNaN;
    double d = kNaN;  ///< C / (6N)
    double loss = kNaN;
};

/// Loss vs N at fixed C: `count` values of N spaced evenly in log between nMin and nMax.
std::vector<IsoFlopPoint> isoFlopProfile(const ChinchillaParams& p, double flops, double nMin, double nMax,
                                         int count);

}  // namespace anneal::fit
