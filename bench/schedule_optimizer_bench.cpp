// SPDX-License-Identifier: GPL-3.0-or-later
// The schedule optimiser (issue 14, METHODS 2.1): the final loss with its gradient with respect to every
// LR (one O(T) pass), and a whole optimisation, for T = 10,000, 24,000 and 100,000 updates, warmup 9% of
// T (Luo et al.'s 2,160 of 24,000), peak LR 3e-4; the counters give the optimised (loss), cosine and
// WSD 10% / 20% final losses. mpl: METHODS 8.8 (400M); lr_annealing: L0 2.4, A 0.6, alpha 0.45, C 0.5, lambda
// 0.999.
//
//   schedule_optimizer_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "anneal/fit/law.h"
#include "anneal/fit/schedule_optimizer.h"

namespace {

anneal::fit::FitResult makeFit(const std::string& law) {
    const std::vector<double> v = law == "mpl"
                                      ? std::vector<double>{2.37474466, 0.65421216, 0.42878731, 523.42464371,
                                                            2.02462735, 0.59350493, 0.63472457}
                                      : std::vector<double>{2.4, 0.6, 0.45, 0.5, 0.999};
    anneal::fit::FitResult r;
    r.law = law;
    const auto& names = anneal::fit::lawByName(law).params();
    for (size_t i = 0; i < v.size(); ++i) {
        anneal::fit::ParamEstimate p;
        p.name = names[i].name;
        p.value = v[i];
        r.params.push_back(p);
    }
    return r;
}

anneal::fit::ScheduleProblem problem(std::int64_t T) {
    anneal::fit::ScheduleProblem p;
    p.steps = T;
    p.peakLr = 3e-4;
    p.warmupSteps = T * 9 / 100;
    return p;
}

void gradient(benchmark::State& state, const char* law) {
    const auto fit = makeFit(law);
    const auto p = problem(state.range(0));
    const auto lr = anneal::fit::referenceSchedules(fit, p)[0].lr;  // cosine
    std::vector<double> g;
    for (auto _ : state) {
        benchmark::DoNotOptimize(anneal::fit::finalLossGradient(fit, lr, p.warmupSteps, &g));
    }
}

void optimize(benchmark::State& state, const char* law) {
    const auto fit = makeFit(law);
    const auto p = problem(state.range(0));
    anneal::fit::OptimizedSchedule r;
    for (auto _ : state) {
        r = anneal::fit::optimizeSchedule(fit, p);
        benchmark::DoNotOptimize(
            r.best.lr.data());  // a pointer: DoNotOptimize on a double lvalue clobbers it here
    }
    state.counters["iterations"] = r.iterations;
    state.counters["loss"] = r.best.finalLoss;
    state.counters["cosine"] = r.references[0].finalLoss;
    state.counters["wsd10"] = r.references[1].finalLoss;
    state.counters["wsd20"] = r.references[2].finalLoss;
}

void BM_GradientMpl(benchmark::State& s) { gradient(s, "mpl"); }
void BM_GradientAnnealing(benchmark::State& s) { gradient(s, "lr_annealing"); }
void BM_OptimizeMpl(benchmark::State& s) { optimize(s, "mpl"); }
void BM_OptimizeAnnealing(benchmark::State& s) { optimize(s, "lr_annealing"); }

}  // namespace

BENCHMARK(BM_GradientMpl)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GradientAnnealing)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OptimizeMpl)->Arg(10000)->Arg(24000)->Arg(100000)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_OptimizeAnnealing)->Arg(10000)->Arg(24000)->Arg(100000)->Unit(benchmark::kSecond)->Iterations(1);

BENCHMARK_MAIN();
