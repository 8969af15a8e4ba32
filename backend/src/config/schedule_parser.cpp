// SPDX-License-Identifier: GPL-3.0-or-later
// [schedule]: the kinds' keys (config/kind_keys.h), their ranges, and the table kind's knots.

#include "config/schedule_parser.h"

#include <cmath>
#include <limits>

#include "anneal/error.h"
#include "anneal/lr_table.h"
#include "config/kind_keys.h"
#include "core/format_number.h"
#include "core/toml_reader.h"

namespace anneal::config {

namespace {

using core::TableReader;
constexpr double kInf = std::numeric_limits<double>::max();

std::vector<double> numberArray(TableReader& r, const std::string& key, bool integers) {
    std::vector<double> out;
    const toml::array* a = r.array(key);
    if (!a) {
        return out;
    }
    for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& n = *a->get(i);
        const std::string field = r.keyPath(key) + "[" + std::to_string(i) + "]";
        if (integers ? !n.is_integer() : !n.is_number()) {
            configError(field, "is " + core::describeNode(n),
                        integers ? "an integer step >= 0" : "a finite LR >= 0");
        }
        out.push_back(n.is_integer() ? static_cast<double>(*n.value<std::int64_t>()) : *n.value<double>());
    }
    return out;
}

/// kind = "table": the knots inline (steps + lrs, as the resolved config writes them) or from `file`
/// (relative paths from the experiment file's folder), never both. lr_table.h.
void parseTableSchedule(TableReader& r, ExperimentSpec& spec, const std::string& baseDir) {
    const bool inline_ = r.has("steps") || r.has("lrs");
    LrTable knots;
    std::string source = r.string("source", "");
    if (r.has("file")) {
        if (inline_) {
            configError("schedule.file", "is given together with steps/lrs",
                        "either file = \"lr.csv\" or the knots steps = [...] and lrs = [...]");
        }
        const std::string file = r.string("file", "");
        const bool relative = !file.empty() && file[0] != '/';
        const std::string path = relative && !baseDir.empty() ? baseDir + "/" + file : file;
        try {
            knots = readLrTableFile(path);
        } catch (const Error& e) {
            if (e.code() != ErrorCode::Io) {
                throw;  // a bad file names its line
            }
            configError("schedule.file", "cannot read \"" + path + "\"", "a readable step,lr file");
        }
        source = file;
    } else if (inline_) {
        if (!r.has("steps") || !r.has("lrs")) {
            configError(r.has("steps") ? "schedule.lrs" : "schedule.steps", "is missing",
                        "both steps = [...] and lrs = [...]");
        }
        for (double v : numberArray(r, "steps", true)) {
            knots.steps.push_back(static_cast<std::int64_t>(v));
        }
        knots.lrs = numberArray(r, "lrs", false);
        // Errors name the entry (schedule.steps[3]); validateLrTable would only name the table.
        if (knots.steps.empty()) {
            configError("schedule.steps", "is empty", "the knots' steps, the first 0");
        }
        if (knots.lrs.size() != knots.steps.size()) {
            configError("schedule.lrs",
                        "has " + std::to_string(knots.lrs.size()) + " values for " +
                            std::to_string(knots.steps.size()) + " steps",
                        "one LR per step");
        }
        for (size_t i = 0; i < knots.steps.size(); ++i) {
            const std::string at = "[" + std::to_string(i) + "]";
            if (i == 0 ? knots.steps[0] != 0 : knots.steps[i] <= knots.steps[i - 1]) {
                configError(
                    "schedule.steps" + at, "is " + std::to_string(knots.steps[i]),
                    i == 0 ? "0 (the first update)" : "a step after " + std::to_string(knots.steps[i - 1]));
            }
            if (!std::isfinite(knots.lrs[i]) || knots.lrs[i] < 0.0) {
                configError("schedule.lrs" + at, "is " + core::formatNumber(knots.lrs[i]),
                            "a finite LR >= 0");
            }
        }
    } else {
        configError("schedule.file", "kind = \"table\" needs its LRs",
                    "file = \"lr.csv\" (columns step,lr) or steps = [...] and lrs = [...]");
    }
    applyLrTable(spec, knots, source);
}

}  // namespace

void parseSchedule(const toml::table* t, ExperimentSpec& spec, const std::string& baseDir) {
    if (!t) {
        return;
    }
    ScheduleSpec& s = spec.schedule;
    const std::int64_t steps = spec.train.steps;
    const auto& table = config::scheduleKindKeys();
    TableReader r(*t, "schedule");
    s.kind = r.choice("kind", s.kind, config::kindNames(table));
    for (const auto& key : config::allKeys(table)) {
        if (!config::kindUses(table, s.kind, key)) {
            r.forbid(key, config::usedByText(table, "schedule.kind", key));
        }
    }
    auto uses = [&](const char* key) { return config::kindUses(table, s.kind, key); };
    if (s.kind == "table") {
        parseTableSchedule(r, spec, baseDir);
        r.finish();
        return;
    }
    s.warmupSteps = r.integer("warmup_steps", s.warmupSteps, 0, steps);
    s.warmupStartFraction = r.number("warmup_start_fraction", s.warmupStartFraction, 0.0, 1.0);
    if (uses("final_lr_fraction")) {
        s.finalLrFraction = r.number("final_lr_fraction", s.finalLrFraction, 0.0, 1.0);
    }
    if (uses("decay_fraction")) {
        s.decayFraction = r.number("decay_fraction", s.kind == "wsd" ? 0.2 : 0.0, 0.0, 1.0);
        s.decayShape = r.choice("decay_shape", s.decayShape, config::decayShapeValues());
        s.decayHalfLife = r.number("decay_half_life", 0.0, 0.0, kInf);
        if (r.has("decay_half_life") && s.decayShape != "exponential") {
            configError("schedule.decay_half_life",
                        "is used only with decay_shape = exponential (found \"" + s.decayShape + "\")");
        }
        if (s.decayShape == "exponential" && s.finalLrFraction <= 0 && s.decayHalfLife <= 0) {
            configError("schedule.final_lr_fraction",
                        "an exponential decay never reaches 0: set final_lr_fraction > 0 or decay_half_life",
                        "a number in (0, 1]");
        }
        const auto decaySteps = static_cast<std::int64_t>(std::floor(s.decayFraction * steps + 1e-9));
        if (s.warmupSteps + decaySteps > steps) {
            configError("schedule.decay_fraction",
                        "warmup (" + std::to_string(s.warmupSteps) + " steps) + decay (" +
                            std::to_string(decaySteps) +
                            " steps) exceed train.steps = " + std::to_string(steps),
                        "decay_fraction <= 1 - warmup_steps / train.steps");
        }
    }
    if (uses("timescale")) {
        s.timescale = r.number("timescale", s.timescale, 0.0, kInf);
        if (s.timescale <= 0 && s.warmupSteps == 0) {
            configError("schedule.timescale", "inverse_sqrt needs a timescale when warmup_steps = 0",
                        "a number > 0");
        }
    }
    if (uses("rewarm_at")) {
        s.rewarmAt = r.integer("rewarm_at", steps / 2, 1, steps - 1);
        s.rewarmSteps = r.integer("rewarm_steps", s.rewarmSteps, 0, steps);
        s.rewarmPeakFraction = r.number("rewarm_peak_fraction", s.rewarmPeakFraction, 0.0, 10.0, true);
        if (s.rewarmAt <= s.warmupSteps) {
            configError("schedule.rewarm_at",
                        "must come after the first warmup (" + std::to_string(s.warmupSteps) + " steps)",
                        "warmup_steps < rewarm_at < train.steps");
        }
        if (s.rewarmAt + s.rewarmSteps > steps) {
            configError("schedule.rewarm_steps", "rewarm_at + rewarm_steps exceed train.steps",
                        "rewarm_steps <= train.steps - rewarm_at");
        }
    }
    if (uses("cooldown_steps")) {
        s.cooldownSteps = r.integer("cooldown_steps", s.cooldownSteps, 0, steps);
        s.cooldownShape = r.choice("cooldown_shape", s.cooldownShape, config::cooldownShapeValues());
        s.constantLrFraction = r.number("constant_lr_fraction", s.constantLrFraction, 0.0, 1.0, true);
        s.cooldownTimescale = r.number("cooldown_timescale", s.cooldownTimescale, 0.0, kInf, true);
        s.annealFraction = r.number("anneal_fraction", s.annealFraction, 0.0, 1.0);
        const auto annealSteps = static_cast<std::int64_t>(std::floor(s.annealFraction * steps + 1e-9));
        if (s.warmupSteps + s.cooldownSteps + annealSteps > steps) {
            configError("schedule.cooldown_steps",
                        "warmup + cooldown + anneal exceed train.steps = " + std::to_string(steps));
        }
        if (annealSteps > 0 && s.finalLrFraction <= 0) {
            configError("schedule.final_lr_fraction", "the exponential anneal needs a final LR > 0",
                        "a number in (0, constant_lr_fraction]");
        }
        if (s.finalLrFraction > s.constantLrFraction) {
            configError("schedule.final_lr_fraction", "is above constant_lr_fraction",
                        "a number <= constant_lr_fraction");
        }
    }
    r.finish();
}

}  // namespace anneal::config
