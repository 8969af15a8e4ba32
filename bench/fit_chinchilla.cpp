// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark driver: Hoffmann et al.'s exact procedure (METHODS 7.2; Epoch's "replicate exactly") on the
// 240 Chinchilla points of tests/data/reference/chinchilla_svg_extracted.csv, timed. fit_compare.sh runs it
// next to fit_chinchilla_scipy.py (SciPy L-BFGS-B, same grid, same points).
//
//   fit_chinchilla [--csv PATH] [--repeat N] [--threads T] [--bootstrap K]
//
// Prints one "fit_seconds <s>" line per repeat, the fitted parameters, and with --bootstrap K a
// "bootstrap_seconds <s>" line for K resamples (each started from the best fit plus 2 grid points) and
// each parameter's percentile interval, bootstrap SE and asymptotic (sandwich) SE.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/table.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

FitInput chinchillaPoints(const std::string& path) {
    TableSpec spec;
    spec.numeric = {"Model Size", "Training FLOP", "loss"};
    const Table t = readTable(path, spec);
    std::vector<double> sorted = t.column("loss");
    std::sort(sorted.begin(), sorted.end());
    const double cut = sorted[sorted.size() - 5];  // Epoch: keep loss < sorted(loss)[-5]
    FitInput in;
    for (size_t i = 0; i < t.rows(); ++i) {
        if (t.column("loss")[i] < cut) {
            in.n.push_back(t.column("Model Size")[i]);
            in.c.push_back(t.column("Training FLOP")[i]);
            in.loss.push_back(t.column("loss")[i]);
        }
    }
    return in;
}

}  // namespace

int main(int argc, char** argv) {
    std::string csv = ANNEAL_REFERENCE_DATA "/chinchilla_svg_extracted.csv";
    int repeat = 1, threads = 0, bootstrap = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--csv")) {
            csv = argv[i + 1];
        } else if (!std::strcmp(argv[i], "--repeat")) {
            repeat = std::atoi(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "--threads")) {
            threads = std::atoi(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "--bootstrap")) {
            bootstrap = std::atoi(argv[i + 1]);
        } else {
            std::fprintf(stderr, "usage: %s [--csv PATH] [--repeat N] [--threads T] [--bootstrap K]\n",
                         argv[0]);
            return 2;
        }
    }
    try {
        const FitInput in = chinchillaPoints(csv);
        FitOptions opt;
        opt.law = "chinchilla";
        opt.threads = threads;
        opt.asymptoticSe = false;
        FitResult r;
        for (int k = 0; k < repeat; ++k) {
            const auto t0 = std::chrono::steady_clock::now();
            r = fitLaw(in, opt);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("fit_seconds %.4f\n", s);
        }
        std::printf("points %zu starts %zu converged %zu\n", r.nPoints, r.startsTotal, r.startsConverged);
        std::printf("objective %.9e\n", r.objective);
        for (const auto& p : r.params) {
            std::printf("param %s %.8g\n", p.name.c_str(), p.value);
        }
        if (bootstrap > 0) {
            opt.bootstrap = bootstrap;
            opt.starts = {r.values()};  // the bootstrap alone: the main fit is one start from the best fit
            opt.asymptoticSe = true;
            const auto t0 = std::chrono::steady_clock::now();
            const FitResult b = fitLaw(in, opt);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("bootstrap_seconds %.4f resamples %d failed %d\n", s, b.bootstrapResamples,
                        b.bootstrapFailed);
            for (const auto& p : b.params) {
                std::printf("ci %s %.6g [%.6g, %.6g] se %.4g asymptotic_se %.4g\n", p.name.c_str(), p.value,
                            p.ciLow, p.ciHigh, p.seBootstrap, p.seAsymptotic);
            }
        }
    } catch (const anneal::Error& e) {
        std::fprintf(stderr, "fit_chinchilla: %s\n", e.what());
        return 1;
    }
    return 0;
}
