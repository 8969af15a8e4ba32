// SPDX-License-Identifier: GPL-3.0-or-later
// The real-data loader (issue 13): MixtureSampler::nextBatch on a text: domain (the licence texts of
// tests/data/text, a paragraph per document) and on a tokens: domain (a 64 MiB nanoGPT .bin written
// here, memory-mapped), at the default experiment's shape (batch 16, context 64). The counter
// tokens/s counts batch · context per batch; compare it with the tokens/s the default model trains
// at (docs/BENCHMARKS.md, row "1. step, default": about 33,000 on one thread).
//
//   data_loader_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "anneal/dataset.h"

namespace {

anneal::ExperimentSpec spec(const std::string& source, anneal::SourceParams params) {
    anneal::ExperimentSpec s;
    s.seed = 1;
    s.model.context = 64;
    s.data.batchSize = 16;
    anneal::DomainSpec d;
    d.name = "real";
    d.source = source;
    d.params = std::move(params);
    s.data.domains = {d};
    return s;
}

void loop(benchmark::State& state, const anneal::ExperimentSpec& s) {
    const anneal::Dataset data(s);
    anneal::MixtureSampler sampler(s, data);
    anneal::Batch b;
    std::int64_t step = 0;
    for (auto _ : state) {
        sampler.nextBatch(step++, b);
        benchmark::DoNotOptimize(b.tokens.data());
    }
    state.counters["tokens/s"] = benchmark::Counter(
        static_cast<double>(step) * s.data.batchSize * s.model.context, benchmark::Counter::kIsRate);
}

void textDomain(benchmark::State& state) {
    loop(state,
         spec(std::string("text:") + ANNEAL_TEST_DATA "/text/*.txt", {{"separator", std::string("")}}));
}

void tokensDomain(benchmark::State& state) {
    const std::string path = "/tmp/anneal_loader_bench.bin";
    {
        std::ofstream f(path, std::ios::binary);
        std::vector<std::uint16_t> ids(std::size_t{1} << 25);  // 32 Mi tokens, 64 MiB
        for (std::size_t i = 0; i < ids.size(); ++i) {
            ids[i] = static_cast<std::uint16_t>(((i * 2654435761u) >> 24) & 0xFF);  // byte ids
        }
        f.write(reinterpret_cast<const char*>(ids.data()), static_cast<std::streamsize>(ids.size() * 2));
    }
    loop(state, spec("tokens:" + path, {}));
    std::remove(path.c_str());
}

}  // namespace

BENCHMARK(textDomain)->Unit(benchmark::kMicrosecond);
BENCHMARK(tokensDomain)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
