// SPDX-License-Identifier: GPL-3.0-or-later
// Chinchilla, Hoffmann et al. 2022 approach 3 (METHODS 7.2): L = E + A/N^alpha + B/D^beta, fitted in
// the Hoffmann/Epoch parametrisation a = log A, b = log B, e = log E:
//   log Lhat = LSE(a - alpha log N, b - beta log D, e).
#include <cmath>
#include <limits>

#include "laws.h"

namespace anneal::fit::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// theta = (e, a, b, alpha, beta), the law's parameter order E, A, B, alpha, beta.
// This is the hot loop of the 4500-start grid, so it avoids the max-shifted LSE (3 exp + 1 log per point)
// when it is safe: Lhat = exp(e) + exp(a - alpha log N) + exp(b - beta log D) needs 2 exp + 1 log, and
// the shift is only needed when a term could overflow or all could underflow.
class ChinchillaModel final : public Model {
public:
    explicit ChinchillaModel(const Observations& obs) {
        for (size_t i = 0; i < obs.size(); ++i) {
            m_logN.push_back(std::log(obs.n[i]));
            m_logD.push_back(std::log(obs.d[i]));
        }
    }
    size_t numParams() const override { return 5; }
    size_t numObservations() const override { return m_logN.size(); }

    bool logPredict(const double* th, double* out, double* jac) const override {
        const double e = th[0], a = th[1], b = th[2], alpha = th[3], beta = th[4];
        const double expE = std::exp(e);
        for (size_t i = 0; i < m_logN.size(); ++i) {
            const double t1 = a - alpha * m_logN[i], t2 = b - beta * m_logD[i];
            double w1, w2, w3;
            if (t1 < kSafe && t2 < kSafe && e < kSafe && e > -kSafe) {
                const double x1 = std::exp(t1), x2 = std::exp(t2), s = x1 + x2 + expE;
                out[i] = std::log(s);
                const double inv = 1.0 / s;
                w1 = x1 * inv;
                w2 = x2 * inv;
                w3 = expE * inv;
            } else {
                const double t[3] = {t1, t2, e};
                double w[3];
                out[i] = logSumExp(t, w);
                w1 = w[0];
                w2 = w[1];
                w3 = w[2];
            }
            if (!std::isfinite(out[i])) {
                return false;
            }
            if (jac) {
                double* row = jac + 5 * i;
                row[0] = w3;
                row[1] = w1;
                row[2] = w2;
                row[3] = -w1 * m_logN[i];
                row[4] = -w2 * m_logD[i];
            }
        }
        return true;
    }

private:
    static constexpr double kSafe = 600.0;  // exp(600) ~ 1e260: no overflow in a sum of three
    std::vector<double> m_logN, m_logD;
};

class ChinchillaLaw final : public LawImpl {
public:
    ChinchillaLaw()
        : m_params{{"E", {0.0, kInf}, true, "irreducible loss (nats/token)"},
                   {"A", {0.0, kInf}, true, "parameter-term coefficient"},
                   {"B", {0.0, kInf}, true, "data-term coefficient"},
                   {"alpha", {}, false, "parameter exponent"},
                   {"beta", {}, false, "data exponent"}} {}

    const std::string& name() const override { return m_name; }
    std::string equation() const override { return "L(N, D) = E + A/N^alpha + B/D^beta"; }
    const std::vector<ParamInfo>& params() const override { return m_params; }

    double evaluate(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        return p[0] + p[1] * std::pow(at.n, -p[3]) + p[2] * std::pow(at.d, -p[4]);
    }

    std::vector<double> gradient(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        const double tn = std::pow(at.n, -p[3]), td = std::pow(at.d, -p[4]);
        return {1.0, tn, td, -p[1] * tn * std::log(at.n), -p[2] * td * std::log(at.d)};
    }

    std::unique_ptr<Model> makeModel(const Observations& obs, const FitOptions&) const override {
        return std::make_unique<ChinchillaModel>(obs);
    }

    // Hoffmann's grid, exactly as in METHODS 7.2: alpha, beta in {0, 0.5, ..., 2}, e in {-1, ..., 1},
    // a, b in {0, 5, ..., 25}: 5*5*5*6*6 = 4500 starts (same nesting order as Epoch's notebook).
    std::vector<std::vector<double>> thetaGrid(const Observations&, const FitOptions&) const override {
        std::vector<std::vector<double>> grid;
        grid.reserve(4500);
        for (int ia = 0; ia <= 4; ++ia) {
            for (int ib = 0; ib <= 4; ++ib) {
                for (int ie = -2; ie <= 2; ++ie) {
                    for (int ja = 0; ja <= 5; ++ja) {
                        for (int jb = 0; jb <= 5; ++jb) {
                            grid.push_back({0.5 * ie, 5.0 * ja, 5.0 * jb, 0.5 * ia, 0.5 * ib});
                        }
                    }
                }
            }
        }
        return grid;
    }

private:
    std::string m_name = "chinchilla";
    std::vector<ParamInfo> m_params;
};

}  // namespace

const LawImpl& chinchillaLaw() {
    static const ChinchillaLaw law;
    return law;
}

}  // namespace anneal::fit::detail
