// SPDX-License-Identifier: GPL-3.0-or-later
// Asymptotic standard errors of the Huber M-estimator (Huber 1981, ch. 7): Cov = A^-1 B A^-1 with
//   A = kappa * sum_i w_i g_i g_i^T,   B = sum_i w_i psi(r_i)^2 g_i g_i^T,
// g_i = d log Lhat_i / d theta, psi = Huber', and kappa = E[psi'(r)] = P(|r| <= delta) estimated with a
// Gaussian kernel density of the residuals (Silverman's bandwidth). We do not use the observed
// (numerical) Hessian: with delta = 1e-3 far below the noise of real losses, only a handful of residuals
// fall inside the quadratic zone and that Hessian is close to singular. Frequency weights (bootstrap
// counts) enter A and B linearly. Rough by nature: the bootstrap is the primary interval.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "uncertainty.h"

namespace anneal::fit::detail {

namespace {

double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// P(|r| <= delta) under a Gaussian kernel density estimate of the weighted residuals.
double insideProbability(const std::vector<double>& r, const std::vector<double>& w, double delta) {
    double sw = 0.0, mean = 0.0;
    for (size_t i = 0; i < r.size(); ++i) {
        sw += w[i];
        mean += w[i] * r[i];
    }
    mean /= sw;
    double var = 0.0;
    for (size_t i = 0; i < r.size(); ++i) {
        var += w[i] * (r[i] - mean) * (r[i] - mean);
    }
    std::vector<double> sorted = r;
    std::sort(sorted.begin(), sorted.end());
    const double iqr = sorted[sorted.size() * 3 / 4] - sorted[sorted.size() / 4];
    double spread = std::sqrt(var / sw);
    if (iqr > 0.0) {
        spread = std::min(spread, iqr / 1.34);
    }
    const double h = 0.9 * spread * std::pow(sw, -0.2);
    if (!(h > 0.0)) {
        return 1.0;  // (near) exact fit: every residual is inside delta
    }
    double p = 0.0;
    for (size_t i = 0; i < r.size(); ++i) {
        p += w[i] * (normalCdf((delta - r[i]) / h) - normalCdf((-delta - r[i]) / h));
    }
    return p / sw;
}

}  // namespace

std::vector<double> sandwichStandardErrors(const HuberObjective& objective, const ParamMap& map,
                                           const std::vector<double>& theta, std::string& problem) {
    const auto& free = map.freeIndices();
    const Eigen::Index k = static_cast<Eigen::Index>(free.size());
    const size_t p = objective.numParams(), n = objective.numObservations();
    HuberObjective::Workspace ws;
    double f = 0.0;
    std::vector<double> grad(p);
    if (!objective.evaluate(theta.data(), &f, grad.data(), ws)) {
        problem = "the objective is not defined at the fit";
        return {};
    }
    std::vector<double> r, w;
    std::vector<size_t> used;
    for (size_t i = 0; i < n; ++i) {
        if (objective.weights()[i] > 0.0) {
            used.push_back(i);
            r.push_back(ws.logPred[i] - objective.logObserved()[i]);
            w.push_back(objective.weights()[i]);
        }
    }
    if (used.size() <= free.size()) {
        problem = "too few points for standard errors";
        return {};
    }
    const double delta = objective.delta();
    const double kappa = insideProbability(r, w, delta);
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(k, k), B = Eigen::MatrixXd::Zero(k, k);
    Eigen::VectorXd g(k);
    for (size_t t = 0; t < used.size(); ++t) {
        const size_t i = used[t];
        for (Eigen::Index a = 0; a < k; ++a) {
            g(a) = ws.jac[i * p + free[static_cast<size_t>(a)]];
        }
        const double psi = huberSlope(r[t], delta);
        G += w[t] * g * g.transpose();
        B += w[t] * psi * psi * g * g.transpose();
    }
    const Eigen::MatrixXd A = kappa * G;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(A);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || !(kappa > 0.0)) {
        problem = "the parameters are not identified by these points (singular information matrix)";
        return {};
    }
    const Eigen::MatrixXd Ainv = ldlt.solve(Eigen::MatrixXd::Identity(k, k));
    const Eigen::MatrixXd cov = Ainv * B * Ainv;
    std::vector<double> se(p, std::nan(""));
    for (Eigen::Index a = 0; a < k; ++a) {
        if (!(cov(a, a) >= 0.0) || !std::isfinite(cov(a, a))) {
            problem = "the parameters are not identified by these points (singular information matrix)";
            return {};
        }
        se[free[static_cast<size_t>(a)]] = std::sqrt(cov(a, a));
    }
    return se;
}

}  // namespace anneal::fit::detail
