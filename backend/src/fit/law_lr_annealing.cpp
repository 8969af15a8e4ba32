// SPDX-License-Identifier: GPL-3.0-or-later
// Scaling law with LR annealing, Tissue et al. (arXiv:2408.11029; METHODS 2):
//   L(s) = L0 + A S1(s)^-alpha - C S2(s)
// S1, S2 from each curve's LR sequence (annealing_walk.h). Fitted with l0 = log L0 and a = log A (both
// > 0); alpha and C free; lambda in [0, 1], held at FitOptions::lambda (0.999) unless fitLambda.
// The paper's fitting procedure and typical values are not confirmed (METHODS 2): we use the
// reproductions' Huber(1e-3) on log residuals with a multi-start L-BFGS, like the other laws.
#include <cmath>
#include <limits>

#include "annealing_walk.h"
#include "laws.h"

namespace anneal::fit::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// theta = (l0, a, alpha, C, lambda).
class AnnealingModel final : public Model {
public:
    AnnealingModel(const Observations& obs, const FitOptions& options)
        : m_curves(obs.curves), m_mode(options.warmup), m_cachedLambda(options.lambda) {
        m_s1.resize(obs.size());
        m_s2.resize(obs.size());
        m_ds2.resize(obs.size());
        for (size_t i = 0; i < obs.size(); ++i) {
            m_curveOf.push_back(obs.curve[i]);
            m_step.push_back(static_cast<int64_t>(obs.x[i]));
        }
        areas(m_cachedLambda, m_s1.data(), m_s2.data(), m_ds2.data());
        for (double s1 : m_s1) {
            m_logS1.push_back(std::log(s1));
        }
    }
    size_t numParams() const override { return 5; }
    size_t numObservations() const override { return m_step.size(); }
    const std::vector<double>& logS1() const { return m_logS1; }
    const std::vector<double>& s2() const { return m_s2; }  // at the fixed lambda

    bool logPredict(const double* th, double* out, double* jac) const override {
        const double L0 = std::exp(th[0]), A = std::exp(th[1]), alpha = th[2], C = th[3], lambda = th[4];
        if (!(lambda >= 0.0 && lambda <= 1.0)) {
            return false;
        }
        const double* s2 = m_s2.data();
        const double* ds2 = m_ds2.data();
        std::vector<double> s2Buf, ds2Buf;
        if (lambda != m_cachedLambda) {  // lambda is fitted: S2 depends on it, recompute (O(updates))
            s2Buf.resize(m_step.size());
            ds2Buf.resize(m_step.size());
            areas(lambda, nullptr, s2Buf.data(), ds2Buf.data());
            s2 = s2Buf.data();
            ds2 = ds2Buf.data();
        }
        for (size_t i = 0; i < m_step.size(); ++i) {
            const double pw = A * std::exp(-alpha * m_logS1[i]);
            const double l = L0 + pw - C * s2[i];
            if (!(l > 0.0) || !std::isfinite(l)) {
                return false;
            }
            out[i] = std::log(l);
            if (jac) {
                double* row = jac + 5 * i;
                row[0] = L0 / l;
                row[1] = pw / l;
                row[2] = -pw * m_logS1[i] / l;
                row[3] = -s2[i] / l;
                row[4] = -C * ds2[i] / l;
            }
        }
        return true;
    }

private:
    // S1, S2, dS2/dlambda at every observation (observations of a curve are contiguous, by step).
    void areas(double lambda, double* s1, double* s2, double* ds2) const {
        size_t i = 0;
        for (size_t c = 0; c < m_curves.size(); ++c) {
            if (i >= m_step.size() || m_curveOf[i] != static_cast<int>(c)) {
                continue;
            }
            size_t end = i;
            while (end < m_step.size() && m_curveOf[end] == static_cast<int>(c)) {
                ++end;
            }
            const Curve& cv = m_curves[c];
            walkAnnealingAreas(cv.lr, lambda, m_mode, cv.warmupSteps, m_step[end - 1],
                               [&](int64_t u, double a1, double a2, double d2) {
                                   if (i < end && m_step[i] == u) {
                                       if (s1) {
                                           s1[i] = a1;
                                       }
                                       s2[i] = a2;
                                       ds2[i] = d2;
                                       ++i;
                                   }
                               });
        }
    }

    std::vector<Curve> m_curves;
    WarmupMode m_mode;
    double m_cachedLambda;
    std::vector<int> m_curveOf;
    std::vector<int64_t> m_step;
    std::vector<double> m_s1, m_logS1, m_s2, m_ds2;
};

class LrAnnealingLaw final : public LawImpl {
public:
    LrAnnealingLaw()
        : m_params{{"L0", {0.0, kInf}, true, "loss at infinite forward area (nats/token)"},
                   {"A", {0.0, kInf}, true, "forward-area coefficient"},
                   {"alpha", {}, false, "forward-area exponent"},
                   {"C", {}, false, "annealing-area coefficient"},
                   {"lambda", {0.0, 1.0}, false, "annealing momentum decay factor (fixed unless fitted)"}} {}

    const std::string& name() const override { return m_name; }
    std::string equation() const override { return "L(s) = L0 + A S1(s)^-alpha - C S2(s)"; }
    const std::vector<ParamInfo>& params() const override { return m_params; }

    double evaluate(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        return p[0] + p[1] * std::pow(at.s1, -p[2]) - p[3] * at.s2;
    }

    std::vector<double> gradient(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        const double t = std::pow(at.s1, -p[2]);
        return {1.0, t, -p[1] * t * std::log(at.s1), -at.s2, -p[3] * at.ds2dLambda};
    }

    std::unique_ptr<Model> makeModel(const Observations& obs, const FitOptions& options) const override {
        return std::make_unique<AnnealingModel>(obs, options);
    }

    // Scaled to the data (S1 and S2 are in LR x updates, so their size depends on the peak LR):
    // L0 = f * min(loss); the power term at the median S1 is g * min(loss); C * max(S2) = h * min(loss).
    std::vector<std::vector<double>> thetaGrid(const Observations& obs,
                                               const FitOptions& options) const override {
        const AnnealingModel model(obs, options);
        const double s2max = *std::max_element(model.s2().begin(), model.s2().end());
        const double lmin = *std::min_element(obs.target.begin(), obs.target.end());
        const double mls1 = median(model.logS1());
        std::vector<double> lambdas = {options.lambda};
        if (options.fitLambda) {
            lambdas = {0.99, 0.999};
        }
        std::vector<double> cs = {0.0};
        if (s2max > 0.0) {
            cs = {0.0, 0.05 * lmin / s2max, 0.2 * lmin / s2max};
        }
        std::vector<std::vector<double>> grid;
        for (double f : {0.5, 0.8, 0.95}) {
            for (double g : {0.03, 0.15, 0.5}) {
                for (double alpha : {0.2, 0.5, 1.0}) {
                    for (double c : cs) {
                        for (double lambda : lambdas) {
                            grid.push_back(
                                {std::log(f * lmin), std::log(g * lmin) + alpha * mls1, alpha, c, lambda});
                        }
                    }
                }
            }
        }
        return grid;
    }

private:
    std::string m_name = "lr_annealing";
    std::vector<ParamInfo> m_params;
};

}  // namespace

const LawImpl& lrAnnealingLaw() {
    static const LrAnnealingLaw law;
    return law;
}

}  // namespace anneal::fit::detail
