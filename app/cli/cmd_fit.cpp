// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli fit | fits: fit a scaling law on runs, a sweep group or a file; list and export fits.
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/fit_export.h"
#include "anneal/fit/fit_record.h"
#include "anneal/fit/from_runs.h"
#include "anneal/store.h"
#include "cli_context.h"
#include "progress.h"

namespace anneal::cli {

namespace {

struct FitOpts {
    std::string law;
    std::string csv;
    std::string nCol, dCol, cCol, xCol, lossCol = "loss", stepCol = "step", lrCol = "lr", groupCol, weightCol,
                                        batchCol;
    std::string scheduleFile, lrFile;
    std::int64_t minStep = 0;
    std::string runs;
    std::string group;
    std::string metric = "val_loss";
    std::string variable = "auto";
    std::string name;
    int bootstrap = 0;
    double ciLevel = 0.95;
    double holdOutAbove = std::nan("");
    double lambda = 0.999;
    bool fitLambda = false;
    std::string warmup = "clamp";
    bool withEmbeddings = false;
    bool json = false;
    bool noStore = false;
    std::string exportFormat;
    std::string out;
    std::int64_t fitId = 0;
    std::uint64_t seed = 42;
};

std::vector<std::int64_t> parseIds(const std::string& list) {
    std::vector<std::int64_t> ids;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            ids.push_back(std::stoll(item, &used));
            if (used != item.size()) {
                throw std::invalid_argument(item);
            }
        } catch (const std::exception&) {
            throw Error(ErrorCode::InvalidInput, "\"" + item + "\" is not a run id", "--runs",
                        "comma-separated run ids, e.g. 3,4,7");
        }
    }
    return ids;
}

void writeExport(const fit::FitResult& r, const fit::Provenance& p, const std::string& format,
                 const std::string& out) {
    const std::string text = fit::exportFit(r, p, format);
    if (out.empty() || out == "-") {
        std::cout << text << std::flush;
        return;
    }
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!f || !(f << text) || !f.flush()) {
        throw Error(ErrorCode::Io, "cannot write the export", out);
    }
}

nlohmann::json resultJson(const fit::FitResult& r, std::int64_t id) {
    nlohmann::json j;
    if (id > 0) {
        j["fit_id"] = id;
    }
    j["law"] = r.law;
    j["objective"] = jsonNumber(r.objective);
    j["n_points"] = r.nPoints;
    j["n_held_out"] = r.nHeldOut;
    j["starts"] = r.startsTotal;
    j["starts_converged"] = r.startsConverged;
    j["seconds"] = r.seconds;
    nlohmann::json params = nlohmann::json::object();
    nlohmann::json ci = nlohmann::json::object();
    nlohmann::json se = nlohmann::json::object();
    for (const auto& p : r.params) {
        params[p.name] = jsonNumber(p.value);
        if (std::isfinite(p.ciLow)) {
            ci[p.name] = {p.ciLow, p.ciHigh};
        }
        if (std::isfinite(p.seBootstrap) || std::isfinite(p.seAsymptotic)) {
            se[p.name] = {{"bootstrap", jsonNumber(p.seBootstrap)},
                          {"asymptotic", jsonNumber(p.seAsymptotic)}};
        }
    }
    j["params"] = params;
    if (!ci.empty()) {
        j["ci"] = ci;
        j["ci_level"] = r.ciLevel;
    }
    if (!se.empty()) {
        j["se"] = se;
    }
    if (r.holdOut) {
        j["hold_out"] = {{"count", r.holdOut->count},
                         {"rmse_log", jsonNumber(r.holdOut->rmseLog)},
                         {"max_abs_relative", jsonNumber(r.holdOut->maxAbsRelative)},
                         {"mean_abs_relative", jsonNumber(r.holdOut->meanAbsRelative)}};
    }
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& w : r.warnings) {
        warnings.push_back({{"field", w.field}, {"message", w.message}});
    }
    j["warnings"] = warnings;
    return j;
}

void printHuman(const fit::FitResult& r, std::int64_t id) {
    std::ostringstream os;
    os << "fit " << (id > 0 ? std::to_string(id) + " " : "") << r.law << " on " << r.nPoints << " points";
    if (r.nHeldOut) {
        os << " (" << r.nHeldOut << " held out)";
    }
    os << ": objective " << r.objective << ", " << r.startsConverged << "/" << r.startsTotal
       << " starts converged, " << r.seconds << " s\n";
    for (const auto& p : r.params) {
        os << "  " << p.name << " = " << p.value;
        if (p.fixed) {
            os << " (fixed)";
        }
        if (std::isfinite(p.ciLow)) {
            os << "  [" << p.ciLow << ", " << p.ciHigh << "]";
        }
        if (std::isfinite(p.seBootstrap)) {
            os << "  se " << p.seBootstrap;
        }
        os << "\n";
    }
    if (r.holdOut) {
        os << "  hold-out: " << r.holdOut->count << " points, RMSE(log) " << r.holdOut->rmseLog
           << ", max |rel. error| " << r.holdOut->maxAbsRelative << "\n";
    }
    for (const auto& w : r.warnings) {
        os << "  warning: " << w.field << ": " << w.message << "\n";
    }
    std::cout << os.str() << std::flush;
}

void runFit(const FitOpts& o, const Context& ctx) {
    const int sources = (!o.csv.empty()) + (!o.runs.empty()) + (!o.group.empty());
    if (sources != 1) {
        throw Error(ErrorCode::InvalidInput, "give exactly one of --csv, --runs, --group",
                    "--csv | --runs | --group");
    }
    if ((!o.scheduleFile.empty() || !o.lrFile.empty()) && o.csv.empty()) {
        throw Error(ErrorCode::InvalidInput,
                    "--schedule and --lr-file give the LR of curves read with --csv; runs of the database "
                    "carry their own (an imported run keeps the one given to `anneal-cli import`)",
                    "--schedule, --lr-file", "--csv FILE with one of them");
    }
    fit::FitOptions options;
    options.law = o.law;
    options.variable = o.variable;
    options.bootstrap = o.bootstrap;
    options.ciLevel = o.ciLevel;
    options.holdOutAbove = o.holdOutAbove;
    options.lambda = o.lambda;
    options.fitLambda = o.fitLambda;
    options.warmup = o.warmup == "after" ? fit::WarmupMode::StartAfterWarmup : fit::WarmupMode::ClampDrops;
    options.seed = o.seed;
    fit::lawByName(o.law);  // an unknown law is an error before any reading
    fit::PreparedFit prepared;
    if (!o.csv.empty()) {
        fit::FileColumns cols;
        cols.n = o.nCol;
        cols.d = o.dCol;
        cols.c = o.cCol;
        cols.x = o.xCol;
        cols.loss = o.lossCol;
        cols.weight = o.weightCol;
        cols.lr = o.lrCol;
        cols.batch = o.batchCol;
        cols.step = o.stepCol;
        cols.group = o.groupCol;
        cols.scheduleFile = o.scheduleFile;
        cols.lrFile = o.lrFile;
        prepared = fit::prepareFromFile(o.law, o.csv, cols);
        for (const auto& w : prepared.warnings) {
            std::cerr << "warning: " << w << "\n";
        }
    } else {
        auto store = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
        fit::RunSource source;
        source.runIds = !o.runs.empty() ? parseIds(o.runs) : std::vector<std::int64_t>{};
        source.group = o.group;
        source.metric = o.metric;
        source.includeEmbeddings = o.withEmbeddings;
        source.dbLabel = ctx.dbPath();
        prepared = fit::prepareFromRuns(*store, o.law, source);
    }
    fit::leaveOutBefore(prepared, o.law, o.minStep);
    const fit::FitInput& input = prepared.input;
    const fit::Provenance& prov = prepared.provenance;
    ProgressBar bar("fit " + o.law, stderrIsTty() && !o.json);
    const fit::FitResult result = fit::fitLaw(input, options, [&](double f) {
        bar.update(static_cast<std::int64_t>(f * 1000), 1000);
        return true;
    });
    bar.finish();
    std::int64_t id = 0;
    if (!o.noStore) {
        id = fit::storeFit(*Store::open(ctx.dbPath()), result, prov, o.name);
    }
    if (!o.exportFormat.empty()) {
        writeExport(result, prov, o.exportFormat, o.out);
        if (o.out.empty() || o.out == "-") {
            return;
        }
    }
    if (o.json) {
        std::cout << resultJson(result, id).dump() << std::endl;
    } else {
        printHuman(result, id);
    }
}

}  // namespace

void addFitCommands(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<FitOpts>();
    CLI::App* f = app.add_subcommand("fit", "Fit a scaling law on runs, a sweep group or a CSV/JSONL file");
    f->add_option("--law", o->law, "power | kaplan | chinchilla | lr_annealing | mpl | steplaw")->required();
    f->add_option("--csv", o->csv, "Points or curves from a file (.csv, or .jsonl with one object per line)")
        ->check(CLI::ExistingFile);
    f->add_option("--n-col", o->nCol, "Column of N (parameters)");
    f->add_option("--d-col", o->dCol, "Column of D (tokens)");
    f->add_option("--c-col", o->cCol, "Column of C (FLOPs; D = C/(6N) when D is absent)");
    f->add_option("--x-col", o->xCol, "Column of the power law's variable");
    f->add_option("--loss-col", o->lossCol, "Column of the loss (default: loss)");
    f->add_option("--step-col", o->stepCol, "lr_annealing, mpl: column of the step (default: step)");
    f->add_option("--lr-col", o->lrCol,
                  "lr_annealing, mpl: column of the LR; steplaw: of the best LR (default: lr)");
    f->add_option("--group-col", o->groupCol, "lr_annealing, mpl: column naming the curve of each row");
    f->add_option("--min-step", o->minStep,
                  "lr_annealing, mpl: leave the losses logged before this step out of the fit (the early "
                  "transient); their LR still counts")
        ->check(CLI::NonNegativeNumber);
    f->add_option("--schedule", o->scheduleFile,
                  "lr_annealing, mpl with --csv: the LR of every update from an experiment or schedule "
                  "file (losses may then be logged at any steps; the lr column becomes optional)")
        ->check(CLI::ExistingFile);
    f->add_option("--lr-file", o->lrFile,
                  "lr_annealing, mpl with --csv: the LR of every update from a `step,lr` file with a row "
                  "for every step 0..T-1")
        ->check(CLI::ExistingFile);
    f->add_option("--batch-col", o->batchCol, "steplaw: column of the best batch size in tokens");
    f->add_option("--weight-col", o->weightCol, "Column of per-point weights");
    f->add_option("--runs", o->runs, "Comma-separated run ids of the database");
    f->add_option("--group", o->group, "A sweep group of the database (its completed runs)");
    f->add_option("--metric", o->metric, "Loss metric of runs to fit (default: val_loss)");
    f->add_option("--variable", o->variable, "power: auto | N | D | C | steps")
        ->check(CLI::IsMember({"auto", "N", "D", "C", "x", "steps"}));
    f->add_flag("--with-embeddings", o->withEmbeddings, "N of runs includes embedding parameters");
    f->add_option("--bootstrap", o->bootstrap, "Bootstrap resamples for confidence intervals")
        ->check(CLI::Range(0, 100000));
    f->add_option("--ci-level", o->ciLevel, "Level of the intervals (default 0.95)")
        ->check(CLI::Range(0.5, 0.999));
    f->add_option(
        "--hold-out-above", o->holdOutAbove,
        "Fit on points with N (power: its variable; lr_annealing, mpl: step) up to this; score the rest");
    f->add_option("--lambda", o->lambda, "lr_annealing: decay factor (default 0.999)")
        ->check(CLI::Range(0.0, 1.0));
    f->add_flag("--fit-lambda", o->fitLambda, "lr_annealing: fit lambda too");
    f->add_option("--warmup", o->warmup,
                  "lr_annealing: clamp (warmup in S1, no negative annealing area) | after "
                  "(start S1, S2 after warmup)")
        ->check(CLI::IsMember({"clamp", "after"}));
    f->add_option("--seed", o->seed, "Bootstrap seed");
    f->add_option("--name", o->name, "Name of the stored fit");
    f->add_flag("--no-store", o->noStore, "Do not store the fit in the database");
    f->add_option("--export", o->exportFormat, "Also export: json | csv | latex | python")
        ->check(CLI::IsMember({"json", "csv", "latex", "python"}));
    f->add_option("--out", o->out, "File for --export (default: stdout)");
    f->add_flag("--json", o->json, "Print one JSON object: law, params, objective, n_points, ci");
    f->footer(
        "Examples:\n"
        "  anneal-cli fit --law chinchilla --csv points.csv --n-col N --d-col D --loss-col loss --bootstrap "
        "200\n"
        "  anneal-cli fit --law chinchilla --group size-sweep --db lab.db --json\n"
        "  anneal-cli fit --law lr_annealing --runs 3,4 --db lab.db --export python --out law.py\n"
        "  anneal-cli fit --law mpl --csv curves.csv --group-col run --bootstrap 50\n"
        "  anneal-cli fit --law mpl --csv sparse.csv --schedule wsd.toml\n"
        "  anneal-cli fit --law power --variable C --runs 1,2,3,4 --hold-out-above 5e6");
    f->callback([o, &ctx] { runFit(*o, ctx); });

    CLI::App* fits = app.add_subcommand("fits", "List stored fits, or export one");
    fits->add_option("FIT_ID", o->fitId, "Export this fit (with --export)");
    fits->add_flag("--json", o->json, "JSON output");
    fits->add_option("--export", o->exportFormat, "json | csv | latex | python")
        ->check(CLI::IsMember({"json", "csv", "latex", "python"}));
    fits->add_option("--out", o->out, "File for --export (default: stdout)");
    fits->footer(
        "Examples:\n  anneal-cli fits --db lab.db\n  anneal-cli fits 2 --export latex --out law.tex");
    fits->callback([o, &ctx] {
        auto store = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
        if (o->fitId > 0) {
            const FitRecord rec = store->fitRecord(o->fitId);
            const fit::LoadedFit loaded = fit::fitFromJson(rec.resultJson);
            if (o->exportFormat.empty()) {
                o->json ? (void)(std::cout << resultJson(loaded.fit, rec.id).dump() << std::endl)
                        : printHuman(loaded.fit, rec.id);
                return;
            }
            writeExport(loaded.fit, loaded.provenance, o->exportFormat, o->out);
            return;
        }
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& rec : store->listFits()) {
            if (o->json) {
                nlohmann::json params = nlohmann::json::object();
                for (const auto& p : fit::fitFromJson(rec.resultJson).fit.params) {
                    params[p.name] = jsonNumber(p.value);
                }
                arr.push_back({{"id", rec.id},
                               {"name", rec.name},
                               {"law", rec.law},
                               {"source", rec.source},
                               {"objective", jsonNumber(rec.objective)},
                               {"n_points", rec.nPoints},
                               {"version", rec.version},
                               {"params", params}});
            } else {
                std::printf("%5lld  %-14s %5lld points  objective %-12.6g %s\n",
                            static_cast<long long>(rec.id), rec.law.c_str(),
                            static_cast<long long>(rec.nPoints), rec.objective, rec.name.c_str());
            }
        }
        if (o->json) {
            std::cout << arr.dump(2) << std::endl;
        }
    });
}

}  // namespace anneal::cli
