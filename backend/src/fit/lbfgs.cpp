// SPDX-License-Identifier: GPL-3.0-or-later
#include "lbfgs.h"

#include <ceres/ceres.h>

#include <cmath>

namespace anneal::fit::detail {

namespace {

class CeresObjective final : public ceres::FirstOrderFunction {
public:
    CeresObjective(const HuberObjective& objective, const ParamMap& map)
        : m_objective(objective), m_map(map), m_theta(map.numTheta()), m_gradTheta(map.numTheta()) {}

    bool Evaluate(const double* z, double* cost, double* gradient) const override {
        m_map.toTheta(z, m_theta.data());
        if (!m_objective.evaluate(m_theta.data(), cost, gradient ? m_gradTheta.data() : nullptr, m_ws)) {
            return false;
        }
        if (gradient) {
            m_map.gradientToZ(z, m_gradTheta.data(), gradient);
        }
        return true;
    }
    int NumParameters() const override { return static_cast<int>(m_map.numFree()); }

private:
    const HuberObjective& m_objective;
    const ParamMap& m_map;
    // Scratch: one CeresObjective per minimisation, used by one thread.
    mutable std::vector<double> m_theta, m_gradTheta;
    mutable HuberObjective::Workspace m_ws;
};

class CancelCallback final : public ceres::IterationCallback {
public:
    explicit CancelCallback(const std::atomic<bool>* cancel) : m_cancel(cancel) {}
    ceres::CallbackReturnType operator()(const ceres::IterationSummary&) override {
        return m_cancel && m_cancel->load(std::memory_order_relaxed) ? ceres::SOLVER_ABORT
                                                                     : ceres::SOLVER_CONTINUE;
    }

private:
    const std::atomic<bool>* m_cancel;
};

}  // namespace

LocalFit minimizeLbfgs(const HuberObjective& objective, const ParamMap& map,
                       const std::vector<double>& theta0, const SolverSettings& settings,
                       const std::atomic<bool>* cancel) {
    LocalFit out;
    out.theta = map.withFixed(theta0);
    std::vector<double> z = map.toZ(out.theta);
    {
        // An invalid start (e.g. a negative predicted loss) is reported, not handed to Ceres.
        HuberObjective::Workspace ws;
        std::vector<double> theta(map.numTheta());
        map.toTheta(z.data(), theta.data());
        double f = 0.0;
        if (!objective.evaluate(theta.data(), &f, nullptr, ws)) {
            return out;
        }
    }
    ceres::GradientProblem problem(new CeresObjective(objective, map));
    ceres::GradientProblemSolver::Options options;
    options.line_search_direction_type = ceres::LBFGS;
    options.line_search_type = ceres::WOLFE;
    // Bisection instead of the default cubic interpolation: in the flat regions some grid starts reach,
    // Ceres' polynomial interpolation logs glog warnings ("constant polynomial"), and glog's level is
    // process-wide (LibTorch shares it), so we avoid the code path rather than silence the log.
    options.line_search_interpolation_type = ceres::BISECTION;
    options.max_num_iterations = settings.maxIterations;
    options.function_tolerance = settings.functionTolerance;
    options.gradient_tolerance = settings.gradientTolerance;
    options.parameter_tolerance = settings.parameterTolerance;
    options.logging_type = ceres::SILENT;
    CancelCallback callback(cancel);
    options.callbacks.push_back(&callback);
    ceres::GradientProblemSolver::Summary summary;
    ceres::Solve(options, problem, z.data(), &summary);

    std::vector<double> theta(map.numTheta());
    map.toTheta(z.data(), theta.data());
    HuberObjective::Workspace ws;
    double f = HUGE_VAL;
    if (objective.evaluate(theta.data(), &f, nullptr, ws)) {
        out.theta = theta;
        out.objective = f;
    }
    out.converged = summary.termination_type == ceres::CONVERGENCE;
    out.iterations = static_cast<int>(summary.iterations.size());
    return out;
}

}  // namespace anneal::fit::detail
