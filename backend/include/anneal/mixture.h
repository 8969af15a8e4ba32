// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file mixture.h
/// Domain mixture schedules as pure functions of the step (METHODS sections 4 and 5): static
/// weights, temperature sampling p_i ∝ size_i^(1/T(t)) with an optional temperature cooldown,
/// end-of-training upsampling and replay of an earlier mix. The sampler, `anneal-cli schedule` and
/// the GUI call the same function. Pure, thread-safe; no throw for validated specs.

#include <cstdint>
#include <vector>

#include "anneal/experiment.h"

namespace anneal {

/// Temperature at step t of a mixture with kind = temperature.
/// constant: T0; linear: T0 + (T1 - T0)·t/S; cosine: T1 + (T0 - T1)·(1 + cos(π t/S))/2;
/// step: T0 before floor(switch_fraction·S), T1 from there (S = train.steps).
double temperatureAt(const MixtureSpec& mixture, std::int64_t step, std::int64_t totalSteps);

/// p_i ∝ n_i^(1/T), normalised; computed in log space. T → ∞ gives uniform.
std::vector<double> temperatureProbabilities(const std::vector<double>& sizes, double temperature);

/// First step of the upsampling window: floor(start_fraction · steps).
std::int64_t upsampleStartStep(const ExperimentSpec& spec);

/// Probability of drawing each domain (in data.domain order) at step t; sums to 1.
/// Order of composition: base mix (static weights or temperature sampling); from the upsampling
/// start the upsampled mix (listed domains take their new weight, unlisted keep data.domain[].weight,
/// then normalised); from replay.start_step, (1 - f)·mix + f·replay mix.
std::vector<double> mixtureAt(const ExperimentSpec& spec, std::int64_t step);

/// Normalises non-negative weights to sum 1 (uniform if they are all 0).
std::vector<double> normalized(std::vector<double> w);

}  // namespace anneal
