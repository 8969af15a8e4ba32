// SPDX-License-Identifier: GPL-3.0-or-later
// Data-mixture study: continued pre-training with re-warming and replay against training on the union
// (METHODS 1.7).
#include <algorithm>
#include <cmath>

#include "report_internal.h"

namespace anneal::report::detail {

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
        const bool hasBranch = std::any_of(branches.begin(), branches.end(), [&](const RunSummary* b) {
            return *b->record.parentId == r.record.id;
        });
        (hasBranch ? stage1 : union_).push_back(&r);
    }
    Section s;
    s.heading = "Continued pre-training: re-warming, re-decaying and replay against the union";
    s.paragraphs.push_back(
        "Ibrahim et al. (arXiv:2403.08763, METHODS 1.7): a model trained on A and then on B forgets A; "
        "re-warming "
        "and re-decaying the LR on B with a little replay of A (5% for a weak shift, up to 25% for a strong "
        "one) "
        "comes close to retraining from scratch on A ∪ B at a fraction of the cost. Stage 2 runs are "
        "branches of "
        "the stage 1 run from its final checkpoint; the union run trains from scratch on both for the same "
        "total "
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
        rep.warnings.push_back(
            "continued-pretraining: cannot tell the old domain (weight > 0 in stage 1) from the new "
            "one (weight 0 in stage 1, > 0 in its branches)");
        rep.sections.push_back(std::move(s));
        return;
    }
    const double a1 = s1.domainLoss(A);
    Table t;
    t.header = {"run",         "stage",
                "schedule",    "replay of " + A,
                "steps",       "val " + A + " (old)",
                "forgetting",  "val " + B + " (new)",
                "mean of both"};
    auto row = [&](const RunSummary& r, const std::string& stage) {
        const double va = r.domainLoss(A), vb = r.domainLoss(B);
        const std::string replay = r.spec.mixture.replay.enabled ? percent(r.spec.mixture.replay.fraction, 0)
                                                                 : (stage == "2" ? "0%" : "");
        t.rows.push_back({displayName(r), stage, scheduleText(r.spec), replay,
                          std::to_string(r.spec.train.steps), formatNumber(va),
                          stage == "2" ? signedNumber(va - a1) : "", formatNumber(vb),
                          formatNumber(0.5 * (va + vb))});
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
        s.notes.push_back("Best stage 2 run by the mean of both domains: **" + displayName(*best) + "** (" +
                          formatNumber(bm) + "), " + signedNumber(bm - um) + " against the union run (" +
                          formatNumber(um) + "). It spent " +
                          std::to_string(best->spec.train.steps - *best->record.branchStep) +
                          " steps on stage 2 after the shared stage 1; the union run spent " +
                          std::to_string(u.spec.train.steps) + ". *forgetting* is the rise of " + A +
                          "'s loss from the end of stage 1 (" + formatNumber(a1) + ").");
        addNumber(rep, "best.mean_minus_union", bm - um);
    }
    rep.sections.push_back(std::move(s));
    const std::int64_t T = branches.front()->spec.train.steps;
    for (const auto& [file, dom] :
         {std::make_pair(std::string("cpt-old.png"), A), std::make_pair(std::string("cpt-new.png"), B)}) {
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
        f.caption = "val_loss." + dom + "; stage 2 branches start at step " +
                    std::to_string(*branches.front()->record.branchStep) + ".";
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
    lr.caption =
        "Stage 1 cosine, then each branch's re-warm (or not) and re-decay; the union run's single cosine.";
    rep.figures.push_back(lr);
}

}  // namespace anneal::report::detail
