// SPDX-License-Identifier: GPL-3.0-or-later
// The fast Multi-Power Law evaluator (mpl_eval.cpp has the direct one and the notation).
// y^-beta = (1/Gamma(beta)) int exp(beta v - e^v y) dv, discretised by the trapezoidal rule on the fixed
// grid v_j = j h (error ~ exp(-pi^2 / h): below 1e-14 relative for beta <= 3 at h = ln2/3, which gradients
// use since their kernel has exponent beta + 1; ~2e-12 at h = ln2/2 for beta <= 1). Each node is an
// exponential, so H_j(u) = sum_k w_k exp(-e^{v_j} y_k(u)) follows one update at a time:
//   H_j(u) = exp(-s_j eta_u) (H_j(u-1) + w_u exp(-s_j / c_u)).
// Nodes below s y_max <= 1/2 are summed in closed form as a power series in y (the "tail"), nodes above
// s y_min >= 40 are negligible, so ~40-60 nodes cover any schedule: O(updates x nodes), whatever the
// number of requested steps. Derivatives use the same nodes with four weight channels:
// w, w log eta (kernel y^-beta) and w / c, w log eta / c (kernel y^-(beta+1)).
#include <algorithm>
#include <cmath>

#include "mpl_eval.h"

namespace anneal::fit::detail {

namespace {

constexpr double kLn2 = 0.69314718055994531;
constexpr double kSwitch = 0.3;     // expNodes: complement form below v = 0.3
constexpr int kTail = 16;           // tail series terms n = 0..kTail
constexpr double kTailReach = 0.5;  // largest tail node: s y_max <= 1/2
constexpr double kTopReach = 40.0;  // nodes with s y_min > 40 are dropped
constexpr int kMaxNodes = 600;      // beyond this, Auto and Fast fall back to Direct

double digamma(double x) {
    double r = 0.0;
    while (x < 10.0) {
        r -= 1.0 / x;
        x += 1.0;
    }
    const double f = 1.0 / (x * x);
    return r + std::log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

// 1 - exp(-v) for v >= 0, by its series when v is small (the usual case for the chain seeds).
inline double oneMinusExp(double v) {
    if (v < 0.01) {
        return v * (1.0 - v * (0.5 - v * (1.0 / 6 - v * (1.0 / 24 - v * (1.0 / 120 - v * (1.0 / 720))))));
    }
    return -std::expm1(-v);
}

// out_r[i] = exp(-x_r s_i) (r = 0..R-1) for nodes s_i = exp((j0 + i) h) with h = ln2 / M, so s_{i+M} = 2 s_i
// and out[i + M] = out[i]^2: R x M chains of squares, kept in registers and advanced together. While a
// value is near 1 its chain carries the complement e = 1 - out (e' = e (2 - e) keeps e's relative
// precision; squaring a value near 1 would lose it); from e > 1/4 on it squares the value.
template <int M, int R>
void expNodes(const double* x, const double* s, int n, double* const* out) {
    constexpr int K = M * R;
    double e[K], q[K];
    bool squaring[K];
#pragma GCC unroll 8
    for (int k = 0; k < K; ++k) {
        const double v = x[k / M] * s[k % M];
        squaring[k] = v > kSwitch;
        e[k] = squaring[k] ? 1.0 : oneMinusExp(v);
        q[k] = squaring[k] ? std::exp(-v) : 1.0 - e[k];
    }
    int i = 0;
    for (bool all = false; i + M <= n && !all; i += M) {
        all = true;
#pragma GCC unroll 8
        for (int k = 0; k < K; ++k) {
            if (squaring[k]) {
                out[k / M][i + k % M] = q[k];
                q[k] = q[k] < 1e-150 ? 0.0 : q[k] * q[k];
            } else {
                out[k / M][i + k % M] = 1.0 - e[k];
                e[k] *= 2.0 - e[k];
                squaring[k] = e[k] > 0.25;
                q[k] = 1.0 - e[k];
                all = false;
            }
        }
    }
    for (; i + M <= n; i += M) {
#pragma GCC unroll 8
        for (int k = 0; k < K; ++k) {
            out[k / M][i + k % M] = q[k];
            q[k] = q[k] < 1e-150 ? 0.0 : q[k] * q[k];
        }
    }
    for (int k = 0; k < K; ++k) {
        if (i + k % M < n) {
            out[k / M][i + k % M] = squaring[k] ? q[k] : 1.0 - e[k];
        }
    }
}

// exp(-x s_i) for one x (R = 1) or two (R = 2) at once, with M = chains (2 or 3).
void expNodes(int chains, int count, const double* x, const double* s, int n, double* const* out) {
    if (chains == 2) {
        count == 2 ? expNodes<2, 2>(x, s, n, out) : expNodes<2, 1>(x, s, n, out);
    } else {
        count == 2 ? expNodes<3, 2>(x, s, n, out) : expNodes<3, 1>(x, s, n, out);
    }
}

struct FastSetup {
    int chains = 3;            // nodes double every `chains` nodes
    double h = kLn2 / 3;       // node spacing in v = log s
    int j0 = 0;                // first explicit node index (v = j0 h)
    int nodes = 0;             // explicit nodes j0 .. j0 + nodes - 1
    double vTail = 0.0;        // v of the largest tail node
    std::vector<double> invC;  // 1/c_k for k >= W (index k - W)
    bool any = false;          // some update after warmup has a drop and LR > 0
};

FastSetup fastSetup(const MplSchedule& s, const double* p, int64_t last, bool gradient) {
    FastSetup f;
    if (!gradient && p[5] <= 1.0) {
        f.chains = 2;
        f.h = kLn2 / 2;
    }
    const double dv = f.h;
    const double logC = std::log(p[4]), gamma = p[6];
    double ymin = HUGE_VAL, invMax = 0.0;
    f.invC.assign(static_cast<size_t>(std::max<int64_t>(0, last - s.warmup + 1)), 0.0);
    for (int64_t k = s.warmup; k <= last; ++k) {
        const size_t kk = static_cast<size_t>(k);
        if (s.drop[kk] == 0.0 || s.lr[kk] == 0.0) {
            continue;
        }
        const double inv = std::exp(gamma * s.logLr[kk] - logC);
        f.invC[static_cast<size_t>(k - s.warmup)] = inv;
        ymin = std::min(ymin, inv + s.lr[kk]);
        invMax = std::max(invMax, inv);
        f.any = true;
    }
    if (!f.any) {
        return f;
    }
    const double before = s.warmup > 0 ? s.prefix[static_cast<size_t>(s.warmup - 1)] : 0.0;
    const double ymax = invMax + (s.prefix[static_cast<size_t>(last)] - before);
    const double jl = std::floor(std::log(kTailReach / ymax) / dv);
    const double jt = std::ceil(std::log(kTopReach / ymin) / dv);
    if (!std::isfinite(jl) || !std::isfinite(jt) || jt - jl > kMaxNodes) {
        f.nodes = kMaxNodes + 1;
        return f;
    }
    f.j0 = static_cast<int>(jl) + 1;
    f.nodes = static_cast<int>(jt - jl);
    f.vTail = jl * dv;
    return f;
}

// Tail series coefficients for kernel exponent b: a_n = h e^{b vL} (-1)^n / (n! (1 - e^{-(b+n) h}));
// with deriv, their derivative in b.
void tailCoefficients(double b, double vL, double dv, bool deriv, double* a) {
    double fact = 1.0;
    for (int n = 0; n <= kTail; ++n) {
        if (n > 0) {
            fact *= n;
        }
        const double r = std::exp(-(b + n) * dv);
        const double an =
            dv * std::exp(b * vL) * ((n % 2) ? -1.0 : 1.0) / (fact * -std::expm1(-(b + n) * dv));
        a[n] = deriv ? an * (vL - dv * r / (1.0 - r)) : an;
    }
}

// sum_m M_m Q_m(x), Q_m(x) = sum_r a_{m+r} binom(m+r, m) x^r: the tail for moments M of (b_k)^m.
double tailValue(const double* a, const double* M, double x) {
    static const auto binom = [] {
        std::vector<double> t((kTail + 1) * (kTail + 1), 0.0);
        for (int i = 0; i <= kTail; ++i) {
            t[static_cast<size_t>(i * (kTail + 1))] = 1.0;
            for (int j = 1; j <= i; ++j) {
                t[static_cast<size_t>(i * (kTail + 1) + j)] =
                    t[static_cast<size_t>((i - 1) * (kTail + 1) + j - 1)] +
                    (j < i ? t[static_cast<size_t>((i - 1) * (kTail + 1) + j)] : 0.0);
            }
        }
        return t;
    }();
    double total = 0.0;
    for (int m = 0; m <= kTail; ++m) {
        double q = 0.0;
        for (int r = kTail - m; r >= 0; --r) {
            q = q * x + a[m + r] * binom[static_cast<size_t>((m + r) * (kTail + 1) + m)];
        }
        total += M[m] * q;
    }
    return total;
}

void runFast(const MplSchedule& s, const double* p, const int64_t* steps, size_t n, double* loss,
             double* grad, const FastSetup& f) {
    const double C = p[4], beta = p[5], gamma = p[6];
    const int nch = grad ? 4 : 1;
    const int J = f.nodes;
    const size_t uJ = static_cast<size_t>(J);
    const double dv = f.h;
    std::vector<double> node(uJ), v(uJ), wb(uJ), wb1(uJ), qf(uJ), pf(uJ);
    for (int i = 0; i < J; ++i) {
        v[static_cast<size_t>(i)] = (f.j0 + i) * dv;
        node[static_cast<size_t>(i)] = std::exp(v[static_cast<size_t>(i)]);
        wb[static_cast<size_t>(i)] = dv * std::exp(beta * v[static_cast<size_t>(i)]);
        wb1[static_cast<size_t>(i)] = dv * std::exp((beta + 1.0) * v[static_cast<size_t>(i)]);
    }
    double aB[kTail + 1], dB[kTail + 1], aB1[kTail + 1];
    tailCoefficients(beta, f.vTail, dv, false, aB);
    tailCoefficients(beta, f.vTail, dv, true, dB);
    tailCoefficients(beta + 1.0, f.vTail, dv, false, aB1);
    const double sigma = std::exp(f.vTail);
    const double gB = std::tgamma(beta), gB1 = beta * gB, psi = digamma(beta), logC = std::log(C);
    std::vector<double> H(static_cast<size_t>(nch) * uJ, 0.0), M(static_cast<size_t>(nch) * (kTail + 1), 0.0);
    double zero = 0.0, lastLr = -1.0;
    size_t qi = 0;
    const double dk0[3] = {0.0, 0.0, 0.0};
    for (; qi < n && steps[qi] < s.warmup; ++qi) {
        finish(s, p, steps[qi], 0.0, 0.0, dk0, loss + qi, grad ? grad + kMplParams * qi : nullptr);
    }
    const int64_t last = steps[n - 1];
    for (int64_t k = s.warmup; k <= last && qi < n; ++k) {
        const size_t kk = static_cast<size_t>(k);
        const double eta = s.lr[kk], d = s.drop[kk];
        if (eta > 0.0) {
            zero = 0.0;
        }
        if (d != 0.0 && eta == 0.0) {
            zero += d;
        }
        const bool entry = d != 0.0 && eta > 0.0 && J > 0;
        const double inv = entry ? f.invC[static_cast<size_t>(k - s.warmup)] : 0.0;
        if (eta > 0.0 && J > 0 && eta != lastLr) {
            // Decay factors exp(-s eta) (kept while the LR repeats) and entry factors exp(-s / c_k).
            const double xs[2] = {eta, inv};
            double* outs[2] = {qf.data(), pf.data()};
            expNodes(f.chains, entry ? 2 : 1, xs, node.data(), J, outs);
            lastLr = eta;
        } else if (entry) {
            double* outs[1] = {pf.data()};
            expNodes(f.chains, 1, &inv, node.data(), J, outs);
        }
        if (entry) {
            const double w = d * std::exp(beta * (gamma * s.logLr[kk] - logC));
            const double cw[4] = {w, w * s.logLr[kk], w * inv, w * inv * s.logLr[kk]};
            const double b = sigma * (inv - (k > 0 ? s.prefix[kk - 1] : 0.0));
            for (int ch = 0; ch < nch; ++ch) {
                double* h = H.data() + static_cast<size_t>(ch) * uJ;
                const double c = cw[ch];
                for (size_t i = 0; i < uJ; ++i) {
                    h[i] = qf[i] * (h[i] + c * pf[i]);
                }
                double* mm = M.data() + static_cast<size_t>(ch) * (kTail + 1);
                double bm = c;
                for (int m = 0; m <= kTail; ++m, bm *= b) {
                    mm[m] += bm;
                }
            }
        } else if (eta > 0.0 && J > 0) {
            for (int ch = 0; ch < nch; ++ch) {
                double* h = H.data() + static_cast<size_t>(ch) * uJ;
                for (size_t i = 0; i < uJ; ++i) {
                    h[i] *= qf[i];
                }
            }
        }
        for (; qi < n && steps[qi] == k; ++qi) {
            const double x = sigma * s.prefix[kk];
            auto modes = [&](int ch, const std::vector<double>& wt, bool withV) {
                const double* h = H.data() + static_cast<size_t>(ch) * uJ;
                double sum = 0.0;
                for (size_t i = 0; i < uJ; ++i) {
                    sum += (withV ? wt[i] * v[i] : wt[i]) * h[i];
                }
                return sum;
            };
            auto moments = [&](int ch) { return M.data() + static_cast<size_t>(ch) * (kTail + 1); };
            const double e0 = J > 0 ? modes(0, wb, false) + tailValue(aB, moments(0), x) : 0.0;
            const double k0 = e0 / gB;
            double dk[3] = {0.0, 0.0, 0.0};
            if (grad && J > 0) {
                const double e0d = modes(0, wb, true) + tailValue(dB, moments(0), x);
                const double e1 = modes(1, wb, false) + tailValue(aB, moments(1), x);
                const double f2 = modes(2, wb1, false) + tailValue(aB1, moments(2), x);
                const double f3 = modes(3, wb1, false) + tailValue(aB1, moments(3), x);
                const double eb = (-logC * e0 + gamma * e1 + e0d - psi * e0) / gB;
                kDerivatives(p, k0, f2 / gB1, eb, e1 / gB, f3 / gB1, dk);
            }
            finish(s, p, k, k0, zero, dk, loss + qi, grad ? grad + kMplParams * qi : nullptr);
        }
    }
}

}  // namespace

bool evaluateMplFast(const MplSchedule& s, const double* p, const int64_t* steps, size_t n, double* loss,
                     double* grad, bool force) {
    const FastSetup f = fastSetup(s, p, steps[n - 1], grad != nullptr);
    if (f.nodes > kMaxNodes) {
        return false;
    }
    if (!force) {
        // Rough costs in ns: a direct pair ~20 (30 with gradient); a fast update ~(2 + 2 nch) per node.
        double pairs = 0.0;
        for (size_t q = 0; q < n; ++q) {
            pairs += static_cast<double>(std::max<int64_t>(0, steps[q] - s.warmup + 1));
        }
        const double nch = grad ? 4.0 : 1.0;
        const double updates = static_cast<double>(std::max<int64_t>(0, steps[n - 1] - s.warmup + 1));
        const double fast =
            updates * (f.nodes * (2.0 + 2.0 * nch) + 30.0) + double(n) * nch * (2.0 * f.nodes + 300.0);
        if (pairs * (grad ? 30.0 : 20.0) <= fast) {
            return false;
        }
    }
    runFast(s, p, steps, n, loss, grad, f);
    return true;
}

}  // namespace anneal::fit::detail
