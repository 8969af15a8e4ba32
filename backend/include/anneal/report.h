// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file report.h
/// Study reports (anneal-cli report, docs/SWEEPS.md): what a sweep plan's runs in a database show.
/// A report lists the runs of the plan's group with their final per-domain validation losses, adds
/// the numbers of one analysis (a study's claim: cooldowns against cosine, upsampling windows,
/// temperature vs upweighting, weight separation under planted noise, a scaling fit against the
/// entropy floor, the LR-annealing law's predictions, continued pre-training) and describes its
/// figures. Figures are descriptions here (runs and metrics read from the database, or computed
/// points); the Qt-free backend does not draw: anneal-render draws them with the app's plot code.
///
/// Numbers in the Markdown are the stored values formatted with formatNumber() (4 decimals), so a
/// test can read them back. Pure functions of the store's contents; throws anneal::Error (NotFound
/// when the database holds no run of the plan's group, InvalidInput for an unknown analysis).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "anneal/experiment.h"
#include "anneal/store.h"
#include "anneal/sweep.h"

namespace anneal::report {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// One run of the plan's group and its final losses.
struct RunSummary {
    RunRecord record;
    ExperimentSpec spec;                ///< its resolved config
    std::string parentName;             ///< a branch's parent's name ("" for a run)
    std::int64_t finalStep = -1;        ///< step of its last val_loss (-1: none stored)
    double valLoss = kNaN;              ///< last val_loss (the mix-weighted average)
    std::vector<std::string> domains;   ///< domain names, experiment order
    std::vector<double> domainValLoss;  ///< last val_loss.<domain>, same order (NaN: none)

    bool isBranch() const { return record.parentId.has_value(); }
    /// Last val_loss.<domain>; NaN when the run has no such domain.
    double domainLoss(const std::string& domain) const;
};

/// One curve of a figure: a run's metric from the database (runId > 0), or computed points.
struct Series {
    std::string label;
    std::int64_t runId = 0;
    std::string metric;          ///< e.g. "val_loss.markov"
    bool withHistory = true;     ///< a branch's curve starts with its parent's points
    std::vector<double> x, y;    ///< computed points (runId == 0)
    std::string style = "line";  ///< line | dash | markers | line+markers
    int color = -1;              ///< palette index; -1: the series' position in the figure
    bool inLegend = true;
};

struct ReferenceLine {
    double y = 0;
    std::string label;
};

struct Figure {
    std::string file;  ///< PNG name inside the report directory
    std::string title;
    std::string xLabel = "step";
    std::string yLabel = "loss (nats/token)";
    std::string xAxis = "step";  ///< database series: step | tokens
    bool logX = false, logY = false;
    double xMin = kNaN, xMax = kNaN;  ///< visible range (NaN: fit the data)
    double yMin = kNaN, yMax = kNaN;
    std::vector<Series> series;
    std::vector<ReferenceLine> references;
    std::string caption;  ///< one Markdown line under the figure
};

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

/// A Markdown section: paragraphs and tables, in that order.
struct Section {
    std::string heading;
    std::vector<std::string> paragraphs;
    std::vector<Table> tables;
    std::vector<std::string> notes;  ///< paragraphs after the tables
};

/// A named number of the analysis (also in the Markdown), for --json and tests.
struct Number {
    std::string key;
    double value = kNaN;
};

struct Report {
    std::string group;  ///< the plan's name
    std::string description;
    std::string analysis;  ///< resolved analysis name
    std::string planPath, dbPath;
    std::vector<RunSummary> runs;   ///< the group's runs, by id
    std::vector<Section> sections;  ///< the analysis' sections (after the runs table)
    std::vector<Figure> figures;
    std::vector<Number> numbers;
    std::vector<std::string> warnings;  ///< planned runs missing or not completed, analysis caveats

    /// A number by key; NaN when absent.
    double number(const std::string& key) const;
};

/// "generic" and the analyses of the studies in resources/studies: wsd-vs-cosine, upsample-window,
/// temperature-vs-upweight, noisy-reweighting, scaling-entropy, lr-annealing-law,
/// continued-pretraining.
std::vector<std::string> analysisNames();
/// "auto" picks the analysis named like the plan (its group), else "generic"; other names must be
/// in analysisNames() (InvalidInput naming --analysis otherwise).
std::string resolveAnalysis(const std::string& requested, const std::string& planName);

/// Reads the plan's group from the store and runs the analysis.
Report buildReport(const SweepPlan& plan, const Store& store, const std::string& analysis = "auto");

/// How the figures went, for the Markdown.
struct FigureOutcome {
    bool rendered = false;
    std::string note;  ///< said under "Figures" (why they are missing, how to render)
};
/// The report as Markdown (README.md of the report directory).
std::string toMarkdown(const Report& report, const FigureOutcome& figures);
/// The figure descriptions as JSON for anneal-render: {"db": ..., "figures": [{"out": file, ...}]}, each
/// "out" relative to the report directory outDir (where figures.json is written).
std::string figuresJson(const Report& report, const std::string& outDir);
/// The report's numbers, runs and warnings as one JSON object (anneal-cli report --json).
std::string reportJson(const Report& report, const FigureOutcome& figures, const std::string& outDir);

/// Area under the ROC curve of "a clean sample's weight is above a noisy one's": the probability that
/// a random clean sample outweighs a random noisy one, ties counting 1/2. NaN without both kinds.
double cleanOverNoisyAuc(const std::vector<SampleWeight>& samples);
/// Losses and other numbers in reports: 4 decimals ("nan" for NaN).
std::string formatNumber(double v, int decimals = 4);

}  // namespace anneal::report
