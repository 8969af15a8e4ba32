// SPDX-License-Identifier: GPL-3.0-or-later
// A loss curve file as an imported run (anneal-cli import, the app's drag-and-drop).
#include "anneal/import_curve.h"

#include <cmath>
#include <filesystem>

#include "anneal/error.h"
#include "anneal/lr_sequence.h"
#include "anneal/sha256.h"
#include "anneal/table.h"
#include "core/format_number.h"

namespace anneal {

namespace {

/// A checked file, ready to be stored.
struct ParsedCurve {
    std::size_t rows = 0;
    StepAxis axis;
    std::vector<std::pair<std::string, MetricSeries>> metrics;
    NewRun run;
    std::size_t lrSteps = 0;
    std::vector<std::string> warnings;
};

ParsedCurve parseCurveFile(const CurveImport& request) {
    const std::string& file = request.file;
    // First pass: which columns the file has (the spec asks for step and loss only).
    anneal::TableSpec probe;
    probe.numeric = {request.stepColumn, request.lossColumn};
    probe.increasing = request.stepColumn;
    const anneal::Table head = anneal::readTable(file, probe);
    anneal::TableSpec spec = probe;
    for (const auto& c : head.columnsFound) {
        if (c != request.stepColumn && c != request.lossColumn) {
            spec.optionalNumeric.push_back(c);
        }
    }
    const anneal::Table t = anneal::readTable(file, spec);  // every column numeric, checked, or an error
    const auto& steps = t.column(request.stepColumn);
    // Steps and tokens become int64 columns: a value past 2^53 (steps) or 2^63 (tokens) would not
    // convert (undefined behaviour; on x86 it was stored as -2^63), so it is an error naming the line.
    constexpr double kMaxStep = 9007199254740992.0;       // 2^53: every integer below is exact
    constexpr double kMaxTokens = 9223372036854775808.0;  // 2^63
    for (size_t i = 0; i < steps.size(); ++i) {
        const double s = steps[i];
        if (s < 0 || s != std::floor(s) || s > kMaxStep) {
            throw Error(ErrorCode::InvalidInput,
                        "column '" + request.stepColumn +
                            "': steps must be non-negative integers up to 2^53, found " +
                            core::formatNumber(s),
                        file + ":" + std::to_string(t.lines[i]), "0, 1, 2, ...");
        }
        if (t.has("tokens") && !(t.column("tokens")[i] >= 0 && t.column("tokens")[i] < kMaxTokens)) {
            throw Error(ErrorCode::InvalidInput,
                        "column 'tokens': must be between 0 and 2^63, found " +
                            core::formatNumber(t.column("tokens")[i]),
                        file + ":" + std::to_string(t.lines[i]), "a token count >= 0");
        }
    }
    StepAxis axis;
    for (size_t i = 0; i < t.rows(); ++i) {
        axis.steps.push_back(static_cast<std::int64_t>(steps[i]));
        axis.tokens.push_back(t.has("tokens") ? static_cast<std::int64_t>(t.column("tokens")[i]) : 0);
        axis.wall.push_back(0.0);
    }
    ParsedCurve out;
    const std::optional<LrSequence> seq = lrSequenceFrom(request.scheduleFile, request.lrFile);
    if (seq) {
        checkCurveAgainstLr(*seq, axis.steps, t.has("lr") ? &t.column("lr") : nullptr, t.lines, file,
                            request.stepColumn, "lr");
        MetricSeries lr;
        for (std::size_t u = 0; u < seq->lr.size(); ++u) {
            lr.steps.push_back(static_cast<std::int64_t>(u));
            lr.values.push_back(seq->lr[u]);
        }
        out.metrics.emplace_back("lr", std::move(lr));
        out.lrSteps = seq->lr.size();
    } else if (t.has("lr") && !axis.steps.empty() && axis.steps.front() > 0) {
        out.warnings.push_back(unknownWarmupWarning(file, axis.steps.front()));
    }
    for (const auto& [name, values] : t.numeric) {
        if (name == request.stepColumn || name == "tokens" || (seq && name == "lr")) {
            continue;
        }
        MetricSeries m;
        m.steps = axis.steps;
        m.values = values;
        const std::string metric = name == request.lossColumn ? "train_loss" : name;
        out.metrics.emplace_back(metric, m);
    }
    NewRun& run = out.run;
    run.name = request.name.empty() ? std::filesystem::path(file).filename().string() : request.name;
    run.group = request.group;
    run.specToml = "# imported from " + file + " (sha256 " + anneal::sha256File(file) + ")\n";
    if (seq) {
        run.specToml += "# LR of every update (" + std::to_string(seq->lr.size()) + ") from " + seq->file +
                        " (sha256 " + seq->sha256 + ")\n";
    }
    run.paramsNonEmbedding = static_cast<std::int64_t>(std::llround(request.params));
    run.params = run.paramsNonEmbedding;
    out.rows = t.rows();
    out.axis = std::move(axis);
    return out;
}

CurveImportResult storeCurve(Store& store, const ParsedCurve& parsed) {
    CurveImportResult result;
    result.runId = store.importRun(parsed.run, parsed.metrics, parsed.axis);
    result.rows = parsed.rows;
    result.lrSteps = parsed.lrSteps;
    result.warnings = parsed.warnings;
    for (const auto& [name, series] : parsed.metrics) {
        result.metrics.push_back(name);
    }
    return result;
}

}  // namespace

CurveImportResult importCurveFile(Store& store, const CurveImport& request) {
    return storeCurve(store, parseCurveFile(request));
}

CurveImportResult importCurveFile(const std::string& dbPath, const CurveImport& request) {
    const ParsedCurve parsed = parseCurveFile(request);  // a bad file never opens the database
    return storeCurve(*Store::open(dbPath), parsed);
}

}  // namespace anneal
