// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Running experiments in-process from tests, and reading back what they stored.

#include <cstdint>
#include <QByteArray>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "anneal/config.h"
#include "anneal/events.h"
#include "anneal/run_session.h"

namespace anneal::test {

/// A run row for store tests: the tiny experiment (10 steps) as its config, optionally the branch of
/// `parent` at `branchStep`.
NewRun plainRun(const std::string& name, std::optional<std::int64_t> parent = {},
                std::optional<std::int64_t> branchStep = {});
/// SHA-256 of a file's bytes (to prove a file unchanged); empty when it cannot be read.
QByteArray fileSha256(const std::string& path);
/// Launches a run from TOML text into dbPath and waits for it. Returns the run id.
std::int64_t runToml(const std::string& dbPath, const std::string& toml,
                     const std::vector<Override>& overrides = {}, const std::string& name = {});
/// Drives an already created session to its end; `onStep` may call session.stop().
void driveSession(RunSession& session, const std::function<void(const StepEvent&)>& onStep = {});
/// A stored metric's values in step order.
std::vector<double> storedMetric(const std::string& dbPath, std::int64_t runId, const std::string& name,
                                 bool withHistory = false);
/// Entropy (nats) of the byte distribution of the training mix, estimated from 4000 drawn training
/// samples: the loss of the best context-free (unigram) predictor.
double unigramEntropy(const ExperimentSpec& spec);
/// Exact (bitwise) equality of two loss sequences.
bool bitIdentical(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace anneal::test
