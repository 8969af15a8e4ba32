// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file lr_table.h
/// The `table` schedule kind: an LR given at knots (step, lr), linear between knots, the last value
/// held after the last knot. A per-step file is the special case of a knot at every step (the
/// interpolation then never runs). LRs are absolute, not fractions of train.lr.
///
/// File format (`schedule.file`, `schedule optimize --out`): CSV with the header `step,lr`, one knot a
/// line, steps strictly increasing from 0, LRs finite and >= 0; blank lines and lines starting with
/// `#` are skipped. Errors name the file and line and say what is allowed.
/// Thread-safety: pure functions. The readers throw Error(InvalidConfig) for a bad table, Error(Io)
/// for a file that cannot be read.

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/experiment.h"

namespace anneal {

struct LrTable {
    std::vector<std::int64_t> steps;  ///< strictly increasing, steps[0] == 0
    std::vector<double> lrs;          ///< same length, finite, >= 0
};

/// Parses `step,lr` CSV text; `origin` names the file in errors ("lr.csv:12: ...").
LrTable parseLrTableCsv(const std::string& text, const std::string& origin);

/// Reads and parses a `step,lr` CSV file.
LrTable readLrTableFile(const std::string& path);

/// Checks the invariants above; `where` prefixes the error field ("schedule.lrs", "lr.csv").
void validateLrTable(const LrTable& table, const std::string& where);

/// The LR at step t: the knot's value at a knot, linear between knots, the last value after the last
/// knot (t < 0 reads as 0). O(log knots).
double tableLr(const std::vector<std::int64_t>& steps, const std::vector<double>& lrs, std::int64_t t);

/// A per-step LR sequence (step u = index u) as knots, losslessly: interior points of runs of equal
/// LRs are dropped (linear interpolation between equal values gives that value exactly), nothing else.
LrTable lrTableFromSequence(const std::vector<double>& lr);

/// The `step,lr` CSV text of a table (shortest round-trip numbers, so reading it back is exact).
std::string lrTableCsv(const LrTable& table);

/// Makes `spec` train with the table: schedule.kind = "table", the knots, train.lr = the largest LR
/// applied in steps 0..train.steps-1, schedule.warmupSteps = the first step of that largest LR (what the
/// loss laws take as the end of warmup). Throws Error(InvalidConfig) when the table ends before step
/// train.steps - 1.
void applyLrTable(ExperimentSpec& spec, const LrTable& table, const std::string& source);

}  // namespace anneal
