// SPDX-License-Identifier: GPL-3.0-or-later
// Data-mixture study: temperature sampling against upweighting, and a temperature cooldown (METHODS 4).
#include <algorithm>
#include <cmath>

#include "report_internal.h"

namespace anneal::report::detail {

namespace {

std::string mixtureText(const ExperimentSpec& s) {
    std::string m;
    const MixtureSpec& mx = s.mixture;
    if (mx.kind == "temperature") {
        m = mx.temperatureSchedule == "constant"
                ? "sampling T = " + formatNumber(mx.temperature, 1)
                : "sampling T " + formatNumber(mx.temperature, 1) + " → " +
                      formatNumber(mx.temperatureEnd, 1) + " (" + mx.temperatureSchedule + ")";
    } else {
        m = "static weights";
    }
    if (s.reweight.strategy == "domain_scalarization") {
        m += s.reweight.temperature > 0
                 ? ", loss upweighted to T = " + formatNumber(s.reweight.temperature, 1)
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
        "Li et al. (arXiv:2410.04579, METHODS 4): on a heavily imbalanced mix, temperature sampling (p ∝ "
        "size^(1/T)) "
        "and scalarization (sampling by size, loss weighted by p(T)/q) have the same expected objective but "
        "not the "
        "same dynamics: sampling has the lower gradient variance and converges faster but repeats the small "
        "domain "
        "and overfits it at high T; their *Cooldown* starts at a high T and lowers it. The small domain "
        "below is "
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
    t.header = {"run",  "method",  "size of " + sn, "epochs of " + sn,     "val " + sn + " final",
                "best", "at step", "final − best",  "val " + ln + " final"};
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
        t.rows.push_back({displayName(r), mixtureText(r.spec), std::to_string(size), formatNumber(epochs, 1),
                          formatNumber(fin), formatNumber(best), std::to_string(bestStep),
                          signedNumber(fin - best), formatNumber(r.domainLoss(ln))});
        const std::string k = displayName(r);
        addNumber(rep, k + ".small_final", fin);
        addNumber(rep, k + ".small_best", best);
        addNumber(rep, k + ".large_final", r.domainLoss(ln));
        addNumber(rep, k + ".small_epochs", epochs);
    }
    s.tables.push_back(std::move(t));
    s.notes.push_back(
        "*final − best* is how far the small domain's validation loss rose from its minimum by the end "
        "(overfitting the repeated data); *epochs* is how often its training sequences were seen by the "
        "end.");
    rep.sections.push_back(std::move(s));
    for (const auto& [file, dom, what] : {std::make_tuple("temperature-small.png", sn, "small"),
                                          std::make_tuple("temperature-large.png", ln, "large")}) {
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
    mix.caption =
        "mix." + sn +
        ": what each method actually sampled, a moving average over about 4% of training (upweighting "
        "samples by size and scales the loss instead).";
    rep.figures.push_back(mix);
}

}  // namespace anneal::report::detail
