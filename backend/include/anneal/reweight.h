// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file reweight.h
/// Per-sample and per-domain loss weights as pure functions (METHODS sections 3 and 4). The trainer
/// calls these on each batch's own losses, so weights never depend on state outside the batch
/// (data-parallel safe: split a batch and gather its losses first, as Sow et al. do globally).
/// Thread-safe, no throw for validated inputs.

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/experiment.h"

namespace anneal {

/// Sow et al. (ICLR 2025), METHODS 3: normalise losses to h in [-delta, delta], apply the strategy
/// (loss_linupper: min(h + delta, delta); loss_quadratic: 1 - h²/delta²; loss_extremes: |h|), then
/// w = softmax(f / r). Weights sum to 1. Invariant under l -> a·l + b (a > 0).
std::vector<double> lossBasedWeights(const std::vector<double>& losses, const std::string& strategy,
                                     double delta, double r);

/// Whether a strategy is one of Sow et al.'s loss-based ones.
bool isLossBasedStrategy(const std::string& strategy);

/// domain_scalarization loss weight of each domain at step t ("upweight" instead of "upsample",
/// METHODS 4): with reweight.temperature = T, w_d = p_d(T)/q_d(t), where p(T) is temperature
/// sampling over the domain sizes and q(t) the mixture actually sampled at t, so that the expected
/// weighted objective equals the temperature-sampled one. With domain_weights, the given weights
/// (unlisted domains 1). A sample's weight in the batch loss is w_d / batch_size.
std::vector<double> scalarizationWeights(const ExperimentSpec& spec, std::int64_t step);

}  // namespace anneal
