// SPDX-License-Identifier: GPL-3.0-or-later
// Study reports: the runs of a plan's group, checked against the plan, and the analysis by name.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "anneal/error.h"
#include "anneal/report.h"
#include "anneal/run_experiment.h"
#include "report_internal.h"

namespace anneal::report {

double RunSummary::domainLoss(const std::string& domain) const {
    for (size_t i = 0; i < domains.size(); ++i) {
        if (domains[i] == domain) {
            return domainValLoss[i];
        }
    }
    return kNaN;
}

double Report::number(const std::string& key) const {
    for (const auto& n : numbers) {
        if (n.key == key) {
            return n.value;
        }
    }
    return kNaN;
}

std::string formatNumber(double v, int decimals) {
    if (!std::isfinite(v)) {
        return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s.find_first_not_of("-0.") == std::string::npos) {
        s = s[0] == '-' ? s.substr(1) : s;  // no "-0.0000"
    }
    return s;
}

namespace detail {

std::string signedNumber(double v, int decimals) {
    const std::string s = formatNumber(v, decimals);
    return std::isfinite(v) && s[0] != '-' ? "+" + s : s;
}

std::string percent(double fraction, int decimals) {
    return std::isfinite(fraction) ? formatNumber(100.0 * fraction, decimals) + "%" : "nan";
}

std::string scheduleText(const ExperimentSpec& spec) {
    const ScheduleSpec& s = spec.schedule;
    const std::string phi = formatNumber(s.finalLrFraction, 2) + "x";
    if (s.kind == "constant") {
        return "constant";
    }
    if (s.kind == "cosine" || s.kind == "linear") {
        return s.kind + " to " + phi;
    }
    if (s.kind == "wsd") {
        if (s.decayFraction <= 0) {
            return "wsd, no cooldown";
        }
        return "wsd, " + percent(s.decayFraction, 0) + " " + s.decayShape + " cooldown to " + phi;
    }
    if (s.kind == "rewarm") {
        if (s.rewarmPeakFraction <= s.finalLrFraction) {
            return "no re-warm: " + phi + " from step " + std::to_string(s.rewarmAt);
        }
        return "re-warm at " + std::to_string(s.rewarmAt) + " over " + std::to_string(s.rewarmSteps) +
               " steps to " + formatNumber(s.rewarmPeakFraction, 2) + "x, cosine to " + phi;
    }
    return s.kind;
}

Series runSeries(const std::string& label, const RunSummary& run, const std::string& metric) {
    Series s;
    s.label = label;
    s.runId = run.record.id;
    s.metric = metric;
    return s;
}

double lastValue(const Store& store, std::int64_t runId, const std::string& metric) {
    const MetricSeries m = store.metric(runId, metric);
    for (auto it = m.values.rbegin(); it != m.values.rend(); ++it) {
        if (std::isfinite(*it)) {
            return *it;
        }
    }
    return kNaN;
}

void fitYRange(Figure& fig, const Store& store) {
    double lo = INFINITY, hi = -INFINITY;
    auto take = [&](const std::vector<double>& x, const std::vector<double>& y) {
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (!std::isfinite(y[i]) || (std::isfinite(fig.xMin) && x[i] < fig.xMin) ||
                (std::isfinite(fig.xMax) && x[i] > fig.xMax)) {
                continue;
            }
            lo = std::min(lo, y[i]);
            hi = std::max(hi, y[i]);
        }
    };
    for (const Series& s : fig.series) {
        if (s.runId > 0) {
            const MetricSeries m = store.metric(s.runId, s.metric, s.withHistory);
            std::vector<double> x;
            if (fig.xAxis == "tokens") {
                const StepAxis axis = store.stepAxis(s.runId, s.withHistory);
                std::map<std::int64_t, double> tok;
                for (size_t i = 0; i < axis.steps.size(); ++i) {
                    tok[axis.steps[i]] = static_cast<double>(axis.tokens[i]);
                }
                for (auto st : m.steps) {
                    x.push_back(tok.count(st) ? tok[st] : NAN);
                }
            } else {
                x.assign(m.steps.begin(), m.steps.end());
            }
            take(x, m.values);
        } else {
            take(s.x, s.y);
        }
    }
    for (const auto& r : fig.references) {
        if (std::isfinite(r.y) && std::isfinite(lo) && r.y >= lo - 0.25 * (hi - lo)) {
            lo = std::min(lo, r.y);
            hi = std::max(hi, r.y);
        }
    }
    if (std::isfinite(lo) && std::isfinite(hi)) {
        const double pad = hi > lo ? 0.05 * (hi - lo) : std::max(1e-3, 0.01 * std::fabs(hi));
        fig.yMin = lo - pad;
        fig.yMax = hi + pad;
    }
}

void addNumber(Report& r, const std::string& key, double value) { r.numbers.push_back({key, value}); }

std::vector<double> normalisedWeights(const ExperimentSpec& spec) {
    std::vector<double> w;
    double sum = 0;
    for (const auto& d : spec.data.domains) {
        w.push_back(d.weight);
        sum += d.weight;
    }
    for (double& v : w) {
        v = sum > 0 ? v / sum : 0;
    }
    return w;
}

std::string displayName(const RunSummary& run) {
    return run.record.name.empty() ? "#" + std::to_string(run.record.id) : run.record.name;
}

void analyzeGeneric(Context& c) {
    Figure f;
    f.file = "val-loss.png";
    f.title = c.plan.name + ": validation loss";
    for (const auto& r : c.report.runs) {
        f.series.push_back(runSeries(displayName(r), r, "val_loss"));
    }
    f.caption =
        "val_loss (the mix-weighted validation loss) of every run of the group; branches with their parent's "
        "history.";
    fitYRange(f, c.store);
    c.report.figures.push_back(std::move(f));
}

}  // namespace detail

namespace {

using namespace detail;

struct AnalysisEntry {
    const char* name;
    void (*fn)(Context&);
};

const std::vector<AnalysisEntry>& registry() {
    static const std::vector<AnalysisEntry> r = {
        {"generic", analyzeGeneric},          {"wsd-vs-cosine", analyzeWsd},
        {"upsample-window", analyzeUpsample}, {"temperature-vs-upweight", analyzeTemperature},
        {"noisy-reweighting", analyzeNoisy},  {"scaling-entropy", analyzeScaling},
        {"lr-annealing-law", analyzeLrLaw},   {"continued-pretraining", analyzeContinued},
    };
    return r;
}

std::vector<RunSummary> gather(const SweepPlan& plan, const Store& store,
                               std::vector<std::string>& warnings) {
    std::map<std::int64_t, RunRecord> byId;
    for (auto& r : store.listRuns()) {
        if (r.group == plan.name && r.kind == "trained") {
            byId[r.id] = r;
        }
    }
    // The newest run of each (name, parent name) wins, as in the sweep runner.
    std::map<std::pair<std::string, std::string>, std::int64_t> newest;
    auto parentName = [&](const RunRecord& r) -> std::string {
        if (!r.parentId) {
            return {};
        }
        auto it = byId.find(*r.parentId);
        return it != byId.end() ? it->second.name : "#" + std::to_string(*r.parentId);
    };
    for (const auto& [id, r] : byId) {
        newest[{r.name, parentName(r)}] = id;  // ids ascend: the last one is the newest
    }
    std::vector<RunSummary> out;
    int ignored = 0;
    for (const auto& [id, r] : byId) {
        if (newest[{r.name, parentName(r)}] != id) {
            ++ignored;
            continue;
        }
        RunSummary s;
        s.record = r;
        s.parentName = parentName(r);
        try {
            s.spec = runExperiment(r);
        } catch (const Error& e) {
            warnings.push_back("run " + std::to_string(id) + ": its stored config does not parse here (" +
                               e.what() + "); its analysis columns may be wrong");
        }
        const MetricSeries v = store.metric(id, "val_loss");
        for (size_t i = v.values.size(); i-- > 0;) {
            if (std::isfinite(v.values[i])) {
                s.valLoss = v.values[i];
                s.finalStep = v.steps[i];
                break;
            }
        }
        for (const auto& d : r.domains) {
            s.domains.push_back(d.name);
            s.domainValLoss.push_back(lastValue(store, id, "val_loss." + d.name));
        }
        out.push_back(std::move(s));
    }
    if (ignored > 0) {
        warnings.push_back(std::to_string(ignored) +
                           " older run(s) with the same name as a newer one are left out");
    }
    // The plan's runs and branches: missing or unfinished ones are said.
    for (const auto& pr : plan.runs) {
        const RunSummary* found = nullptr;
        for (const auto& s : out) {
            if (!s.isBranch() && s.record.name == pr.label) {
                found = &s;
            }
        }
        if (!found) {
            warnings.push_back("planned run \"" + pr.label + "\" is not in the database");
            continue;
        }
        if (found->record.status != RunStatus::Completed) {
            warnings.push_back("run \"" + pr.label + "\" is " + runStatusName(found->record.status));
        }
        for (const auto& b : plan.branches) {
            if (!branchApplies(b, pr)) {
                continue;
            }
            const std::string label = pr.label + "/" + b.name;
            const RunSummary* fb = nullptr;
            for (const auto& s : out) {
                if (s.isBranch() && s.record.name == label && s.parentName == pr.label) {
                    fb = &s;
                }
            }
            if (!fb) {
                warnings.push_back("planned branch \"" + label + "\" is not in the database");
            } else if (fb->record.status != RunStatus::Completed) {
                warnings.push_back("branch \"" + label + "\" is " + runStatusName(fb->record.status));
            }
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> analysisNames() {
    std::vector<std::string> names;
    for (const auto& e : registry()) {
        names.emplace_back(e.name);
    }
    return names;
}

std::string resolveAnalysis(const std::string& requested, const std::string& planName) {
    const auto names = analysisNames();
    if (requested.empty() || requested == "auto") {
        return std::find(names.begin(), names.end(), planName) != names.end() ? planName : "generic";
    }
    if (std::find(names.begin(), names.end(), requested) == names.end()) {
        std::string list = "auto";
        for (const auto& n : names) {
            list += " | " + n;
        }
        throw Error(ErrorCode::InvalidInput, "unknown analysis \"" + requested + "\"", "--analysis", list);
    }
    return requested;
}

Report buildReport(const SweepPlan& plan, const Store& store, const std::string& analysis) {
    Report report;
    report.group = plan.name;
    report.description = plan.description;
    report.planPath = plan.planPath;
    report.dbPath = store.path();
    report.analysis = resolveAnalysis(analysis, plan.name);
    report.runs = gather(plan, store, report.warnings);
    if (report.runs.empty()) {
        throw Error(ErrorCode::NotFound,
                    "the database " + store.path() + " has no run of the group \"" + plan.name + "\"", "--db",
                    "the database the sweep wrote (anneal-cli sweep PLAN --db F, or anneal-cli merge)");
    }
    Context c{plan, store, report};
    for (const auto& e : registry()) {
        if (report.analysis == e.name) {
            e.fn(c);
        }
    }
    return report;
}

}  // namespace anneal::report
