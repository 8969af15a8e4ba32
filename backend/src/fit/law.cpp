// SPDX-License-Identifier: GPL-3.0-or-later
// The law registry and what every law shares: names, reported <-> fitted parametrisation, grids.
#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/law.h"
#include "laws.h"
#include "observations.h"

namespace anneal::fit {

std::vector<std::string> Law::paramNames() const {
    std::vector<std::string> names;
    for (const ParamInfo& p : params()) {
        names.push_back(p.name);
    }
    return names;
}

std::vector<std::vector<double>> Law::startGrid(const FitInput& input, const FitOptions& options) const {
    const auto& impl = static_cast<const detail::LawImpl&>(*this);
    const detail::Observations obs = detail::buildObservations(input, options, name());
    std::vector<std::vector<double>> grid;
    for (const auto& theta : impl.thetaGrid(obs, options)) {
        grid.push_back(detail::toReported(*this, theta));
    }
    return grid;
}

std::vector<std::string> lawNames() {
    return {"power", "kaplan", "chinchilla", "lr_annealing", "mpl", "steplaw"};
}

bool isCurveLaw(const std::string& name) { return name == "lr_annealing" || name == "mpl"; }

const Law& lawByName(const std::string& name) { return detail::lawImplByName(name); }

namespace detail {

const LawImpl& lawImplByName(const std::string& name) {
    if (name == "power") {
        return powerLaw();
    }
    if (name == "kaplan") {
        return kaplanLaw();
    }
    if (name == "chinchilla") {
        return chinchillaLaw();
    }
    if (name == "lr_annealing") {
        return lrAnnealingLaw();
    }
    if (name == "mpl") {
        return mplLaw();
    }
    if (name == "steplaw") {
        return stepLaw();
    }
    std::string allowed;
    for (const std::string& n : lawNames()) {
        allowed += (allowed.empty() ? "" : " | ") + n;
    }
    throw Error(ErrorCode::InvalidInput, "unknown law '" + name + "'", "law", allowed);
}

void checkParamCount(const Law& law, const std::vector<double>& params) {
    if (params.size() != law.params().size()) {
        std::string names;
        for (const auto& n : law.paramNames()) {
            names += (names.empty() ? "" : ", ") + n;
        }
        throw Error(ErrorCode::InvalidInput,
                    "the " + law.name() + " law has " + std::to_string(law.params().size()) +
                        " parameters, got " + std::to_string(params.size()),
                    "params", names);
    }
}

std::vector<double> toTheta(const Law& law, const std::vector<double>& reported) {
    checkParamCount(law, reported);
    std::vector<double> theta(reported.size());
    for (size_t j = 0; j < reported.size(); ++j) {
        theta[j] = law.params()[j].logScale ? std::log(reported[j]) : reported[j];
    }
    return theta;
}

std::vector<double> toReported(const Law& law, const std::vector<double>& theta) {
    std::vector<double> p(theta.size());
    for (size_t j = 0; j < theta.size(); ++j) {
        p[j] = law.params()[j].logScale ? std::exp(theta[j]) : theta[j];
    }
    return p;
}

}  // namespace detail
}  // namespace anneal::fit
