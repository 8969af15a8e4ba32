// SPDX-License-Identifier: GPL-3.0-or-later
// Multi-Power Law, Luo et al. (arXiv:2503.12811; METHODS 2, parameters of METHODS 8.8):
//   L(t) = L0 + A (S1(t) + S_W)^-alpha - B sum_k (eta_{k-1} - eta_k) (1 - (C eta_k^-gamma S_k(t) + 1)^-beta)
// evaluated by mpl_eval.cpp (conventions in mpl.h). Fitted like lr_annealing: Huber(1e-3) on log residuals,
// multi-start L-BFGS, with L0, A, B, C, beta fitted as logarithms (all > 0) and alpha, gamma free.
// Luo et al. fit with Adam from one start found by a reduced model [code]; their sign convention adds
// B LD with signed LR gaps (eta_k - eta_{k-1}), the same law. What their code does with warmup beyond
// S_W (METHODS 2) and whether losses logged during warmup enter their fit are not confirmed: we keep
// those losses, with LD = 0 during warmup.
#include <algorithm>
#include <cmath>
#include <limits>

#include "anneal/error.h"
#include "laws.h"
#include "mpl_eval.h"

namespace anneal::fit::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// theta = (log L0, log A, alpha, log B, log C, log beta, gamma).
class MplModel final : public Model {
public:
    explicit MplModel(const Observations& obs) {
        for (size_t i = 0; i < obs.size(); ++i) {
            m_step.push_back(static_cast<int64_t>(obs.x[i]));
        }
        size_t i = 0;
        for (size_t c = 0; c < obs.curves.size(); ++c) {
            size_t end = i;
            while (end < obs.size() && obs.curve[end] == static_cast<int>(c)) {
                ++end;
            }
            if (end > i) {
                m_parts.push_back({prepareMplSchedule(obs.curves[c].lr, obs.curves[c].warmupSteps), i, end});
            }
            i = end;
        }
    }
    size_t numParams() const override { return kMplParams; }
    size_t numObservations() const override { return m_step.size(); }

    bool logPredict(const double* th, double* out, double* jac) const override {
        double p[kMplParams] = {std::exp(th[0]), std::exp(th[1]), th[2], std::exp(th[3]),
                                std::exp(th[4]), std::exp(th[5]), th[6]};
        for (double v : p) {
            if (!std::isfinite(v)) {
                return false;
            }
        }
        if (!(p[4] > 0.0) || !(p[5] > 0.0)) {
            return false;
        }
        std::vector<double> grad;
        for (const Part& part : m_parts) {
            const size_t n = part.end - part.begin;
            if (jac) {
                grad.resize(n * kMplParams);
            }
            evaluateMpl(part.schedule, p, m_step.data() + part.begin, n, out + part.begin,
                        jac ? grad.data() : nullptr, MplMethod::Auto);
            for (size_t q = 0; q < n; ++q) {
                const double l = out[part.begin + q];
                if (!(l > 0.0) || !std::isfinite(l)) {
                    return false;
                }
                out[part.begin + q] = std::log(l);
                if (jac) {
                    double* row = jac + kMplParams * (part.begin + q);
                    const double* g = grad.data() + kMplParams * q;
                    // Chain rule to theta: log-scale parameters get a factor p_j.
                    for (int j = 0; j < kMplParams; ++j) {
                        const bool logScale = j != 2 && j != 6;
                        row[j] = g[j] * (logScale ? p[j] : 1.0) / l;
                        if (!std::isfinite(row[j])) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

private:
    struct Part {
        MplSchedule schedule;
        size_t begin, end;  // observations of this curve
    };
    std::vector<int64_t> m_step;
    std::vector<Part> m_parts;
};

class MplLaw final : public LawImpl {
public:
    MplLaw()
        : m_params{{"L0", {0.0, kInf}, true, "loss at infinite LR area (nats/token)"},
                   {"A", {0.0, kInf}, true, "LR-area coefficient"},
                   {"alpha", {}, false, "LR-area exponent"},
                   {"B", {0.0, kInf}, true, "loss-drop coefficient"},
                   {"C", {0.0, kInf}, true, "loss-drop saturation scale"},
                   {"beta", {0.0, kInf}, true, "loss-drop saturation exponent"},
                   {"gamma", {}, false, "LR exponent of the loss-drop time scale"}} {}

    const std::string& name() const override { return m_name; }
    std::string equation() const override {
        return "L(t) = L0 + A (S1(t) + S_W)^-alpha - B sum_k (eta_{k-1} - eta_k) (1 - (C eta_k^-gamma S_k(t) "
               "+ "
               "1)^-beta)";
    }
    const std::vector<ParamInfo>& params() const override { return m_params; }

    // The law needs the whole LR sequence, not one point: mplEvaluate() / predictCurve().
    double evaluate(const std::vector<double>& p, const Point&) const override {
        checkParamCount(*this, p);
        throw Error(ErrorCode::InvalidInput,
                    "the mpl law predicts whole curves from an LR sequence: use "
                    "predictCurve() or mplEvaluate()",
                    "law");
    }
    std::vector<double> gradient(const std::vector<double>& p, const Point& at) const override {
        evaluate(p, at);
        return {};
    }

    std::unique_ptr<Model> makeModel(const Observations& obs, const FitOptions&) const override {
        return std::make_unique<MplModel>(obs);
    }

    // Scaled to the data: L0 = f min(loss); the power term at the median LR area is g min(loss); the
    // total drop term B (peak - min LR) = b min(loss); C such that C eta^-gamma S = 1 after `tau` updates
    // at the peak LR (S = tau eta); beta = 0.5 (METHODS 8.8 has 0.58-0.60), gamma in {0.4, 0.7}.
    std::vector<std::vector<double>> thetaGrid(const Observations& obs, const FitOptions&) const override {
        const double lmin = *std::min_element(obs.target.begin(), obs.target.end());
        std::vector<double> logArea;
        double peak = 0.0, drop = 0.0;
        std::vector<std::vector<double>> prefix(obs.curves.size());
        for (size_t c = 0; c < obs.curves.size(); ++c) {
            double sum = 0.0;
            for (double eta : obs.curves[c].lr) {
                prefix[c].push_back(sum += eta);
            }
        }
        for (size_t i = 0; i < obs.size(); ++i) {
            logArea.push_back(
                std::log(prefix[static_cast<size_t>(obs.curve[i])][static_cast<size_t>(obs.x[i])]));
        }
        for (const Curve& cv : obs.curves) {
            const double pk = *std::max_element(cv.lr.begin(), cv.lr.end());
            const double lo =
                *std::min_element(cv.lr.begin() + std::max<int64_t>(0, cv.warmupSteps), cv.lr.end());
            peak = std::max(peak, pk);
            drop = std::max(drop, pk - lo);
        }
        const double mla = median(logArea);
        std::vector<double> bs = {1e-3 * lmin / peak};
        if (drop > 0.0) {
            bs = {0.03 * lmin / drop, 0.15 * lmin / drop};
        }
        std::vector<std::vector<double>> grid;
        for (double f : {0.6, 0.9}) {
            for (double g : {0.05, 0.3}) {
                for (double alpha : {0.3, 0.6}) {
                    for (double b : bs) {
                        for (double tau : {30.0, 300.0}) {
                            for (double gamma : {0.4, 0.7}) {
                                const double C = std::pow(peak, gamma - 1.0) / tau;
                                grid.push_back({std::log(f * lmin), std::log(g * lmin) + alpha * mla, alpha,
                                                std::log(b), std::log(C), std::log(0.5), gamma});
                            }
                        }
                    }
                }
            }
        }
        return grid;
    }

private:
    std::string m_name = "mpl";
    std::vector<ParamInfo> m_params;
};

}  // namespace

const LawImpl& mplLaw() {
    static const MplLaw law;
    return law;
}

}  // namespace anneal::fit::detail
