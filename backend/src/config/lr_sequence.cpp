// SPDX-License-Identifier: GPL-3.0-or-later
// The LR of every update of a sparsely logged curve, from an LR file or a schedule file
// (anneal/lr_sequence.h).
#include "anneal/lr_sequence.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/schedule.h"
#include "anneal/sha256.h"
#include "anneal/table.h"
#include "core/format_number.h"

namespace anneal {

namespace {

std::string at(const std::string& file, std::size_t line) { return file + ":" + std::to_string(line); }

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorCode::Io, "cannot read the schedule file", path);
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

LrSequence readLrFile(const std::string& path) {
    TableSpec spec;
    spec.numeric = {"step", "lr"};
    spec.increasing = "step";
    const Table t = readTable(path, spec);  // names the line of a non-number or a step that goes back
    if (t.rows() == 0) {
        throw Error(ErrorCode::InvalidInput, "the LR file has no rows", path,
                    "a `step,lr` row for every step 0, 1, ..., T-1");
    }
    const auto& steps = t.column("step");
    const auto& lrs = t.column("lr");
    LrSequence out;
    out.file = path;
    out.kind = "lr-file";
    out.sha256 = sha256File(path);
    out.lr.reserve(t.rows());
    for (std::size_t i = 0; i < t.rows(); ++i) {
        const double expected = static_cast<double>(i);
        if (steps[i] != expected) {
            throw Error(ErrorCode::InvalidInput,
                        "column 'step': expected step " + std::to_string(i) + ", found " +
                            core::formatNumber(steps[i]) +
                            (steps[i] == expected + 1 ? " (step " + std::to_string(i) + " is missing)"
                             : steps[i] > expected    ? " (steps " + std::to_string(i) + ".." +
                                                         core::formatNumber(steps[i] - 1) + " are missing)"
                                                   : ""),
                        at(path, t.lines[i]),
                        "a row for every step 0, 1, ..., T-1 (an LR file is not interpolated; for knots "
                        "use a table schedule with --schedule)");
        }
        if (!(lrs[i] >= 0) || !std::isfinite(lrs[i])) {
            throw Error(ErrorCode::InvalidInput,
                        "column 'lr': " + core::formatNumber(lrs[i]) + " at step " + std::to_string(i),
                        at(path, t.lines[i]), "a finite LR >= 0");
        }
        out.lr.push_back(lrs[i]);
    }
    return out;
}

LrSequence lrFromScheduleFile(const std::string& path) {
    std::string text = readAll(path);
    // A schedule file has [train] and [schedule] only; the experiment validator wants a domain. The
    // placeholder goes after the user's text, so every line number in an error stays the user's.
    static const std::regex kDomain(R"((^|\n)\s*\[\[\s*data\s*\.\s*domain\s*\]\])");
    if (!std::regex_search(text, kDomain)) {
        text += "\n\n[[data.domain]]\nname = \"schedule-file-placeholder\"\nsource = \"synthetic:noise\"\n";
    }
    const std::string base = std::filesystem::path(path).parent_path().string();
    const ExperimentSpec spec = parseExperimentIn(text, path, {}, base);
    LrSequence out;
    out.file = path;
    out.kind = "schedule";
    out.sha256 = sha256File(path);
    out.lr = learningRates(spec);
    out.warmupSteps = spec.schedule.warmupSteps;
    return out;
}

std::optional<LrSequence> lrSequenceFrom(const std::string& scheduleFile, const std::string& lrFile) {
    if (!scheduleFile.empty() && !lrFile.empty()) {
        throw Error(ErrorCode::InvalidInput, "give the LR of every update one way, not both",
                    "--schedule, --lr-file", "--schedule FILE.toml | --lr-file lr.csv");
    }
    if (!scheduleFile.empty()) {
        return lrFromScheduleFile(scheduleFile);
    }
    if (!lrFile.empty()) {
        return readLrFile(lrFile);
    }
    return std::nullopt;
}

void checkCurveAgainstLr(const LrSequence& seq, const std::vector<std::int64_t>& steps,
                         const std::vector<double>* loggedLr, const std::vector<std::size_t>& lines,
                         const std::string& source, const std::string& stepColumn,
                         const std::string& lrColumn) {
    const auto T = static_cast<std::int64_t>(seq.lr.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string where = i < lines.size() ? at(source, lines[i]) : source;
        if (steps[i] >= T) {
            throw Error(ErrorCode::InvalidInput,
                        "column '" + stepColumn + "': a loss at step " + std::to_string(steps[i]) + ", but " +
                            seq.file + " has " + std::to_string(T) + " updates (steps 0.." +
                            std::to_string(T - 1) + ")",
                        where,
                        "logged steps < " + std::to_string(T) + ", or an LR source as long as the run");
        }
        if (loggedLr) {
            const double logged = (*loggedLr)[i];
            const double given = seq.lr[static_cast<std::size_t>(steps[i])];
            if (std::abs(logged - given) > 0.01 * std::max(std::abs(logged), std::abs(given)) + 1e-12) {
                throw Error(ErrorCode::InvalidInput,
                            "column '" + lrColumn + "': the curve logs LR " + core::formatNumber(logged) +
                                " at step " + std::to_string(steps[i]) + ", " + seq.file + " gives " +
                                core::formatNumber(given) +
                                " (check that both count updates from 0, or leave one of them out)",
                            where, "the logged LR within 1% of the LR source's");
            }
        }
    }
}

std::string unknownWarmupWarning(const std::string& source, std::int64_t firstStep) {
    if (firstStep <= 0) {
        return {};
    }
    return source + ": the first logged step is " + std::to_string(firstStep) + ", so the LR of updates 0.." +
           std::to_string(firstStep - 1) +
           " is unknown and taken as the first logged LR (any warmup is lost); give the LR of every "
           "update with --schedule FILE.toml or --lr-file lr.csv";
}

}  // namespace anneal
