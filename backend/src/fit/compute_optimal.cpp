// SPDX-License-Identifier: GPL-3.0-or-later
// Compute-optimal allocation of a Chinchilla law under C = 6ND (METHODS 7.2; same formula as Epoch's
// notebook).
#include "anneal/fit/compute_optimal.h"

#include <cmath>

#include "anneal/error.h"

namespace anneal::fit {

namespace {

void positive(double v, const char* field) {
    if (!(v > 0.0) || !std::isfinite(v)) {
        throw Error(ErrorCode::InvalidInput, "must be finite and > 0", field);
    }
}

void check(const ChinchillaParams& p) {
    positive(p.A, "A");
    positive(p.B, "B");
    positive(p.alpha, "alpha");
    positive(p.beta, "beta");
    if (!std::isfinite(p.E)) {
        throw Error(ErrorCode::InvalidInput, "must be finite", "E");
    }
}

}  // namespace

ChinchillaParams chinchillaParams(const FitResult& fit) {
    if (fit.law != "chinchilla") {
        throw Error(ErrorCode::InvalidInput,
                    "compute-optimal allocation needs a chinchilla fit, not " + fit.law, "law");
    }
    return {fit.value("E"), fit.value("A"), fit.value("B"), fit.value("alpha"), fit.value("beta")};
}

double chinchillaLoss(const ChinchillaParams& p, double n, double d) {
    return p.E + p.A / std::pow(n, p.alpha) + p.B / std::pow(d, p.beta);
}

Allocation computeOptimal(const ChinchillaParams& p, double flops) {
    check(p);
    positive(flops, "flops");
    Allocation out;
    out.flops = flops;
    out.G = std::pow(p.alpha * p.A / (p.beta * p.B), 1.0 / (p.alpha + p.beta));
    out.a = p.beta / (p.alpha + p.beta);
    out.b = p.alpha / (p.alpha + p.beta);
    out.nOpt = out.G * std::pow(flops / 6.0, out.a);
    // D_opt = G^-1 (C/6)^b equals C/(6 N_opt) exactly in real arithmetic (a + b = 1); computing it this
    // way keeps 6 N_opt D_opt = C to rounding.
    out.dOpt = flops / (6.0 * out.nOpt);
    out.loss = chinchillaLoss(p, out.nOpt, out.dOpt);
    return out;
}

std::vector<IsoFlopPoint> isoFlopProfile(const ChinchillaParams& p, double flops, double nMin, double nMax,
                                         int count) {
    check(p);
    positive(flops, "flops");
    positive(nMin, "nMin");
    positive(nMax, "nMax");
    if (count < 2 || !(nMin < nMax)) {
        throw Error(ErrorCode::InvalidInput, "needs count >= 2 and nMin < nMax", "count");
    }
    std::vector<IsoFlopPoint> out;
    const double l0 = std::log(nMin), l1 = std::log(nMax);
    for (int k = 0; k < count; ++k) {
        IsoFlopPoint q;
        q.n = std::exp(l0 + (l1 - l0) * k / (count - 1));
        q.d = flops / (6.0 * q.n);
        q.loss = chinchillaLoss(p, q.n, q.d);
        out.push_back(q);
    }
    return out;
}

}  // namespace anneal::fit
