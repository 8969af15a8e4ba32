// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the test suites: temporary directories and databases, paths to test data,
// the experiment files tests start from.

#include <QString>
#include <QTemporaryDir>
#include <memory>
#include <string>

#include "anneal_test_paths.h"

namespace anneal::test {

/// A temporary directory that is removed when the object dies (kept when ANNEAL_KEEP_TEMP is set).
class TempDir {
public:
    TempDir();
    std::string path(const std::string& name = {}) const;
    QString qpath(const QString& name = {}) const;

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

/// Absolute path of a file in tests/data.
std::string dataFile(const std::string& name);
/// Absolute path of a file under the repository root (resources/experiments/default.toml...).
std::string sourceFile(const std::string& name);
/// A tiny, fast experiment (1 layer, d_model 32, context 16, batch 4) as TOML text, logging every
/// step.
std::string tinyExperimentToml(int steps = 20, unsigned seed = 1);
/// The same experiment without its [log] table, which a caller appends.
std::string tinyExperimentWithoutLog(int steps, unsigned seed);
/// Writes a stand-in for a prepared corpus (anneal-cli corpus prepare) into `dir`: a manifest.json and
/// two small text files in dir/<domain>/test/ for every corpus domain, enough for the globs of
/// resources/experiments/real-text.toml to match and each domain to have two documents.
void writeStandInCorpus(const std::string& dir);
/// Path of the anneal-cli binary under test (ctest passes it as ANNEAL_CLI).
QString cliPath();

}  // namespace anneal::test
