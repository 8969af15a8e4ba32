// SPDX-License-Identifier: GPL-3.0-or-later
// StepLaw fit (METHODS 7.5): ordinary least squares in log space on the sweep's best cells,
//   log lr = c_lr + c_N log N + c_D log D,     log B = c_bs + c_bD log D,
// as the authors' fit_tool.py does; bootstrap over cells like their 1000 bootstrap fits.
// FitResult::objective is the weighted sum of squared log residuals (both targets).
#include <Eigen/Dense>
#include <cmath>

#include "anneal/error.h"
#include "fit_steps.h"
#include "uncertainty.h"

namespace anneal::fit::detail {

namespace {

struct Ols {
    Eigen::VectorXd beta;
    Eigen::VectorXd se;  // classical: sigma^2 (X^T W X)^-1, sigma^2 = RSS / (n - p)
    bool ok = false;
};

// Weighted least squares on the rows of `target` with weights w (0 drops a row).
Ols solve(const Observations& obs, const std::string& target, const std::vector<double>& w) {
    const bool lr = target == "lr";
    const int p = lr ? 3 : 2;
    std::vector<size_t> rows;
    double nEff = 0.0;
    for (size_t i = 0; i < obs.size(); ++i) {
        if (obs.targetName[i] == target && w[i] > 0.0) {
            rows.push_back(i);
            nEff += w[i];
        }
    }
    Ols out;
    if (rows.size() < static_cast<size_t>(p)) {
        return out;
    }
    Eigen::MatrixXd X(static_cast<Eigen::Index>(rows.size()), p);
    Eigen::VectorXd y(static_cast<Eigen::Index>(rows.size()));
    Eigen::VectorXd sw(static_cast<Eigen::Index>(rows.size()));
    for (size_t r = 0; r < rows.size(); ++r) {
        const size_t i = rows[r];
        const Eigen::Index k = static_cast<Eigen::Index>(r);
        sw(k) = std::sqrt(w[i]);
        X(k, 0) = 1.0;
        if (lr) {
            X(k, 1) = std::log(obs.n[i]);
            X(k, 2) = std::log(obs.d[i]);
        } else {
            X(k, 1) = std::log(obs.d[i]);
        }
        y(k) = std::log(obs.target[i]);
    }
    const Eigen::MatrixXd Xw = sw.asDiagonal() * X;
    const Eigen::VectorXd yw = sw.asDiagonal() * y;
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(Xw);
    if (qr.rank() < p) {
        return out;  // e.g. every cell has the same D
    }
    out.beta = qr.solve(yw);
    const double rss = (yw - Xw * out.beta).squaredNorm();
    out.se = Eigen::VectorXd::Constant(p, std::nan(""));
    if (nEff > p) {
        const Eigen::MatrixXd cov = (Xw.transpose() * Xw).inverse() * (rss / (nEff - p));
        out.se = cov.diagonal().cwiseMax(0.0).cwiseSqrt();
    }
    out.ok = true;
    return out;
}

// The five coefficients (NaN for a target without data) from the two regressions.
std::vector<double> coefficients(const Ols& lr, const Ols& bs) {
    const double nan = std::nan("");
    return {lr.ok ? lr.beta(0) : nan, lr.ok ? lr.beta(1) : nan, lr.ok ? lr.beta(2) : nan,
            bs.ok ? bs.beta(0) : nan, bs.ok ? bs.beta(1) : nan};
}

bool hasTarget(const Observations& obs, const std::string& t) {
    for (const auto& name : obs.targetName) {
        if (name == t) {
            return true;
        }
    }
    return false;
}

}  // namespace

void fitStepLaw(const Observations& obs, const std::vector<bool>& heldOut, const FitOptions& options,
                const ProgressPhase& phase, std::atomic<bool>& cancel, FitResult& result) {
    if (!options.fixed.empty() || !options.bounds.empty() || !options.starts.empty()) {
        throw Error(ErrorCode::InvalidInput,
                    "steplaw is a least-squares fit without fixed parameters, "
                    "bounds or starting points",
                    "options");
    }
    std::vector<double> w = obs.weight;
    std::vector<size_t> fitted;
    for (size_t i = 0; i < obs.size(); ++i) {
        if (heldOut[i]) {
            w[i] = 0.0;
        }
        if (w[i] > 0.0) {
            fitted.push_back(i);
        }
    }
    const bool wantLr = hasTarget(obs, "lr"), wantBs = hasTarget(obs, "batch");
    const Ols lr = solve(obs, "lr", w), bs = solve(obs, "batch", w);
    if ((wantLr && !lr.ok) || (wantBs && !bs.ok)) {
        throw Error(ErrorCode::InvalidInput,
                    std::string("cannot fit the ") + (wantLr && !lr.ok ? "learning-rate" : "batch-size") +
                        " law: too few cells, or N and D do not vary independently",
                    "input", "at least 3 cells for lr (2 for batch) with distinct N and D");
    }
    const std::vector<double> coef = coefficients(lr, bs);
    const char* names[] = {"c_lr", "c_N", "c_D", "c_bs", "c_bD"};
    for (size_t j = 0; j < 5; ++j) {
        ParamEstimate e;
        e.name = names[j];
        e.value = coef[j];
        if (options.asymptoticSe) {
            e.seAsymptotic = j < 3 ? (lr.ok ? lr.se(static_cast<Eigen::Index>(j)) : std::nan(""))
                                   : (bs.ok ? bs.se(static_cast<Eigen::Index>(j - 3)) : std::nan(""));
        }
        result.params.push_back(e);
    }
    std::vector<double> logPred(obs.size());
    double rss = 0.0;
    for (size_t i = 0; i < obs.size(); ++i) {
        const double ln = std::log(obs.n[i]), ld = std::log(obs.d[i]);
        logPred[i] =
            obs.targetName[i] == "lr" ? coef[0] + coef[1] * ln + coef[2] * ld : coef[3] + coef[4] * ld;
        const double r = logPred[i] - std::log(obs.target[i]);
        rss += w[i] * r * r;
    }
    result.objective = rss;
    fillPoints(obs, heldOut, logPred, result, true);

    if (options.bootstrap > 0) {
        const size_t k = static_cast<size_t>(options.bootstrap);
        std::vector<std::vector<double>> samples(k);
        parallelFor(
            k, options.threads,
            [&](size_t r) {
                std::mt19937_64 rng = resampleRng(options.seed, r);
                // Resample cells (both targets of a cell move together when both are given).
                std::vector<size_t> cells;
                for (size_t i : fitted) {
                    if (obs.targetName[i] == obs.targetName[fitted.front()]) {
                        cells.push_back(obs.index[i]);
                    }
                }
                std::vector<double> count(obs.size(), 0.0);
                for (size_t draw = 0; draw < cells.size(); ++draw) {
                    const size_t cell = cells[uniformIndex(rng, cells.size())];
                    for (size_t i : fitted) {
                        if (obs.index[i] == cell) {
                            count[i] += 1.0;
                        }
                    }
                }
                for (size_t i = 0; i < obs.size(); ++i) {
                    count[i] *= w[i];
                }
                const Ols a = solve(obs, "lr", count), b = solve(obs, "batch", count);
                if ((!wantLr || a.ok) && (!wantBs || b.ok)) {
                    samples[r] = coefficients(a, b);
                }
            },
            phase, cancel);
        for (auto& s : samples) {
            if (s.empty()) {
                ++result.bootstrapFailed;
            } else {
                result.bootstrapSamples.push_back(std::move(s));
            }
        }
        result.bootstrapResamples = static_cast<int>(result.bootstrapSamples.size());
        result.ciLevel = options.ciLevel;
        summarizeBootstrap(result.bootstrapSamples, options.ciLevel, result.params);
        if (result.bootstrapFailed > 0) {
            result.warnings.push_back({"bootstrap", std::to_string(result.bootstrapFailed) +
                                                        " resamples were degenerate (too few distinct cells) "
                                                        "and were left out"});
        }
    }
}

}  // namespace anneal::fit::detail
