// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every anneal-cli command shares: the database path, output helpers and exit codes.
// Exit codes (docs/CLI.md): 0 ok, 1 runtime error (including bad input files and a failed run),
// 2 usage error (unknown option, missing argument), 130 stopped by Ctrl-C.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace anneal::cli {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

struct Context {
    std::string db;  ///< --db, else $ANNEAL_DB, else the XDG default
    int exitCode = kExitOk;
    std::string dbPath() const;
};

/// Registers the commands of each file on the app.
void addRunCommands(CLI::App& app, Context& ctx);
void addListCommands(CLI::App& app, Context& ctx);
void addCheckCommands(CLI::App& app, Context& ctx);
void addWeightsCommands(CLI::App& app, Context& ctx);
void addFitCommands(CLI::App& app, Context& ctx);
void addPredictCommands(CLI::App& app, Context& ctx);
void addImportCommands(CLI::App& app, Context& ctx);
void addSweepCommands(CLI::App& app, Context& ctx);
void addReportCommands(CLI::App& app, Context& ctx);
void addVersionCommands(CLI::App& app, Context& ctx);
/// `schedule optimize`, a subcommand of `schedule` (cmd_check.cpp creates that one).
void addScheduleOptimizeCommand(CLI::App* schedule, Context& ctx);
void addDataCommands(CLI::App& app, Context& ctx);
/// `corpus prepare` (cmd_corpus.cpp).
void addCorpusCommands(CLI::App& app, Context& ctx);

/// Whether stdout / stderr is a terminal (progress bars only then).
bool stdoutIsTty();
bool stderrIsTty();
/// Formats a double for CSV/JSON output (shortest exact form; "nan" as empty in CSV).
std::string csvNumber(double v);
/// JSON value of a double: null for NaN/Inf.
nlohmann::json jsonNumber(double v);
/// Parses "K=V" lists from --set and --unset into overrides ("!K" for unset).
std::vector<std::string> collectOverrides(const std::vector<std::string>& sets,
                                          const std::vector<std::string>& unsets);
/// Adds the --set/--unset options to a subcommand.
void addOverrideOptions(CLI::App* sub, std::vector<std::string>& sets, std::vector<std::string>& unsets);

}  // namespace anneal::cli
