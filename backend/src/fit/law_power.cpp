// SPDX-License-Identifier: GPL-3.0-or-later
// Power law plus constant (Henighan et al. 2020 form, METHODS 7.4): L = E + A x^-alpha for one
// variable x (N, D, C or steps). Fitted like Chinchilla's law with one term:
//   log Lhat = LSE(a - alpha log x, e),  a = log A, e = log E.
#include <cmath>
#include <limits>

#include "laws.h"

namespace anneal::fit::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// theta = (e, a, alpha).
class PowerModel final : public Model {
public:
    explicit PowerModel(const Observations& obs) {
        for (double x : obs.x) {
            m_logX.push_back(std::log(x));
        }
    }
    size_t numParams() const override { return 3; }
    size_t numObservations() const override { return m_logX.size(); }

    bool logPredict(const double* th, double* out, double* jac) const override {
        for (size_t i = 0; i < m_logX.size(); ++i) {
            const double t[2] = {th[1] - th[2] * m_logX[i], th[0]};
            double w[2];
            out[i] = logSumExp(t, w);
            if (!std::isfinite(out[i])) {
                return false;
            }
            if (jac) {
                double* row = jac + 3 * i;
                row[0] = w[1];
                row[1] = w[0];
                row[2] = -w[0] * m_logX[i];
            }
        }
        return true;
    }

private:
    std::vector<double> m_logX;
};

class PowerLaw final : public LawImpl {
public:
    PowerLaw()
        : m_params{{"E", {0.0, kInf}, true, "irreducible loss (nats/token)"},
                   {"A", {0.0, kInf}, true, "coefficient"},
                   {"alpha", {}, false, "exponent"}} {}

    const std::string& name() const override { return m_name; }
    std::string equation() const override { return "L(x) = E + A x^-alpha"; }
    const std::vector<ParamInfo>& params() const override { return m_params; }

    double evaluate(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        return p[0] + p[1] * std::pow(at.x, -p[2]);
    }

    std::vector<double> gradient(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        const double t = std::pow(at.x, -p[2]);
        return {1.0, t, -p[1] * t * std::log(at.x)};
    }

    std::unique_ptr<Model> makeModel(const Observations& obs, const FitOptions&) const override {
        return std::make_unique<PowerModel>(obs);
    }

    // A grid scaled to the data, so that x may be parameters (1e4..1e11), tokens or steps:
    // E = f * min(loss); at the median x the power term is g * min(loss); alpha on a coarse ladder.
    std::vector<std::vector<double>> thetaGrid(const Observations& obs, const FitOptions&) const override {
        const double lmin = *std::min_element(obs.target.begin(), obs.target.end());
        std::vector<double> logX;
        for (double x : obs.x) {
            logX.push_back(std::log(x));
        }
        const double mlx = median(logX);
        std::vector<std::vector<double>> grid;
        for (double f : {0.2, 0.5, 0.8, 0.95}) {
            for (double g : {0.05, 0.3, 1.5}) {
                for (double alpha : {0.05, 0.15, 0.3, 0.6, 1.0, 2.0}) {
                    grid.push_back({std::log(f * lmin), std::log(g * lmin) + alpha * mlx, alpha});
                }
            }
        }
        return grid;
    }

private:
    std::string m_name = "power";
    std::vector<ParamInfo> m_params;
};

}  // namespace

const LawImpl& powerLaw() {
    static const PowerLaw law;
    return law;
}

}  // namespace anneal::fit::detail
