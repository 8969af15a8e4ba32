// SPDX-License-Identifier: GPL-3.0-or-later
// The schedule optimiser of METHODS 2.1 (schedule_optimizer.h): spectral projected gradient on the
// post-warmup LR decrements (Luo et al.'s parametrisation), with the analytic gradient of
// schedule_gradient.cpp.
#include "anneal/fit/schedule_optimizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <functional>
#include <string>

#include "anneal/error.h"
#include "anneal/experiment.h"
#include "anneal/fit/law.h"
#include "anneal/schedule.h"

namespace anneal::fit {

namespace {

/// Euclidean projection onto {z_i >= 0, sum z <= cap}: clipping when that is enough, else the projection
/// onto the simplex sum z = cap (Held et al. / Duchi et al. 2008: sort, threshold), O(N log N).
void project(std::vector<double>& z, double cap) {
    double sum = 0.0;
    for (double& v : z) {
        v = std::max(v, 0.0);
        sum += v;
    }
    if (sum <= cap) {
        return;
    }
    std::vector<double> u = z;
    std::sort(u.begin(), u.end(), std::greater<>());
    double acc = 0.0, theta = 0.0;
    for (size_t j = 0; j < u.size(); ++j) {
        acc += u[j];
        const double t = (acc - cap) / static_cast<double>(j + 1);
        if (u[j] - t > 0.0) {
            theta = t;
        }
    }
    for (double& v : z) {
        v = std::max(v - theta, 0.0);
    }
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        s += a[i] * b[i];
    }
    return s;
}

void checkProblem(const FitResult& fit, const ScheduleProblem& p) {
    if (!isCurveLaw(fit.law)) {
        throw Error(
            ErrorCode::InvalidInput,
            "a " + fit.law + " fit predicts no loss curve; the optimiser needs an mpl or lr_annealing fit",
            "fit", "mpl | lr_annealing");
    }
    if (p.steps < 2) {
        throw Error(ErrorCode::InvalidInput, "steps = " + std::to_string(p.steps), "steps", ">= 2");
    }
    if (p.warmupSteps < 0 || p.warmupSteps >= p.steps - 1) {
        throw Error(ErrorCode::InvalidInput,
                    "warmup = " + std::to_string(p.warmupSteps) + " leaves no LR to optimise in " +
                        std::to_string(p.steps) + " steps",
                    "warmup", "0 <= warmup <= steps - 2");
    }
    if (!(p.peakLr > 0.0) || !std::isfinite(p.peakLr)) {
        throw Error(ErrorCode::InvalidInput, "the peak LR must be finite and > 0", "peak-lr", "> 0");
    }
    if (!(p.minLr >= 0.0) || !(p.minLr < p.peakLr)) {
        throw Error(ErrorCode::InvalidInput, "the minimum LR must be >= 0 and below the peak", "min-lr",
                    "0 <= min-lr < peak-lr");
    }
    if (!(p.warmupStartFraction >= 0.0 && p.warmupStartFraction <= 1.0)) {
        throw Error(ErrorCode::InvalidInput, "the warmup start fraction must be in [0, 1]",
                    "warmup-start-fraction", "[0, 1]");
    }
}

ExperimentSpec referenceSpec(const ScheduleProblem& p, const char* kind, double decayFraction) {
    ExperimentSpec spec;
    spec.train.steps = p.steps;
    spec.train.lr = p.peakLr;
    spec.schedule.kind = kind;
    spec.schedule.warmupSteps = p.warmupSteps;
    spec.schedule.warmupStartFraction = p.warmupStartFraction;
    spec.schedule.finalLrFraction = p.minLr / p.peakLr;
    spec.schedule.decayFraction = decayFraction;
    spec.schedule.decayShape = "linear";
    return spec;
}

}  // namespace

std::vector<ScheduleCandidate> referenceSchedules(const FitResult& fit, const ScheduleProblem& p) {
    checkProblem(fit, p);
    std::vector<ScheduleCandidate> out;
    out.push_back({"cosine", learningRates(referenceSpec(p, "cosine", 0.0)), kNaN});
    out.push_back({"wsd 10%", learningRates(referenceSpec(p, "wsd", 0.1)), kNaN});
    out.push_back({"wsd 20%", learningRates(referenceSpec(p, "wsd", 0.2)), kNaN});
    for (auto& c : out) {
        c.finalLoss = finalLossGradient(fit, c.lr, p.warmupSteps, nullptr);
    }
    return out;
}

namespace {

/// Euclidean projection onto {lo <= y_i <= 1, y non-increasing}: the decreasing isotonic regression
/// (pool adjacent violators, O(N)) clipped to [lo, 1], which is exact for bounds common to all entries.
void projectMonotone(std::vector<double>& y, double lo) {
    std::vector<double> sum;
    std::vector<size_t> count;
    for (double v : y) {
        sum.push_back(v);
        count.push_back(1);
        while (sum.size() > 1 && sum[sum.size() - 2] / static_cast<double>(count[count.size() - 2]) <
                                     sum.back() / static_cast<double>(count.back())) {
            sum[sum.size() - 2] += sum.back();
            count[count.size() - 2] += count.back();
            sum.pop_back();
            count.pop_back();
        }
    }
    size_t i = 0;
    for (size_t b = 0; b < sum.size(); ++b) {
        const double v = std::clamp(sum[b] / static_cast<double>(count[b]), lo, 1.0);
        for (size_t c = 0; c < count[b]; ++c) {
            y[i++] = v;
        }
    }
}

using Evaluate = std::function<double(const std::vector<double>&, std::vector<double>*)>;
using Project = std::function<void(std::vector<double>&)>;

struct SpgRun {
    int iterations = 0;
    bool converged = false;
};

/// Spectral projected gradient (Birgin, Martinez & Raydan's SPG2) from x (feasible), at most maxIt
/// iterations; x becomes the best point seen. `tick` is called every iteration and throws to cancel.
SpgRun spg(std::vector<double>& x, const Evaluate& evaluate, const Project& project, int maxIt, double tol,
           const std::function<void(int)>& tick) {
    SpgRun run;
    const size_t N = x.size();
    std::vector<double> g, xn(N), gn, d(N);
    double f = evaluate(x, &g);
    std::vector<double> best = x;
    double bestF = f;
    std::deque<double> recent{f};       // the non-monotone search compares with the max of the last 10
    std::deque<double> bestHistory{f};  // the best loss of the last 50 iterations, for the stopping rule
    constexpr double kLamMin = 1e-30, kLamMax = 1e30;
    auto projectedStep = [&](double lam) {  // d = P(x - lam g) - x
        for (size_t i = 0; i < N; ++i) {
            d[i] = x[i] - lam * g[i];
        }
        project(d);
        for (size_t i = 0; i < N; ++i) {
            d[i] -= x[i];
        }
    };
    projectedStep(1.0);
    double pg0 = 0.0;
    for (double v : d) {
        pg0 = std::max(pg0, std::abs(v));
    }
    double lam = pg0 > 0.0 ? std::min(kLamMax, 1.0 / pg0) : 1.0;
    for (run.iterations = 0; run.iterations < maxIt; ++run.iterations) {
        tick(run.iterations);
        projectedStep(lam);
        const double gd = dot(g, d);
        if (!(gd < 0.0)) {  // no descent direction left: a stationary point
            run.converged = true;
            break;
        }
        const double fmax = *std::max_element(recent.begin(), recent.end());
        double a = 1.0, fn = 0.0;
        for (;;) {
            for (size_t i = 0; i < N; ++i) {
                xn[i] = x[i] + a * d[i];
            }
            fn = evaluate(xn, nullptr);
            if ((std::isfinite(fn) && fn <= fmax + 1e-4 * a * gd) || a < 1e-14) {
                break;
            }
            const double at = -0.5 * a * a * gd / (fn - f - a * gd);  // safeguarded quadratic interpolation
            a = std::isfinite(at) && at >= 0.1 * a && at <= 0.5 * a ? at : 0.5 * a;
        }
        if (!(std::isfinite(fn) && fn <= fmax + 1e-4 * a * gd)) {
            run.converged = true;  // the line search cannot make progress: rounding level
            break;
        }
        fn = evaluate(xn, &gn);
        double sy = 0.0, ss = 0.0;
        for (size_t i = 0; i < N; ++i) {
            const double s = xn[i] - x[i];
            ss += s * s;
            sy += s * (gn[i] - g[i]);
        }
        lam = sy > 0.0 ? std::clamp(ss / sy, kLamMin, kLamMax) : kLamMax;
        x.swap(xn);
        g.swap(gn);
        f = fn;
        if (f < bestF) {
            bestF = f;
            best = x;
        }
        recent.push_back(f);
        if (recent.size() > 10) {
            recent.pop_front();
        }
        bestHistory.push_back(bestF);
        if (bestHistory.size() > 50) {
            bestHistory.pop_front();
            if (bestHistory.front() - bestF <= tol * std::abs(bestF)) {
                run.converged = true;
                ++run.iterations;
                break;
            }
        }
    }
    x = best;
    return run;
}

}  // namespace

std::vector<std::string> extrapolationWarnings(const FitResult& fit, const std::vector<double>& lr,
                                               std::int64_t warmupSteps) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
    for (const Curve& c : fit.curves) {
        const std::int64_t w =
            c.warmupSteps >= 0 ? c.warmupSteps : std::max_element(c.lr.begin(), c.lr.end()) - c.lr.begin();
        // Only the updates before the last logged loss shaped the fit.
        const std::int64_t end =
            c.steps.empty() ? 0 : std::min<std::int64_t>(c.steps.back() + 1, c.lr.size());
        for (std::int64_t u = std::max<std::int64_t>(w, 0); u < end; ++u) {
            lo = std::min(lo, c.lr[static_cast<size_t>(u)]);
            hi = std::max(hi, c.lr[static_cast<size_t>(u)]);
        }
    }
    std::vector<std::string> out;
    if (!(hi > 0.0)) {
        return out;
    }
    std::int64_t below = 0, above = 0, first = -1;
    double least = std::numeric_limits<double>::infinity();
    for (std::int64_t u = std::max<std::int64_t>(warmupSteps, 0); u < static_cast<std::int64_t>(lr.size());
         ++u) {
        const double v = lr[static_cast<size_t>(u)];
        if (v < lo * (1.0 - 1e-9)) {
            ++below;
            first = first < 0 ? u : first;
            least = std::min(least, v);
        } else if (v > hi * (1.0 + 1e-9)) {
            ++above;
        }
    }
    char buf[400];
    if (below > 0) {
        std::snprintf(
            buf, sizeof buf,
            "%lld updates (from update %lld) use LRs below %.3g, the smallest the fitted curves applied "
            "after warmup (down to %.3g): the law is extrapolated there, and an optimiser finds where "
            "a law is wrong; set the minimum LR to %.3g to stay within the data",
            static_cast<long long>(below), static_cast<long long>(first), lo, least, lo);
        out.emplace_back(buf);
    }
    if (above > 0) {
        std::snprintf(buf, sizeof buf,
                      "%lld updates use LRs above %.3g, the largest the fitted curves applied: the law is "
                      "extrapolated there",
                      static_cast<long long>(above), hi);
        out.emplace_back(buf);
    }
    return out;
}

OptimizedSchedule optimizeSchedule(const FitResult& fit, const ScheduleProblem& p,
                                   const OptimizerOptions& options, const ProgressFn& progress) {
    using Clock = std::chrono::steady_clock;
    OptimizedSchedule out;
    out.references = referenceSchedules(fit, p);
    const ScheduleCandidate* start = &out.references[0];
    for (const auto& c : out.references) {
        if (c.finalLoss < start->finalLoss) {
            start = &c;
        }
    }
    out.start = start->name;
    out.floorLr = std::max(p.minLr, 1e-6 * p.peakLr);
    const double peak = p.peakLr, floorLr = out.floorLr;
    const size_t first = static_cast<size_t>(p.warmupSteps) + 1;  // update W stays at the peak
    std::vector<double> lr = start->lr;
    lr[first - 1] = peak;
    const size_t N = lr.size() - first;
    for (size_t i = 0; i < N; ++i) {
        lr[first + i] = std::clamp(lr[first + i], floorLr, peak);
    }
    for (size_t i = 1; i < N; ++i) {
        lr[first + i] = std::min(lr[first + i], lr[first + i - 1]);
    }

    std::vector<double> full;  // d L / d eta of the whole schedule
    auto law = [&](std::vector<double>* g) {
        ++out.evaluations;
        return finalLossGradient(fit, lr, p.warmupSteps, g ? &full : nullptr);
    };
    // Phase 1, decrements: z_i = (eta_{t-1} - eta_t) / peak for t = W+1+i, so eta_t = peak (1 - z_0 - ...
    // - z_i); the constraints are z >= 0 and sum z <= cap. The mpl law's annealing sum is nearly separable
    // in them (its drops are the z), and SPG gets most of the way in far fewer iterations than on eta.
    const double cap = 1.0 - floorLr / peak;
    Evaluate byDecrements = [&](const std::vector<double>& z, std::vector<double>* g) {
        double cum = 0.0;
        for (size_t i = 0; i < N; ++i) {
            cum += z[i];
            lr[first + i] =
                std::clamp(peak * (1.0 - cum), floorLr, peak);  // rounding never leaves the bounds
        }
        const double f = law(g);
        if (g) {  // d L / d z_i = -peak sum_{t >= W+1+i} d L / d eta_t
            g->resize(N);
            double tail = 0.0;
            for (size_t i = N; i-- > 0;) {
                tail += full[first + i];
                (*g)[i] = -peak * tail;
            }
        }
        return f;
    };
    // Phase 2, the LRs themselves (y = eta / peak, projected by isotonic regression): it polishes where the
    // decrements' coupled gradient stalls (the last few updates near the floor).
    Evaluate byLr = [&](const std::vector<double>& y, std::vector<double>* g) {
        for (size_t i = 0; i < N; ++i) {
            lr[first + i] = std::clamp(peak * y[i], floorLr, peak);
        }
        const double f = law(g);
        if (g) {
            g->resize(N);
            for (size_t i = 0; i < N; ++i) {
                (*g)[i] = peak * full[first + i];
            }
        }
        return f;
    };

    const double startLoss = law(nullptr);
    if (!std::isfinite(startLoss)) {
        throw Error(ErrorCode::Numerical,
                    "the law's loss is not finite for the starting schedule (" + out.start + ")", "fit");
    }
    auto lastReport = Clock::now();
    int done = 0;
    auto tick = [&](int) {
        ++done;
        if (progress && Clock::now() - lastReport > std::chrono::milliseconds(50)) {
            lastReport = Clock::now();
            if (!progress(std::min(1.0, static_cast<double>(done) / options.maxIterations))) {
                throw Error(ErrorCode::Cancelled, "the schedule optimisation was cancelled");
            }
        }
    };
    // The law is not convex in the LRs (mpl's G), so two descents from the start, the better kept:
    // (a) on the LRs; (b) on the decrements, then polished on the LRs.
    const double lo = floorLr / peak;
    const Project monotone = [lo](std::vector<double>& v) { projectMonotone(v, lo); };
    const int M = std::max(4, options.maxIterations);
    std::vector<double> ya(N), z(N);
    for (size_t i = 0; i < N; ++i) {
        ya[i] = lr[first + i] / peak;
        z[i] = (lr[first + i - 1] - lr[first + i]) / peak;
    }
    const SpgRun a = spg(ya, byLr, monotone, M / 2, options.relativeTolerance, tick);
    const double fa = byLr(ya, nullptr);
    const SpgRun b1 = spg(
        z, byDecrements, [cap](std::vector<double>& v) { project(v, cap); }, M / 4, options.relativeTolerance,
        tick);
    byDecrements(z, nullptr);  // lr = (b)'s first phase's best
    std::vector<double> yb(N);
    for (size_t i = 0; i < N; ++i) {
        yb[i] = lr[first + i] / peak;
    }
    const SpgRun b2 = spg(yb, byLr, monotone, std::max(1, M - a.iterations - b1.iterations),
                          options.relativeTolerance, tick);
    const double fb = byLr(yb, nullptr);
    std::vector<double> y = fb < fa ? yb : ya;
    out.iterations = a.iterations + b1.iterations + b2.iterations;
    out.converged = fb < fa ? b2.converged : a.converged;
    std::vector<double> g;
    out.best.name = "optimized";
    out.best.finalLoss = byLr(y, &g);
    out.best.lr = lr;
    std::vector<double> t(N);
    for (size_t i = 0; i < N; ++i) {
        t[i] = y[i] - g[i];
    }
    monotone(t);
    out.projectedGradient = 0.0;
    for (size_t i = 0; i < N; ++i) {
        out.projectedGradient = std::max(out.projectedGradient, std::abs(t[i] - y[i]));
    }
    out.warnings = extrapolationWarnings(fit, out.best.lr, p.warmupSteps);
    if (progress) {
        progress(1.0);
    }
    return out;
}

}  // namespace anneal::fit
