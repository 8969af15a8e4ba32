// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli weights: per-sample weights a run stored (filled in with the reweighting work).
#include "cli_context.h"

namespace anneal::cli {
void addWeightsCommands(CLI::App& app, Context& ctx) { (void)app; (void)ctx; }
}  // namespace anneal::cli
