// SPDX-License-Identifier: GPL-3.0-or-later
// Data-mixture studies: end-of-training upsampling windows (METHODS 5), temperature sampling against
// upweighting and a temperature cooldown (METHODS 4), continued pre-training with re-warming and
// replay against training on the union (METHODS 1.7).
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
        "Blakeney et al. (arXiv:2406.03476, METHODS 5): switching to a mix that upsamples a small domain for the "
        "last 5–30% of training, with the LR schedule unchanged, improves that domain; 10–20% was their best "
        "trade-off against general ability. Each window below is a branch of the run without upsampling at the "
        "step where its window starts. *general* is the base-weighted validation loss of the other domains.");
    if (target.empty()) {
        rep.warnings.push_back("upsample-window: no run of the group has a [mixture.upsample] that raises a domain");
        rep.sections.push_back(std::move(s));
        return;
    }
    const RunSummary* base = none.empty() ? nullptr : none.front();
    const double baseT = base ? base->domainLoss(target) : kNaN;
    const double baseG = base ? generalLoss(*base, target) : kNaN;
    Table t;
    t.header = {"run", "window", "upsampled mix", "val " + target + " (target)", "vs none", "general", "vs none",
                "target gain / general cost", "val_loss"};
    auto mixText = [](const RunSummary& r) {
        std::string m;
        for (const auto& [k, v] : r.spec.mixture.upsample.weights) {
            m += (m.empty() ? "" : ", ") + k + " " + formatNumber(v, 2);
        }
        return m;
    };
    if (base) {
        t.rows.push_back({displayName(*base), "none", "", formatNumber(baseT), "baseline", formatNumber(baseG), "baseline", "",
                          formatNumber(base->valLoss)});
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
        t.rows.push_back({displayName(*r), percent(w, 0), mixText(*r), formatNumber(vt), signedNumber(vt - baseT), formatNumber(vg),
                          signedNumber(vg - baseG), formatNumber(ratio, 2), formatNumber(r->valLoss)});
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
        s.notes.push_back("Lowest target loss: the " + percent(w, 0) + " window (" + formatNumber(best->domainLoss(target)) + ", " +
                          signedNumber(best->domainLoss(target) - baseT) + " against no upsampling), at a general-loss cost of " +
                          signedNumber(generalLoss(*best, target) - baseG) + "." +
                          (bestRatio ? " Most target gain per unit of general cost: the " +
                                           percent(1.0 - bestRatio->spec.mixture.upsample.startFraction, 0) + " window (" +
                                           formatNumber(bestRatioValue, 2) + ")."
                                     : std::string()));
    }
    rep.sections.push_back(std::move(s));

    std::int64_t T = 0, first = -1;
    for (const auto* r : windows) {
        T = std::max(T, r->spec.train.steps);
        const std::int64_t st = r->record.branchStep.value_or(
            static_cast<std::int64_t>(std::floor(r->spec.mixture.upsample.startFraction * static_cast<double>(r->spec.train.steps))));
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
        f.title = isT ? "Target domain (" + target + "): validation loss" : "General domain (" + other + "): validation loss";
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
    fin.caption = "Below zero is better than no upsampling: the target domain gains, the general domains pay.";
    rep.figures.push_back(fin);
}

namespace {

std::string mixtureText(const ExperimentSpec& s) {
    std::string m;
    const MixtureSpec& mx = s.mixture;
    if (mx.kind == "temperature") {
        m = mx.temperatureSchedule == "constant"
                ? "sampling T = " + formatNumber(mx.temperature, 1)
                : "sampling T " + formatNumber(mx.temperature, 1) + " → " + formatNumber(mx.temperatureEnd, 1) + " (" +
                      mx.temperatureSchedule + ")";
    } else {
        m = "static weights";
    }
    if (s.reweight.strategy == "domain_scalarization") {
        m += s.reweight.temperature > 0 ? ", loss upweighted to T = " + formatNumber(s.reweight.temperature, 1)
                                        : ", loss upweighted by domain_weights";
    } else if (s.reweight.strategy != "none") {
        m += ", reweight " + s.reweight.strategy;
    }
    return m;
}

}  // namespace

void analyzeTemperature(Context& c) {
    Report& rep = c.report;
    Section s;
    s.heading = "Temperature sampling, upweighting and a temperature cooldown";
    s.paragraphs.push_back(
        "Li et al. (arXiv:2410.04579, METHODS 4): on a heavily imbalanced mix, temperature sampling (p ∝ size^(1/T)) "
        "and scalarization (sampling by size, loss weighted by p(T)/q) have the same expected objective but not the "
        "same dynamics: sampling has the lower gradient variance and converges faster but repeats the small domain "
        "and overfits it at high T; their *Cooldown* starts at a high T and lowers it. The small domain below is "
        "finite and repeats in epochs; its validation set is separate.");
    const RunSummary& any = rep.runs.front();
    int small = -1, large = -1;
    for (size_t i = 0; i < any.spec.data.domains.size(); ++i) {
        const auto sz = any.spec.data.domains[i].size;
        if (sz > 0 && (small < 0 || sz < any.spec.data.domains[static_cast<size_t>(small)].size)) {
            small = static_cast<int>(i);
        }
        if (sz > 0 && (large < 0 || sz > any.spec.data.domains[static_cast<size_t>(large)].size)) {
            large = static_cast<int>(i);
        }
    }
    if (small < 0 || large < 0 || small == large) {
        rep.warnings.push_back("temperature-vs-upweight: the runs need at least two domains with a size");
        rep.sections.push_back(std::move(s));
        return;
    }
    const std::string sn = any.spec.data.domains[static_cast<size_t>(small)].name;
    const std::string ln = any.spec.data.domains[static_cast<size_t>(large)].name;
    Table t;
    t.header = {"run", "method", "size of " + sn, "epochs of " + sn, "val " + sn + " final", "best", "at step", "final − best",
                "val " + ln + " final"};
    for (const auto& r : rep.runs) {
        const double epochs = lastValue(c.store, r.record.id, "epochs." + sn);
        const MetricSeries v = c.store.metric(r.record.id, "val_loss." + sn, true);
        double best = kNaN;
        std::int64_t bestStep = -1;
        for (size_t i = 0; i < v.values.size(); ++i) {
            if (std::isfinite(v.values[i]) && !(v.values[i] >= best)) {
                best = v.values[i];
                bestStep = v.steps[i];
            }
        }
        const double fin = r.domainLoss(sn);
        const int si = r.spec.domainIndex(sn);
        const std::int64_t size = si >= 0 ? r.spec.data.domains[static_cast<size_t>(si)].size : 0;
        t.rows.push_back({displayName(r), mixtureText(r.spec), std::to_string(size), formatNumber(epochs, 1), formatNumber(fin), formatNumber(best),
                          std::to_string(bestStep), signedNumber(fin - best), formatNumber(r.domainLoss(ln))});
        const std::string k = displayName(r);
        addNumber(rep, k + ".small_final", fin);
        addNumber(rep, k + ".small_best", best);
        addNumber(rep, k + ".large_final", r.domainLoss(ln));
        addNumber(rep, k + ".small_epochs", epochs);
    }
    s.tables.push_back(std::move(t));
    s.notes.push_back("*final − best* is how far the small domain's validation loss rose from its minimum by the end "
                      "(overfitting the repeated data); *epochs* is how often its training sequences were seen by the end.");
    rep.sections.push_back(std::move(s));
    for (const auto& [file, dom, what] : {std::make_tuple("temperature-small.png", sn, "small"), std::make_tuple("temperature-large.png", ln, "large")}) {
        Figure f;
        f.file = file;
        f.title = std::string("Validation loss of the ") + what + " domain (" + dom + ")";
        for (const auto& r : rep.runs) {
            f.series.push_back(runSeries(displayName(r), r, "val_loss." + dom));
        }
        f.xMin = 0.1 * static_cast<double>(any.spec.train.steps);
        f.xMax = static_cast<double>(any.spec.train.steps);
        fitYRange(f, c.store);
        f.caption = "val_loss." + dom + " of each method.";
        rep.figures.push_back(f);
    }
    Figure mix;
    mix.file = "temperature-mix.png";
    mix.title = "Share of the small domain (" + sn + ") in the batches";
    mix.yLabel = "fraction of samples drawn (moving average)";
    for (const auto& r : rep.runs) {
        // The raw per-step share is a multiple of 1/batch (noise that buries the methods' levels),
        // so the figure draws its centred moving average over about 1/25 of training.
        const MetricSeries m = c.store.metric(r.record.id, "mix." + sn);
        Series sr;
        sr.label = displayName(r);
        const std::size_t n = m.values.size();
        const std::size_t half = std::max<std::size_t>(1, n / 50);
        const std::size_t stride = std::max<std::size_t>(1, n / 300);
        double sum = 0;
        std::size_t lo = 0, hi = 0;  // the window [lo, hi)
        for (std::size_t i = 0; i < n; ++i) {
            for (; hi < std::min(n, i + half + 1); ++hi) {
                sum += m.values[hi];
            }
            for (; lo + half < i; ++lo) {
                sum -= m.values[lo];
            }
            if (i % stride == 0 || i + 1 == n) {  // a few hundred points: the average is smooth
                sr.x.push_back(static_cast<double>(m.steps[i]));
                sr.y.push_back(sum / static_cast<double>(hi - lo));
            }
        }
        mix.series.push_back(sr);
    }
    mix.caption = "mix." + sn +
                  ": what each method actually sampled, a moving average over about 4% of training (upweighting "
                  "samples by size and scales the loss instead).";
    rep.figures.push_back(mix);
}

void analyzeContinued(Context& c) {
    Report& rep = c.report;
    std::vector<const RunSummary*> stage1, branches, union_;
    for (const auto& r : rep.runs) {
        if (r.isBranch()) {
            branches.push_back(&r);
        }
    }
    for (const auto& r : rep.runs) {
        if (r.isBranch()) {
            continue;
        }
        const bool hasBranch = std::any_of(branches.begin(), branches.end(),
                                           [&](const RunSummary* b) { return *b->record.parentId == r.record.id; });
        (hasBranch ? stage1 : union_).push_back(&r);
    }
    Section s;
    s.heading = "Continued pre-training: re-warming, re-decaying and replay against the union";
    s.paragraphs.push_back(
        "Ibrahim et al. (arXiv:2403.08763, METHODS 1.7): a model trained on A and then on B forgets A; re-warming "
        "and re-decaying the LR on B with a little replay of A (5% for a weak shift, up to 25% for a strong one) "
        "comes close to retraining from scratch on A ∪ B at a fraction of the cost. Stage 2 runs are branches of "
        "the stage 1 run from its final checkpoint; the union run trains from scratch on both for the same total "
        "steps.");
    if (stage1.empty() || branches.empty()) {
        rep.warnings.push_back("continued-pretraining: the group needs a stage 1 run with stage 2 branches");
        rep.sections.push_back(std::move(s));
        return;
    }
    const RunSummary& s1 = *stage1.front();
    std::string A, B;
    for (size_t i = 0; i < s1.spec.data.domains.size(); ++i) {
        const auto& d = s1.spec.data.domains[i];
        if (d.weight > 0 && A.empty()) {
            A = d.name;
        }
        if (d.weight <= 0 && B.empty()) {
            for (const auto* b : branches) {
                if (b->spec.data.domains.size() > i && b->spec.data.domains[i].weight > 0) {
                    B = d.name;
                }
            }
        }
    }
    if (A.empty() || B.empty()) {
        rep.warnings.push_back("continued-pretraining: cannot tell the old domain (weight > 0 in stage 1) from the new "
                               "one (weight 0 in stage 1, > 0 in its branches)");
        rep.sections.push_back(std::move(s));
        return;
    }
    const double a1 = s1.domainLoss(A);
    Table t;
    t.header = {"run", "stage", "schedule", "replay of " + A, "steps", "val " + A + " (old)", "forgetting", "val " + B + " (new)",
                "mean of both"};
    auto row = [&](const RunSummary& r, const std::string& stage) {
        const double va = r.domainLoss(A), vb = r.domainLoss(B);
        const std::string replay =
            r.spec.mixture.replay.enabled ? percent(r.spec.mixture.replay.fraction, 0) : (stage == "2" ? "0%" : "");
        t.rows.push_back({displayName(r), stage, scheduleText(r.spec), replay, std::to_string(r.spec.train.steps), formatNumber(va),
                          stage == "2" ? signedNumber(va - a1) : "", formatNumber(vb), formatNumber(0.5 * (va + vb))});
        const std::string k = displayName(r);
        addNumber(rep, k + ".old", va);
        addNumber(rep, k + ".new", vb);
        addNumber(rep, k + ".mean", 0.5 * (va + vb));
    };
    row(s1, "1");
    const RunSummary* best = nullptr;
    for (const auto* b : branches) {
        row(*b, "2");
        if (!best || b->domainLoss(A) + b->domainLoss(B) < best->domainLoss(A) + best->domainLoss(B)) {
            best = b;
        }
    }
    for (const auto* u : union_) {
        row(*u, "union");
    }
    s.tables.push_back(std::move(t));
    if (best && !union_.empty()) {
        const RunSummary& u = *union_.front();
        const double bm = 0.5 * (best->domainLoss(A) + best->domainLoss(B));
        const double um = 0.5 * (u.domainLoss(A) + u.domainLoss(B));
        s.notes.push_back("Best stage 2 run by the mean of both domains: **" + displayName(*best) + "** (" + formatNumber(bm) +
                          "), " + signedNumber(bm - um) + " against the union run (" + formatNumber(um) + "). It spent " +
                          std::to_string(best->spec.train.steps - *best->record.branchStep) +
                          " steps on stage 2 after the shared stage 1; the union run spent " + std::to_string(u.spec.train.steps) +
                          ". *forgetting* is the rise of " + A + "'s loss from the end of stage 1 (" + formatNumber(a1) + ").");
        addNumber(rep, "best.mean_minus_union", bm - um);
    }
    rep.sections.push_back(std::move(s));
    const std::int64_t T = branches.front()->spec.train.steps;
    for (const auto& [file, dom] : {std::make_pair(std::string("cpt-old.png"), A), std::make_pair(std::string("cpt-new.png"), B)}) {
        Figure f;
        f.file = file;
        f.title = "Validation loss on " + dom + (dom == A ? " (old domain)" : " (new domain)");
        for (const auto* r : stage1) {
            f.series.push_back(runSeries(displayName(*r) + " (stage 1)", *r, "val_loss." + dom));
        }
        for (const auto* r : branches) {
            f.series.push_back(runSeries(displayName(*r), *r, "val_loss." + dom));
        }
        for (const auto* r : union_) {
            f.series.push_back(runSeries(displayName(*r) + " (union)", *r, "val_loss." + dom));
        }
        f.xMin = 0.1 * static_cast<double>(T);
        f.xMax = static_cast<double>(T);
        fitYRange(f, c.store);
        f.caption = "val_loss." + dom + "; stage 2 branches start at step " + std::to_string(*branches.front()->record.branchStep) + ".";
        rep.figures.push_back(f);
    }
    Figure lr;
    lr.file = "cpt-lr.png";
    lr.title = "Learning rate";
    lr.yLabel = "learning rate";
    for (const auto* r : branches) {
        lr.series.push_back(runSeries(displayName(*r), *r, "lr"));
    }
    for (const auto* r : union_) {
        lr.series.push_back(runSeries(displayName(*r) + " (union)", *r, "lr"));
    }
    lr.caption = "Stage 1 cosine, then each branch's re-warm (or not) and re-decay; the union run's single cosine.";
    rep.figures.push_back(lr);
}

}  // namespace anneal::report::detail
