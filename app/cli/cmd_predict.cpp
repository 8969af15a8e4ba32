// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli predict: a stored fit's prediction for a schedule (lr_annealing, mpl: the whole loss curve),
// for (N, D), or the compute-optimal allocation at a FLOP budget (chinchilla).
#include <cmath>
#include <iostream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/fit/compute_optimal.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/fit_export.h"
#include "anneal/schedule.h"
#include "anneal/store.h"
#include "cli_context.h"

namespace anneal::cli {

void addPredictCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        std::int64_t fitId = 0;
        std::string schedule;
        std::vector<std::string> sets, unsets;
        double n = std::nan(""), d = std::nan(""), c = std::nan(""), x = std::nan(""), compute = std::nan("");
        std::string format = "csv";
        int isoflop = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* p = app.add_subcommand("predict", "Predict with a stored fit: a loss curve for a schedule, a loss at (N, D), "
                                                "or the compute-optimal allocation");
    p->add_option("--fit", o->fitId, "Fit id (see `anneal-cli fits`)")->required();
    p->add_option("--schedule", o->schedule, "lr_annealing, mpl: an experiment file whose LR schedule to predict")
        ->check(CLI::ExistingFile);
    addOverrideOptions(p, o->sets, o->unsets);
    p->add_option("--n", o->n, "Parameters N");
    p->add_option("--d", o->d, "Tokens D");
    p->add_option("--c", o->c, "FLOPs C (D = C/(6N) when --d is absent)");
    p->add_option("--x", o->x, "power law: its variable");
    p->add_option("--compute", o->compute, "chinchilla: the compute-optimal N, D and loss at this FLOP budget");
    p->add_option("--isoflop", o->isoflop, "with --compute: also print the loss at this many N across 1e-2..1e2 x N_opt");
    p->add_option("--format", o->format, "csv | json")->check(CLI::IsMember({"csv", "json"}));
    p->footer(
        "Examples:\n"
        "  anneal-cli predict --fit 3 --schedule resources/experiments/wsd-stable.toml --set schedule.decay_fraction=0.2\n"
        "  anneal-cli predict --fit 1 --n 7e10 --d 1.4e12\n"
        "  anneal-cli predict --fit 1 --compute 5.76e23 --isoflop 9");
    p->callback([o, &ctx] {
        auto store = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
        const fit::LoadedFit loaded = fit::fitFromJson(store->fitRecord(o->fitId).resultJson);
        const fit::FitResult& f = loaded.fit;
        if (!o->schedule.empty()) {
            if (!fit::isCurveLaw(f.law)) {
                throw Error(ErrorCode::InvalidInput, "fit " + std::to_string(o->fitId) + " is a " + f.law +
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
                std::cerr << "predicted final loss (after update " << lr.size() - 1 << "): " << loss.back() << "\n";
            }
            return;
        }
        if (std::isfinite(o->compute)) {
            const fit::ChinchillaParams cp = fit::chinchillaParams(f);
            const fit::Allocation a = fit::computeOptimal(cp, o->compute);
            nlohmann::json j{{"flops", a.flops}, {"n_opt", a.nOpt}, {"d_opt", a.dOpt}, {"loss", a.loss},
                             {"tokens_per_param", a.dOpt / a.nOpt}, {"a", a.a}, {"b", a.b}, {"G", a.G}};
            if (o->isoflop > 1) {
                nlohmann::json iso = nlohmann::json::array();
                for (const auto& pt : fit::isoFlopProfile(cp, o->compute, a.nOpt / 100, a.nOpt * 100, o->isoflop)) {
                    iso.push_back({{"n", pt.n}, {"d", pt.d}, {"loss", pt.loss}});
                }
                j["isoflop"] = iso;
            }
            if (o->format == "json") {
                std::cout << j.dump() << std::endl;
            } else {
                std::cout << "flops,n_opt,d_opt,loss,tokens_per_param\n" << csvNumber(a.flops) << "," << csvNumber(a.nOpt)
                          << "," << csvNumber(a.dOpt) << "," << csvNumber(a.loss) << "," << csvNumber(a.dOpt / a.nOpt)
                          << "\n";
                if (o->isoflop > 1) {
                    std::cout << "\nn,d,loss\n";
                    for (const auto& pt : j["isoflop"]) {
                        std::cout << csvNumber(pt["n"]) << "," << csvNumber(pt["d"]) << "," << csvNumber(pt["loss"]) << "\n";
                    }
                }
            }
            return;
        }
        fit::Point at;
        at.n = o->n;
        at.d = std::isfinite(o->d) ? o->d : (std::isfinite(o->c) && std::isfinite(o->n) ? o->c / (6 * o->n) : o->d);
        at.c = std::isfinite(o->c) ? o->c : 6 * o->n * at.d;
        at.x = o->x;
        const double v = fit::predict(f, at);
        if (o->format == "json") {
            std::cout << nlohmann::json{{"fit_id", o->fitId}, {"law", f.law}, {"value", jsonNumber(v)}}.dump() << std::endl;
        } else {
            std::cout << csvNumber(v) << "\n";
        }
    });
}

}  // namespace anneal::cli
