// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers of the real-data suites: whole files, data-only experiments, source errors, and the
// Python writers of tests/tools (run by /usr/bin/python3, Debian's interpreter with numpy).

#include <QString>
#include <QStringList>
#include <string>

#include "anneal/experiment.h"
#include "process.h"

namespace anneal::test {

/// Writes `bytes` to `path`, replacing what was there.
void writeFile(const std::string& path, const std::string& bytes);
/// The whole file as bytes; empty when it cannot be read.
std::string readAll(const std::string& path);
/// A data-only experiment: one domain, context `context`, seed `seed` (no model is built).
ExperimentSpec dataSpec(const DomainSpec& d, int context = 64, unsigned seed = 1);
/// The message of the error makeSource throws for `d` as data.domain[0], or "" when it does not throw.
std::string sourceError(const DomainSpec& d);
/// Runs tests/tools/`script` `args` with /usr/bin/python3.
ProcessResult runTestTool(const QString& script, const QStringList& args);

}  // namespace anneal::test
