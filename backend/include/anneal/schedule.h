// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file schedule.h
/// Learning-rate schedules as pure functions of the step: no torch, no state. The trainer, the CLI
/// (`anneal-cli schedule`) and the GUI's schedule editor all call these, so what is drawn is what is
/// applied. Formulas: docs/METHODS.md section 1 (cited per kind in schedule/*.cpp).
///
/// Step convention (used everywhere): steps are 0-based and the update made at step t uses lr(t).
/// A phase that starts at step a and lasts n steps has progress x = (t - a)/n: its first step has its
/// start value and it reaches its end value at t = a + n, one past its last step (PyTorch's closed
/// forms: CosineAnnealingLR index 0 -> base lr; Hägele et al.'s wsd_schedule). So a cosine run of
/// T steps uses its final LR at t = T; the last update, t = T - 1, is one step above it. For
/// t >= T the schedule holds its final value (it never rises again, unlike CosineAnnealingLR).
/// Warmup (t < W): f(t) = s + (1 - s)·t/W with s = warmup_start_fraction (default 0.01, as in
/// Hägele et al.'s code), so the first update is not wasted at LR 0.
/// Thread-safety: all functions are pure. They do not throw for specs that passed validation.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "anneal/experiment.h"

namespace anneal {

/// The LR multiplier f(t) in [0, max peak]: lr(t) = train.lr · f(t). totalSteps = train.steps.
double lrMultiplier(const ScheduleSpec& schedule, std::int64_t step, std::int64_t totalSteps);

/// lr(t) of an experiment.
double learningRate(const ExperimentSpec& spec, std::int64_t step);

/// The LR of every step 0..totalSteps-1.
std::vector<double> learningRates(const ExperimentSpec& spec);

/// A decay from f0 to the final fraction phi at progress x in [0, 1] with one of the shapes
/// linear | cosine | 1-sqrt | square | exponential (Hägele et al. 2024, METHODS 1.6):
/// phi + (f0 - phi)·(1 - d(x)) with d = x, (1 - cos πx)/2, sqrt(x), x²; exponential f0·(phi/f0)^x.
double decayValue(const std::string& shape, double f0, double phi, double x);

/// First step of the final decay phase of a wsd (or inverse_sqrt cooldown): T - floor(f·T).
std::int64_t decayStartStep(const ScheduleSpec& schedule, std::int64_t totalSteps);

/// Knots of a schedule for the editor: (step, multiplier) at warmup end, decay start, end.
struct ScheduleKnot {
    /// "warmup_end", "decay_start", "rewarm_at", "cooldown_end", "anneal_start", "end"; "table:<i>" for
    /// knot i of a table schedule
    std::string name;
    std::int64_t step;
    double multiplier;
};
/// A table schedule with at most this many knots shows them as "table:<i>" (draggable in the schedule
/// editor); a longer one (a per-step file) shows only warmup_end and end.
inline constexpr std::size_t kMaxTableKnotsShown = 200;
std::vector<ScheduleKnot> scheduleKnots(const ScheduleSpec& schedule, std::int64_t totalSteps);

}  // namespace anneal
