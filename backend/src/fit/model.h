// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: what the fitter needs from a law beyond the public Law interface.
//
// theta is the fitted parametrisation: theta_j = log(p_j) when ParamInfo::logScale, else p_j
// (chinchilla fits a = log A, b = log B, e = log E as in METHODS 7.2). A Model is a law bound to a set
// of observations; it maps theta to the log-prediction of every observation and its Jacobian.

#include <memory>
#include <vector>

#include "anneal/fit/law.h"
#include "observations.h"

namespace anneal::fit::detail {

class Model {
public:
    virtual ~Model() = default;
    virtual size_t numParams() const = 0;
    virtual size_t numObservations() const = 0;
    /// logPred[i] = log of the prediction for observation i; jac (row-major, numObservations x
    /// numParams) = d logPred / d theta when not null. Returns false when a prediction is not finite
    /// and positive: the line search then backs off. Must be thread-safe (const, no shared scratch).
    virtual bool logPredict(const double* theta, double* logPred, double* jac) const = 0;
};

class LawImpl : public Law {
public:
    virtual std::unique_ptr<Model> makeModel(const Observations& obs, const FitOptions& options) const = 0;
    /// Starting points in theta, possibly scaled to the data.
    virtual std::vector<std::vector<double>> thetaGrid(const Observations& obs,
                                                       const FitOptions& options) const = 0;
};

const LawImpl& lawImplByName(const std::string& name);

/// reported <-> theta for one law.
std::vector<double> toTheta(const Law& law, const std::vector<double>& reported);
std::vector<double> toReported(const Law& law, const std::vector<double>& theta);
/// Throws Error(InvalidInput) unless params.size() matches the law.
void checkParamCount(const Law& law, const std::vector<double>& params);

}  // namespace anneal::fit::detail
