// SPDX-License-Identifier: GPL-3.0-or-later
#include "huber_objective.h"

#include <cmath>

namespace anneal::fit::detail {

HuberObjective::HuberObjective(const Model& model, const std::vector<double>& observed,
                               std::vector<double> weights, double delta)
    : m_model(model), m_weights(std::move(weights)), m_delta(delta) {
    m_logObserved.reserve(observed.size());
    for (double v : observed) {
        m_logObserved.push_back(std::log(v));
    }
}

HuberObjective HuberObjective::withWeights(std::vector<double> weights) const {
    HuberObjective copy(*this);
    copy.m_weights = std::move(weights);
    return copy;
}

bool HuberObjective::evaluate(const double* theta, double* value, double* grad, Workspace& ws) const {
    const size_t n = m_logObserved.size(), p = m_model.numParams();
    ws.logPred.resize(n);
    if (grad) {
        ws.jac.resize(n * p);
    }
    if (!m_model.logPredict(theta, ws.logPred.data(), grad ? ws.jac.data() : nullptr)) {
        return false;
    }
    double f = 0.0;
    if (grad) {
        for (size_t j = 0; j < p; ++j) {
            grad[j] = 0.0;
        }
    }
    for (size_t i = 0; i < n; ++i) {
        const double w = m_weights[i];
        if (w == 0.0) {
            continue;
        }
        const double r = ws.logPred[i] - m_logObserved[i];
        f += w * huber(r, m_delta);
        if (grad) {
            const double s = w * huberSlope(r, m_delta);
            const double* row = ws.jac.data() + i * p;
            for (size_t j = 0; j < p; ++j) {
                grad[j] += s * row[j];
            }
        }
    }
    *value = f;
    return std::isfinite(f);
}

}  // namespace anneal::fit::detail
