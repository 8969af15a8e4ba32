// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file kaplan.h
/// Kaplan et al. 2020 (arXiv:2001.08361) single-variable laws with the published WebText2 constants
/// (METHODS 7.1; the constants are marked [recalled, widely reproduced] there). N = non-embedding
/// parameters, D = tokens, C_min in PF-days, L in nats/token. Pure functions, thread-safe, no throws
/// (non-positive arguments give NaN or inf as the formula does).
/// The fittable two-variable form is the "kaplan" law in law.h.

namespace anneal::fit::kaplan {

inline constexpr double kAlphaN = 0.076;     ///< L(N) exponent
inline constexpr double kNc = 8.8e13;        ///< L(N) scale, parameters
inline constexpr double kAlphaD = 0.095;     ///< L(D) exponent
inline constexpr double kDc = 5.4e13;        ///< L(D) scale, tokens
inline constexpr double kAlphaCMin = 0.050;  ///< L(C_min) exponent
inline constexpr double kCcMin = 3.1e8;      ///< L(C_min) scale, PF-days

/// Table 2 constants of L(N, D) (METHODS 7.1).
inline constexpr double kTable2AlphaN = 0.076;
inline constexpr double kTable2AlphaD = 0.103;
inline constexpr double kTable2Nc = 6.4e13;
inline constexpr double kTable2Dc = 1.8e13;

/// L(N) = (N_c / N)^alpha_N
double lossOfParams(double n);
/// L(D) = (D_c / D)^alpha_D
double lossOfTokens(double d);
/// L(C_min) = (C_c^min / C_min)^alpha_C^min, C_min in PF-days
double lossOfCompute(double pfDays);
/// L(N, D) = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D with the Table 2 constants
double lossOfParamsTokens(double n, double d);

}  // namespace anneal::fit::kaplan
