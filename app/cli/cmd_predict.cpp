// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli predict: a stored fit's prediction for a schedule (lr_annealing, mpl: the whole loss curve),
// for a run's logged curve with the errors of the prediction (curve laws), for (N, D), or the
// compute-optimal allocation at a FLOP budget (chinchilla).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/fit/compute_optimal.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/fit_export.h"
#include "anneal/fit/predict_run.h"
#include "anneal/schedule.h"
#include "anneal/store.h"
#include "cli_context.h"

namespace anneal::cli {

namespace {

std::string percent(double fraction) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g%%", 100.0 * fraction);
    return buf;
}

std::string loss(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

/// --run: the run's logged loss against the fit's prediction from the run's own LR sequence.
void printRunPrediction(const fit::RunPrediction& r, std::int64_t fitId, const std::string& law,
                        const std::string& format) {
    const fit::CurveErrors& e = r.errors;
    if (format == "json") {
        nlohmann::json j;
        j["fit_id"] = fitId;
        j["law"] = law;
        j["run_id"] = r.runId;
        j["run_name"] = r.runName;
        j["metric"] = r.metric;
        j["n_steps"] = r.steps.size();
        j["skipped_steps"] = r.skipped;
        j["steps_before_min_step"] = r.before;
        j["pred_e"] = jsonNumber(e.meanRelative);
        j["worst_e"] = jsonNumber(e.worstRelative);
        j["worst_step"] = r.steps[e.worstIndex];
        j["final_step"] = r.steps.back();
        j["final_observed"] = jsonNumber(r.observed.back());
        j["final_predicted"] = jsonNumber(r.predicted.back());
        j["final_error"] = jsonNumber(e.finalRelative);
        nlohmann::json rows = nlohmann::json::array();
        for (size_t i = 0; i < r.steps.size(); ++i) {
            rows.push_back({{"step", r.steps[i]},
                            {"observed", jsonNumber(r.observed[i])},
                            {"predicted", jsonNumber(r.predicted[i])}});
        }
        j["curve"] = rows;
        std::cout << j.dump() << std::endl;
        return;
    }
    if (format == "csv") {
        std::string out = "step,observed,predicted\n";
        for (size_t i = 0; i < r.steps.size(); ++i) {
            out += std::to_string(r.steps[i]) + "," + csvNumber(r.observed[i]) + "," +
                   csvNumber(r.predicted[i]) + "\n";
        }
        std::cout << out << std::flush;
        return;
    }
    std::cout << "fit " << fitId << " (" << law << ") on run " << r.runId << " (" << r.runName << "), "
              << r.metric << " at " << r.steps.size() << " logged steps";
    if (r.skipped > 0) {
        std::cout << " (" << r.skipped << " left out: the law is undefined there)";
    }
    if (r.before > 0) {
        std::cout << " (" << r.before << " before step " << r.steps.front() << " left out)";
    }
    std::cout << "\n"
              << "PredE  (mean relative error):  " << percent(e.meanRelative) << "\n"
              << "WorstE (worst relative error): " << percent(e.worstRelative) << " at step "
              << r.steps[e.worstIndex] << "\n"
              << "final loss at step " << r.steps.back() << ": observed " << loss(r.observed.back())
              << ", predicted " << loss(r.predicted.back()) << " (" << (e.finalRelative >= 0 ? "+" : "")
              << percent(e.finalRelative) << ")\n";
}

}  // namespace

void addPredictCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        std::int64_t fitId = 0;
        std::string schedule;
        std::vector<std::string> sets, unsets;
        double n = std::nan(""), d = std::nan(""), c = std::nan(""), x = std::nan(""), compute = std::nan("");
        std::string format = "csv";
        bool json = false;
        int isoflop = 0;
        std::int64_t run = 0;
        std::int64_t minStep = 0;
        std::string metric;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* p = app.add_subcommand("predict",
                                     "Predict with a stored fit: a loss curve for a schedule or a run "
                                     "(with its errors), a loss at (N, D), or the compute-optimal "
                                     "allocation");
    p->add_option("--fit", o->fitId, "Fit id (see `anneal-cli fits`)")->required();
    CLI::Option* schedule =
        p->add_option("--schedule", o->schedule,
                      "lr_annealing, mpl: an experiment file whose LR schedule to predict")
            ->check(CLI::ExistingFile);
    CLI::Option* run =
        p->add_option("--run", o->run,
                      "lr_annealing, mpl: predict this run's curve from its own LR sequence and "
                      "report PredE, WorstE and the final-loss error over its logged steps")
            ->excludes(schedule);
    p->add_option("--metric", o->metric,
                  "with --run: the run's loss to compare (default: the fit's, else val_loss)")
        ->needs(run);
    p->add_option("--min-step", o->minStep,
                  "with --run: compare logged steps from this one on (e.g. the --min-step of the fit, or a "
                  "branch's branch step)")
        ->needs(run)
        ->check(CLI::NonNegativeNumber);
    addOverrideOptions(p, o->sets, o->unsets);
    p->add_option("--n", o->n, "Parameters N");
    p->add_option("--d", o->d, "Tokens D");
    p->add_option("--c", o->c, "FLOPs C (D = C/(6N) when --d is absent)");
    p->add_option("--x", o->x, "power law: its variable");
    p->add_option("--compute", o->compute,
                  "chinchilla: the compute-optimal N, D and loss at this FLOP budget");
    p->add_option("--isoflop", o->isoflop,
                  "with --compute: also print the loss at this many N across 1e-2..1e2 x N_opt");
    CLI::Option* format = p->add_option("--format", o->format, "csv | json (with --run: text unless given)")
                              ->check(CLI::IsMember({"csv", "json"}));
    p->add_flag("--json", o->json, "Same as --format json")->excludes(format);
    p->footer(
        "Examples:\n"
        "  anneal-cli predict --fit 3 --schedule resources/experiments/wsd-stable.toml --set "
        "schedule.decay_fraction=0.2\n"
        "  anneal-cli predict --fit 3 --run 12\n"
        "  anneal-cli predict --fit 3 --run 12 --format csv > run12-pred.csv\n"
        "  anneal-cli predict --fit 1 --n 7e10 --d 1.4e12\n"
        "  anneal-cli predict --fit 1 --compute 5.76e23 --isoflop 9");
    p->callback([o, &ctx, format, run] {
        if (o->json) {
            o->format = "json";
        }
        auto store = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
        const fit::LoadedFit loaded = fit::fitFromJson(store->fitRecord(o->fitId).resultJson);
        const fit::FitResult& f = loaded.fit;
        if (run->count() > 0) {
            const std::string metric = !o->metric.empty()                  ? o->metric
                                       : !loaded.provenance.metric.empty() ? loaded.provenance.metric
                                                                           : "val_loss";
            const fit::RunPrediction r = fit::predictRun(*store, f, o->run, metric, o->minStep);
            printRunPrediction(r, o->fitId, f.law, o->json || format->count() > 0 ? o->format : "text");
            return;
        }
        if (!o->schedule.empty()) {
            if (!fit::isCurveLaw(f.law)) {
                throw Error(ErrorCode::InvalidInput,
                            "fit " + std::to_string(o->fitId) + " is a " + f.law +
                                " fit; --schedule needs an lr_annealing fit or an mpl fit",
                            "--schedule", "--n/--d/--c for " + f.law);
            }
            const ExperimentSpec spec = loadExperiment(o->schedule, collectOverrides(o->sets, o->unsets));
            const std::vector<double> lr = learningRates(spec);
            const std::vector<double> loss = fit::predictCurve(f, lr, spec.schedule.warmupSteps);
            if (o->format == "json") {
                nlohmann::json j;
                j["fit_id"] = o->fitId;
                j["final_loss"] = jsonNumber(loss.back());
                j["steps"] = lr.size();
                nlohmann::json rows = nlohmann::json::array();
                for (size_t t = 0; t < lr.size(); ++t) {
                    rows.push_back({{"step", t}, {"lr", lr[t]}, {"loss", jsonNumber(loss[t])}});
                }
                j["curve"] = rows;
                std::cout << j.dump() << std::endl;
            } else {
                std::string out = "step,lr,loss\n";
                for (size_t t = 0; t < lr.size(); ++t) {
                    out += std::to_string(t) + "," + csvNumber(lr[t]) + "," + csvNumber(loss[t]) + "\n";
                }
                std::cout << out << std::flush;
                std::cerr << "predicted final loss (after update " << lr.size() - 1 << "): " << loss.back()
                          << "\n";
            }
            return;
        }
        if (std::isfinite(o->compute)) {
            const fit::ChinchillaParams cp = fit::chinchillaParams(f);
            const fit::Allocation a = fit::computeOptimal(cp, o->compute);
            nlohmann::json j{{"flops", a.flops},
                             {"n_opt", a.nOpt},
                             {"d_opt", a.dOpt},
                             {"loss", a.loss},
                             {"tokens_per_param", a.dOpt / a.nOpt},
                             {"a", a.a},
                             {"b", a.b},
                             {"G", a.G}};
            if (o->isoflop > 1) {
                nlohmann::json iso = nlohmann::json::array();
                for (const auto& pt :
                     fit::isoFlopProfile(cp, o->compute, a.nOpt / 100, a.nOpt * 100, o->isoflop)) {
                    iso.push_back({{"n", pt.n}, {"d", pt.d}, {"loss", pt.loss}});
                }
                j["isoflop"] = iso;
            }
            if (o->format == "json") {
                std::cout << j.dump() << std::endl;
            } else {
                std::cout << "flops,n_opt,d_opt,loss,tokens_per_param\n"
                          << csvNumber(a.flops) << "," << csvNumber(a.nOpt) << "," << csvNumber(a.dOpt) << ","
                          << csvNumber(a.loss) << "," << csvNumber(a.dOpt / a.nOpt) << "\n";
                if (o->isoflop > 1) {
                    std::cout << "\nn,d,loss\n";
                    for (const auto& pt : j["isoflop"]) {
                        std::cout << csvNumber(pt["n"]) << "," << csvNumber(pt["d"]) << ","
                                  << csvNumber(pt["loss"]) << "\n";
                    }
                }
            }
            return;
        }
        fit::Point at;
        at.n = o->n;
        at.d = std::isfinite(o->d) ? o->d
                                   : (std::isfinite(o->c) && std::isfinite(o->n) ? o->c / (6 * o->n) : o->d);
        at.c = std::isfinite(o->c) ? o->c : 6 * o->n * at.d;
        at.x = o->x;
        const double v = fit::predict(f, at);
        if (o->format == "json") {
            std::cout << nlohmann::json{{"fit_id", o->fitId}, {"law", f.law}, {"value", jsonNumber(v)}}.dump()
                      << std::endl;
        } else {
            std::cout << csvNumber(v) << "\n";
        }
    });
}

}  // namespace anneal::cli
