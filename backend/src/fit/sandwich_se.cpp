// SPDX-License-Identifier: GPL-3.0-or-later
// Asymptotic standard errors of an M-estimator (Huber): Cov = H^-1 B H^-1 ("sandwich"), with H the
// Hessian of the summed Huber objective (numerical, from the analytic gradient) and B the outer
// product of the per-point score contributions. With delta = 1e-3 most log residuals lie outside the
// quadratic zone, so H is estimated from few points and these SEs are rough: the bootstrap is the
// primary uncertainty estimate, this one is labelled "asymptotic".
#include <Eigen/Dense>
#include <cmath>

#include "uncertainty.h"

namespace anneal::fit::detail {

std::vector<double> sandwichStandardErrors(const HuberObjective& objective, const ParamMap& map,
                                           const std::vector<double>& theta, std::string& problem) {
    const auto& free = map.freeIndices();
    const Eigen::Index k = static_cast<Eigen::Index>(free.size());
    const size_t p = objective.numParams(), n = objective.numObservations();
    HuberObjective::Workspace ws;
    Eigen::MatrixXd H(k, k);
    std::vector<double> gp(p), gm(p);
    for (Eigen::Index a = 0; a < k; ++a) {
        const size_t j = free[static_cast<size_t>(a)];
        const double h = 1e-5 * std::max(1.0, std::fabs(theta[j]));
        std::vector<double> tp = theta, tm = theta;
        tp[j] += h;
        tm[j] -= h;
        double f = 0.0;
        if (!objective.evaluate(tp.data(), &f, gp.data(), ws) || !objective.evaluate(tm.data(), &f, gm.data(), ws)) {
            problem = "the objective is not defined next to the fit";
            return {};
        }
        for (Eigen::Index b = 0; b < k; ++b) {
            const size_t i = free[static_cast<size_t>(b)];
            H(b, a) = (gp[i] - gm[i]) / (2.0 * h);
        }
    }
    H = 0.5 * (H + H.transpose()).eval();
    // B from the per-point scores at theta.
    double f = 0.0;
    std::vector<double> g(p);
    objective.evaluate(theta.data(), &f, g.data(), ws);
    Eigen::MatrixXd B = Eigen::MatrixXd::Zero(k, k);
    Eigen::VectorXd s(k);
    for (size_t i = 0; i < n; ++i) {
        const double w = objective.weights()[i];
        if (w == 0.0) continue;
        const double r = ws.logPred[i] - objective.logObserved()[i];
        const double psi = w * huberSlope(r, objective.delta());
        for (Eigen::Index a = 0; a < k; ++a) s(a) = psi * ws.jac[i * p + free[static_cast<size_t>(a)]];
        B += s * s.transpose();
    }
    Eigen::LLT<Eigen::MatrixXd> llt(H);
    if (llt.info() != Eigen::Success) {
        problem = "the Hessian of the objective is not positive definite at the fit";
        return {};
    }
    const Eigen::MatrixXd Hinv = llt.solve(Eigen::MatrixXd::Identity(k, k));
    const Eigen::MatrixXd cov = Hinv * B * Hinv;
    std::vector<double> se(p, std::nan(""));
    for (Eigen::Index a = 0; a < k; ++a) se[free[static_cast<size_t>(a)]] = std::sqrt(std::max(0.0, cov(a, a)));
    return se;
}

}  // namespace anneal::fit::detail
