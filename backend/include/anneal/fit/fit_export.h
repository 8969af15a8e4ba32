// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file fit_export.h
/// Exports of a fit with provenance, and re-loading a fit from its JSON export.
///
///   JSON   everything: law, equation, parameters with CIs and SEs, objective, options, provenance,
///          points with predictions and residuals, curves (lr_annealing), bootstrap samples, warnings.
///          Format "anneal-fit", version 1; doubles written to round-trip exactly.
///   CSV    one row per observation: predictors, target, observed, predicted, log residual, weight.
///   LaTeX  the equation with the fitted values, and each parameter's value and interval.
///   Python a self-contained `def law(...)` with the fitted values (lr_annealing: `def law(lr, ...)`
///          returning the loss after every update), needing nothing beyond the standard library.
///
/// Pure functions, thread-safe. fitFromJson() throws Error(InvalidInput) naming the JSON path of the
/// first problem (e.g. "json: params[2].value").

#include <string>
#include <vector>

#include "anneal/fit/fit_result.h"

namespace anneal::fit {

/// Where a fit came from; the caller fills it (the fitting code does not know about runs or files).
struct Provenance {
    std::string source;               ///< free text: "runs 3,4,7 of lab.db", "import of curves.csv"
    std::vector<std::string> runIds;  ///< runs the points came from
    std::string metric;         ///< the runs' loss metric that was fitted ("val_loss"); empty for a file
    std::string filePath;       ///< imported file, if any
    std::string fileSha256;     ///< its SHA-256 (sha256.h), hex
    std::string annealVersion;  ///< anneal::kVersion of the build that fitted
    std::string createdAt;      ///< ISO 8601 time of the fit
};

struct LoadedFit {
    FitResult fit;
    Provenance provenance;
};

std::string fitToJson(const FitResult& fit, const Provenance& provenance);
LoadedFit fitFromJson(const std::string& json);
std::string fitToCsv(const FitResult& fit);
std::string fitToLatex(const FitResult& fit);
std::string fitToPython(const FitResult& fit, const Provenance& provenance = {});

}  // namespace anneal::fit
