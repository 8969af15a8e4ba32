// SPDX-License-Identifier: GPL-3.0-or-later
// Sweep plans: parse, expand (grid x zip x variants), validate every planned run.
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <toml++/toml.h>

#include "anneal/error.h"
#include "anneal/sweep.h"
#include "core/toml_reader.h"

namespace fs = std::filesystem;

namespace anneal {

namespace {

using core::TableReader;

/// An override value as TOML text, and a short form for labels.
std::string tomlValue(const toml::node& n) {
    std::ostringstream os;
    if (n.is_string()) {
        std::string s = *n.value<std::string>();
        std::string q = "\"";
        for (char c : s) {
            q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        }
        return q + "\"";
    }
    if (n.is_floating_point()) {
        return core::formatNumber(*n.value<double>());
    }
    n.visit([&](auto&& v) { os << v; });
    return os.str();
}

std::string labelValue(const toml::node& n) { return n.is_string() ? *n.value<std::string>() : tomlValue(n); }

struct Axis {
    std::string key;
    std::vector<const toml::node*> values;
};

std::vector<Axis> readAxes(const toml::table* t, const std::string& path) {
    std::vector<Axis> axes;
    if (!t) {
        return axes;
    }
    for (const auto& [k, v] : *t) {
        const std::string key(k.str());
        if (!v.is_array() || v.as_array()->empty()) {
            configError(path + "." + key,
                        "expected a non-empty array of values, got " + core::describeNode(v),
                        "[v1, v2, ...]");
        }
        Axis a{key, {}};
        for (const auto& e : *v.as_array()) {
            if (e.is_table() || e.is_array()) {
                configError(path + "." + key, "values must be numbers, strings or booleans", "[v1, v2, ...]");
            }
            a.values.push_back(&e);
        }
        axes.push_back(std::move(a));
    }
    return axes;
}

std::vector<Override> readSet(const toml::table* t) {
    std::vector<Override> out;
    if (!t) {
        return out;
    }
    for (const auto& [k, v] : *t) {
        out.push_back(std::string(k.str()) + "=" + tomlValue(v));
    }
    return out;
}

struct Variant {
    std::string name;
    std::vector<Override> overrides;
};

}  // namespace

SweepPlan parseSweepPlan(const std::string& text, const std::string& path) {
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        throw Error(ErrorCode::InvalidConfig, "not valid TOML: " + std::string(e.description()),
                    path + ":" + std::to_string(e.source().begin.line), "a sweep plan (docs/SWEEPS.md)");
    }
    SweepPlan plan;
    plan.planPath = path;
    TableReader r(root, "");
    plan.name = r.string("name", "");
    if (plan.name.empty()) {
        configError("name", "is required (it names the sweep group)", "a non-empty string");
    }
    plan.description = r.string("description", "", true);
    const std::string base = r.string("base", "");
    if (base.empty()) {
        configError("base", "is required", "the experiment file the sweep varies, relative to the plan");
    }
    plan.basePath = fs::absolute(fs::path(path).parent_path() / base).lexically_normal().string();
    try {
        plan.baseText = readTextFile(plan.basePath);
    } catch (const Error& e) {
        configError("base", std::string("cannot read ") + plan.basePath);
    }
    const auto grid = readAxes(r.table("grid"), "grid");
    const auto zip = readAxes(r.table("zip"), "zip");
    const std::vector<Override> common = readSet(r.table("set"));
    std::vector<Variant> variants;
    if (const toml::array* arr = r.array("variant")) {
        for (size_t i = 0; i < arr->size(); ++i) {
            const std::string vp = "variant[" + std::to_string(i) + "]";
            if (!(*arr)[i].is_table()) {
                configError(vp, "expected a table", "[[variant]] with name and set");
            }
            TableReader vr(*(*arr)[i].as_table(), vp);
            Variant v;
            v.name = vr.string("name", "");
            if (v.name.empty()) {
                configError(vp + ".name", "is required", "a short name");
            }
            v.overrides = readSet(vr.table("set"));
            vr.finish();
            variants.push_back(std::move(v));
        }
    }
    if (const toml::array* arr = r.array("branch")) {
        for (size_t i = 0; i < arr->size(); ++i) {
            const std::string bp = "branch[" + std::to_string(i) + "]";
            if (!(*arr)[i].is_table()) {
                configError(bp, "expected a table", "[[branch]] with name, at_step and set");
            }
            TableReader br(*(*arr)[i].as_table(), bp);
            PlannedBranch b;
            b.name = br.string("name", "");
            if (b.name.empty()) {
                configError(bp + ".name", "is required", "a short name");
            }
            b.atStep = br.integer("at_step", 0, 1, 1'000'000'000);
            if (!br.has("at_step")) {
                configError(bp + ".at_step", "is required", "the parent's step to branch from");
            }
            b.overrides = readSet(br.table("set"));
            if (const toml::array* vs = br.array("variants")) {
                for (const auto& v : *vs) {
                    if (!v.is_string()) {
                        configError(bp + ".variants", "expected variant names", "[\"name\", ...]");
                    }
                    b.variants.push_back(*v.value<std::string>());
                }
            }
            br.finish();
            plan.branches.push_back(std::move(b));
        }
    }
    if (const toml::table* res = r.table("resources")) {
        TableReader rr(*res, "resources");
        SweepResources& s = plan.resources;
        s.threads = static_cast<int>(rr.integer("threads", 0, 0, 1024));
        s.jobs = static_cast<int>(rr.integer("jobs", 1, 1, 1024));
        s.time = rr.string("time", s.time);
        s.cpusPerTask = static_cast<int>(rr.integer("cpus_per_task", s.cpusPerTask, 1, 1024));
        s.mem = rr.string("mem", s.mem);
        // A run trains on one device, and an array task runs one run at a time: 0 or 1 GPU per task.
        s.gpus = static_cast<int>(rr.integer("gpus", 0, 0, 1));
        s.partition = rr.string("partition", "", true);
        s.account = rr.string("account", "", true);
        rr.finish();
    }
    r.finish();
    for (size_t i = 0; i < plan.branches.size(); ++i) {
        for (const auto& v : plan.branches[i].variants) {
            bool known = false;
            std::string names;
            for (const auto& var : variants) {
                known = known || var.name == v;
                names += (names.empty() ? "" : " | ") + var.name;
            }
            if (!known) {
                configError("branch[" + std::to_string(i) + "].variants", "no variant is named \"" + v + "\"",
                            names.empty() ? "variant names (the plan has no [[variant]])" : names);
            }
        }
    }

    // Zipped axes must have the same length.
    size_t zipLen = zip.empty() ? 1 : zip.front().values.size();
    for (const auto& a : zip) {
        if (a.values.size() != zipLen) {
            configError("zip." + a.key,
                        "has " + std::to_string(a.values.size()) + " values, zip." + zip.front().key +
                            " has " + std::to_string(zipLen),
                        "zipped lists of equal length");
        }
    }
    // Expansion: variants x zip x grid (grid varies fastest).
    if (variants.empty()) {
        variants.push_back({"", {}});
    }
    size_t gridCount = 1;
    for (const auto& a : grid) {
        gridCount *= a.values.size();
    }
    int index = 0;
    for (const auto& v : variants) {
        for (size_t z = 0; z < zipLen; ++z) {
            for (size_t g = 0; g < gridCount; ++g) {
                PlannedRun run;
                run.index = index++;
                run.variant = v.name;
                std::vector<std::string> labelParts;
                if (!v.name.empty()) {
                    labelParts.push_back(v.name);
                }
                run.overrides = common;
                run.overrides.insert(run.overrides.end(), v.overrides.begin(), v.overrides.end());
                for (const auto& a : zip) {
                    run.overrides.push_back(a.key + "=" + tomlValue(*a.values[z]));
                    labelParts.push_back(a.key + "=" + labelValue(*a.values[z]));
                }
                size_t rem = g;
                std::vector<std::string> gridParts;
                for (auto it = grid.rbegin(); it != grid.rend(); ++it) {
                    const size_t k = rem % it->values.size();
                    rem /= it->values.size();
                    run.overrides.push_back(it->key + "=" + tomlValue(*it->values[k]));
                    gridParts.insert(gridParts.begin(), it->key + "=" + labelValue(*it->values[k]));
                }
                labelParts.insert(labelParts.end(), gridParts.begin(), gridParts.end());
                for (const auto& p : labelParts) {
                    run.label += (run.label.empty() ? "" : " ") + p;
                }
                if (run.label.empty()) {
                    run.label = plan.name;
                }
                try {
                    run.spec = parseExperiment(plan.baseText, plan.basePath, run.overrides);
                } catch (const Error& e) {
                    throw Error(ErrorCode::InvalidConfig, "run \"" + run.label + "\": " + e.what(), path);
                }
                for (const auto& b : plan.branches) {
                    if (!branchApplies(b, run)) {
                        continue;
                    }
                    const LogSpec& log = run.spec.log;
                    ExperimentSpec branchSpec;
                    try {
                        branchSpec = parseExperiment(toToml(run.spec), run.label, b.overrides);
                    } catch (const Error& e) {
                        throw Error(ErrorCode::InvalidConfig,
                                    "branch \"" + b.name + "\" of run \"" + run.label + "\": " + e.what(),
                                    path);
                    }
                    if (b.atStep > run.spec.train.steps) {
                        configError("branch." + b.name + ".at_step",
                                    "step " + std::to_string(b.atStep) + " is after the end of run \"" +
                                        run.label + "\" (" + std::to_string(run.spec.train.steps) +
                                        " steps)");
                    }
                    if (b.atStep == run.spec.train.steps) {
                        // The final checkpoint: a continuation, which must train beyond it.
                        if (branchSpec.train.steps <= b.atStep) {
                            configError("branch." + b.name + ".at_step",
                                        "step " + std::to_string(b.atStep) + " is the end of run \"" +
                                            run.label +
                                            "\": a branch from there must set train.steps beyond it",
                                        "a step before " + std::to_string(run.spec.train.steps) +
                                            ", or train.steps > " + std::to_string(b.atStep) +
                                            " in the branch's set");
                        }
                        continue;
                    }
                    if (branchSpec.train.steps < b.atStep) {
                        configError(
                            "branch." + b.name + ".set",
                            "the branch ends (train.steps = " + std::to_string(branchSpec.train.steps) +
                                ") before its step " + std::to_string(b.atStep),
                            ">= " + std::to_string(b.atStep));
                    }
                    if (log.checkpointEvery <= 0 || b.atStep % log.checkpointEvery != 0) {
                        configError("branch." + b.name + ".at_step",
                                    "run \"" + run.label + "\" keeps no checkpoint at step " +
                                        std::to_string(b.atStep),
                                    "set log.checkpoint_every to a divisor of " + std::to_string(b.atStep));
                    }
                    const std::int64_t saved = run.spec.train.steps / log.checkpointEvery;
                    if (log.keepCheckpoints < saved) {
                        configError("log.keep_checkpoints",
                                    "run \"" + run.label + "\" would delete the checkpoint at step " +
                                        std::to_string(b.atStep) + " before its branch runs",
                                    ">= " + std::to_string(saved) + " (train.steps / log.checkpoint_every)");
                    }
                }
                plan.runs.push_back(std::move(run));
            }
        }
    }
    std::map<std::string, int> seen;
    for (const auto& run : plan.runs) {
        if (seen[run.label]++ > 0) {
            configError("variant", "two planned runs have the same label \"" + run.label + "\"",
                        "distinct variant names and axis values");
        }
    }
    return plan;
}

bool branchApplies(const PlannedBranch& branch, const PlannedRun& run) {
    return branch.variants.empty() ||
           std::find(branch.variants.begin(), branch.variants.end(), run.variant) != branch.variants.end();
}

SweepPlan loadSweepPlan(const std::string& path) { return parseSweepPlan(readTextFile(path), path); }

}  // namespace anneal
