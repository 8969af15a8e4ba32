// SPDX-License-Identifier: GPL-3.0-or-later
// Inputs of a fit with their provenance, the stored record of a fit and its exports by name: the
// part of fitting that `anneal-cli fit` and the app's scaling-law view share.
#include "anneal/fit/fit_record.h"

#include <ctime>

#include "anneal/error.h"
#include "anneal/fit/from_runs.h"
#include "anneal/fit/law.h"
#include "anneal/sha256.h"
#include "anneal/fit/table.h"
#include "anneal/version.h"

namespace anneal::fit {

namespace {

Provenance baseProvenance() {
    Provenance p;
    p.annealVersion = kVersion;
    p.createdAt = isoTimeNow();
    return p;
}

std::string joinIds(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (std::int64_t id : ids) {
        out += (out.empty() ? "" : ",") + std::to_string(id);
    }
    return out;
}

}  // namespace

std::string isoTimeNow() {
    const std::time_t t = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

void leaveOutBefore(PreparedFit& prepared, const std::string& law, std::int64_t minStep) {
    if (minStep <= 0) {
        return;
    }
    if (!isCurveLaw(law)) {
        throw Error(ErrorCode::InvalidInput, "--min-step leaves early points of curves out of the fit",
                    "--min-step", "lr_annealing | mpl (use --hold-out-above for points)");
    }
    for (Curve& cv : prepared.input.curves) {
        cv.weights.resize(cv.steps.size(), 1.0);
        for (size_t i = 0; i < cv.steps.size(); ++i) {
            if (cv.steps[i] < minStep) {
                cv.weights[i] = 0.0;
            }
        }
    }
    prepared.provenance.source += "; points from step " + std::to_string(minStep);
}

PreparedFit prepareFromFile(const std::string& law, const std::string& path, const FileColumns& columns) {
    lawByName(law);  // an unknown law is an error before any reading
    PreparedFit out;
    out.provenance = baseProvenance();
    out.provenance.filePath = path;
    out.provenance.fileSha256 = sha256File(path);
    out.provenance.source = "file " + path;
    if (isCurveLaw(law)) {
        CurveColumns cols;
        cols.step = columns.step;
        cols.loss = columns.loss;
        cols.lr = columns.lr;
        cols.group = columns.group;
        const std::optional<LrSequence> seq = lrSequenceFrom(columns.scheduleFile, columns.lrFile);
        if (seq) {
            cols.lrSequence = &*seq;
            out.provenance.source +=
                "; LR of every update from " + seq->file + " (sha256 " + seq->sha256 + ")";
        }
        cols.warnings = &out.warnings;
        out.input.curves = tableToCurves(readTable(path, curveSpec(cols)), cols);
        return out;
    }
    TableSpec spec;
    PointColumns cols;
    auto need = [&](const std::string& column, std::string& slot) {
        if (!column.empty()) {
            spec.numeric.push_back(column);
            slot = column;
        }
    };
    need(columns.n, cols.n);
    need(columns.d, cols.d);
    need(columns.c, cols.c);
    need(columns.x, cols.x);
    need(columns.weight, cols.weight);
    if (law == "steplaw") {
        need(columns.lr, cols.lr);
        need(columns.batch, cols.batch);
    } else {
        need(columns.loss, cols.loss);
    }
    out.input = tableToPoints(readTable(path, spec), cols);
    return out;
}

PreparedFit prepareFromRuns(const Store& store, const std::string& law, const RunSource& source) {
    lawByName(law);
    PreparedFit out;
    out.provenance = baseProvenance();
    const std::vector<std::int64_t> ids =
        !source.runIds.empty() ? source.runIds : runsInGroup(store, source.group);
    const std::string db = source.dbLabel.empty() ? store.path() : source.dbLabel;
    out.provenance.source =
        !source.runIds.empty() ? "runs " + joinIds(ids) + " of " + db : "group " + source.group + " of " + db;
    for (std::int64_t id : ids) {
        out.provenance.runIds.push_back(std::to_string(id));
    }
    out.provenance.metric = source.metric;
    if (isCurveLaw(law)) {
        for (std::int64_t id : ids) {
            out.input.curves.push_back(curveFromRun(store, id, source.metric));
        }
        return out;
    }
    RunPointOptions options;
    options.metric = source.metric;
    options.includeEmbeddings = source.includeEmbeddings;
    out.input = pointsFromRuns(store, ids, options);
    return out;
}

FitRecord makeFitRecord(const FitResult& fit, const Provenance& provenance, const std::string& name) {
    FitRecord rec;
    rec.name = name.empty() ? fit.law + " on " + provenance.source : name;
    rec.law = fit.law;
    rec.source = provenance.source;
    rec.objective = fit.objective;
    rec.nPoints = static_cast<std::int64_t>(fit.nPoints);
    rec.resultJson = fitToJson(fit, provenance);
    return rec;
}

std::int64_t storeFit(Store& store, const FitResult& fit, const Provenance& provenance,
                      const std::string& name) {
    return store.saveFit(makeFitRecord(fit, provenance, name));
}

std::vector<std::string> exportFormats() { return {"json", "csv", "latex", "python"}; }

std::string exportFit(const FitResult& fit, const Provenance& provenance, const std::string& format) {
    if (format == "json") {
        return fitToJson(fit, provenance);
    }
    if (format == "csv") {
        return fitToCsv(fit);
    }
    if (format == "latex") {
        return fitToLatex(fit);
    }
    if (format == "python") {
        return fitToPython(fit, provenance);
    }
    throw Error(ErrorCode::InvalidInput, "unknown export format '" + format + "'", "format",
                "json | csv | latex | python");
}

std::string exportSuffix(const std::string& format) {
    if (format == "latex") {
        return "tex";
    }
    if (format == "python") {
        return "py";
    }
    return format;
}

}  // namespace anneal::fit
