// SPDX-License-Identifier: GPL-3.0-or-later
// Schedule studies: WSD cooldowns against cosine at equal tokens (METHODS 1.6), and the LR-annealing
// law fitted on some schedules predicting the others (METHODS 2).
#include <algorithm>
#include <cmath>
#include <map>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/from_runs.h"
#include "report_internal.h"

namespace anneal::report::detail {

namespace {

bool isCooldown(const RunSummary& r) {
    return r.spec.schedule.kind == "wsd" && r.spec.schedule.decayFraction > 0;
}
bool isStable(const RunSummary& r) {
    return r.spec.schedule.kind == "constant" ||
           (r.spec.schedule.kind == "wsd" && r.spec.schedule.decayFraction <= 0);
}
std::int64_t tokensOf(const RunSummary& r) {
    return r.spec.train.steps * r.spec.data.batchSize * r.spec.model.context;
}
std::string cooldownKey(const RunSummary& r) {
    return "cooldown." + std::to_string(static_cast<int>(std::lround(100 * r.spec.schedule.decayFraction))) +
           "." + r.spec.schedule.decayShape;
}

}  // namespace

void analyzeWsd(Context& c) {
    Report& rep = c.report;
    std::vector<const RunSummary*> cosine, stable, cool;
    for (const auto& r : rep.runs) {
        if (r.spec.schedule.kind == "cosine") {
            cosine.push_back(&r);
        } else if (isCooldown(r)) {
            cool.push_back(&r);
        } else if (isStable(r)) {
            stable.push_back(&r);
        }
    }
    std::stable_sort(cool.begin(), cool.end(), [](const RunSummary* a, const RunSummary* b) {
        return std::make_pair(a->spec.schedule.decayFraction, a->spec.schedule.decayShape) <
               std::make_pair(b->spec.schedule.decayFraction, b->spec.schedule.decayShape);
    });
    Section s;
    s.heading = "WSD cooldowns against cosine";
    if (cosine.empty() || cool.empty()) {
        rep.warnings.push_back(
            "wsd-vs-cosine: the group needs a cosine run and WSD runs with a cooldown "
            "(schedule.decay_fraction > 0); found " +
            std::to_string(cosine.size()) + " and " + std::to_string(cool.size()));
    }
    const RunSummary* base = cosine.empty() ? nullptr : cosine.front();
    const double baseLoss = base ? base->valLoss : kNaN;
    if (base) {
        addNumber(rep, "cosine.val_loss", baseLoss);
    }
    Table t;
    t.header = {"run", "schedule", "cooldown", "tokens", "final val_loss", "vs cosine", "vs cosine (%)"};
    auto row = [&](const RunSummary& r, const std::string& cooldown) {
        const double d = r.valLoss - baseLoss;
        t.rows.push_back({displayName(r), scheduleText(r.spec), cooldown, std::to_string(tokensOf(r)),
                          formatNumber(r.valLoss), &r == base ? "baseline" : signedNumber(d),
                          &r == base ? "" : signedNumber(100 * d / baseLoss, 2) + "%"});
    };
    for (const auto* r : cosine) {
        row(*r, "");
    }
    for (const auto* r : stable) {
        row(*r, "none (stable LR)");
        addNumber(rep, "stable.val_loss", r->valLoss);
    }
    bool equalTokens = true;
    const RunSummary* best = nullptr;
    for (const auto* r : cool) {
        const int from = static_cast<int>(r->spec.train.steps -
                                          std::llround(r->spec.schedule.decayFraction * r->spec.train.steps));
        row(*r, percent(r->spec.schedule.decayFraction, 0) + " " + r->spec.schedule.decayShape +
                    " (from step " + std::to_string(from) + ")");
        addNumber(rep, cooldownKey(*r) + ".val_loss", r->valLoss);
        addNumber(rep, cooldownKey(*r) + ".delta", r->valLoss - baseLoss);
        equalTokens = equalTokens && (!base || tokensOf(*r) == tokensOf(*base));
        if (!best || r->valLoss < best->valLoss) {
            best = r;
        }
    }
    s.paragraphs.push_back(
        "Hägele et al. (arXiv:2405.18392, METHODS 1.6): a constant LR with a short cooldown matches a cosine "
        "schedule "
        "of the same length; a cooldown of about 20% of the steps suffices and the 1-sqrt shape beats "
        "linear. Each "
        "cooldown is branched from the stable run's checkpoint, so it costs only its own steps. Final losses "
        "below; "
        "a negative difference means the cooldown ends lower than cosine.");
    s.tables.push_back(std::move(t));
    if (best && base) {
        const double rel = (best->valLoss - baseLoss) / baseLoss;
        std::string within;
        for (const auto* r : cool) {
            if (std::fabs(r->valLoss - baseLoss) <= 0.005 * baseLoss) {
                within += (within.empty() ? "" : ", ") + percent(r->spec.schedule.decayFraction, 0) + " " +
                          r->spec.schedule.decayShape;
            }
        }
        s.notes.push_back("Best cooldown: **" + displayName(*best) + "** (" + formatNumber(best->valLoss) +
                          ", " + signedNumber(100 * rel, 2) + "% against cosine " + formatNumber(baseLoss) +
                          "). Cooldowns within "
                          "±0.5% of cosine: " +
                          (within.empty() ? "none" : within) + "." +
                          (equalTokens ? " All compared runs train on the same number of tokens."
                                       : " **The runs do not all train on the same number of tokens.**"));
        addNumber(rep, "best.delta", best->valLoss - baseLoss);
    }
    rep.sections.push_back(std::move(s));

    // Figures: the end of the curves, the LR schedules, final loss against cooldown length.
    std::int64_t T = 0, firstBranch = -1;
    for (const auto& r : rep.runs) {
        T = std::max(T, r.spec.train.steps);
        if (r.isBranch()) {
            firstBranch =
                firstBranch < 0 ? *r.record.branchStep : std::min(firstBranch, *r.record.branchStep);
        }
    }
    Figure curves;
    curves.file = "wsd-val-loss.png";
    curves.title = "Validation loss at the end of training: WSD cooldowns and cosine";
    for (const auto* r : cosine) {
        curves.series.push_back(runSeries(displayName(*r), *r, "val_loss"));
    }
    for (const auto* r : stable) {
        curves.series.push_back(runSeries(displayName(*r), *r, "val_loss"));
    }
    for (const auto* r : cool) {
        curves.series.push_back(runSeries(displayName(*r), *r, "val_loss"));
    }
    const double from =
        firstBranch > 0 ? 0.8 * static_cast<double>(firstBranch) : 0.5 * static_cast<double>(T);
    curves.xMin = from;
    curves.xMax = static_cast<double>(T);
    fitYRange(curves, c.store);
    curves.caption = "val_loss from step " + std::to_string(static_cast<long long>(from)) +
                     " on; each cooldown branch continues its parent's curve.";
    rep.figures.push_back(curves);

    Figure lr = curves;
    lr.file = "wsd-lr.png";
    lr.title = "Learning rate";
    lr.yLabel = "learning rate";
    lr.xMin = lr.xMax = lr.yMin = lr.yMax = kNaN;
    for (auto& se : lr.series) {
        se.metric = "lr";
    }
    lr.caption = "The schedules: warmup, then cosine, or a constant LR with a cooldown branched off.";
    rep.figures.push_back(lr);

    if (!cool.empty()) {
        Figure fin;
        fin.file = "wsd-final.png";
        fin.title = "Final validation loss against cooldown length";
        fin.xLabel = "cooldown (% of steps)";
        fin.yLabel = "final val_loss (nats/token)";
        std::map<std::string, Series> byShape;
        for (const auto* r : cool) {
            Series& se = byShape[r->spec.schedule.decayShape];
            se.label = r->spec.schedule.decayShape + " cooldown";
            se.style = "line+markers";
            se.x.push_back(100 * r->spec.schedule.decayFraction);
            se.y.push_back(r->valLoss);
        }
        for (auto& [shape, se] : byShape) {
            fin.series.push_back(se);
        }
        if (base) {
            fin.references.push_back({baseLoss, "cosine " + formatNumber(baseLoss)});
        }
        fin.xMin = 0;
        fin.xMax = 5 + 100 * cool.back()->spec.schedule.decayFraction;
        fitYRange(fin, c.store);
        fin.caption = "Each point is one cooldown branch; the dashed line is the cosine baseline.";
        rep.figures.push_back(fin);
    }
}

void analyzeLrLaw(Context& c) {
    Report& rep = c.report;
    std::vector<const RunSummary*> fitRuns, others;
    for (const auto& r : rep.runs) {
        if (r.record.status != RunStatus::Completed) {
            continue;
        }
        const std::string& k = r.spec.schedule.kind;
        if (!r.isBranch() && (k == "constant" || k == "cosine" || isStable(r))) {
            fitRuns.push_back(&r);
        } else {
            others.push_back(&r);
        }
    }
    Section s;
    s.heading = "The LR-annealing law: fitted on constant and cosine, predicting the rest";
    s.paragraphs.push_back(
        "Tissue et al. (arXiv:2408.11029, METHODS 2): L(s) = L0 + A·S1(s)^(−α) − C·S2(s), with S1 the area "
        "under the "
        "LR curve and S2 the annealing area (momentum λ = 0.999). The law is fitted on the whole val_loss "
        "curves of "
        "the runs marked *fit* (Huber on log residuals, L-BFGS from a grid, docs/FITTING.md) and then "
        "predicts every "
        "other run's curve from its LR schedule alone.");
    if (fitRuns.empty()) {
        rep.warnings.push_back("lr-annealing-law: no completed constant or cosine run to fit on");
        rep.sections.push_back(std::move(s));
        return;
    }
    // The law describes the loss after the early transient; points in the first 20% of a run (the
    // first drop from ln 256, and a source's learning phases) are left out of the fit (weight 0)
    // but stay in S1 and S2 through the LR history.
    constexpr double kSkipFraction = 0.2;
    std::int64_t skip = 0;
    fit::FitInput in;
    for (const auto* r : fitRuns) {
        fit::Curve cv = fit::curveFromRun(c.store, r->record.id, "val_loss");
        cv.name = displayName(*r);
        const auto from = static_cast<std::int64_t>(kSkipFraction * static_cast<double>(r->spec.train.steps));
        skip = std::max(skip, from);
        cv.weights.clear();
        for (const auto st : cv.steps) {
            cv.weights.push_back(st >= from ? 1.0 : 0.0);
        }
        in.curves.push_back(std::move(cv));
    }
    s.paragraphs.push_back(
        "Validation points before step " + std::to_string(skip) +
        " (the first 20% of the runs: the drop from ln 256 and the sources' learning phases) are "
        "left out of the fit; their LR still counts in S1 and S2. Errors below are over the same "
        "range.");
    fit::FitOptions o;
    o.law = "lr_annealing";
    fit::FitResult res;
    try {
        res = fit::fitLaw(in, o);
    } catch (const Error& e) {
        rep.warnings.push_back(std::string("lr-annealing-law: the fit failed: ") + e.what());
        rep.sections.push_back(std::move(s));
        return;
    }
    Table params;
    params.header = {"L0", "A", "alpha", "C", "lambda", "objective", "points fitted"};
    std::vector<std::string> prow;
    for (const auto& p : res.params) {
        prow.push_back(formatNumber(p.value, 4) + (p.fixed ? " (fixed)" : ""));
        addNumber(rep, "fit." + p.name, p.value);
    }
    prow.push_back(formatNumber(res.objective, 6));
    size_t used = 0;
    for (const auto& cv : in.curves) {
        used += static_cast<size_t>(std::count(cv.weights.begin(), cv.weights.end(), 1.0));
    }
    prow.push_back(std::to_string(used));
    params.rows.push_back(prow);
    s.tables.push_back(params);
    for (const auto& w : res.warnings) {
        s.notes.push_back("Fit warning (" + w.field + "): " + w.message);
    }

    Table t;
    t.header = {"run",
                "schedule",
                "role",
                "measured final",
                "predicted final",
                "error",
                "mean |error| over its curve"};
    Figure fig;
    fig.file = "lr-law-curves.png";
    fig.title = "LR-annealing law: measured (solid) and predicted (dashed) validation loss";
    std::int64_t T = 0, W = 0;
    std::vector<std::pair<double, double>> predictedPairs;  // (measured, predicted) of predicted runs
    double maxAbsErr = 0;
    int colour = 0;  // a run and its prediction share a colour
    auto evaluate = [&](const RunSummary& r, bool fitted) {
        const fit::Curve cv = fit::curveFromRun(c.store, r.record.id, "val_loss");
        const std::vector<double> pred = fit::predictCurve(res, cv.lr);
        const std::int64_t own = std::max(r.record.branchStep.value_or(0), skip);
        double sumAbs = 0;
        int n = 0;
        Series ps;
        ps.label = displayName(r) + " (predicted)";
        ps.style = "dash";
        for (size_t i = 0; i < cv.steps.size(); ++i) {
            const auto st = static_cast<size_t>(cv.steps[i]);
            if (st >= pred.size() || !std::isfinite(pred[st])) {
                continue;
            }
            if (cv.steps[i] >= own) {
                sumAbs += std::fabs(pred[st] - cv.losses[i]) / cv.losses[i];
                ++n;
                ps.x.push_back(static_cast<double>(cv.steps[i]));
                ps.y.push_back(pred[st]);
            }
        }
        const double measured = cv.losses.back();
        const double predicted = pred[static_cast<size_t>(cv.steps.back())];
        const double err = (predicted - measured) / measured;
        t.rows.push_back({displayName(r), scheduleText(r.spec), fitted ? "fit" : "predicted",
                          formatNumber(measured), formatNumber(predicted), signedNumber(100 * err, 2) + "%",
                          percent(n ? sumAbs / n : kNaN, 2)});
        const std::string key = displayName(r);
        addNumber(rep, key + ".measured", measured);
        addNumber(rep, key + ".predicted", predicted);
        addNumber(rep, key + ".error", err);
        if (!fitted) {
            predictedPairs.emplace_back(measured, predicted);
            maxAbsErr = std::max(maxAbsErr, std::fabs(err));
        }
        fig.series.push_back(runSeries(displayName(r), r, "val_loss"));
        fig.series.back().withHistory = !fitted;
        fig.series.back().color = colour;
        ps.color = colour++;
        fig.series.push_back(ps);
        T = std::max(T, r.spec.train.steps);
        W = std::max(W, r.spec.schedule.warmupSteps);
    };
    for (const auto* r : fitRuns) {
        evaluate(*r, true);
    }
    for (const auto* r : others) {
        evaluate(*r, false);
    }
    s.tables.push_back(std::move(t));
    if (!predictedPairs.empty()) {
        // Does the law rank the predicted runs' final losses as measured?
        size_t agree = 0, pairs = 0;
        for (size_t i = 0; i < predictedPairs.size(); ++i) {
            for (size_t j = i + 1; j < predictedPairs.size(); ++j) {
                ++pairs;
                agree += (predictedPairs[i].first < predictedPairs[j].first) ==
                         (predictedPairs[i].second < predictedPairs[j].second);
            }
        }
        addNumber(rep, "predicted.max_abs_error", maxAbsErr);
        s.notes.push_back(
            "Largest final-loss error of a predicted run: " + percent(maxAbsErr, 2) + ". The law orders " +
            std::to_string(agree) + " of " + std::to_string(pairs) +
            " pairs of predicted runs as measured. Errors are (predicted − measured)/measured; "
            "\"mean |error| over its curve\" covers the run's own validation points from step " +
            std::to_string(skip) + " (a branch's from its branch step).");
    }
    rep.sections.push_back(std::move(s));
    fig.xMin = static_cast<double>(std::max<std::int64_t>(W, T / 5));
    fig.xMax = static_cast<double>(T);
    fitYRange(fig, c.store);
    fig.caption = "Solid: measured val_loss; dashed: the law's prediction from the run's LR schedule alone.";
    // The same curves over the last 40% of training, where the schedules (and cooldowns) differ.
    Figure end = fig;
    end.file = "lr-law-end.png";
    end.title = "LR-annealing law over the last 40% of training: measured (solid) and predicted (dashed)";
    end.xMin = static_cast<double>(T) * 0.6;
    end.yMin = end.yMax = kNaN;
    fitYRange(end, c.store);
    end.caption =
        "The end of training, where the cooldowns branch off: a prediction and its run share a colour.";
    rep.figures.push_back(fig);
    rep.figures.push_back(end);

    Figure lr;
    lr.file = "lr-law-schedules.png";
    lr.title = "Learning rate of each run";
    lr.yLabel = "learning rate";
    for (const auto* r : fitRuns) {
        lr.series.push_back(runSeries(displayName(*r), *r, "lr"));
    }
    for (const auto* r : others) {
        lr.series.push_back(runSeries(displayName(*r), *r, "lr"));
    }
    lr.caption = "The schedules the law was fitted on and the ones it predicts.";
    rep.figures.push_back(lr);
}

}  // namespace anneal::report::detail
