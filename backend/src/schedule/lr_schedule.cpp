// SPDX-License-Identifier: GPL-3.0-or-later
// Learning-rate schedules (METHODS section 1). The step convention is documented once, in
// anneal/schedule.h; every kind below follows it.

#include <algorithm>
#include <cmath>

#include "anneal/lr_table.h"
#include "anneal/schedule.h"

namespace anneal {

namespace {

constexpr double kPi = 3.14159265358979323846;

/// Progress of step t through a phase [a, a + n): (t - a)/n clamped to [0, 1]; an empty phase is done.
double progress(std::int64_t t, std::int64_t a, std::int64_t n) {
    if (n <= 0) {
        return 1.0;
    }
    return std::clamp(static_cast<double>(t - a) / static_cast<double>(n), 0.0, 1.0);
}

double cosineTo(double from, double to, double x) {
    return to + (from - to) * 0.5 * (1.0 + std::cos(kPi * x));
}

std::int64_t stepsOf(double fraction, std::int64_t total) {
    return static_cast<std::int64_t>(std::floor(fraction * static_cast<double>(total) + 1e-9));
}

/// Fairseq-style inverse square root after warmup, in the offset form 1/sqrt(1 + (t - W)/tau)
/// (METHODS 1.4). With tau = W it equals fairseq's sqrt(W/t).
double inverseSqrt(const ScheduleSpec& s, std::int64_t t) {
    const double tau =
        s.timescale > 0 ? s.timescale : static_cast<double>(std::max<std::int64_t>(s.warmupSteps, 1));
    return 1.0 / std::sqrt(1.0 + static_cast<double>(std::max<std::int64_t>(t - s.warmupSteps, 0)) / tau);
}

/// The infinite schedule of Ibrahim et al. (METHODS 1.7): cooldown from the peak to eta_const
/// (cosine or inverse-sqrt with timescale alpha), constant, then an exponential anneal to the final LR.
double infinite(const ScheduleSpec& s, std::int64_t t, std::int64_t total) {
    const std::int64_t cdStart = s.warmupSteps;
    const std::int64_t cdEnd = cdStart + s.cooldownSteps;
    const std::int64_t annealSteps = stepsOf(s.annealFraction, total);
    const std::int64_t annealStart = total - annealSteps;
    const double c = s.constantLrFraction;
    if (t < cdEnd) {
        const double u = progress(t, cdStart, s.cooldownSteps);
        if (s.cooldownShape == "cosine") {
            return cosineTo(1.0, c, u);
        }
        const double alpha = s.cooldownTimescale;
        auto h = [alpha](double x) { return 1.0 / std::sqrt(1.0 + alpha * x) - 1.0; };
        return 1.0 + (c - 1.0) * h(u) / h(1.0);
    }
    if (annealSteps > 0 && t >= annealStart) {
        const double x = progress(t, annealStart, annealSteps);
        return c * std::pow(s.finalLrFraction / c, x);
    }
    return c;
}

/// Re-warming and re-decaying for continued pre-training (Ibrahim et al., METHODS 1.7): stage 1 is
/// warmup + cosine to the final LR until rewarm_at; stage 2 warms linearly from there to the new
/// peak over rewarm_steps and decays by cosine to the final LR at the end.
double rewarm(const ScheduleSpec& s, std::int64_t t, std::int64_t total) {
    const double phi = s.finalLrFraction;
    const std::int64_t r = s.rewarmAt;
    if (t < r) {
        return cosineTo(1.0, phi, progress(t, s.warmupSteps, r - s.warmupSteps));
    }
    const double peak = s.rewarmPeakFraction;
    if (t < r + s.rewarmSteps) {
        return phi + (peak - phi) * progress(t, r, s.rewarmSteps);
    }
    const std::int64_t start = r + s.rewarmSteps;
    return cosineTo(peak, phi, progress(t, start, total - start));
}

}  // namespace

double decayValue(const std::string& shape, double f0, double phi, double x) {
    x = std::clamp(x, 0.0, 1.0);
    if (shape == "cosine") {
        return cosineTo(f0, phi, x);
    }
    if (shape == "1-sqrt") {
        return phi + (f0 - phi) * (1.0 - std::sqrt(x));
    }
    if (shape == "square") {
        return phi + (f0 - phi) * (1.0 - x * x);
    }
    if (shape == "exponential") {
        return f0 * std::pow(phi / f0, x);
    }
    return phi + (f0 - phi) * (1.0 - x);  // linear
}

std::int64_t decayStartStep(const ScheduleSpec& s, std::int64_t total) {
    return total - stepsOf(s.decayFraction, total);
}

double lrMultiplier(const ScheduleSpec& s, std::int64_t t, std::int64_t total) {
    t = std::clamp<std::int64_t>(t, 0, total);
    if (s.kind == "table") {
        // Absolute LRs: the multiplier is relative to the table's largest LR up to `total`, which is
        // train.lr once applyLrTable() has run. learningRate() reads the table directly instead.
        const std::int64_t last = std::max<std::int64_t>(total - 1, 0);
        double peak = tableLr(s.tableSteps, s.tableLrs, last);
        for (size_t i = 0; i < s.tableSteps.size() && s.tableSteps[i] <= last; ++i) {
            peak = std::max(peak, s.tableLrs[i]);
        }
        return peak > 0.0 ? tableLr(s.tableSteps, s.tableLrs, t) / peak : 0.0;
    }
    if (t < s.warmupSteps) {
        const double x = static_cast<double>(t) / static_cast<double>(s.warmupSteps);
        return s.warmupStartFraction + (1.0 - s.warmupStartFraction) * x;
    }
    const std::int64_t W = s.warmupSteps;
    const double phi = s.finalLrFraction;
    if (s.kind == "constant") {
        return 1.0;
    }
    if (s.kind == "cosine") {
        return cosineTo(1.0, phi, progress(t, W, total - W));
    }
    if (s.kind == "linear") {
        return phi + (1.0 - phi) * (1.0 - progress(t, W, total - W));
    }
    if (s.kind == "wsd" || s.kind == "inverse_sqrt") {
        const bool isWsd = s.kind == "wsd";
        const std::int64_t decaySteps = stepsOf(s.decayFraction, total);
        const std::int64_t td = total - decaySteps;
        if (decaySteps == 0 || t < td) {
            return isWsd ? 1.0 : inverseSqrt(s, t);
        }
        const double f0 = isWsd ? 1.0 : inverseSqrt(s, td);
        if (s.decayShape == "exponential" && s.decayHalfLife > 0) {
            // MiniCPM's half-life form f0·0.5^((t - td)/h), floored at the final fraction.
            return std::max(phi, f0 * std::pow(0.5, static_cast<double>(t - td) / s.decayHalfLife));
        }
        return decayValue(s.decayShape, f0, phi, progress(t, td, decaySteps));
    }
    if (s.kind == "rewarm") {
        return rewarm(s, t, total);
    }
    if (s.kind == "infinite") {
        return infinite(s, t, total);
    }
    return 1.0;
}

double learningRate(const ExperimentSpec& spec, std::int64_t step) {
    if (spec.schedule.kind == "table") {  // exactly the table's LRs, not train.lr x (lr / peak)
        const std::int64_t t = std::clamp<std::int64_t>(step, 0, spec.train.steps);
        return tableLr(spec.schedule.tableSteps, spec.schedule.tableLrs, t);
    }
    return spec.train.lr * lrMultiplier(spec.schedule, step, spec.train.steps);
}

std::vector<double> learningRates(const ExperimentSpec& spec) {
    std::vector<double> out(static_cast<size_t>(spec.train.steps));
    for (std::int64_t t = 0; t < spec.train.steps; ++t) {
        out[static_cast<size_t>(t)] = learningRate(spec, t);
    }
    return out;
}

std::vector<ScheduleKnot> scheduleKnots(const ScheduleSpec& s, std::int64_t total) {
    std::vector<ScheduleKnot> k;
    auto add = [&](const std::string& name, std::int64_t step) {
        k.push_back({name, step, lrMultiplier(s, step, total)});
    };
    if (s.kind == "table" && !s.tableSteps.empty() && s.tableSteps.size() <= kMaxTableKnotsShown) {
        // A table's own knots, "table:<i>", up to the run's last step.
        for (size_t i = 0; i < s.tableSteps.size() && s.tableSteps[i] <= total; ++i) {
            add("table:" + std::to_string(i), s.tableSteps[i]);
        }
        return k;
    }
    if (s.warmupSteps > 0) {
        add("warmup_end", s.warmupSteps);
    }
    if ((s.kind == "wsd" || s.kind == "inverse_sqrt") && s.decayFraction > 0) {
        add("decay_start", decayStartStep(s, total));
    }
    if (s.kind == "rewarm") {
        add("rewarm_at", s.rewarmAt);
    }
    if (s.kind == "infinite") {
        add("cooldown_end", s.warmupSteps + s.cooldownSteps);
        if (s.annealFraction > 0) {
            add("anneal_start", total - stepsOf(s.annealFraction, total));
        }
    }
    add("end", total);
    return k;
}

}  // namespace anneal
