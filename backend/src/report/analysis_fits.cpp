// SPDX-License-Identifier: GPL-3.0-or-later
// Weight separation under planted noise (METHODS 3, 6) and a scaling fit against the entropy floor
// (METHODS 7).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/from_runs.h"
#include "report_internal.h"

namespace anneal::report::detail {

void analyzeNoisy(Context& c) {
    Report& rep = c.report;
    Section s;
    s.heading = "Reweighting under planted label noise";
    s.paragraphs.push_back(
        "Sow et al. (arXiv:2502.06733, METHODS 3) reweight samples by their loss within the batch (LinUpper: "
        "down-weight the easy ones, cap the hard ones); STORM (Heck et al., arXiv:2412.12955, METHODS 6) "
        "learns a "
        "rescaling that should suppress mislabelled samples — Anneal's `meta_rescale` is a labelled "
        "simplification "
        "(docs/REWEIGHTING.md). Planted noise replaces the continuation of a known fraction of one domain's "
        "training samples with random bytes. *AUC* is the probability that a clean sample of that domain "
        "gets a "
        "larger stored weight than a noisy one (0.5: no separation; 1: every clean sample outweighs every "
        "noisy "
        "one), over the weight snapshots after burn-in (`anneal-cli weights`). The validation sets are "
        "clean.");
    const RunSummary& any = rep.runs.front();
    std::vector<int> noisyDomains;
    for (size_t i = 0; i < any.spec.data.domains.size(); ++i) {
        if (any.spec.data.domains[i].noiseRate > 0) {
            noisyDomains.push_back(static_cast<int>(i));
        }
    }
    if (noisyDomains.empty()) {
        rep.warnings.push_back("noisy-reweighting: no domain has planted noise (params.noise_rate)");
        rep.sections.push_back(std::move(s));
        return;
    }
    const std::string nd = any.spec.data.domains[static_cast<size_t>(noisyDomains.front())].name;
    const double noiseRate = any.spec.data.domains[static_cast<size_t>(noisyDomains.front())].noiseRate;
    const RunSummary* none = nullptr;
    for (const auto& r : rep.runs) {
        if (r.spec.reweight.strategy == "none" && !none) {
            none = &r;
        }
    }
    const double noneVal = none ? none->domainLoss(nd) : kNaN;
    Table t;
    t.header = {"run",
                "strategy",
                "AUC after burn-in",
                "AUC, last quarter",
                "mean weight clean",
                "mean weight noisy",
                "mean weight, other domains",
                "val " + nd + " (clean)",
                "vs none",
                "val_loss"};
    Figure wf;
    wf.file = "noisy-weights.png";
    wf.title = "Mean weight of the noisy samples of " + nd + " per snapshot";
    wf.yLabel = "mean stored weight (1 = plain averaging)";
    for (const auto& r : rep.runs) {
        const std::int64_t burnin = r.spec.reweight.strategy == "none" ? 0 : r.spec.reweight.burninSteps;
        const std::int64_t lateFrom = r.spec.train.steps - r.spec.train.steps / 4;
        std::vector<SampleWeight> all, late;
        double wc = 0, wn = 0, nc = 0, nn = 0, wo = 0, no = 0;
        for (const std::int64_t snap : c.store.weightSnapshotSteps(r.record.id)) {
            for (const auto& w : c.store.weightSnapshot(r.record.id, snap)) {
                if (w.step < burnin) {
                    continue;
                }
                if (std::find(noisyDomains.begin(), noisyDomains.end(), w.domain) == noisyDomains.end()) {
                    wo += w.weight;
                    no += 1;
                    continue;
                }
                all.push_back(w);
                if (w.step >= lateFrom) {
                    late.push_back(w);
                }
                (w.noisy ? wn : wc) += w.weight;
                (w.noisy ? nn : nc) += 1;
            }
        }
        const double auc = cleanOverNoisyAuc(all), aucLate = cleanOverNoisyAuc(late);
        const double v = r.domainLoss(nd);
        t.rows.push_back({displayName(r), r.spec.reweight.strategy, formatNumber(auc, 3),
                          formatNumber(aucLate, 3), formatNumber(nc > 0 ? wc / nc : kNaN, 3),
                          formatNumber(nn > 0 ? wn / nn : kNaN, 3), formatNumber(no > 0 ? wo / no : kNaN, 3),
                          formatNumber(v), &r == none ? "baseline" : signedNumber(v - noneVal),
                          formatNumber(r.valLoss)});
        const std::string k = displayName(r);
        addNumber(rep, k + ".auc", auc);
        addNumber(rep, k + ".auc_late", aucLate);
        addNumber(rep, k + ".weight_clean", nc > 0 ? wc / nc : kNaN);
        addNumber(rep, k + ".weight_noisy", nn > 0 ? wn / nn : kNaN);
        addNumber(rep, k + ".weight_other", no > 0 ? wo / no : kNaN);
        addNumber(rep, k + ".clean_val", v);
        if (all.empty() && r.spec.log.weightsEvery > 0) {
            rep.warnings.push_back("run " + k + ": no stored weights of " + nd + " after step " +
                                   std::to_string(burnin));
        }
        Series ws;
        ws.label = k;
        ws.style = "line+markers";
        for (const auto& st : c.store.weightStats(r.record.id)) {
            if (st.domain == noisyDomains.front() && st.noisyCount > 0 && std::isfinite(st.noisyMean)) {
                ws.x.push_back(static_cast<double>(st.step));
                ws.y.push_back(st.noisyMean);
            }
        }
        wf.series.push_back(ws);
    }
    s.tables.push_back(std::move(t));
    s.notes.push_back(
        formatNumber(100 * noiseRate, 0) + "% of " + nd +
        "'s training samples are noisy. With `none` every weight is 1, so its AUC is 0.5 by construction. "
        "Weights are relative to plain averaging (the batch's mean weight is 1): a separation that comes "
        "with "
        "a low weight for the clean samples too, and a high one for the other domains, moves the whole "
        "domain's share of the gradient, not only the noise's.");
    rep.sections.push_back(std::move(s));
    wf.references.push_back({1.0, "plain averaging"});
    wf.caption =
        "From `anneal-cli weights RUN --summary`: the noisy samples' mean weight in each snapshot; below 1 "
        "they are down-weighted.";
    fitYRange(wf, c.store);
    Figure vf;
    vf.file = "noisy-val.png";
    vf.title = "Clean validation loss of " + nd;
    for (const auto& r : rep.runs) {
        vf.series.push_back(runSeries(displayName(r), r, "val_loss." + nd));
    }
    vf.xMin = 0.1 * static_cast<double>(any.spec.train.steps);
    vf.xMax = static_cast<double>(any.spec.train.steps);
    fitYRange(vf, c.store);
    vf.caption = "val_loss." + nd + " on its clean validation set.";
    rep.figures.push_back(vf);
    rep.figures.push_back(wf);
}

void analyzeScaling(Context& c) {
    Report& rep = c.report;
    Section s;
    s.heading = "Scaling fit against the known entropy floor";
    s.paragraphs.push_back(
        "Chinchilla's L(N, D) = E + A/N^α + B/D^β (Hoffmann et al., arXiv:2203.15556, METHODS 7.2; fitted as "
        "in "
        "docs/FITTING.md: Huber δ = 1e-3 on log residuals, L-BFGS from Hoffmann's 4500-start grid) and a "
        "power law "
        "in compute L(C) = E + A·C^(−α) (METHODS 7.4), on the final validation losses of the group's runs (N "
        "without "
        "embeddings, D the tokens seen, C = 6ND). The synthetic source's entropy rate is known exactly, so "
        "the "
        "irreducible term E can be checked against the truth: the floor below is the mix's entropy floor at "
        "the "
        "model's context.");
    std::vector<std::int64_t> ids;
    double floor = kNaN;
    std::set<double> floors;
    for (const auto& r : rep.runs) {
        if (!r.isBranch() && r.record.status == RunStatus::Completed && std::isfinite(r.valLoss)) {
            ids.push_back(r.record.id);
            floors.insert(r.record.entropyFloor);
            floor = r.record.entropyFloor;
        }
    }
    if (floors.size() > 1) {
        rep.warnings.push_back(
            "scaling-entropy: the runs' entropy floors differ; the table compares E with the last one");
    }
    addNumber(rep, "floor", floor);
    if (ids.size() < 6) {
        rep.warnings.push_back("scaling-entropy: " + std::to_string(ids.size()) +
                               " completed runs; a 5-parameter fit needs more");
        rep.sections.push_back(std::move(s));
        return;
    }
    fit::RunPointOptions po;
    const fit::FitInput pts = fit::pointsFromRuns(c.store, ids, po);
    fit::FitOptions o;
    o.law = "chinchilla";
    o.bootstrap = 200;
    fit::FitResult chin, pow;
    bool haveChin = false, havePow = false;
    try {
        chin = fit::fitLaw(pts, o);
        haveChin = true;
    } catch (const Error& e) {
        rep.warnings.push_back(std::string("scaling-entropy: the chinchilla fit failed: ") + e.what());
    }
    fit::FitInput cin = pts;
    fit::FitOptions po2 = o;
    po2.law = "power";
    po2.variable = "C";
    cin.d.clear();
    cin.n.clear();
    try {
        pow = fit::fitLaw(cin, po2);
        havePow = true;
    } catch (const Error& e) {
        rep.warnings.push_back(std::string("scaling-entropy: the power fit failed: ") + e.what());
    }

    Table fits;
    fits.header = {"law", "E", "95% interval of E", "E − floor", "other parameters", "objective", "points"};
    auto paramText = [](const fit::FitResult& f) {
        std::string p;
        for (const auto& e : f.params) {
            if (e.name != "E") {
                p += (p.empty() ? "" : ", ") + e.name + " " + formatNumber(e.value, e.value > 100 ? 1 : 4);
            }
        }
        return p;
    };
    auto addFit = [&](const std::string& name, const fit::FitResult& f) {
        double E = kNaN, lo = kNaN, hi = kNaN;
        for (const auto& e : f.params) {
            if (e.name == "E") {
                E = e.value;
                lo = e.ciLow;
                hi = e.ciHigh;
            }
            addNumber(rep, name + "." + e.name, e.value);
        }
        addNumber(rep, name + ".E_low", lo);
        addNumber(rep, name + ".E_high", hi);
        addNumber(rep, name + ".E_minus_floor", E - floor);
        fits.rows.push_back({name, formatNumber(E), "[" + formatNumber(lo) + ", " + formatNumber(hi) + "]",
                             signedNumber(E - floor), paramText(f), formatNumber(f.objective, 6),
                             std::to_string(f.nPoints)});
        for (const auto& w : f.warnings) {
            s.notes.push_back(name + " fit warning (" + w.field + "): " + w.message);
        }
        const bool inside = std::isfinite(lo) && lo <= floor && floor <= hi;
        s.notes.push_back("**" + name + "**: E = " + formatNumber(E) + " against the true floor " +
                          formatNumber(floor) + " (" + signedNumber(100 * (E - floor) / floor, 1) +
                          "%); the floor is " + (inside ? "inside" : "outside") +
                          " the bootstrap interval [" + formatNumber(lo) + ", " + formatNumber(hi) + "].");
    };
    if (haveChin) {
        addFit("chinchilla", chin);
    }
    if (havePow) {
        addFit("power(C)", pow);
    }

    Table pts_t;
    pts_t.header = {"run",     "N (non-embedding)",     "D (tokens)", "final val_loss",
                    "− floor", "chinchilla prediction", "residual"};
    std::map<double, Series> byN;
    double dMin = INFINITY, dMax = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
        const RunSummary* r = nullptr;
        for (const auto& x : rep.runs) {
            if (x.record.id == ids[i]) {
                r = &x;
            }
        }
        const double n = pts.n[i], d = pts.d[i], l = pts.loss[i];
        fit::Point p;
        p.n = n;
        p.d = d;
        const double pred = haveChin ? fit::predict(chin, p) : kNaN;
        pts_t.rows.push_back({displayName(*r), formatNumber(n, 0), formatNumber(d, 0), formatNumber(l),
                              formatNumber(l - floor), formatNumber(pred),
                              signedNumber(100 * (pred - l) / l, 2) + "%"});
        Series& se = byN[n];
        se.label = "N = " + formatNumber(n, 0);
        se.style = "markers";
        se.x.push_back(d);
        se.y.push_back(l);
        dMin = std::min(dMin, d);
        dMax = std::max(dMax, d);
    }
    s.tables.push_back(std::move(fits));
    s.tables.push_back(std::move(pts_t));
    rep.sections.push_back(std::move(s));

    Figure f;
    f.file = "scaling-fit.png";
    f.title = "Final validation loss against tokens, with the Chinchilla fit";
    f.xLabel = "tokens D";
    f.logX = true;
    int colorIndex = 0;
    for (auto& [n, se] : byN) {
        se.color = colorIndex;
        std::vector<std::pair<double, double>> xy;
        for (size_t k = 0; k < se.x.size(); ++k) {
            xy.emplace_back(se.x[k], se.y[k]);
        }
        std::sort(xy.begin(), xy.end());
        se.x.clear();
        se.y.clear();
        for (const auto& [x, y] : xy) {
            se.x.push_back(x);
            se.y.push_back(y);
        }
        f.series.push_back(se);
        if (haveChin) {
            Series fitLine;
            fitLine.label = se.label + " (fit)";
            fitLine.style = "dash";
            fitLine.color = colorIndex;
            for (int k = 0; k <= 40; ++k) {
                const double d = dMin * std::pow(dMax / dMin, k / 40.0);
                fit::Point p;
                p.n = n;
                p.d = d;
                fitLine.x.push_back(d);
                fitLine.y.push_back(fit::predict(chin, p));
            }
            f.series.push_back(fitLine);
        }
        ++colorIndex;
    }
    // One label for both lines: they are usually too close for two.
    f.references.push_back(
        {floor,
         "entropy floor " + formatNumber(floor) +
             (haveChin ? " (grey); fitted E " + formatNumber(rep.number("chinchilla.E")) + " (red)" : "")});
    if (haveChin) {
        f.references.push_back({rep.number("chinchilla.E"), ""});
    }
    f.xMin = dMin / 1.3;
    f.xMax = dMax * 1.3;
    fitYRange(f, c.store);
    f.caption =
        "Markers: runs; dashed: L(N, D) of the fit for each model size; horizontal lines: the true floor and "
        "the fitted E.";
    rep.figures.push_back(f);

    Figure cf;
    cf.file = "scaling-curves.png";
    cf.title = "Validation loss against tokens, every run";
    cf.xAxis = "tokens";
    cf.xLabel = "tokens";
    cf.logX = true;
    // One colour per model size, one legend entry per size.
    std::vector<double> sizes;
    for (const auto& [n, se] : byN) {
        sizes.push_back(n);
    }
    std::set<double> labelled;
    for (const auto& r : rep.runs) {
        const double n = static_cast<double>(r.record.paramsNonEmbedding);
        Series se = runSeries("N = " + formatNumber(n, 0), r, "val_loss");
        const auto it = std::find(sizes.begin(), sizes.end(), n);
        se.color = it != sizes.end() ? static_cast<int>(it - sizes.begin()) : -1;
        se.inLegend = labelled.insert(n).second;
        cf.series.push_back(se);
    }
    cf.references.push_back({floor, "entropy floor"});
    fitYRange(cf, c.store);
    cf.caption =
        "Each run's val_loss curve, coloured by model size; each run has its own cosine schedule to its "
        "token budget.";
    rep.figures.push_back(cf);
}

}  // namespace anneal::report::detail
