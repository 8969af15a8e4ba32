// SPDX-License-Identifier: GPL-3.0-or-later
// The Multi-Power Law's predicted curve while a schedule is dragged (issue 14): a 100,000-update schedule
// evaluated at 1,000 evenly spaced updates, with the fast evaluator (the default for this size) and, for
// scale, the direct sum at 100 updates. Parameters: METHODS 8.8 (400M), peak LR 3e-4.
//
//   mpl_eval_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "anneal/fit/mpl.h"

namespace {

const std::vector<double> kParams = {2.37474466, 0.65421216, 0.42878731, 523.42464371,
                                     2.02462735, 0.59350493, 0.63472457};

// Linear warmup over 2,000 updates, then cosine to 10% of the peak: every update after warmup has its
// own LR and a drop, the worst case for the evaluator.
std::vector<double> cosine(int total, int warmup) {
    std::vector<double> lr(static_cast<size_t>(total));
    const double pi = std::acos(-1.0), peak = 3e-4;
    for (int u = 0; u < total; ++u) {
        const double t = double(u - warmup) / double(total - 1 - warmup);
        lr[static_cast<size_t>(u)] =
            u < warmup ? peak * (u + 1) / (warmup + 1) : peak * (0.1 + 0.9 * 0.5 * (1 + std::cos(pi * t)));
    }
    return lr;
}

std::vector<int64_t> evenSteps(int total, int points) {
    std::vector<int64_t> steps;
    for (int i = 1; i <= points; ++i) {
        steps.push_back(static_cast<int64_t>(i) * total / points - 1);
    }
    return steps;
}

void evaluate(benchmark::State& state, anneal::fit::MplMethod method, int points, bool gradient) {
    const int total = static_cast<int>(state.range(0));
    const auto lr = cosine(total, 2000);
    const auto steps = evenSteps(total, points);
    for (auto _ : state) {
        auto r = anneal::fit::mplEvaluate(kParams, lr, steps, 2000, gradient, method);
        benchmark::DoNotOptimize(r.loss.data());
    }
}

void BM_MplFast1000Points(benchmark::State& state) {
    evaluate(state, anneal::fit::MplMethod::Fast, 1000, false);
}
void BM_MplAuto1000Points(benchmark::State& state) {
    evaluate(state, anneal::fit::MplMethod::Auto, 1000, false);
}
void BM_MplFastGradient1000Points(benchmark::State& state) {
    evaluate(state, anneal::fit::MplMethod::Fast, 1000, true);
}
void BM_MplDirect100Points(benchmark::State& state) {
    evaluate(state, anneal::fit::MplMethod::Direct, 100, false);
}

}  // namespace

BENCHMARK(BM_MplFast1000Points)->Arg(100000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MplAuto1000Points)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MplFastGradient1000Points)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MplDirect100Points)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
