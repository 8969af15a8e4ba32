// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A temporary database filled by short CPU runs, for the lab views' tests:
//   base    tinyExperimentToml(40, seed 1), checkpoints every 20 steps
//   lr-high the same with seed 2 and train.lr = 0.02, in sweep group "sweep"
//   branch  a branch of base at step 20 with train.lr = 0.005
// Runs are trained through anneal::RunSession, as the app does, and waited for.

#include <QString>
#include <cstdint>
#include <string>

#include "temp_paths.h"

namespace anneal::test {

struct LabFixture {
    TempDir dir;
    std::string db;
    std::int64_t base = 0;
    std::int64_t lrHigh = 0;
    std::int64_t branch = 0;
    static constexpr int kSteps = 40;
    static constexpr int kBranchStep = 20;

    /// Trains the three runs (a few seconds on one core).
    void build();
    QString qdb() const { return QString::fromStdString(db); }
};

}  // namespace anneal::test
