// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Parsing [schedule] (docs/EXPERIMENT-FORMAT.md#schedule): every kind's keys, and kind = "table"
// from a file or inline knots.

#include <string>
#include <toml++/toml.h>

#include "anneal/experiment.h"

namespace anneal::config {

/// Reads [schedule] (absent: the defaults) into spec.schedule; a table schedule's file is read
/// relative to `baseDir`. Throws InvalidConfig naming the key and what is allowed.
void parseSchedule(const toml::table* t, ExperimentSpec& spec, const std::string& baseDir);

}  // namespace anneal::config
