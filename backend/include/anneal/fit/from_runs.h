// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file from_runs.h
/// Fit inputs from runs stored in the database: final losses as (N, D, C) points, and whole loss
/// curves with the LR of every update for lr_annealing. Conventions (docs/FITTING.md):
///   N = non-embedding parameters (Kaplan's N) unless includeEmbeddings;
///   D = tokens seen at the step of the final loss (batch_size · context per update);
///   C = 6·N·D (the Chinchilla convention; the attention term of flops_per_token is left out).
/// A branch's curve includes its parent's history before the branch step, and its LR sequence is the
/// parent's before that step and its own after. Throws anneal::Error naming the run.

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/store.h"

namespace anneal::fit {

struct RunPointOptions {
    std::string metric = "val_loss";  ///< the loss to fit: its last stored value
    bool includeEmbeddings = false;
};

/// One point per run (final loss). Runs without the metric are an error naming them.
FitInput pointsFromRuns(const Store& store, const std::vector<std::int64_t>& runIds,
                        const RunPointOptions& options);

/// The learning rate of every update 0..steps-1 of a run (from its resolved config; an imported run's
/// logged `lr` metric, interpolated linearly between logged steps).
std::vector<double> runLearningRates(const Store& store, std::int64_t runId);

/// A run's loss curve (metric with history) and LR sequence, for lr_annealing.
Curve curveFromRun(const Store& store, std::int64_t runId, const std::string& metric = "val_loss");

/// Ids of the runs in a sweep group (completed ones), in id order. Throws NotFound when none.
std::vector<std::int64_t> runsInGroup(const Store& store, const std::string& group);

}  // namespace anneal::fit
