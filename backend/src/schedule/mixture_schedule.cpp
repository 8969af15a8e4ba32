// SPDX-License-Identifier: GPL-3.0-or-later
// Domain mixture schedules (METHODS 4: temperature sampling and its cooldown, which Li et al. leave
// unspecified, so the shapes here are lab choices; METHODS 5: end-of-training upsampling, Blakeney
// et al.; METHODS 1.7: replay of an earlier mix for continued pre-training, Ibrahim et al.).

#include <algorithm>
#include <cmath>
#include <numeric>

#include "anneal/mixture.h"

namespace anneal {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

std::vector<double> normalized(std::vector<double> w) {
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    for (double& x : w) {
        x = total > 0 ? x / total : 1.0 / static_cast<double>(w.size());
    }
    return w;
}

double temperatureAt(const MixtureSpec& m, std::int64_t t, std::int64_t total) {
    const double T0 = m.temperature;
    const double T1 = m.temperatureEnd;
    const double x =
        total > 0 ? std::clamp(static_cast<double>(t) / static_cast<double>(total), 0.0, 1.0) : 1.0;
    if (m.temperatureSchedule == "linear") {
        return T0 + (T1 - T0) * x;
    }
    if (m.temperatureSchedule == "cosine") {
        return T1 + (T0 - T1) * 0.5 * (1.0 + std::cos(kPi * x));
    }
    if (m.temperatureSchedule == "step") {
        const auto sw = static_cast<std::int64_t>(std::floor(m.temperatureSwitchFraction * total + 1e-9));
        return t < sw ? T0 : T1;
    }
    return T0;
}

std::vector<double> temperatureProbabilities(const std::vector<double>& sizes, double temperature) {
    // p_i ∝ n_i^(1/T) = exp(log(n_i)/T); subtract the max exponent for stability.
    std::vector<double> logits(sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) {
        logits[i] = std::log(sizes[i]) / temperature;
    }
    const double mx = *std::max_element(logits.begin(), logits.end());
    std::vector<double> p(sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) {
        p[i] = std::exp(logits[i] - mx);
    }
    return normalized(std::move(p));
}

std::int64_t upsampleStartStep(const ExperimentSpec& spec) {
    return static_cast<std::int64_t>(
        std::floor(spec.mixture.upsample.startFraction * static_cast<double>(spec.train.steps) + 1e-9));
}

std::vector<double> mixtureAt(const ExperimentSpec& spec, std::int64_t t) {
    const auto& domains = spec.data.domains;
    const MixtureSpec& m = spec.mixture;
    std::vector<double> p(domains.size());
    if (m.upsample.enabled && t >= upsampleStartStep(spec)) {
        for (size_t i = 0; i < domains.size(); ++i) {
            auto it = m.upsample.weights.find(domains[i].name);
            p[i] = it != m.upsample.weights.end() ? it->second : domains[i].weight;
        }
        p = normalized(std::move(p));
    } else if (m.kind == "temperature") {
        std::vector<double> sizes(domains.size());
        for (size_t i = 0; i < domains.size(); ++i) {
            sizes[i] = static_cast<double>(domains[i].size);
        }
        p = temperatureProbabilities(sizes, temperatureAt(m, t, spec.train.steps));
    } else {
        for (size_t i = 0; i < domains.size(); ++i) {
            p[i] = domains[i].weight;
        }
        p = normalized(std::move(p));
    }
    if (m.replay.enabled && t >= m.replay.startStep && m.replay.fraction > 0) {
        std::vector<double> r(domains.size(), 0.0);
        for (size_t i = 0; i < domains.size(); ++i) {
            auto it = m.replay.weights.find(domains[i].name);
            r[i] = it != m.replay.weights.end() ? it->second : 0.0;
        }
        r = normalized(std::move(r));
        for (size_t i = 0; i < p.size(); ++i) {
            p[i] = (1.0 - m.replay.fraction) * p[i] + m.replay.fraction * r[i];
        }
    }
    return p;
}

}  // namespace anneal
