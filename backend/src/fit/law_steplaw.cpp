// SPDX-License-Identifier: GPL-3.0-or-later
// StepLaw (Li et al., arXiv:2503.04715; METHODS 7.5): lr_opt = exp(c_lr) N^c_N D^c_D and
// B_opt = exp(c_bs) D^c_bD. Linear in log space, so it is fitted by ordinary least squares
// (steplaw_fit.cpp), not by the multi-start L-BFGS; there is no Model and no grid.
#include <cmath>

#include "anneal/error.h"
#include "laws.h"

namespace anneal::fit::detail {

namespace {

class StepLawImpl final : public LawImpl {
public:
    StepLawImpl()
        : m_params{{"c_lr", {}, false, "log of the LR coefficient"},
                   {"c_N", {}, false, "LR exponent of N"},
                   {"c_D", {}, false, "LR exponent of D"},
                   {"c_bs", {}, false, "log of the batch-size coefficient (tokens)"},
                   {"c_bD", {}, false, "batch-size exponent of D"}} {}

    const std::string& name() const override { return m_name; }
    std::string equation() const override {
        return "lr_opt(N, D) = exp(c_lr) N^c_N D^c_D;  B_opt(D) = exp(c_bs) D^c_bD";
    }
    const std::vector<ParamInfo>& params() const override { return m_params; }

    // The optimal learning rate (the batch size: steplaw::optimalBatchTokens()).
    double evaluate(const std::vector<double>& p, const Point& at) const override {
        checkParamCount(*this, p);
        return std::exp(p[0] + p[1] * std::log(at.n) + p[2] * std::log(at.d));
    }

    std::vector<double> gradient(const std::vector<double>& p, const Point& at) const override {
        const double v = evaluate(p, at);
        return {v, v * std::log(at.n), v * std::log(at.d), 0.0, 0.0};
    }

    std::unique_ptr<Model> makeModel(const Observations&, const FitOptions&) const override {
        throw Error(ErrorCode::Internal, "steplaw is fitted by least squares, it has no L-BFGS model");
    }
    std::vector<std::vector<double>> thetaGrid(const Observations&, const FitOptions&) const override {
        return {};
    }

private:
    std::string m_name = "steplaw";
    std::vector<ParamInfo> m_params;
};

}  // namespace

const LawImpl& stepLaw() {
    static const StepLawImpl law;
    return law;
}

}  // namespace anneal::fit::detail
