// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the scaling-law view draws for a FitResult, computed from the fit alone (pure functions,
// no widgets, so tests compare them with the law directly):
//   - the x of each point (N for chinchilla/kaplan/steplaw, the power law's variable, the step of
//     an lr_annealing or mpl curve);
//   - slices of a two-variable fit: points of (about) the same D, or the same compute C, each with
//     the law's curve along N at that D or C;
//   - the law's curve through the points of a power fit, and the predicted curve of each fitted
//     schedule of a curve law (lr_annealing, mpl);
//   - the bootstrap band: the (1-level)/2 and (1+level)/2 quantiles of the same curve evaluated at
//     every bootstrap parameter vector (FitResult::bootstrapSamples);
//   - the prediction at a target point, with its band, and the compute-optimal frontier.

#include <QString>
#include <cstdint>
#include <functional>
#include <vector>

#include "anneal/fit/fit_result.h"
#include "anneal/fit/law.h"

namespace anneal::ui {

struct XYCurve {
    QString label;
    std::vector<double> x, y;
};

struct Band {
    std::vector<double> x, lo, hi;
};

/// The x of a point on the fit plot, and the axis label.
double fitPlotX(const fit::FitResult& fit, const fit::PointResult& p);
QString fitPlotXLabel(const fit::FitResult& fit);
/// The y the fit plot shows ("loss (nats/token)", "best learning rate").
QString fitPlotYLabel(const fit::FitResult& fit);
/// Laws whose points are drawn as slices along N (chinchilla, kaplan, steplaw).
bool fitHasSlices(const fit::FitResult& fit);

struct Slice {
    bool byCompute = false;           ///< fixed C (D = C/(6N) along the curve), else fixed D
    double value = 0;                 ///< the slice's D or C (the geometric mean of its points)
    QString label;                    ///< "D = 2.1e9 tokens", "C = 1e19 FLOPs"
    std::vector<std::size_t> points;  ///< indices into FitResult::points
};
/// Groups the points with target "loss" (steplaw: "lr") into slices: by C when that gives fewer
/// groups than by D (iso-FLOP data), else by D. Values within 12 % (0.05 in log10) are one slice.
std::vector<Slice> fitSlices(const fit::FitResult& fit);

/// The evaluation points of a curve along N in [nLo, nHi] (log-spaced) for a slice.
std::vector<fit::Point> slicePoints(const Slice& slice, double nLo, double nHi, int count);
/// The evaluation points of a power fit's curve along its variable in [lo, hi] (log-spaced).
std::vector<fit::Point> powerPoints(const fit::FitResult& fit, double lo, double hi, int count);
/// The law at points with given parameters (lawByName(fit.law).evaluate).
std::vector<double> evaluateLaw(const fit::FitResult& fit, const std::vector<double>& params,
                                const std::vector<fit::Point>& at);
/// Curve laws: the updates a predicted curve of `updates` updates is drawn at: all of them up to 2000,
/// else 2000 evenly spaced ones, the first and the last included.
std::vector<std::int64_t> curvePlotSteps(std::size_t updates);
/// Curve laws (lr_annealing, mpl): the law with these parameters (the fit's or a bootstrap sample) after
/// each update in `steps` of the fitted curve c (fit::predictCurveAt with c's LR sequence and warmup).
std::vector<double> curveLawAt(const fit::FitResult& fit, const std::vector<double>& params,
                               const fit::Curve& c, const std::vector<std::int64_t>& steps);
/// Curve laws: the predicted loss of each fitted curve's LR sequence at curvePlotSteps.
std::vector<XYCurve> annealingCurves(const fit::FitResult& fit, const std::vector<double>& params);

/// Quantile q in [0, 1] with linear interpolation (NumPy's default), ignoring NaN; NaN when empty.
double quantile(std::vector<double> values, double q);
/// The band of a curve: evaluate(params) for every bootstrap sample, then per x the quantiles at
/// FitResult::ciLevel. Empty when the fit has no bootstrap samples.
Band bootstrapBand(const fit::FitResult& fit, const std::vector<double>& x,
                   const std::function<std::vector<double>(const std::vector<double>& params)>& evaluate);

/// The fitted law at one point, and the band of the bootstrap fits there (NaN without bootstrap).
struct Prediction {
    double value = fit::kNaN;
    double lo = fit::kNaN;
    double hi = fit::kNaN;
};
Prediction predictWithBand(const fit::FitResult& fit, const fit::Point& at);

/// chinchilla: N_opt, D_opt and the loss on the compute-optimal frontier at count budgets
/// log-spaced over [cLo, cHi] (anneal::fit::computeOptimal).
struct Frontier {
    std::vector<double> c, n, d, loss;
};
Frontier computeFrontier(const fit::FitResult& fit, double cLo, double cHi, int count);

/// log-spaced values over [lo, hi] (lo, hi > 0).
std::vector<double> logSpace(double lo, double hi, int count);

}  // namespace anneal::ui
