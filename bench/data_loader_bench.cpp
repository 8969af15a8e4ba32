// SPDX-License-Identifier: GPL-3.0-or-later
// The real-data loader (issue 13): MixtureSampler::nextBatch on a text: domain (the licence texts of
// tests/data/text, a paragraph per document) and on a tokens: domain (a 64 MiB nanoGPT .bin written
// here, memory-mapped), at the default experiment's shape (batch 16, context 64); the same shard
// through the trainer's read-ahead thread (data::BatchPrefetcher::take, what TrainerCore::step
// waits on); and SentencePiece tokenising throughput (a BPE of 4096 pieces trained here on the
// licence texts of /usr/share/common-licenses, encoding 8 MB of them), next to Debian's spm_encode
// run on the same text in the same run. The counter tokens/s counts batch · context per batch;
// compare it with the tokens/s the default model trains at (bench/run.sh prints the ratio).
//
//   data_loader_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "anneal/dataset.h"
#include "data/batch_prefetcher.h"
#include "data/tokenizer.h"

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

/// Draws one batch per iteration with draw(step, batch) and reports tokens/s (batch · context).
template <class Draw>
void drawLoop(benchmark::State& state, const anneal::ExperimentSpec& s, Draw draw) {
    anneal::Batch b;
    std::int64_t step = 0;
    for (auto _ : state) {
        draw(step++, b);
        benchmark::DoNotOptimize(b.tokens.data());
    }
    state.counters["tokens/s"] = benchmark::Counter(
        static_cast<double>(step) * s.data.batchSize * s.model.context, benchmark::Counter::kIsRate);
}

void loop(benchmark::State& state, const anneal::ExperimentSpec& s) {
    const anneal::Dataset data(s);
    anneal::MixtureSampler sampler(s, data);
    drawLoop(state, s, [&](std::int64_t t, anneal::Batch& b) { sampler.nextBatch(t, b); });
}

void textDomain(benchmark::State& state) {
    loop(state,
         spec(std::string("text:") + ANNEAL_TEST_DATA "/text/*.txt", {{"separator", std::string("")}}));
}

const std::string kShard = "/tmp/anneal_loader_bench.bin";

void writeShard(const std::string& path) {
    {
        std::ofstream f(path, std::ios::binary);
        std::vector<std::uint16_t> ids(std::size_t{1} << 25);  // 32 Mi tokens, 64 MiB
        for (std::size_t i = 0; i < ids.size(); ++i) {
            ids[i] = static_cast<std::uint16_t>(((i * 2654435761u) >> 24) & 0xFF);  // byte ids
        }
        f.write(reinterpret_cast<const char*>(ids.data()), static_cast<std::streamsize>(ids.size() * 2));
    }
}

void tokensDomain(benchmark::State& state) {
    writeShard(kShard);
    loop(state, spec("tokens:" + kShard, {}));
    std::remove(kShard.c_str());
}

/// The same shard through the read-ahead thread: the consumer asks for each step in turn and gets it
/// from the queue (or waits for it), as TrainerCore::step does.
void tokensDomainPrefetched(benchmark::State& state) {
    writeShard(kShard);
    const anneal::ExperimentSpec s = spec("tokens:" + kShard, {});
    {
        const anneal::Dataset data(s);
        anneal::data::BatchPrefetcher prefetcher(s, data, 2);
        drawLoop(state, s, [&](std::int64_t t, anneal::Batch& b) { prefetcher.take(t, b); });
    }
    std::remove(kShard.c_str());
}

/// 8 MB of real text: the licence texts of /usr/share/common-licenses (every Debian system has them),
/// a paragraph per document, repeated.
std::vector<std::string> licenceParagraphs(std::size_t bytes) {
    std::vector<std::string> paragraphs;
    for (const char* name : {"GPL-3", "LGPL-2.1", "Apache-2.0", "MPL-2.0", "GFDL-1.3", "Artistic"}) {
        std::ifstream f(std::string("/usr/share/common-licenses/") + name);
        std::string line, para;
        while (std::getline(f, line)) {
            if (line.empty()) {
                if (!para.empty()) {
                    paragraphs.push_back(para);
                }
                para.clear();
            } else {
                para += line + "\n";
            }
        }
        if (!para.empty()) {
            paragraphs.push_back(para);
        }
    }
    std::vector<std::string> out;
    std::size_t total = 0;
    for (std::size_t i = 0; total < bytes && !paragraphs.empty(); ++i) {
        out.push_back(paragraphs[i % paragraphs.size()]);
        total += out.back().size();
    }
    return out;
}

std::int64_t byteCount(const std::vector<std::string>& docs) {
    std::int64_t n = 0;
    for (const auto& d : docs) {
        n += static_cast<std::int64_t>(d.size());
    }
    return n;
}

const std::string& spmModel() {
    static const std::string model = [] {
        anneal::TokenizerSpec t;
        t.kind = "sentencepiece";
        t.vocabSize = 4096;
        return anneal::data::trainSentencePiece(licenceParagraphs(std::size_t{1} << 20), t);
    }();
    return model;
}

/// Anneal's SentencePiece path (Tokenizer::encodeAll: the documents' lines in chunks of about equal
/// bytes, one spm_encode process each, state.range(0) at a time, ids read back per line).
void sentencepieceEncode(benchmark::State& state) {
    if (!anneal::data::haveSentencePiece()) {
        state.SkipWithError("spm_train/spm_encode not installed (Debian package sentencepiece)");
        return;
    }
    const auto tok = anneal::data::makeSentencePieceTokenizer(spmModel(), "bench", "bench");
    const std::vector<std::string> docs = licenceParagraphs(std::size_t{8} << 20);
    for (auto _ : state) {
        auto ids = tok->encodeAll(docs, static_cast<int>(state.range(0)));
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * byteCount(docs));
}

/// The peer: Debian's spm_encode alone on the same text (one process, ids to /dev/null).
void spmEncodeAlone(benchmark::State& state) {
    if (!anneal::data::haveSentencePiece()) {
        state.SkipWithError("spm_encode not installed (Debian package sentencepiece)");
        return;
    }
    const std::string model = "/tmp/anneal_loader_bench.model", text = "/tmp/anneal_loader_bench.txt";
    const std::vector<std::string> docs = licenceParagraphs(std::size_t{8} << 20);
    std::ofstream(model, std::ios::binary) << spmModel();
    {
        std::ofstream f(text, std::ios::binary);
        for (const auto& d : docs) {
            f << d;
        }
    }
    const std::string cmd = "spm_encode --model=" + model + " --output_format=id < " + text + " > /dev/null";
    for (auto _ : state) {
        if (std::system(cmd.c_str()) != 0) {
            state.SkipWithError("spm_encode failed");
            break;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * byteCount(docs));
    std::remove(model.c_str());
    std::remove(text.c_str());
}

}  // namespace

BENCHMARK(textDomain)->Unit(benchmark::kMicrosecond);
BENCHMARK(tokensDomain)->Unit(benchmark::kMicrosecond);
BENCHMARK(tokensDomainPrefetched)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(sentencepieceEncode)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(spmEncodeAlone)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK_MAIN();
