// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: the robust objective of METHODS 7.2,
//   f(theta) = sum_i w_i Huber_delta(log Lhat_i(theta) - log L_i),
//   Huber_delta(r) = r^2/2 for |r| <= delta, delta (|r| - delta/2) otherwise,
// summed, not averaged (averaging makes L-BFGS stop early: METHODS 7.2 pitfall (a)).
// Hold-out points and bootstrap resampling are expressed through the weights (0, or the number of
// times a point was drawn), so one model serves every fit.

#include <vector>

#include "model.h"

namespace anneal::fit::detail {

inline double huber(double r, double delta) {
    const double a = r < 0 ? -r : r;
    return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/// Huber'(r): r inside the threshold, +-delta outside.
inline double huberSlope(double r, double delta) { return r > delta ? delta : (r < -delta ? -delta : r); }

class HuberObjective {
public:
    /// Scratch space for one thread.
    struct Workspace {
        std::vector<double> logPred, jac;
    };

    HuberObjective(const Model& model, const std::vector<double>& observed, std::vector<double> weights,
                   double delta);

    size_t numParams() const { return m_model.numParams(); }
    size_t numObservations() const { return m_logObserved.size(); }
    const Model& model() const { return m_model; }
    const std::vector<double>& weights() const { return m_weights; }
    const std::vector<double>& logObserved() const { return m_logObserved; }
    double delta() const { return m_delta; }
    /// A copy with other weights (bootstrap).
    HuberObjective withWeights(std::vector<double> weights) const;

    /// f(theta) and, when grad is not null, d f / d theta. False when the model is invalid at theta.
    bool evaluate(const double* theta, double* value, double* grad, Workspace& ws) const;

private:
    const Model& m_model;
    std::vector<double> m_logObserved;
    std::vector<double> m_weights;
    double m_delta;
};

}  // namespace anneal::fit::detail
