// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the report's source files: the context an analysis works in and small helpers.

#include <string>
#include <vector>

#include "anneal/report.h"

namespace anneal::report::detail {

struct Context {
    const SweepPlan& plan;
    const Store& store;
    Report& report;
};

// --- analyses (one per study; analysis_*.cpp) ---
void analyzeGeneric(Context& c);
void analyzeWsd(Context& c);
void analyzeLrLaw(Context& c);
void analyzeUpsample(Context& c);
void analyzeTemperature(Context& c);
void analyzeNoisy(Context& c);
void analyzeScaling(Context& c);
void analyzeContinued(Context& c);

// --- helpers (report.cpp) ---
/// "+0.0123" / "-0.0123".
std::string signedNumber(double v, int decimals = 4);
/// 0.123 -> "12.3%".
std::string percent(double fraction, int decimals = 1);
/// A short description of a run's LR schedule ("cosine to 0.1x", "wsd, 20% 1-sqrt cooldown").
std::string scheduleText(const ExperimentSpec& spec);
/// A database series of a run.
Series runSeries(const std::string& label, const RunSummary& run, const std::string& metric);
/// Sets the figure's y range to its series' values within [xMin, xMax] (database series read from the
/// store), padded by 5%; keeps it unset when nothing is in range.
void fitYRange(Figure& fig, const Store& store);
/// The last value of a metric of a run (NaN when none).
double lastValue(const Store& store, std::int64_t runId, const std::string& metric);
void addNumber(Report& r, const std::string& key, double value);
/// Weight of each domain in a spec, normalised to sum 1 (static weights).
std::vector<double> normalisedWeights(const ExperimentSpec& spec);
/// A run's display name in tables: its name, or "#id" when empty.
std::string displayName(const RunSummary& run);

}  // namespace anneal::report::detail
