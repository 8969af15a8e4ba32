// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file config.h
/// Experiment files (TOML) to ExperimentSpec and back. Every key is validated: an unknown key, a
/// wrong type, a value out of range, an unknown name or a key that the chosen kind does not use
/// throws anneal::Error(InvalidConfig) naming the key path, the value found and what is allowed.

#include <string>
#include <utility>
#include <vector>

#include "anneal/experiment.h"
#include "anneal/metric_names.h"

namespace anneal {

/// A command-line change to an experiment file, applied to the TOML tree before validation.
/// "key.path=value" sets (value parsed as TOML, else taken as a string); "!key.path" removes.
/// Paths may index arrays of tables: "data.domain[1].weight=0.2".
using Override = std::string;

/// Parses and validates an experiment. `origin` names the file in messages.
ExperimentSpec parseExperiment(const std::string& tomlText, const std::string& origin,
                               const std::vector<Override>& overrides = {});

/// Same, with relative paths inside the experiment (schedule.file of a table schedule) read from
/// `baseDir` ("" = the working directory, as parseExperiment() does). loadExperiment() passes the
/// file's folder.
ExperimentSpec parseExperimentIn(const std::string& tomlText, const std::string& origin,
                                 const std::vector<Override>& overrides, const std::string& baseDir);

/// What the store writer and the live plots need to name a run's metrics (metric_names.h).
RunFacts runFacts(const ExperimentSpec& spec);

/// Reads and parses a file. Throws Io when it cannot be read.
ExperimentSpec loadExperiment(const std::string& path, const std::vector<Override>& overrides = {});

/// The resolved config: every key the experiment uses, with its value, as TOML.
/// parseExperiment(toToml(s), ...) gives back s.
std::string toToml(const ExperimentSpec& spec);

/// Flat "key.path" -> value text of a TOML document, for config diffs.
std::vector<std::pair<std::string, std::string>> flattenToml(const std::string& tomlText);

/// Reads a whole file; throws Io naming the path.
std::string readTextFile(const std::string& path);

}  // namespace anneal
