// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file sweep.h
/// Sweep plans (TOML, docs/SWEEPS.md): a base experiment plus axes — a grid (every combination), zipped
/// lists (varied together), named variants — and branch axes (cooldowns branched from every run's
/// checkpoint at given steps). A plan expands into planned runs, each a list of --set overrides on the
/// base with a stable label; the runner (anneal-cli sweep) launches, resumes or skips each by label
/// within the plan's group, so a sweep can be re-run until done. Pure functions of the plan text;
/// errors name the plan key (and the run's label when one run's config is invalid).

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/config.h"
#include "anneal/experiment.h"

namespace anneal {

struct PlannedBranch {
    std::string name;  ///< the branch's label suffix: "<run label>/<name>"
    /// The parent's checkpoint step. It may be the parent's last step (every run writes a final
    /// checkpoint) when the branch sets train.steps beyond it: a continuation, e.g. a second stage
    /// of continued pre-training.
    std::int64_t atStep = 0;
    std::vector<Override> overrides;  ///< applied to the parent's resolved config
    /// Only runs of these variants get the branch; empty: every run.
    std::vector<std::string> variants;
};

struct PlannedRun {
    int index = 0;        ///< position in the plan (Slurm array index)
    std::string variant;  ///< its [[variant]] name ("" when the plan has none)
    std::string label;    ///< run name within the group, e.g. "seed=2 schedule.decay_fraction=0.2"
    std::vector<Override> overrides;  ///< on the base experiment
    ExperimentSpec spec;              ///< the resolved experiment (validated)
};

struct SweepResources {
    int threads = 0;                ///< torch threads per run; 0 = cores / jobs
    int jobs = 1;                   ///< local processes at a time (CLI --jobs overrides)
    std::string time = "01:00:00";  ///< Slurm --time
    int cpusPerTask = 2;
    std::string mem = "4G";
    int gpus = 0;  ///< GPUs per Slurm array task: 0 or 1 (#SBATCH --gres=gpu:1)
    std::string partition;
    std::string account;
};

struct SweepPlan {
    std::string name;  ///< the sweep group
    std::string description;
    std::string planPath;
    std::string basePath;  ///< absolute path of the base experiment
    std::string baseText;
    std::vector<PlannedRun> runs;
    std::vector<PlannedBranch> branches;  ///< applied to every run
    SweepResources resources;
};

/// Whether a branch applies to a planned run (its `variants` filter).
bool branchApplies(const PlannedBranch& branch, const PlannedRun& run);

/// Reads and expands a plan; validates every planned run and branch config. Throws InvalidConfig.
SweepPlan loadSweepPlan(const std::string& path);
SweepPlan parseSweepPlan(const std::string& text, const std::string& path);

/// The sbatch array script for a plan whose copy lives in `dir` (see anneal-cli sweep --slurm).
std::string slurmScript(const SweepPlan& plan, const std::string& dir, const std::string& cliPath);

}  // namespace anneal
