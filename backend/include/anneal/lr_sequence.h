// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file lr_sequence.h
/// The LR of every update of a loss curve that another tool logged sparsely: from a per-step LR file
/// (`--lr-file lr.csv`, columns `step,lr`) or from an Anneal experiment or schedule file
/// (`--schedule FILE.toml`), for `anneal-cli import` and `anneal-cli fit --csv` (docs/FITTING.md,
/// "Sparse curves").
///
/// A per-step file must give every step 0..T-1 exactly once, in order: a missing step is an error
/// naming the line where the gap is, never interpolated (a table schedule with knots is a different
/// thing: anneal/lr_table.h). A schedule file is an experiment file, or one with only [train]
/// (steps, lr) and [schedule]: its LR sequence is what `anneal-cli run` would apply.
///
/// Errors: Error(InvalidInput) with field "<file>:<line>" (or the file) naming the column and the
/// allowed values; Error(Io) when a file cannot be read. Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace anneal {

struct LrSequence {
    std::vector<double> lr;         ///< LR of update 0, 1, ..., T-1
    std::int64_t warmupSteps = -1;  ///< a schedule file's warmup_steps; -1 (an LR file): unknown
    std::string file;               ///< where it came from, as given
    std::string kind;               ///< "lr-file" | "schedule"
    std::string sha256;             ///< of the file's bytes
};

/// Reads a `step,lr` CSV or JSONL file with a row for every step 0..T-1; LRs finite and >= 0.
LrSequence readLrFile(const std::string& path);

/// The LR sequence of an experiment or schedule file (a file without [[data.domain]] is read as a
/// schedule file: a placeholder domain is added before validation; it never affects the LR).
LrSequence lrFromScheduleFile(const std::string& path);

/// What one of --schedule / --lr-file names; Error(InvalidInput) naming both options when both are
/// given; nullopt when neither.
std::optional<LrSequence> lrSequenceFrom(const std::string& scheduleFile, const std::string& lrFile);

/// Checks a curve's logged steps against the sequence: every logged step must be an update the
/// sequence has (step < T), and a logged LR column, when there is one, must agree with the sequence
/// at its steps (relative difference <= 1%, which logs rounded to 3 digits pass). `lines` are the
/// source lines of the rows, `source` the curve's file.
void checkCurveAgainstLr(const LrSequence& seq, const std::vector<std::int64_t>& steps,
                         const std::vector<double>* loggedLr, const std::vector<std::size_t>& lines,
                         const std::string& source, const std::string& stepColumn,
                         const std::string& lrColumn);

/// The warning for a curve whose LR comes only from its own `lr` column and whose first logged step
/// is not 0: the LR before it is unknown, and the fit assumes the first logged LR (no warmup).
/// Empty when firstStep == 0.
std::string unknownWarmupWarning(const std::string& source, std::int64_t firstStep);

}  // namespace anneal
