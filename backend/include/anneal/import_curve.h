// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file import_curve.h
/// A loss curve from another tool (CSV or JSONL, anneal/fit/table.h) as an imported run, as
/// `anneal-cli import` and the desktop app's drag-and-drop do. Columns: the step and the loss are
/// required (the loss is stored as train_loss); `lr` and `tokens` are optional; every other column
/// must be numeric and becomes a metric of its name. Steps must be non-negative integers up to 2^53
/// that increase; tokens between 0 and 2^63. With CurveImport::scheduleFile or lrFile the run keeps
/// the LR of every update; with only an lr column starting after step 0, a warning says the warmup is
/// unknown.
///
/// All or nothing: a bad file throws anneal::Error(InvalidInput) with field "<file>:<line>" and a
/// message naming the column, and nothing is stored (Store::importRun is one transaction).
/// Io when the file cannot be read; Storage when the database refuses the rows.

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/store.h"

namespace anneal {

struct CurveImport {
    std::string file;
    std::string name;  ///< run name; default: the file name
    std::string group;
    std::string stepColumn = "step";
    std::string lossColumn = "loss";
    double params = 0;  ///< non-embedding parameter count of the model (for fits in N)
    /// The LR of every update (anneal/lr_sequence.h), at most one: the run stores it whole as its
    /// `lr` metric (a logged lr column must agree with it), so fits and predictions use the real
    /// warmup and decay, not an interpolation between logged steps.
    std::string scheduleFile, lrFile;
};

struct CurveImportResult {
    std::int64_t runId = 0;
    std::size_t rows = 0;
    std::vector<std::string> metrics;   ///< metric names stored (train_loss for the loss column)
    std::size_t lrSteps = 0;            ///< updates of the LR sequence stored (0: none)
    std::vector<std::string> warnings;  ///< e.g. an lr column that starts after step 0
};

CurveImportResult importCurveFile(Store& store, const CurveImport& request);
/// Checks the file first and opens (creates, migrates) the database only when it is good.
CurveImportResult importCurveFile(const std::string& dbPath, const CurveImport& request);

}  // namespace anneal
