// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file run_experiment.h
/// The experiment a stored run ran with. Every reader that needs a run's spec (the desktop's views,
/// fits over runs, reports, resume and branch) asks here instead of parsing RunRecord::configToml
/// itself, so a stored config that no longer parses (a hand-edited or damaged database) gives one
/// message that names the run. Pure function of the record; thread-safe.

#include <cstdint>
#include <vector>

#include "anneal/config.h"
#include "anneal/experiment.h"
#include "anneal/store.h"

namespace anneal {

/// How messages name a run's stored config: "run 7 config".
std::string runConfigOrigin(std::int64_t runId);

/// Parses `run.configToml` (the resolved config it ran with), applying `overrides` as a branch does.
/// Throws Error(InvalidConfig): for a stored text that is not TOML its field is
/// "run <id> config:<line>:<column>"; for one that fails validation the message begins
/// "stored config of run <id>" and the field stays the key path. An error caused by `overrides`
/// alone is thrown unchanged (its field is the overridden key). Throws Error(InvalidInput) for an
/// imported run, which has no experiment.
ExperimentSpec runExperiment(const RunRecord& run, const std::vector<Override>& overrides = {});

/// The same, reading the run first (Store::run throws NotFound).
ExperimentSpec runExperiment(const Store& store, std::int64_t runId,
                             const std::vector<Override>& overrides = {});

}  // namespace anneal
