// SPDX-License-Identifier: GPL-3.0-or-later
// JSON export of a fit ("anneal-fit", version 1) and re-loading it. Non-finite numbers are written as
// null (JSON has no NaN/Inf): null reads back as NaN, or as -inf/+inf for the ends of a bound.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "anneal/error.h"
#include "anneal/fit/fit_export.h"
#include "anneal/fit/law.h"

namespace anneal::fit {

namespace {

using nlohmann::json;

constexpr const char* kFormat = "anneal-fit";
constexpr int kFormatVersion = 1;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

const char* warmupName(WarmupMode m) {
    return m == WarmupMode::ClampDrops ? "clamp_drops" : "start_after_warmup";
}

json optionsJson(const FitOptions& o) {
    json j;
    j["law"] = o.law;
    j["variable"] = o.variable;
    j["huber_delta"] = o.huberDelta;
    json bounds = json::object();
    for (const auto& [name, b] : o.bounds) {
        bounds[name] = {{"lower", num(b.lower)}, {"upper", num(b.upper)}};
    }
    j["bounds"] = bounds;
    json fixed = json::object();
    for (const auto& [name, v] : o.fixed) {
        fixed[name] = v;
    }
    j["fixed"] = fixed;
    j["starts"] = o.starts;
    j["lambda"] = o.lambda;
    j["fit_lambda"] = o.fitLambda;
    j["warmup"] = warmupName(o.warmup);
    j["hold_out_above"] = num(o.holdOutAbove);
    j["hold_out_indices"] = o.holdOutIndices;
    j["bootstrap"] = o.bootstrap;
    j["ci_level"] = o.ciLevel;
    j["seed"] = o.seed;
    j["bootstrap_extra_starts"] = o.bootstrapExtraStarts;
    j["asymptotic_se"] = o.asymptoticSe;
    j["threads"] = o.threads;
    j["max_iterations"] = o.maxIterations;
    j["function_tolerance"] = o.functionTolerance;
    j["gradient_tolerance"] = o.gradientTolerance;
    j["parameter_tolerance"] = o.parameterTolerance;
    j["polish_starts"] = o.polishStarts;
    j["polish_tolerance"] = o.polishTolerance;
    return j;
}

// Reads fields with the JSON path of the first problem in the error.
class Reader {
public:
    [[noreturn]] static void fail(const std::string& path, const std::string& message,
                                  const std::string& allowed = {}) {
        throw Error(ErrorCode::InvalidInput, message, "json: " + path, allowed);
    }
    static const json& at(const json& obj, const std::string& key, const std::string& path) {
        if (!obj.is_object() || !obj.contains(key)) {
            fail(join(path, key), "missing");
        }
        return obj.at(key);
    }
    static double number(const json& obj, const std::string& key, const std::string& path,
                         double ifNull = std::numeric_limits<double>::quiet_NaN()) {
        const json& v = at(obj, key, path);
        if (v.is_null()) {
            return ifNull;
        }
        if (!v.is_number()) {
            fail(join(path, key), "expected a number, got " + v.dump());
        }
        return v.get<double>();
    }
    template <class T>
    static T get(const json& obj, const std::string& key, const std::string& path, T fallback) {
        if (!obj.is_object() || !obj.contains(key)) {
            return fallback;
        }
        try {
            return obj.at(key).get<T>();
        } catch (const json::exception&) {
            fail(join(path, key), "has the wrong type: " + obj.at(key).dump());
        }
    }
    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }
};

FitOptions readOptions(const json& j) {
    const std::string p = "options";
    FitOptions o;
    o.law = Reader::get<std::string>(j, "law", p, o.law);
    o.variable = Reader::get<std::string>(j, "variable", p, o.variable);
    o.huberDelta = Reader::get<double>(j, "huber_delta", p, o.huberDelta);
    if (j.contains("bounds")) {
        for (auto it = j["bounds"].begin(); it != j["bounds"].end(); ++it) {
            const std::string bp = p + ".bounds." + it.key();
            o.bounds[it.key()] = {Reader::number(*it, "lower", bp, -HUGE_VAL),
                                  Reader::number(*it, "upper", bp, HUGE_VAL)};
        }
    }
    o.fixed = Reader::get<std::map<std::string, double>>(j, "fixed", p, {});
    o.starts = Reader::get<std::vector<std::vector<double>>>(j, "starts", p, {});
    o.lambda = Reader::get<double>(j, "lambda", p, o.lambda);
    o.fitLambda = Reader::get<bool>(j, "fit_lambda", p, o.fitLambda);
    const std::string warmup = Reader::get<std::string>(j, "warmup", p, "clamp_drops");
    if (warmup != "clamp_drops" && warmup != "start_after_warmup") {
        Reader::fail(p + ".warmup", "unknown warmup mode '" + warmup + "'",
                     "clamp_drops | start_after_warmup");
    }
    o.warmup = warmup == "clamp_drops" ? WarmupMode::ClampDrops : WarmupMode::StartAfterWarmup;
    o.holdOutAbove = j.contains("hold_out_above") ? Reader::number(j, "hold_out_above", p) : o.holdOutAbove;
    o.holdOutIndices = Reader::get<std::vector<size_t>>(j, "hold_out_indices", p, {});
    o.bootstrap = Reader::get<int>(j, "bootstrap", p, o.bootstrap);
    o.ciLevel = Reader::get<double>(j, "ci_level", p, o.ciLevel);
    o.seed = Reader::get<uint64_t>(j, "seed", p, o.seed);
    o.bootstrapExtraStarts = Reader::get<int>(j, "bootstrap_extra_starts", p, o.bootstrapExtraStarts);
    o.asymptoticSe = Reader::get<bool>(j, "asymptotic_se", p, o.asymptoticSe);
    o.threads = Reader::get<int>(j, "threads", p, o.threads);
    o.maxIterations = Reader::get<int>(j, "max_iterations", p, o.maxIterations);
    o.functionTolerance = Reader::get<double>(j, "function_tolerance", p, o.functionTolerance);
    o.gradientTolerance = Reader::get<double>(j, "gradient_tolerance", p, o.gradientTolerance);
    o.parameterTolerance = Reader::get<double>(j, "parameter_tolerance", p, o.parameterTolerance);
    o.polishStarts = Reader::get<int>(j, "polish_starts", p, o.polishStarts);
    o.polishTolerance = Reader::get<double>(j, "polish_tolerance", p, o.polishTolerance);
    return o;
}

}  // namespace

std::string fitToJson(const FitResult& fit, const Provenance& prov) {
    json j;
    j["format"] = kFormat;
    j["format_version"] = kFormatVersion;
    j["law"] = fit.law;
    j["equation"] = lawByName(fit.law).equation();
    json params = json::array();
    for (const ParamEstimate& p : fit.params) {
        params.push_back({{"name", p.name},
                          {"value", num(p.value)},
                          {"fixed", p.fixed},
                          {"ci_low", num(p.ciLow)},
                          {"ci_high", num(p.ciHigh)},
                          {"se_bootstrap", num(p.seBootstrap)},
                          {"se_asymptotic", num(p.seAsymptotic)}});
    }
    j["params"] = params;
    j["objective"] = num(fit.objective);
    j["n_points"] = fit.nPoints;
    j["n_held_out"] = fit.nHeldOut;
    j["starts"] = {{"total", fit.startsTotal}, {"converged", fit.startsConverged}};
    j["ci_level"] = num(fit.ciLevel);
    j["bootstrap"] = {{"resamples", fit.bootstrapResamples},
                      {"failed", fit.bootstrapFailed},
                      {"samples", fit.bootstrapSamples}};
    if (fit.holdOut) {
        const HoldOutScore& h = *fit.holdOut;
        j["hold_out"] = {{"count", h.count},
                         {"rmse_log", num(h.rmseLog)},
                         {"max_abs_log", num(h.maxAbsLog)},
                         {"mean_abs_relative", num(h.meanAbsRelative)},
                         {"max_abs_relative", num(h.maxAbsRelative)},
                         {"huber", num(h.huber)}};
    } else {
        j["hold_out"] = nullptr;
    }
    j["options"] = optionsJson(fit.options);
    j["provenance"] = {{"source", prov.source},          {"run_ids", prov.runIds},
                       {"metric", prov.metric},          {"file_path", prov.filePath},
                       {"file_sha256", prov.fileSha256}, {"anneal_version", prov.annealVersion},
                       {"created_at", prov.createdAt}};
    json points = json::array();
    for (const PointResult& p : fit.points) {
        points.push_back({{"curve", p.curve},
                          {"index", p.index},
                          {"n", num(p.n)},
                          {"d", num(p.d)},
                          {"c", num(p.c)},
                          {"x", num(p.x)},
                          {"target", p.target},
                          {"label", p.label},
                          {"observed", num(p.observed)},
                          {"predicted", num(p.predicted)},
                          {"residual", num(p.residual)},
                          {"weight", num(p.weight)},
                          {"held_out", p.heldOut}});
    }
    j["points"] = points;
    json curves = json::array();
    for (const Curve& c : fit.curves) {
        curves.push_back({{"name", c.name},
                          {"warmup_steps", c.warmupSteps},
                          {"lr", c.lr},
                          {"steps", c.steps},
                          {"losses", c.losses},
                          {"weights", c.weights}});
    }
    j["curves"] = curves;
    json warnings = json::array();
    for (const FitWarning& w : fit.warnings) {
        warnings.push_back({{"field", w.field}, {"message", w.message}});
    }
    j["warnings"] = warnings;
    j["seconds"] = fit.seconds;
    return j.dump(1) + "\n";
}

LoadedFit fitFromJson(const std::string& text) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(ErrorCode::InvalidInput, std::string("not valid JSON: ") + e.what(), "json");
    }
    if (!j.is_object() || Reader::get<std::string>(j, "format", "", "") != kFormat) {
        Reader::fail("format", "not an Anneal fit export", kFormat);
    }
    const int version = Reader::get<int>(j, "format_version", "", 0);
    if (version > kFormatVersion) {
        throw Error(ErrorCode::SchemaTooNew,
                    "written by a newer Anneal (format version " + std::to_string(version) + ")",
                    "json: format_version", "<= " + std::to_string(kFormatVersion));
    }
    if (version < 1) {
        Reader::fail("format_version", "missing or invalid", "1");
    }
    LoadedFit out;
    FitResult& f = out.fit;
    f.law = Reader::get<std::string>(j, "law", "", "");
    const Law* law = nullptr;
    try {
        law = &lawByName(f.law);
    } catch (const Error& e) {
        Reader::fail("law", e.detail(), e.allowed());
    }
    const json& params = Reader::at(j, "params", "");
    const auto names = law->paramNames();
    if (!params.is_array() || params.size() != names.size()) {
        Reader::fail("params",
                     "expected " + std::to_string(names.size()) + " parameters for the " + f.law + " law");
    }
    for (size_t k = 0; k < params.size(); ++k) {
        const std::string pp = "params[" + std::to_string(k) + "]";
        ParamEstimate e;
        e.name = Reader::get<std::string>(params[k], "name", pp, "");
        if (e.name != names[k]) {
            Reader::fail(pp + ".name", "expected '" + names[k] + "', got '" + e.name + "'");
        }
        e.value = Reader::number(params[k], "value", pp);
        e.fixed = Reader::get<bool>(params[k], "fixed", pp, false);
        e.ciLow = Reader::number(params[k], "ci_low", pp);
        e.ciHigh = Reader::number(params[k], "ci_high", pp);
        e.seBootstrap = Reader::number(params[k], "se_bootstrap", pp);
        e.seAsymptotic = Reader::number(params[k], "se_asymptotic", pp);
        f.params.push_back(e);
    }
    f.objective = Reader::number(j, "objective", "");
    f.nPoints = Reader::get<size_t>(j, "n_points", "", 0);
    f.nHeldOut = Reader::get<size_t>(j, "n_held_out", "", 0);
    if (j.contains("starts")) {
        f.startsTotal = Reader::get<size_t>(j["starts"], "total", "starts", 0);
        f.startsConverged = Reader::get<size_t>(j["starts"], "converged", "starts", 0);
    }
    f.ciLevel = j.contains("ci_level") ? Reader::number(j, "ci_level", "") : kNaN;
    if (j.contains("bootstrap")) {
        const json& b = j["bootstrap"];
        f.bootstrapResamples = Reader::get<int>(b, "resamples", "bootstrap", 0);
        f.bootstrapFailed = Reader::get<int>(b, "failed", "bootstrap", 0);
        if (b.contains("samples")) {
            for (size_t k = 0; k < b["samples"].size(); ++k) {
                std::vector<double> s;
                for (const json& v : b["samples"][k]) {
                    s.push_back(v.is_number() ? v.get<double>() : kNaN);
                }
                f.bootstrapSamples.push_back(std::move(s));
            }
        }
    }
    if (j.contains("hold_out") && !j["hold_out"].is_null()) {
        const json& h = j["hold_out"];
        HoldOutScore s;
        s.count = Reader::get<size_t>(h, "count", "hold_out", 0);
        s.rmseLog = Reader::number(h, "rmse_log", "hold_out");
        s.maxAbsLog = Reader::number(h, "max_abs_log", "hold_out");
        s.meanAbsRelative = Reader::number(h, "mean_abs_relative", "hold_out");
        s.maxAbsRelative = Reader::number(h, "max_abs_relative", "hold_out");
        s.huber = Reader::number(h, "huber", "hold_out");
        f.holdOut = s;
    }
    f.options = j.contains("options") ? readOptions(j["options"]) : FitOptions{};
    f.options.law = f.law;
    if (j.contains("provenance")) {
        const json& p = j["provenance"];
        out.provenance.source = Reader::get<std::string>(p, "source", "provenance", "");
        out.provenance.runIds = Reader::get<std::vector<std::string>>(p, "run_ids", "provenance", {});
        out.provenance.metric = Reader::get<std::string>(p, "metric", "provenance", "");
        out.provenance.filePath = Reader::get<std::string>(p, "file_path", "provenance", "");
        out.provenance.fileSha256 = Reader::get<std::string>(p, "file_sha256", "provenance", "");
        out.provenance.annealVersion = Reader::get<std::string>(p, "anneal_version", "provenance", "");
        out.provenance.createdAt = Reader::get<std::string>(p, "created_at", "provenance", "");
    }
    if (j.contains("points")) {
        for (size_t k = 0; k < j["points"].size(); ++k) {
            const json& q = j["points"][k];
            const std::string pp = "points[" + std::to_string(k) + "]";
            PointResult r;
            r.curve = Reader::get<int>(q, "curve", pp, -1);
            r.index = Reader::get<size_t>(q, "index", pp, 0);
            r.n = Reader::number(q, "n", pp);
            r.d = Reader::number(q, "d", pp);
            r.c = Reader::number(q, "c", pp);
            r.x = Reader::number(q, "x", pp);
            r.target = Reader::get<std::string>(q, "target", pp, "loss");
            r.label = Reader::get<std::string>(q, "label", pp, "");
            r.observed = Reader::number(q, "observed", pp);
            r.predicted = Reader::number(q, "predicted", pp);
            r.residual = Reader::number(q, "residual", pp);
            r.weight = Reader::number(q, "weight", pp);
            r.heldOut = Reader::get<bool>(q, "held_out", pp, false);
            f.points.push_back(std::move(r));
        }
    }
    if (j.contains("curves")) {
        for (size_t k = 0; k < j["curves"].size(); ++k) {
            const json& c = j["curves"][k];
            const std::string cp = "curves[" + std::to_string(k) + "]";
            Curve cv;
            cv.name = Reader::get<std::string>(c, "name", cp, "");
            cv.warmupSteps = Reader::get<int64_t>(c, "warmup_steps", cp, -1);
            cv.lr = Reader::get<std::vector<double>>(c, "lr", cp, {});
            cv.steps = Reader::get<std::vector<int64_t>>(c, "steps", cp, {});
            cv.losses = Reader::get<std::vector<double>>(c, "losses", cp, {});
            cv.weights = Reader::get<std::vector<double>>(c, "weights", cp, {});
            f.curves.push_back(std::move(cv));
        }
    }
    if (j.contains("warnings")) {
        for (const json& w : j["warnings"]) {
            f.warnings.push_back({Reader::get<std::string>(w, "field", "warnings", ""),
                                  Reader::get<std::string>(w, "message", "warnings", "")});
        }
    }
    f.seconds = Reader::get<double>(j, "seconds", "", 0.0);
    return out;
}

}  // namespace anneal::fit
