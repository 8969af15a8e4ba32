// SPDX-License-Identifier: GPL-3.0-or-later
#include "param_map.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "anneal/error.h"

namespace anneal::fit::detail {

namespace {

std::string joinNames(const Law& law) {
    std::string s;
    for (const auto& n : law.paramNames()) {
        s += (s.empty() ? "" : " | ") + n;
    }
    return s;
}

size_t indexOf(const Law& law, const std::string& name, const std::string& field) {
    const auto& ps = law.params();
    for (size_t j = 0; j < ps.size(); ++j) {
        if (ps[j].name == name) {
            return j;
        }
    }
    throw Error(ErrorCode::InvalidInput, "the " + law.name() + " law has no parameter '" + name + "'",
                field + "." + name, joinNames(law));
}

// Reported value -> theta for a log-scale parameter; bounds at or below 0 mean unbounded below.
double boundToTheta(double v, bool logScale) {
    if (!logScale) {
        return v;
    }
    if (v <= 0.0) {
        return -HUGE_VAL;
    }
    return std::log(v);
}

}  // namespace

ParamMap::ParamMap(const Law& law, const FitOptions& options) {
    const auto& ps = law.params();
    const size_t n = ps.size();
    m_bounds.resize(n);
    m_isFixed.assign(n, false);
    m_fixedTheta.assign(n, 0.0);
    std::vector<Bounds> reported(n);
    for (size_t j = 0; j < n; ++j) {
        reported[j] = ps[j].bounds;
    }
    for (const auto& [name, b] : options.bounds) {
        const size_t j = indexOf(law, name, "options.bounds");
        if (!(b.lower < b.upper) || std::isnan(b.lower) || std::isnan(b.upper)) {
            throw Error(ErrorCode::InvalidInput, "empty interval", "options.bounds." + name, "lower < upper");
        }
        reported[j] = b;
    }
    std::map<std::string, double> fixed = options.fixed;
    if (law.name() == "lr_annealing") {
        if (options.fitLambda && fixed.count("lambda")) {
            throw Error(ErrorCode::InvalidInput, "lambda cannot be both fitted and fixed",
                        "options.fixed.lambda");
        }
        if (!options.fitLambda && !fixed.count("lambda")) {
            fixed["lambda"] = options.lambda;
        }
    }
    for (const auto& [name, v] : fixed) {
        const size_t j = indexOf(law, name, "options.fixed");
        if (!std::isfinite(v) || (ps[j].logScale && v <= 0.0)) {
            throw Error(ErrorCode::InvalidInput, "invalid fixed value", "options.fixed." + name,
                        ps[j].logScale ? "a finite number > 0" : "a finite number");
        }
        m_isFixed[j] = true;
        m_fixedTheta[j] = ps[j].logScale ? std::log(v) : v;
    }
    for (size_t j = 0; j < n; ++j) {
        m_bounds[j] = {boundToTheta(reported[j].lower, ps[j].logScale),
                       boundToTheta(reported[j].upper, ps[j].logScale)};
        if (!m_isFixed[j]) {
            m_free.push_back(j);
        }
    }
    if (m_free.empty()) {
        throw Error(ErrorCode::InvalidInput, "every parameter is fixed, nothing to fit", "options.fixed");
    }
}

std::vector<double> ParamMap::withFixed(std::vector<double> theta) const {
    for (size_t j = 0; j < theta.size(); ++j) {
        if (m_isFixed[j]) {
            theta[j] = m_fixedTheta[j];
        }
    }
    return theta;
}

void ParamMap::toTheta(const double* z, double* theta) const {
    for (size_t j = 0; j < m_bounds.size(); ++j) {
        if (m_isFixed[j]) {
            theta[j] = m_fixedTheta[j];
        }
    }
    for (size_t k = 0; k < m_free.size(); ++k) {
        const size_t j = m_free[k];
        const double l = m_bounds[j].lower, u = m_bounds[j].upper;
        const bool hasL = std::isfinite(l), hasU = std::isfinite(u);
        if (hasL && hasU) {
            theta[j] = l + (u - l) * (std::sin(z[k]) + 1.0) * 0.5;
        } else if (hasL) {
            theta[j] = l - 1.0 + std::sqrt(z[k] * z[k] + 1.0);
        } else if (hasU) {
            theta[j] = u + 1.0 - std::sqrt(z[k] * z[k] + 1.0);
        } else {
            theta[j] = z[k];
        }
    }
}

void ParamMap::gradientToZ(const double* z, const double* gradTheta, double* gradZ) const {
    for (size_t k = 0; k < m_free.size(); ++k) {
        const size_t j = m_free[k];
        const double l = m_bounds[j].lower, u = m_bounds[j].upper;
        const bool hasL = std::isfinite(l), hasU = std::isfinite(u);
        double dt = 1.0;
        if (hasL && hasU) {
            dt = (u - l) * std::cos(z[k]) * 0.5;
        } else if (hasL) {
            dt = z[k] / std::sqrt(z[k] * z[k] + 1.0);
        } else if (hasU) {
            dt = -z[k] / std::sqrt(z[k] * z[k] + 1.0);
        }
        gradZ[k] = gradTheta[j] * dt;
    }
}

std::vector<double> ParamMap::toZ(const std::vector<double>& theta) const {
    std::vector<double> z(m_free.size());
    for (size_t k = 0; k < m_free.size(); ++k) {
        const size_t j = m_free[k];
        const double l = m_bounds[j].lower, u = m_bounds[j].upper;
        const bool hasL = std::isfinite(l), hasU = std::isfinite(u);
        double t = theta[j];
        if (hasL && hasU) {
            const double eps = 1e-6 * (u - l);
            t = std::min(std::max(t, l + eps), u - eps);
            z[k] = std::asin(2.0 * (t - l) / (u - l) - 1.0);
        } else if (hasL) {
            t = std::max(t, l + 1e-6 * std::max(1.0, std::fabs(l)));
            z[k] = std::sqrt((t - l + 1.0) * (t - l + 1.0) - 1.0);
        } else if (hasU) {
            t = std::min(t, u - 1e-6 * std::max(1.0, std::fabs(u)));
            z[k] = std::sqrt((u - t + 1.0) * (u - t + 1.0) - 1.0);
        } else {
            z[k] = t;
        }
    }
    return z;
}

bool ParamMap::atBound(const std::vector<double>& theta, size_t j, double relTol) const {
    const double l = m_bounds[j].lower, u = m_bounds[j].upper;
    const double scale = std::isfinite(l) && std::isfinite(u) ? (u - l) : std::max(1.0, std::fabs(theta[j]));
    return (std::isfinite(l) && theta[j] - l <= relTol * scale) ||
           (std::isfinite(u) && u - theta[j] <= relTol * scale);
}

}  // namespace anneal::fit::detail
