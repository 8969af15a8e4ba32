// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file law.h
/// The scaling laws Anneal fits, each with its parameter names, default bounds, starting grid,
/// evaluation and analytic gradient (METHODS 2 and 7):
///
///   power         L = E + A x^-alpha                                  (E, A, alpha)
///   kaplan        L = [(Nc/N)^(alphaN/alphaD) + Dc/D]^alphaD          (Nc, Dc, alphaN, alphaD)
///   chinchilla    L = E + A/N^alpha + B/D^beta                        (E, A, B, alpha, beta)
///   lr_annealing  L(s) = L0 + A S1(s)^-alpha - C S2(s)                (L0, A, alpha, C, lambda)
///   mpl           L(t) = L0 + A (S1+S_W)^-alpha - LD(t), Luo et al.   (L0, A, alpha, B, C, beta, gamma)
///                 (mpl.h; evaluated from the whole LR sequence, not at a Point)
///   steplaw       lr_opt = exp(c_lr) N^c_N D^c_D, B_opt = exp(c_bs) D^c_bD
///                                                                     (c_lr, c_N, c_D, c_bs, c_bD)
///
/// Laws are immutable singletons: lawByName() returns a reference valid for the program's life,
/// safe to use from any thread. Unknown names throw Error(InvalidInput, field "law").

#include <string>
#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/fit/fit_options.h"
#include "anneal/fit/fit_result.h"

namespace anneal::fit {

struct ParamInfo {
    std::string name;
    Bounds bounds;          ///< default bounds (reported units)
    bool logScale = false;  ///< fitted as log(value): the value is then > 0
    std::string meaning;    ///< one line for tooltips and docs
};

/// Where a law is evaluated. Fill what the law uses: n and d (kaplan, chinchilla, steplaw), x (power),
/// s1 and s2 (lr_annealing; see annealing_area.h; ds2dLambda only for the lambda gradient).
struct Point {
    double n = kNaN;
    double d = kNaN;
    double c = kNaN;
    double x = kNaN;
    double s1 = kNaN;
    double s2 = kNaN;
    double ds2dLambda = kNaN;
};

class Law {
public:
    virtual ~Law() = default;
    virtual const std::string& name() const = 0;
    /// The formula in plain text, e.g. "L(N, D) = E + A/N^alpha + B/D^beta".
    virtual std::string equation() const = 0;
    virtual const std::vector<ParamInfo>& params() const = 0;
    /// Names in order, e.g. {"E", "A", "B", "alpha", "beta"}.
    std::vector<std::string> paramNames() const;
    /// The law's value at a point (loss; steplaw: the optimal learning rate). params in law order.
    /// Throws Error(InvalidInput) when params has the wrong size.
    virtual double evaluate(const std::vector<double>& params, const Point& at) const = 0;
    /// d evaluate / d params (reported units), in law order.
    virtual std::vector<double> gradient(const std::vector<double>& params, const Point& at) const = 0;
    /// The starting points (reported units, law order) fitLaw() tries on this input: a fixed grid for
    /// chinchilla (METHODS 7.2, 4500 points), a grid scaled to the data for the others. Throws what
    /// fitLaw() throws for invalid input.
    std::vector<std::vector<double>> startGrid(const FitInput& input, const FitOptions& options) const;
};

/// The law registered under name; throws Error(InvalidInput, ..., "law",
/// "power | kaplan | chinchilla | lr_annealing | mpl | steplaw", the names of lawNames()) for an unknown
/// name.
const Law& lawByName(const std::string& name);
/// Every law's name, in the order above: the desktop's law list and the unknown-law error's allowed values.
std::vector<std::string> lawNames();
/// Whether the law is fitted on loss curves with their LR sequences and predicts whole curves
/// (lr_annealing, mpl) rather than points.
bool isCurveLaw(const std::string& name);

}  // namespace anneal::fit
