// SPDX-License-Identifier: GPL-3.0-or-later
#include "fit_curves.h"

#include <algorithm>
#include <QObject>
#include <cmath>

#include "anneal/fit/compute_optimal.h"
#include "anneal/fit/fit.h"

namespace anneal::ui {

namespace {

/// Values within this distance in log10 (about 12 %) belong to one slice.
constexpr double kSliceGap = 0.05;
/// Most slices drawn with their own curve.
constexpr std::size_t kMaxSlices = 10;
/// Most points of a curve law's drawn curve (a 100,000-update mpl curve and its band stay cheap).
constexpr std::size_t kMaxCurvePoints = 2000;

QString sci(double v) { return QString::number(v, 'g', 3); }

/// Groups indices by their value (log10 within kSliceGap of the previous one, after sorting).
std::vector<std::vector<std::size_t>> groupBy(const std::vector<std::size_t>& idx,
                                              const std::vector<double>& value) {
    std::vector<std::size_t> order = idx;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
    std::vector<std::vector<std::size_t>> groups;
    double last = -1e300;
    for (std::size_t i : order) {
        const double v = std::log10(value[i]);
        if (groups.empty() || v - last > kSliceGap) {
            groups.emplace_back();
        }
        groups.back().push_back(i);
        last = v;
    }
    return groups;
}

/// How well a grouping slices the data: the points that sit in a group of at least two whose values
/// span at most kSliceSpan in log10. Chaining by gaps alone can link a continuum (the tokens of an
/// iso-FLOP sweep, D = C/6N) into a few wide "groups"; those are not slices.
constexpr double kSliceSpan = 0.1;
std::size_t slicedPoints(const std::vector<std::vector<std::size_t>>& groups,
                         const std::vector<double>& value) {
    std::size_t n = 0;
    for (const auto& g : groups) {
        if (g.size() >= 2 && std::log10(value[g.back()]) - std::log10(value[g.front()]) <= kSliceSpan) {
            n += g.size();
        }
    }
    return n;
}

}  // namespace

std::vector<double> logSpace(double lo, double hi, int count) {
    std::vector<double> out;
    if (!(lo > 0) || !(hi > 0) || count < 2) {
        return out;
    }
    const double a = std::log(lo), b = std::log(hi);
    for (int i = 0; i < count; ++i) {
        out.push_back(std::exp(a + (b - a) * i / (count - 1)));
    }
    return out;
}

bool fitHasSlices(const fit::FitResult& fit) {
    return fit.law == "chinchilla" || fit.law == "kaplan" || fit.law == "steplaw";
}

double fitPlotX(const fit::FitResult& fit, const fit::PointResult& p) {
    if (fit.law == "power" || fit::isCurveLaw(fit.law)) {
        return p.x;
    }
    return p.n;
}

QString fitPlotXLabel(const fit::FitResult& fit) {
    if (fit::isCurveLaw(fit.law)) {
        return QObject::tr("step (update)");
    }
    if (fit.law == "power") {
        const std::string& v = fit.options.variable;
        return v == "N"   ? QObject::tr("N (non-embedding parameters)")
               : v == "D" ? QObject::tr("D (tokens)")
               : v == "C" ? QObject::tr("C (training FLOPs)")
                          : QObject::tr("x");
    }
    return QObject::tr("N (non-embedding parameters)");
}

QString fitPlotYLabel(const fit::FitResult& fit) {
    return fit.law == "steplaw" ? QObject::tr("best learning rate") : QObject::tr("loss (nats/token)");
}

std::vector<Slice> fitSlices(const fit::FitResult& fit) {
    const std::string target = fit.law == "steplaw" ? "lr" : "loss";
    std::vector<std::size_t> idx;
    std::vector<double> d(fit.points.size()), c(fit.points.size());
    bool haveC = true;
    for (std::size_t i = 0; i < fit.points.size(); ++i) {
        const fit::PointResult& p = fit.points[i];
        d[i] = p.d;
        c[i] = std::isfinite(p.c) && p.c > 0 ? p.c : 6.0 * p.n * p.d;
        if (p.target == target && p.n > 0 && p.d > 0) {
            idx.push_back(i);
            haveC = haveC && c[i] > 0;
        }
    }
    const auto byD = groupBy(idx, d);
    const auto byC = haveC ? groupBy(idx, c) : byD;
    // Slice by compute when that puts more points into tight groups (iso-FLOP data), else by tokens.
    const bool useC = haveC && slicedPoints(byC, c) > slicedPoints(byD, d);
    const auto& groups = useC ? byC : byD;
    std::vector<Slice> out;
    for (const auto& g : groups) {
        Slice s;
        s.byCompute = useC;
        double logSum = 0;
        for (std::size_t i : g) {
            logSum += std::log(useC ? c[i] : d[i]);
        }
        s.value = std::exp(logSum / static_cast<double>(g.size()));
        s.label = useC ? QObject::tr("C = %1 FLOPs").arg(sci(s.value))
                       : QObject::tr("D = %1 tokens").arg(sci(s.value));
        s.points = g;
        out.push_back(s);
    }
    // The largest slices get curves; keep them in value order.
    if (out.size() > kMaxSlices) {
        std::vector<Slice> big = out;
        std::stable_sort(big.begin(), big.end(),
                         [](const Slice& a, const Slice& b) { return a.points.size() > b.points.size(); });
        big.resize(kMaxSlices);
        std::sort(big.begin(), big.end(), [](const Slice& a, const Slice& b) { return a.value < b.value; });
        out = big;
    }
    return out;
}

std::vector<fit::Point> slicePoints(const Slice& slice, double nLo, double nHi, int count) {
    std::vector<fit::Point> out;
    for (double n : logSpace(nLo, nHi, count)) {
        fit::Point p;
        p.n = n;
        if (slice.byCompute) {
            p.c = slice.value;
            p.d = slice.value / (6.0 * n);
        } else {
            p.d = slice.value;
            p.c = 6.0 * n * slice.value;
        }
        out.push_back(p);
    }
    return out;
}

std::vector<fit::Point> powerPoints(const fit::FitResult& fit, double lo, double hi, int count) {
    std::vector<fit::Point> out;
    for (double x : logSpace(lo, hi, count)) {
        fit::Point p;
        p.x = x;
        const std::string& v = fit.options.variable;
        (v == "N" ? p.n : v == "D" ? p.d : v == "C" ? p.c : p.x) = x;
        out.push_back(p);
    }
    return out;
}

std::vector<double> evaluateLaw(const fit::FitResult& fit, const std::vector<double>& params,
                                const std::vector<fit::Point>& at) {
    const fit::Law& law = fit::lawByName(fit.law);
    std::vector<double> out;
    out.reserve(at.size());
    for (const fit::Point& p : at) {
        out.push_back(law.evaluate(params, p));
    }
    return out;
}

std::vector<std::int64_t> curvePlotSteps(std::size_t updates) {
    std::vector<std::int64_t> steps;
    if (updates <= kMaxCurvePoints) {
        for (std::size_t u = 0; u < updates; ++u) {
            steps.push_back(static_cast<std::int64_t>(u));
        }
        return steps;
    }
    for (std::size_t i = 0; i < kMaxCurvePoints; ++i) {
        // Rounded positions of an even grid over 0..updates-1: strictly increasing, the last update included.
        steps.push_back(static_cast<std::int64_t>(
            std::llround(static_cast<double>(i) * static_cast<double>(updates - 1) / (kMaxCurvePoints - 1))));
    }
    return steps;
}

std::vector<double> curveLawAt(const fit::FitResult& fit, const std::vector<double>& params,
                               const fit::Curve& c, const std::vector<std::int64_t>& steps) {
    // A fit that differs from `fit` in its parameter values only (a bootstrap sample).
    fit::FitResult at;
    at.law = fit.law;
    at.options = fit.options;
    for (double v : params) {
        fit::ParamEstimate p;
        p.value = v;
        at.params.push_back(p);
    }
    return fit::predictCurveAt(at, c.lr, steps, c.warmupSteps);
}

std::vector<XYCurve> annealingCurves(const fit::FitResult& fit, const std::vector<double>& params) {
    std::vector<XYCurve> out;
    for (const fit::Curve& c : fit.curves) {
        XYCurve xy;
        xy.label = QString::fromStdString(c.name);
        const std::vector<std::int64_t> steps = curvePlotSteps(c.lr.size());
        xy.y = curveLawAt(fit, params, c, steps);
        for (std::int64_t u : steps) {
            xy.x.push_back(static_cast<double>(u));
        }
        out.push_back(std::move(xy));
    }
    return out;
}

double quantile(std::vector<double> values, double q) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
                 values.end());
    if (values.empty()) {
        return fit::kNaN;
    }
    std::sort(values.begin(), values.end());
    const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(i);
    return i + 1 < values.size() ? values[i] + frac * (values[i + 1] - values[i]) : values[i];
}

Band bootstrapBand(const fit::FitResult& fit, const std::vector<double>& x,
                   const std::function<std::vector<double>(const std::vector<double>& params)>& evaluate) {
    Band band;
    if (fit.bootstrapSamples.empty()) {
        return band;
    }
    const double level = std::isfinite(fit.ciLevel) ? fit.ciLevel : 0.95;
    std::vector<std::vector<double>> byX(x.size());
    for (const std::vector<double>& params : fit.bootstrapSamples) {
        const std::vector<double> y = evaluate(params);
        for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
            byX[i].push_back(y[i]);
        }
    }
    band.x = x;
    for (auto& ys : byX) {
        band.lo.push_back(quantile(ys, (1 - level) / 2));
        band.hi.push_back(quantile(ys, (1 + level) / 2));
    }
    return band;
}

Prediction predictWithBand(const fit::FitResult& fit, const fit::Point& at) {
    Prediction p;
    fit::Point full = at;
    if (fit.law != "power" && std::isnan(full.d) && full.c > 0 && full.n > 0) {
        full.d = full.c / (6.0 * full.n);
    }
    if (fit.law == "power") {
        const std::string& v = fit.options.variable;
        full.x = v == "N" ? at.n : v == "D" ? at.d : v == "C" ? at.c : at.x;
    }
    p.value = fit::predict(fit, at);
    const fit::Law& law = fit::lawByName(fit.law);
    std::vector<double> ys;
    for (const auto& params : fit.bootstrapSamples) {
        ys.push_back(law.evaluate(params, full));
    }
    const double level = std::isfinite(fit.ciLevel) ? fit.ciLevel : 0.95;
    p.lo = quantile(ys, (1 - level) / 2);
    p.hi = quantile(ys, (1 + level) / 2);
    return p;
}

Frontier computeFrontier(const fit::FitResult& fit, double cLo, double cHi, int count) {
    Frontier f;
    const fit::ChinchillaParams p = fit::chinchillaParams(fit);
    for (double c : logSpace(cLo, cHi, count)) {
        const fit::Allocation a = fit::computeOptimal(p, c);
        f.c.push_back(c);
        f.n.push_back(a.nOpt);
        f.d.push_back(a.dOpt);
        f.loss.push_back(a.loss);
    }
    return f;
}

}  // namespace anneal::ui
