// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The stored curve-law fits (lr_annealing, mpl) the schedule editor can predict a loss curve with, and which
// of them fits an edited experiment: a law fitted on runs of one model and one data mix says nothing about
// another, so the default is the newest fit whose runs all have the experiment's model (layers,
// width, heads, context) and domains (names and sources). loadPredictionFits runs on a pool thread.

#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "anneal/experiment.h"
#include "anneal/fit/fit_result.h"

namespace anneal::ui {

struct PredictionFit {
    qint64 id = 0;
    QString name;
    fit::FitResult fit;
    QStringList runSignatures;  ///< experimentSignature of each run the fit came from
    QString source;             ///< the provenance's source line
};

/// "model 2x128 h4 ctx64 | markov=synthetic:markov, ..." — what must match for a fit to apply.
QString experimentSignature(const ExperimentSpec& spec);

/// Every stored curve-law fit (lr_annealing, mpl) of a database, oldest first. Fits whose JSON does not load
/// are skipped (errorOut names them); throws anneal::Error when the database cannot be read.
std::vector<PredictionFit> loadPredictionFits(const std::string& dbPath, QString* errorOut = nullptr);

/// Whether every run of the fit has the experiment's signature (false for fits of files).
bool fitMatches(const PredictionFit& fit, const QString& signature);
/// Index of the newest fit that matches, -1 when none does.
int defaultPredictionFit(const std::vector<PredictionFit>& fits, const ExperimentSpec& spec);

}  // namespace anneal::ui
