// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli schedule optimize: the LR schedule that minimises a fitted curve law's predicted final loss
// (METHODS 2.1, schedule_optimizer.h), next to cosine and WSD with the same peak, warmup and steps;
// written as a `table` schedule file and, from an experiment, as an experiment that trains it.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/fit/fit_export.h"
#include "anneal/fit/law.h"
#include "anneal/fit/schedule_optimizer.h"
#include "anneal/lr_table.h"
#include "anneal/store.h"
#include "cli_context.h"
#include "progress.h"

namespace anneal::cli {

namespace {

std::atomic<bool> g_cancel{false};
void onOptimizeSignal(int) { g_cancel = true; }

void writeText(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
        throw Error(ErrorCode::Io, "cannot write the file", path);
    }
}

std::string lossText(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

std::string signedText(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.6f", v);
    return buf;
}

}  // namespace

void addScheduleOptimizeCommand(CLI::App* schedule, Context& ctx) {
    struct Opts {
        std::int64_t fitId = 0;
        std::int64_t steps = 0;
        double peak = 0.0;
        std::int64_t warmup = -1;
        double minLr = 0.0;
        double warmupStart = 0.01;
        std::string experiment, out, outExperiment;
        std::vector<std::string> sets, unsets;
        int maxIterations = 3000;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* opt = schedule->add_subcommand(
        "optimize", "The LR schedule that minimises a fitted mpl or lr_annealing law's predicted final loss");
    opt->add_option("--fit", o->fitId, "Fit id of an mpl or lr_annealing fit (see `anneal-cli fits`)")
        ->required();
    CLI::Option* experiment =
        opt->add_option("--experiment", o->experiment,
                        "Take steps, peak LR, warmup and its start fraction from this experiment")
            ->check(CLI::ExistingFile);
    addOverrideOptions(opt, o->sets, o->unsets);
    CLI::Option* steps =
        opt->add_option("--steps", o->steps, "T: updates 0..T-1; the loss after the last one is minimised");
    CLI::Option* peak = opt->add_option("--peak-lr", o->peak, "Peak LR (the upper bound)");
    CLI::Option* warmup =
        opt->add_option("--warmup", o->warmup, "W: linear warmup updates (fixed); update W is at the peak");
    CLI::Option* start = opt->add_option("--warmup-start-fraction", o->warmupStart,
                                         "The warmup's first LR / peak (default 0.01)");
    opt->add_option("--min-lr", o->minLr,
                    "Lower bound after warmup, and the final LR of the references (default 0)");
    opt->add_option("--out", o->out,
                    "Write the schedule as a `step,lr` table file (schedule.kind = \"table\")");
    opt->add_option("--out-experiment", o->outExperiment,
                    "With --experiment: write that experiment with the optimised table schedule inline")
        ->needs(experiment);
    opt->add_option("--max-iterations", o->maxIterations, "Optimiser iterations at most (default 3000)")
        ->check(CLI::PositiveNumber);
    opt->add_flag("--json", o->json, "Print the result as JSON (with the schedule's knots)");
    opt->footer(
        "Constraints: warmup fixed (linear, as every Anneal schedule), max(min-lr, 1e-6 x peak) <= LR <= "
        "peak and\n"
        "non-increasing after warmup. Method: projected gradient with the law's analytic gradient "
        "(docs/FITTING.md).\n"
        "Examples:\n"
        "  anneal-cli schedule optimize --fit 3 --steps 24000 --peak-lr 3e-4 --warmup 2160 --out lr.csv\n"
        "  anneal-cli schedule optimize --fit 3 --experiment wsd.toml --out-experiment optimized.toml\n"
        "  anneal-cli run optimized.toml");
    opt->callback([o, &ctx, steps, peak, warmup, start] {
        fit::ScheduleProblem p;
        ExperimentSpec spec;
        if (!o->experiment.empty()) {
            spec = loadExperiment(o->experiment, collectOverrides(o->sets, o->unsets));
            p.steps = spec.train.steps;
            p.peakLr = spec.train.lr;
            p.warmupSteps = spec.schedule.warmupSteps;
            p.warmupStartFraction = spec.schedule.warmupStartFraction;
        }
        if (steps->count() > 0) {
            p.steps = o->steps;
        }
        if (peak->count() > 0) {
            p.peakLr = o->peak;
        }
        if (warmup->count() > 0) {
            p.warmupSteps = o->warmup;
        }
        if (start->count() > 0 || o->experiment.empty()) {
            p.warmupStartFraction = o->warmupStart;
        }
        p.minLr = o->minLr;
        if (o->experiment.empty() && (steps->count() == 0 || peak->count() == 0 || warmup->count() == 0)) {
            throw Error(ErrorCode::InvalidInput, "the problem is not complete", "--steps/--peak-lr/--warmup",
                        "all three, or --experiment FILE");
        }
        auto store = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
        const fit::LoadedFit loaded = fit::fitFromJson(store->fitRecord(o->fitId).resultJson);
        if (!fit::isCurveLaw(loaded.fit.law)) {
            throw Error(ErrorCode::InvalidInput,
                        "fit " + std::to_string(o->fitId) + " is a " + loaded.fit.law +
                            " fit, which predicts no loss curve",
                        "--fit", "the id of an mpl or lr_annealing fit");
        }
        fit::OptimizerOptions options;
        options.maxIterations = o->maxIterations;
        ProgressBar bar("optimize", stderrIsTty() && !o->json);
        g_cancel = false;
        std::signal(SIGINT, onOptimizeSignal);
        const auto t0 = std::chrono::steady_clock::now();
        fit::OptimizedSchedule r;
        try {
            r = fit::optimizeSchedule(loaded.fit, p, options, [&](double f) {
                bar.update(static_cast<std::int64_t>(f * options.maxIterations), options.maxIterations);
                return !g_cancel.load();
            });
        } catch (const Error& e) {
            std::signal(SIGINT, SIG_DFL);
            bar.finish();
            if (e.code() == ErrorCode::Cancelled) {
                std::cerr << "anneal-cli: schedule optimize stopped by Ctrl-C; nothing written\n";
                ctx.exitCode = kExitInterrupted;
                return;
            }
            if (e.code() == ErrorCode::InvalidInput && !e.field().empty() && e.field()[0] != '-') {
                throw Error(e.code(), e.detail(), "--" + e.field(), e.allowed());  // name the option
            }
            throw;
        }
        std::signal(SIGINT, SIG_DFL);
        bar.finish();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const LrTable table = lrTableFromSequence(r.best.lr);
        const std::string source =
            o->out.empty() ? "anneal-cli schedule optimize --fit " + std::to_string(o->fitId) : o->out;
        if (!o->out.empty()) {
            writeText(o->out, lrTableCsv(table));
        }
        if (!o->outExperiment.empty()) {
            spec.train.steps = p.steps;
            applyLrTable(spec, table, source);
            writeText(o->outExperiment, toToml(spec));
        }
        if (o->json) {
            nlohmann::json j;
            j["fit_id"] = o->fitId;
            j["law"] = loaded.fit.law;
            j["steps"] = p.steps;
            j["peak_lr"] = p.peakLr;
            j["warmup"] = p.warmupSteps;
            j["min_lr"] = p.minLr;
            j["floor_lr"] = r.floorLr;
            j["final_loss"] = jsonNumber(r.best.finalLoss);
            nlohmann::json refs = nlohmann::json::object();
            for (const auto& c : r.references) {
                refs[c.name] = jsonNumber(c.finalLoss);
            }
            j["references"] = refs;
            j["start"] = r.start;
            j["iterations"] = r.iterations;
            j["evaluations"] = r.evaluations;
            j["converged"] = r.converged;
            j["projected_gradient"] = jsonNumber(r.projectedGradient);
            j["seconds"] = seconds;
            j["knots"] = {{"steps", table.steps}, {"lrs", table.lrs}};
            j["warnings"] = r.warnings;
            std::cout << j.dump() << std::endl;
            return;
        }
        std::cout << "fit " << o->fitId << " (" << loaded.fit.law << "): predicted loss after update "
                  << p.steps - 1 << " (T = " << p.steps << ", peak " << csvNumber(p.peakLr) << ", warmup "
                  << p.warmupSteps << ", min LR " << csvNumber(p.minLr) << ")\n";
        std::cout << "  optimized  " << lossText(r.best.finalLoss) << "\n";
        for (const auto& c : r.references) {
            std::printf("  %-9s  %s  (optimized %s)\n", c.name.c_str(), lossText(c.finalLoss).c_str(),
                        signedText(r.best.finalLoss - c.finalLoss).c_str());
        }
        std::fflush(stdout);
        std::cout << "optimizer: " << r.iterations << " iterations, " << r.evaluations << " evaluations, "
                  << (r.converged ? "converged" : "stopped at --max-iterations") << ", " << lossText(seconds)
                  << " s; started from " << r.start << "\n";
        for (const std::string& w : r.warnings) {
            std::cout << "warning: " << w << "\n";
        }
        if (!o->out.empty()) {
            std::cout << "wrote " << o->out << " (" << table.steps.size()
                      << " knots): [schedule] kind = \"table\", file = \"" << o->out << "\"\n";
        }
        if (!o->outExperiment.empty()) {
            std::cout << "wrote " << o->outExperiment << ": anneal-cli run " << o->outExperiment << "\n";
        }
    });
}

}  // namespace anneal::cli
