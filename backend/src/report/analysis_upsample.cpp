// SPDX-License-Identifier: GPL-3.0-or-later
// Data-mixture study: end-of-training upsampling windows (METHODS 5).
#include <algorithm>
#include <cmath>

#include "report_internal.h"

namespace anneal::report::detail {

namespace {

/// Index of the domain the upsampled mix raises most against the base mix, -1 when none rises.
int upsampledDomain(const ExperimentSpec& spec) {
    if (!spec.mixture.upsample.enabled) {
        return -1;
    }
    const std::vector<double> base = normalisedWeights(spec);
    std::vector<double> up;
    double sum = 0;
    for (const auto& d : spec.data.domains) {
        auto it = spec.mixture.upsample.weights.find(d.name);
        up.push_back(it != spec.mixture.upsample.weights.end() ? it->second : d.weight);
        sum += up.back();
    }
    int best = -1;
    double gain = 0;
    for (size_t i = 0; i < up.size(); ++i) {
        const double g = (sum > 0 ? up[i] / sum : 0) - base[i];
        if (g > gain) {
            gain = g;
            best = static_cast<int>(i);
        }
    }
    return best;
}

/// The base-weighted mean of the validation losses of every domain but `skip`.
double generalLoss(const RunSummary& r, const std::string& skip) {
    const std::vector<double> w = normalisedWeights(r.spec);
    double sum = 0, wsum = 0;
    for (size_t i = 0; i < r.spec.data.domains.size(); ++i) {
        const auto& name = r.spec.data.domains[i].name;
        const double v = r.domainLoss(name);
        if (name == skip || !std::isfinite(v) || w[i] <= 0) {
            continue;
        }
        sum += w[i] * v;
        wsum += w[i];
    }
    return wsum > 0 ? sum / wsum : kNaN;
}

std::string windowKey(double w) { return "window." + std::to_string(static_cast<int>(std::lround(100 * w))); }

}  // namespace

void analyzeUpsample(Context& c) {
    Report& rep = c.report;
    std::vector<const RunSummary*> none, windows;
    std::string target;
    for (const auto& r : rep.runs) {
        const int d = upsampledDomain(r.spec);
        if (d < 0) {
            none.push_back(&r);
        } else {
            windows.push_back(&r);
            if (target.empty()) {
                target = r.spec.data.domains[static_cast<size_t>(d)].name;
            }
        }
    }
    std::stable_sort(windows.begin(), windows.end(), [](const RunSummary* a, const RunSummary* b) {
        return a->spec.mixture.upsample.startFraction > b->spec.mixture.upsample.startFraction;
    });
    Section s;
    s.heading = "Upsampling windows: the target domain against the general loss";
    s.paragraphs.push_back(
        "Blakeney et al. (arXiv:2406.03476, METHODS 5): switching to a mix that upsamples a small domain for "
        "the "
        "last 5–30% of training, with the LR schedule unchanged, improves that domain; 10–20% was their best "
        "trade-off against general ability. Each window below is a branch of the run without upsampling at "
        "the "
        "step where its window starts. *general* is the base-weighted validation loss of the other domains.");
    if (target.empty()) {
        rep.warnings.push_back(
            "upsample-window: no run of the group has a [mixture.upsample] that raises a domain");
        rep.sections.push_back(std::move(s));
        return;
    }
    const RunSummary* base = none.empty() ? nullptr : none.front();
    const double baseT = base ? base->domainLoss(target) : kNaN;
    const double baseG = base ? generalLoss(*base, target) : kNaN;
    Table t;
    t.header = {"run",     "window",  "upsampled mix", "val " + target + " (target)",
                "vs none", "general", "vs none",       "target gain / general cost",
                "val_loss"};
    auto mixText = [](const RunSummary& r) {
        std::string m;
        for (const auto& [k, v] : r.spec.mixture.upsample.weights) {
            m += (m.empty() ? "" : ", ") + k + " " + formatNumber(v, 2);
        }
        return m;
    };
    if (base) {
        t.rows.push_back({displayName(*base), "none", "", formatNumber(baseT), "baseline",
                          formatNumber(baseG), "baseline", "", formatNumber(base->valLoss)});
        addNumber(rep, "none.target", baseT);
        addNumber(rep, "none.general", baseG);
    }
    Series targetPts, generalPts;
    targetPts.label = "target (" + target + ") vs none";
    generalPts.label = "general vs none";
    targetPts.style = generalPts.style = "line+markers";
    const RunSummary* best = nullptr;
    const RunSummary* bestRatio = nullptr;
    double bestRatioValue = -INFINITY;
    for (const auto* r : windows) {
        const double w = 1.0 - r->spec.mixture.upsample.startFraction;
        const double vt = r->domainLoss(target), vg = generalLoss(*r, target);
        // How much the target gains per unit of general loss paid (only when both move the expected way).
        const double ratio = (vt < baseT && vg > baseG) ? (baseT - vt) / (vg - baseG) : kNaN;
        t.rows.push_back({displayName(*r), percent(w, 0), mixText(*r), formatNumber(vt),
                          signedNumber(vt - baseT), formatNumber(vg), signedNumber(vg - baseG),
                          formatNumber(ratio, 2), formatNumber(r->valLoss)});
        addNumber(rep, windowKey(w) + ".gain_per_cost", ratio);
        if (std::isfinite(ratio) && ratio > bestRatioValue) {
            bestRatioValue = ratio;
            bestRatio = r;
        }
        addNumber(rep, windowKey(w) + ".target", vt);
        addNumber(rep, windowKey(w) + ".general", vg);
        addNumber(rep, windowKey(w) + ".delta_target", vt - baseT);
        addNumber(rep, windowKey(w) + ".delta_general", vg - baseG);
        targetPts.x.push_back(100 * w);
        targetPts.y.push_back(vt - baseT);
        generalPts.x.push_back(100 * w);
        generalPts.y.push_back(vg - baseG);
        if (!best || vt < best->domainLoss(target)) {
            best = r;
        }
    }
    s.tables.push_back(std::move(t));
    if (best && base) {
        const double w = 1.0 - best->spec.mixture.upsample.startFraction;
        s.notes.push_back("Lowest target loss: the " + percent(w, 0) + " window (" +
                          formatNumber(best->domainLoss(target)) + ", " +
                          signedNumber(best->domainLoss(target) - baseT) +
                          " against no upsampling), at a general-loss cost of " +
                          signedNumber(generalLoss(*best, target) - baseG) + "." +
                          (bestRatio ? " Most target gain per unit of general cost: the " +
                                           percent(1.0 - bestRatio->spec.mixture.upsample.startFraction, 0) +
                                           " window (" + formatNumber(bestRatioValue, 2) + ")."
                                     : std::string()));
    }
    rep.sections.push_back(std::move(s));

    std::int64_t T = 0, first = -1;
    for (const auto* r : windows) {
        T = std::max(T, r->spec.train.steps);
        const std::int64_t st = r->record.branchStep.value_or(static_cast<std::int64_t>(
            std::floor(r->spec.mixture.upsample.startFraction * static_cast<double>(r->spec.train.steps))));
        first = first < 0 ? st : std::min(first, st);
    }
    for (const std::string& which : {std::string("target"), std::string("general")}) {
        Figure f;
        const bool isT = which == "target";
        f.file = isT ? "upsample-target.png" : "upsample-general.png";
        std::string other;
        for (const auto& d : rep.runs.front().domains) {
            if (d != target) {
                other = d;
                break;
            }
        }
        const std::string metric = "val_loss." + (isT ? target : other);
        f.title = isT ? "Target domain (" + target + "): validation loss"
                      : "General domain (" + other + "): validation loss";
        for (const auto* r : none) {
            f.series.push_back(runSeries(displayName(*r) + " (no upsampling)", *r, metric));
        }
        for (const auto* r : windows) {
            f.series.push_back(runSeries(displayName(*r), *r, metric));
        }
        f.xMin = 0.8 * static_cast<double>(first);
        f.xMax = static_cast<double>(T);
        fitYRange(f, c.store);
        f.caption = metric + " from step " + std::to_string(static_cast<long long>(f.xMin)) + " on.";
        rep.figures.push_back(f);
    }
    Figure fin;
    fin.file = "upsample-final.png";
    fin.title = "Final loss change against the run without upsampling";
    fin.xLabel = "upsampling window (% of steps)";
    fin.yLabel = "final loss − no upsampling (nats/token)";
    fin.series = {targetPts, generalPts};
    fin.references.push_back({0.0, "no upsampling"});
    fin.xMin = 0;
    fin.xMax = targetPts.x.empty() ? 35 : 5 + *std::max_element(targetPts.x.begin(), targetPts.x.end());
    fitYRange(fin, c.store);
    fin.caption =
        "Below zero is better than no upsampling: the target domain gains, the general domains pay.";
    rep.figures.push_back(fin);
}

}  // namespace anneal::report::detail
