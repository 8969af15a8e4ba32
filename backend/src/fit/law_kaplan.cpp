// SPDX-License-Identifier: GPL-3.0-or-later
// Kaplan et al. 2020 L(N, D) (METHODS 7.1): L = [(Nc/N)^(alphaN/alphaD) + Dc/D]^alphaD, fitted with
// nc = log Nc, dc = log Dc:
//   log Lhat = alphaD * LSE((alphaN/alphaD)(nc - log N), dc - log D).
#include <cmath>
#include <limits>

#include "laws.h"

namespace anneal::fit::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// theta = (nc, dc, alphaN, alphaD).
class KaplanModel final : public Model {
public:
    explicit KaplanModel(const Observations& obs) {
        for (size_t i = 0; i < obs.size(); ++i) {
            m_logN.push_back(std::log(obs.n[i]));
            m_logD.push_back(std::log(obs.d[i]));
        }
    }
    size_t numParams() const override { return 4; }
    size_t numObservations() const override { return m_logN.size(); }

    bool logPredict(const double* th, double* out, double* jac) const override {
        const double nc = th[0], dc = th[1], aN = th[2], aD = th[3];
        if (!(aD > 0.0)) {
            return false;  // the form divides by alphaD
        }
        const double r = aN / aD;
        for (size_t i = 0; i < m_logN.size(); ++i) {
            const double t[2] = {r * (nc - m_logN[i]), dc - m_logD[i]};
            double w[2];
            const double lse = logSumExp(t, w);
            out[i] = aD * lse;
            if (!std::isfinite(out[i])) {
                return false;
            }
            if (jac) {
                double* row = jac + 4 * i;
                row[0] = aN * w[0];
                row[1] = aD * w[1];
                row[2] = w[0] * (nc - m_logN[i]);
                row[3] = lse - w[0] * t[0];
            }
        }
        return true;
    }

private:
    std::vector<double> m_logN, m_logD;
};

class KaplanLaw final : public LawImpl {
public:
    KaplanLaw()
        : m_params{{"Nc", {0.0, kInf}, true, "parameter scale"},
                   {"Dc", {0.0, kInf}, true, "token scale"},
                   {"alphaN", {}, false, "parameter exponent"},
                   {"alphaD", {}, false, "data exponent (> 0)"}} {}

    const std::string& name() const override { return m_name; }
    std::string equation() const override { return "L(N, D) = [(Nc/N)^(alphaN/alphaD) + Dc/D]^alphaD"; }
    const std::vector<ParamInfo>& params() const override { return m_params; }

    double evaluate(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        return std::pow(std::pow(p[0] / at.n, p[2] / p[3]) + p[1] / at.d, p[3]);
    }

    std::vector<double> gradient(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        const double t[2] = {p[2] / p[3] * std::log(p[0] / at.n), std::log(p[1] / at.d)};
        double w[2];
        const double lse = logSumExp(t, w);
        const double l = std::exp(p[3] * lse);
        return {l * p[2] * w[0] / p[0], l * p[3] * w[1] / p[1], l * w[0] * std::log(p[0] / at.n),
                l * (lse - w[0] * t[0])};
    }

    std::unique_ptr<Model> makeModel(const Observations& obs, const FitOptions&) const override {
        return std::make_unique<KaplanModel>(obs);
    }

    // Scaled to the data: at the median (N, D) and median loss Lm, the N term takes a share s of
    // Lm^(1/alphaD) and the D term the rest, for a ladder of exponents.
    std::vector<std::vector<double>> thetaGrid(const Observations& obs, const FitOptions&) const override {
        std::vector<double> ln, ld;
        for (size_t i = 0; i < obs.size(); ++i) {
            ln.push_back(std::log(obs.n[i]));
            ld.push_back(std::log(obs.d[i]));
        }
        const double mln = median(ln), mld = median(ld), logL = std::log(median(obs.target));
        std::vector<std::vector<double>> grid;
        for (double aN : {0.03, 0.08, 0.2, 0.5}) {
            for (double aD : {0.03, 0.1, 0.25, 0.6}) {
                for (double s : {0.2, 0.5, 0.8}) {
                    const double nc = mln + (aD / aN) * std::log(s) + logL / aN;
                    const double dc = mld + std::log(1.0 - s) + logL / aD;
                    grid.push_back({nc, dc, aN, aD});
                }
            }
        }
        return grid;
    }

private:
    std::string m_name = "kaplan";
    std::vector<ParamInfo> m_params;
};

}  // namespace

const LawImpl& kaplanLaw() {
    static const KaplanLaw law;
    return law;
}

}  // namespace anneal::fit::detail
