// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file fit_record.h
/// What `anneal-cli fit` and the desktop app's scaling-law view share around fitLaw(): reading the
/// points or curves of a fit from runs, a sweep group or a CSV/JSONL file together with their
/// provenance; the stored record of a fit (Store::saveFit with the JSON export); and the four export
/// formats by name. One implementation, so a fit made in the app and one made on a GPU server carry
/// the same provenance and the same stored JSON.
///
/// Thread-safety: pure functions; the Store overloads follow Store's rules (one thread at a time).
/// Throws anneal::Error: InvalidInput (unknown law or format, bad file: field "<file>:<line>"),
/// Io (unreadable file), NotFound (unknown run or empty group), Storage.

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/fit/fit_export.h"
#include "anneal/fit/fit_input.h"
#include "anneal/fit/fit_result.h"
#include "anneal/store.h"

namespace anneal::fit {

/// The columns of a file to fit (empty: not read). Points: n, d, c, x, loss, weight (and lr, batch
/// for steplaw). Curves (lr_annealing): step, loss, lr and an optional group column.
struct FileColumns {
    std::string n, d, c, x, loss = "loss", weight, lr = "lr", batch, step = "step", group;
    /// lr_annealing, mpl: the LR of every update from an experiment/schedule file or a per-step LR
    /// file (anneal/lr_sequence.h); at most one of them.
    std::string scheduleFile, lrFile;
};

/// A fit's input and where it came from.
struct PreparedFit {
    FitInput input;
    Provenance provenance;              ///< source, run ids or file with its SHA-256, version and time filled
    std::vector<std::string> warnings;  ///< e.g. a curve whose warmup is unknown (lr_sequence.h)
};

/// Curve laws: losses logged before `minStep` get weight 0 (the early transient: the drop from ln V,
/// the sources' learning phases); their LR still counts in the law's sums. The provenance says so.
/// Error(InvalidInput) naming "--min-step" for a law of points (use FitOptions::holdOutAbove there).
void leaveOutBefore(PreparedFit& prepared, const std::string& law, std::int64_t minStep);

/// Points (or, for lr_annealing, curves) of a CSV/JSONL file for `law`; provenance names the file
/// and its SHA-256.
PreparedFit prepareFromFile(const std::string& law, const std::string& path, const FileColumns& columns);

struct RunSource {
    std::vector<std::int64_t> runIds;  ///< the runs; or, when empty, the completed runs of `group`
    std::string group;
    std::string metric = "val_loss";
    bool includeEmbeddings = false;
    std::string dbLabel;  ///< the database as named in the provenance ("lab.db"); default: store.path()
};

/// Final losses as points (or whole curves for lr_annealing) of runs of a store; provenance lists
/// the runs ("runs 3,4,7 of lab.db" or "group size-sweep of lab.db").
PreparedFit prepareFromRuns(const Store& store, const std::string& law, const RunSource& source);

/// The current UTC time as ISO 8601 ("2026-01-31T12:00:00Z"), as stored in a fit's provenance.
std::string isoTimeNow();

/// The record Store::saveFit stores: name (default "<law> on <source>"), law, source, objective,
/// number of points and the full JSON export with provenance.
FitRecord makeFitRecord(const FitResult& fit, const Provenance& provenance, const std::string& name = {});
/// makeFitRecord + Store::saveFit; returns the fit's id.
std::int64_t storeFit(Store& store, const FitResult& fit, const Provenance& provenance,
                      const std::string& name = {});

/// Export formats by name: json | csv | latex | python.
std::vector<std::string> exportFormats();
/// The export in one of exportFormats(); throws InvalidInput (field "format") for another name.
std::string exportFit(const FitResult& fit, const Provenance& provenance, const std::string& format);
/// The usual file suffix of a format ("json", "csv", "tex", "py").
std::string exportSuffix(const std::string& format);

}  // namespace anneal::fit
