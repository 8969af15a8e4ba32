// SPDX-License-Identifier: GPL-3.0-or-later
#include "weights_data.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "anneal/run_experiment.h"
#include "sample_decoder.h"

namespace anneal::ui {

WeightsOverview loadWeightsOverview(const std::string& dbPath, qint64 runId) {
    WeightsOverview out;
    out.runId = runId;
    try {
        auto store = Store::open(dbPath, Store::Mode::ReadOnly);
        out.record = store->run(runId);
        for (const DomainRecord& d : out.record.domains) {
            out.domains << QString::fromStdString(d.name);
        }
        out.stats = store->weightStats(runId);
        out.snapshotSteps = store->weightSnapshotSteps(runId);
        for (const WeightStatsRow& r : out.stats) {
            out.hasNoise = out.hasNoise || r.noisyCount > 0;
        }
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
        return out;
    }
    if (!out.stats.empty() && out.record.kind == "trained") {
        try {
            out.decoder = SampleDecoder::fromExperiment(runExperiment(out.record));
        } catch (const std::exception& e) {
            out.decoderError = QString::fromStdString(e.what());
        }
    }
    return out;
}

StepSamples loadStepSamples(const std::string& dbPath, qint64 runId, qint64 step,
                            const std::shared_ptr<const SampleDecoder>& decoder) {
    StepSamples out;
    out.runId = runId;
    out.step = step;
    try {
        out.samples = Store::open(dbPath, Store::Mode::ReadOnly)->weightsAtStep(runId, step);
        if (decoder) {
            for (const SampleWeight& w : out.samples) {
                out.bytes.push_back(decoder->bytes(w.sampleId));
            }
        }
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

SampleHistory loadSampleHistory(const std::string& dbPath, qint64 runId, std::uint64_t sampleId) {
    SampleHistory out;
    out.runId = runId;
    out.sampleId = sampleId;
    try {
        out.rows = Store::open(dbPath, Store::Mode::ReadOnly)->sampleWeightHistory(runId, sampleId);
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

std::vector<WeightStatsRow> statsOf(const std::vector<WeightStatsRow>& stats, int domain) {
    std::vector<WeightStatsRow> out;
    for (const WeightStatsRow& r : stats) {
        if (r.domain == domain) {
            out.push_back(r);
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const WeightStatsRow& a, const WeightStatsRow& b) { return a.step < b.step; });
    return out;
}

double cleanMean(const WeightStatsRow& row) {
    const std::int64_t clean = row.count - row.noisyCount;
    if (clean <= 0) {
        return std::nan("");
    }
    if (row.noisyCount == 0 || !std::isfinite(row.noisyMean)) {
        return row.mean;
    }
    return (row.mean * static_cast<double>(row.count) - row.noisyMean * static_cast<double>(row.noisyCount)) /
           static_cast<double>(clean);
}

std::vector<std::size_t> extremeSamples(const std::vector<SampleWeight>& samples, int domain, int k) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (domain < 0 || samples[i].domain == domain) {
            order.push_back(i);
        }
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (samples[a].weight != samples[b].weight) {
            return samples[a].weight > samples[b].weight;
        }
        return samples[a].sampleId < samples[b].sampleId;
    });
    const auto kk = static_cast<std::size_t>(std::max(0, k));
    if (order.size() <= 2 * kk) {
        return order;
    }
    std::vector<std::size_t> out(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kk));
    out.insert(out.end(), order.end() - static_cast<std::ptrdiff_t>(kk), order.end());
    return out;
}

}  // namespace anneal::ui
