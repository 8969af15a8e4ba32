// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file metric_names.h
/// The one naming of a run's metrics: which (name, value) pairs a StepEvent and an EvalEvent
/// become. The store writer (what is stored), the desktop's live path (what is plotted while a run
/// trains) and anything else that turns events into named series call these, so a metric that is
/// stored is also delivered live and the reverse (tests/ui/test_run_data_cache.cpp checks it).
///
///   train_loss, lr, grad_norm, tokens_per_s          every logged step
///   loss_z                                            when finite (after the spike window fills)
///   train_loss_weighted, grad_share.<domain>          with reweighting
///   train_loss.<domain>                               when the batch held that domain
///   mix.<domain>                                      every logged step
///   epochs.<domain>                                   finite domains (data.domain.size)
///   val_loss, val_loss.<domain>                       every evaluation
///   val_bpb.<domain>                                  every evaluation (bits per byte)

#include <cmath>
#include <string>
#include <vector>

#include "anneal/events.h"

namespace anneal {

/// What naming a run's metrics needs to know about the run: its domains in config order, and
/// whether it reweights samples. Given by whoever holds the parsed experiment (the run session).
struct RunFacts {
    std::vector<std::string> domains;
    bool reweighting = false;
    int keepCheckpoints = 3;  ///< log.keep_checkpoints (the store writer's retention)
};

/// Calls out(name, value) for every metric of one logged step, in a fixed order. (Not `emit`: Qt
/// defines that word away in the files that include this one.)
template <class Emit>
void forEachStepMetric(const StepEvent& e, const RunFacts& run, Emit&& out) {
    out(std::string("train_loss"), e.trainLoss);
    out(std::string("lr"), e.lr);
    out(std::string("grad_norm"), e.gradNorm);
    out(std::string("tokens_per_s"), e.tokensPerSecond);
    if (std::isfinite(e.lossZ)) {
        out(std::string("loss_z"), e.lossZ);
    }
    if (run.reweighting) {
        out(std::string("train_loss_weighted"), e.weightedLoss);
    }
    for (size_t d = 0; d < run.domains.size(); ++d) {
        const std::string& n = run.domains[d];
        if (d < e.domainLoss.size() && std::isfinite(e.domainLoss[d])) {
            out("train_loss." + n, e.domainLoss[d]);
        }
        if (d < e.mixDrawn.size()) {
            out("mix." + n, e.mixDrawn[d]);
        }
        if (d < e.epochs.size() && std::isfinite(e.epochs[d])) {
            out("epochs." + n, e.epochs[d]);
        }
        if (run.reweighting && d < e.gradShare.size()) {
            out("grad_share." + n, e.gradShare[d]);
        }
    }
}

/// Calls out(name, value) for every metric of one evaluation: per domain, then the mean.
template <class Emit>
void forEachEvalMetric(const EvalEvent& e, const RunFacts& run, Emit&& out) {
    for (size_t d = 0; d < run.domains.size() && d < e.domainLoss.size(); ++d) {
        out("val_loss." + run.domains[d], e.domainLoss[d]);
        if (d < e.domainBpb.size()) {
            out("val_bpb." + run.domains[d], e.domainBpb[d]);
        }
    }
    out(std::string("val_loss"), e.meanLoss);
}

}  // namespace anneal
