// SPDX-License-Identifier: GPL-3.0-or-later
#include "lab_fixture.h"

#include "anneal/run_session.h"

namespace anneal::test {

namespace {

std::int64_t train(std::unique_ptr<RunSession> session) {
    session->start();
    session->wait();
    return session->runId();
}

}  // namespace

void LabFixture::build() {
    db = dir.path("lab.db");
    LaunchRequest req;
    req.dbPath = db;
    req.specText = tinyExperimentToml(kSteps, 1);
    req.origin = "tiny.toml";
    req.overrides = {"log.checkpoint_every=" + std::to_string(kBranchStep)};
    req.name = "base";
    base = train(RunSession::launch(req));
    req.specText = tinyExperimentToml(kSteps, 2);
    req.overrides = {"train.lr=0.02"};
    req.name = "lr-high";
    req.group = "sweep";
    lrHigh = train(RunSession::launch(req));
    branch = train(RunSession::branch(db, base, kBranchStep, {"train.lr=0.005"}, "branch"));
}

}  // namespace anneal::test
