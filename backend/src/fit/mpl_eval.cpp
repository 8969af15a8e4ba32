// SPDX-License-Identifier: GPL-3.0-or-later
// Multi-Power Law evaluation (mpl.h; METHODS 2). With y_k(u) = 1/c_k + S_k(u), c_k = C eta_k^-gamma and
// w_k = d_k c_k^-beta (d_k the LR drop of update k), the annealing sum is
//   K(u) = sum_k d_k (1 + c_k S_k(u))^-beta = sum_k w_k y_k(u)^-beta,   LD(u) = B (sum_k d_k - K(u)).
// Direct (here): that sum for every requested u, O(u - W) each, exact to rounding. Fast (mpl_fast.cpp):
// one pass over the updates with an exponential-sum kernel. Auto takes the cheaper.
#include "mpl_eval.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "anneal/error.h"
#include "anneal/fit/fit_result.h"

namespace anneal::fit::detail {

void finish(const MplSchedule& s, const double* p, int64_t u, double k0pos, double zero, const double* dk,
            double* loss, double* grad) {
    const double P = s.prefix[static_cast<size_t>(u)];
    if (!(P > 0.0)) {
        *loss = kNaN;
        if (grad) {
            std::fill(grad, grad + kMplParams, kNaN);
        }
        return;
    }
    const double pw = std::pow(P, -p[2]);
    const double D = u >= s.warmup ? s.peak - s.lr[static_cast<size_t>(u)] : 0.0;
    const double ld = u >= s.warmup ? p[3] * (D - k0pos - zero) : 0.0;
    *loss = p[0] + p[1] * pw - ld;
    if (grad) {
        grad[0] = 1.0;
        grad[1] = pw;
        grad[2] = -p[1] * pw * std::log(P);
        grad[3] = u >= s.warmup ? -(D - k0pos - zero) : 0.0;
        for (int j = 0; j < 3; ++j) {
            grad[4 + j] = u >= s.warmup ? p[3] * dk[j] : 0.0;
        }
    }
}

void kDerivatives(const double* p, double k0, double k1, double eb, double eg0, double eg1, double* dk) {
    dk[0] = -(p[5] / p[4]) * (k0 - k1);
    dk[1] = eb;
    dk[2] = p[5] * (eg0 - eg1);
}

namespace {

void evaluateDirect(const MplSchedule& s, const double* p, const int64_t* steps, size_t n, double* loss,
                    double* grad) {
    const double logC = std::log(p[4]), beta = p[5], gamma = p[6];
    for (size_t q = 0; q < n; ++q) {
        const int64_t u = steps[q];
        double S = 0.0, k0 = 0.0, k1 = 0.0, eb = 0.0, eg0 = 0.0, eg1 = 0.0, zero = 0.0;
        for (int64_t k = u; k >= s.warmup; --k) {
            const size_t kk = static_cast<size_t>(k);
            S += s.lr[kk];
            const double d = s.drop[kk];
            if (d == 0.0) {
                continue;
            }
            if (s.lr[kk] == 0.0) {
                if (S == 0.0) {
                    zero += d;  // G = 0 while no LR > 0 followed (our convention, mpl.h)
                }
                continue;
            }
            const double lg = log1pExpOf(logC - gamma * s.logLr[kk] + std::log(S));  // log(1 + c S)
            const double pw = std::exp(-beta * lg);
            k0 += d * pw;
            if (grad) {
                const double pg = pw * std::exp(-lg);  // pw / (1 + c S)
                k1 += d * pg;
                eb -= d * lg * pw;
                eg0 += s.logLr[kk] * d * pw;
                eg1 += s.logLr[kk] * d * pg;
            }
        }
        double dk[3] = {0.0, 0.0, 0.0};
        if (grad) {
            kDerivatives(p, k0, k1, eb, eg0, eg1, dk);
        }
        finish(s, p, u, k0, zero, dk, loss + q, grad ? grad + kMplParams * q : nullptr);
    }
}

}  // namespace

MplSchedule prepareMplSchedule(const std::vector<double>& lr, int64_t warmupSteps) {
    for (size_t i = 0; i < lr.size(); ++i) {
        if (!std::isfinite(lr[i]) || lr[i] < 0.0) {
            throw Error(ErrorCode::InvalidInput, "LR must be finite and >= 0",
                        "lr[" + std::to_string(i) + "]", ">= 0");
        }
    }
    MplSchedule s;
    s.lr = lr;
    const int64_t T = static_cast<int64_t>(lr.size());
    if (warmupSteps < 0) {
        warmupSteps = T == 0 ? 0 : static_cast<int64_t>(std::max_element(lr.begin(), lr.end()) - lr.begin());
    } else if (T > 0 && warmupSteps >= T) {
        throw Error(ErrorCode::InvalidInput, "warmup is longer than the LR sequence", "warmupSteps",
                    "< " + std::to_string(T));
    }
    s.warmup = warmupSteps;
    s.prefix.resize(lr.size());
    s.drop.assign(lr.size(), 0.0);
    s.logLr.resize(lr.size());
    double sum = 0.0;
    for (size_t u = 0; u < lr.size(); ++u) {
        sum += lr[u];
        s.prefix[u] = sum;
        s.logLr[u] = std::log(lr[u]);
        if (static_cast<int64_t>(u) <= s.warmup) {
            s.peak = std::max(s.peak, lr[u]);
        }
    }
    for (int64_t k = s.warmup; k < T; ++k) {
        const size_t kk = static_cast<size_t>(k);
        s.drop[kk] = (k == s.warmup ? s.peak : lr[kk - 1]) - lr[kk];
    }
    return s;
}

MplMethod evaluateMpl(const MplSchedule& s, const double* p, const int64_t* steps, size_t n, double* loss,
                      double* grad, MplMethod method) {
    if (n == 0) {
        return method == MplMethod::Auto ? MplMethod::Direct : method;
    }
    if (method != MplMethod::Direct &&
        evaluateMplFast(s, p, steps, n, loss, grad, method == MplMethod::Fast)) {
        return MplMethod::Fast;
    }
    evaluateDirect(s, p, steps, n, loss, grad);
    return MplMethod::Direct;
}

}  // namespace anneal::fit::detail

namespace anneal::fit {

MplEvaluation mplEvaluate(const std::vector<double>& params, const std::vector<double>& lr,
                          const std::vector<int64_t>& steps, int64_t warmupSteps, bool withGradient,
                          MplMethod method) {
    if (params.size() != static_cast<size_t>(detail::kMplParams)) {
        throw Error(ErrorCode::InvalidInput,
                    "the mpl law has 7 parameters, got " + std::to_string(params.size()), "params",
                    "L0, A, alpha, B, C, beta, gamma");
    }
    for (double v : params) {
        if (!std::isfinite(v)) {
            throw Error(ErrorCode::InvalidInput, "parameters must be finite", "params");
        }
    }
    if (!(params[4] > 0.0) || !(params[5] > 0.0)) {
        throw Error(ErrorCode::InvalidInput, "C and beta must be > 0", "params", "C > 0, beta > 0");
    }
    for (size_t i = 0; i < steps.size(); ++i) {
        if (steps[i] < 0 || steps[i] >= static_cast<int64_t>(lr.size()) ||
            (i > 0 && steps[i] <= steps[i - 1])) {
            throw Error(ErrorCode::InvalidInput, "steps must be strictly increasing update indices",
                        "steps[" + std::to_string(i) + "]", "0 .. " + std::to_string(lr.size()) + " - 1");
        }
    }
    const detail::MplSchedule s = detail::prepareMplSchedule(lr, warmupSteps);
    MplEvaluation out;
    out.loss.resize(steps.size());
    if (withGradient) {
        out.gradient.resize(steps.size() * detail::kMplParams);
    }
    detail::evaluateMpl(s, params.data(), steps.data(), steps.size(), out.loss.data(),
                        withGradient ? out.gradient.data() : nullptr, method);
    return out;
}

std::vector<double> mplCurve(const std::vector<double>& params, const std::vector<double>& lr,
                             int64_t warmupSteps, MplMethod method) {
    std::vector<int64_t> steps(lr.size());
    for (size_t u = 0; u < lr.size(); ++u) {
        steps[u] = static_cast<int64_t>(u);
    }
    return mplEvaluate(params, lr, steps, warmupSteps, false, method).loss;
}

}  // namespace anneal::fit