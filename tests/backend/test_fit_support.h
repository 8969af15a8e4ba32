// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the test_fit_* suites: synthetic data generated from known laws (with the formulas written
// out here, independently of the library's evaluation code), the Chinchilla reference points, and
// LR schedules.

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/fit/table.h"
#include "temp_paths.h"

namespace anneal::fittest {

/// The 240 Chinchilla points of METHODS 8.1 item 2: N, C and loss, the 5 highest losses dropped
/// (Epoch: keep loss < sorted(loss)[-5]); D = C / (6N) is derived by the fit.
inline fit::FitInput chinchillaReferencePoints() {
    anneal::TableSpec spec;
    spec.numeric = {"Model Size", "Training FLOP", "loss"};
    const anneal::Table t = anneal::readTable(test::dataFile("reference/chinchilla_svg_extracted.csv"), spec);
    std::vector<double> sorted = t.column("loss");
    std::sort(sorted.begin(), sorted.end());
    const double cut = sorted[sorted.size() - 5];
    fit::FitInput in;
    for (size_t i = 0; i < t.rows(); ++i) {
        if (t.column("loss")[i] < cut) {
            in.n.push_back(t.column("Model Size")[i]);
            in.c.push_back(t.column("Training FLOP")[i]);
            in.loss.push_back(t.column("loss")[i]);
        }
    }
    return in;
}

/// Multiplicative log-normal noise exp(sigma * z).
class Noise {
public:
    Noise(unsigned seed, double sigma) : m_rng(seed), m_sigma(sigma) {}
    double operator()(double v) { return m_sigma > 0 ? v * std::exp(m_sigma * m_normal(m_rng)) : v; }

private:
    std::mt19937_64 m_rng;
    std::normal_distribution<double> m_normal;
    double m_sigma;
};

/// n values log-spaced in [lo, hi].
inline std::vector<double> logSpace(double lo, double hi, int n) {
    std::vector<double> v;
    for (int k = 0; k < n; ++k) {
        v.push_back(lo * std::pow(hi / lo, n == 1 ? 0.0 : double(k) / (n - 1)));
    }
    return v;
}

/// Chinchilla points L = E + A/N^alpha + B/D^beta on a grid of N and tokens-per-parameter ratios.
inline fit::FitInput chinchillaSynthetic(double E, double A, double B, double alpha, double beta,
                                         double sigma, unsigned seed, int nN = 12, int nR = 10) {
    Noise noise(seed, sigma);
    fit::FitInput in;
    for (double n : logSpace(1e7, 1e10, nN)) {
        for (double r : logSpace(2.0, 200.0, nR)) {
            const double d = r * n;
            in.n.push_back(n);
            in.d.push_back(d);
            in.loss.push_back(noise(E + A / std::pow(n, alpha) + B / std::pow(d, beta)));
        }
    }
    return in;
}

/// LR schedules (one value per update u = 0..total-1).
inline std::vector<double> constantSchedule(double peak, int total, int warmup) {
    std::vector<double> lr(static_cast<size_t>(total), peak);
    for (int u = 0; u < warmup && u < total; ++u) {
        lr[static_cast<size_t>(u)] = peak * (u + 1) / double(warmup + 1);
    }
    return lr;
}

inline std::vector<double> cosineSchedule(double peak, int total, int warmup, double finalFraction = 0.0) {
    std::vector<double> lr = constantSchedule(peak, total, warmup);
    const double pi = std::acos(-1.0);
    for (int u = warmup; u < total; ++u) {
        const double t = double(u - warmup) / double(total - 1 - warmup);
        lr[static_cast<size_t>(u)] =
            peak * (finalFraction + (1 - finalFraction) * 0.5 * (1 + std::cos(pi * t)));
    }
    return lr;
}

/// Warmup-stable-decay: linear decay to 0 over the last `decay` updates.
inline std::vector<double> wsdSchedule(double peak, int total, int warmup, int decay) {
    std::vector<double> lr = constantSchedule(peak, total, warmup);
    for (int u = total - decay; u < total; ++u) {
        lr[static_cast<size_t>(u)] = peak * double(total - 1 - u) / double(decay);
    }
    return lr;
}

/// Tissue et al.'s law evaluated directly from the closed form of METHODS 2 (not the library's
/// recurrence): S2(s) = sum_k (eta_{k-1} - eta_k)(1 - lambda^(s-k+1))/(1 - lambda), warmup drops
/// clamped to >= 0 (ClampDrops), eta_{-1} = eta_0. O(T^2); fine for test sizes.
inline std::vector<double> annealingLawClosedForm(const std::vector<double>& lr, double L0, double A,
                                                  double alpha, double C, double lambda) {
    const size_t T = lr.size();
    const size_t warm = static_cast<size_t>(std::max_element(lr.begin(), lr.end()) - lr.begin());
    std::vector<double> drop(T, 0.0), out(T);
    for (size_t k = 1; k < T; ++k) {
        drop[k] = lr[k - 1] - lr[k];
        if (k <= warm) {
            drop[k] = std::max(drop[k], 0.0);
        }
    }
    double s1 = 0.0;
    for (size_t s = 0; s < T; ++s) {
        s1 += lr[s];
        double s2 = 0.0;
        for (size_t k = 1; k <= s; ++k) {
            const double g =
                lambda == 1.0 ? double(s - k + 1) : (1 - std::pow(lambda, double(s - k + 1))) / (1 - lambda);
            s2 += drop[k] * g;
        }
        out[s] = L0 + A * std::pow(s1, -alpha) - C * s2;
    }
    return out;
}

/// A curve sampled every `every` updates from a loss sequence.
inline fit::Curve sampledCurve(const std::string& name, const std::vector<double>& lr,
                               const std::vector<double>& loss, int every, double sigma = 0.0,
                               unsigned seed = 1) {
    Noise noise(seed, sigma);
    fit::Curve c;
    c.name = name;
    c.lr = lr;
    for (size_t u = static_cast<size_t>(every - 1); u < lr.size(); u += static_cast<size_t>(every)) {
        c.steps.push_back(static_cast<int64_t>(u));
        c.losses.push_back(noise(loss[u]));
    }
    return c;
}

}  // namespace anneal::fittest
