// SPDX-License-Identifier: GPL-3.0-or-later
#include "data_inspection.h"

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "sample_decoder.h"
#include "text_preview.h"

namespace anneal::ui {

DataInspection inspectData(const std::string& tomlText, const std::string& origin, int samples,
                           const std::function<void(const QString&, qint64, qint64)>& progress,
                           const std::atomic<bool>* cancel) {
    auto check = [cancel] {
        if (cancel && cancel->load()) {
            throw InspectionCancelled();
        }
    };
    check();
    const ExperimentSpec spec = parseExperiment(tomlText, origin);
    // The Dataset reports its slow stages; a cancel takes effect at the next one (a tokenizer being
    // trained finishes first).
    const Dataset ds(spec, [&](const std::string& stage, std::int64_t done, std::int64_t total) {
        check();
        if (progress) {
            progress(QString::fromStdString(stage), done, total);
        }
    });
    check();
    MixtureSampler sampler(spec, ds);
    DataInspection out;
    out.tokenizer = QString::fromStdString(spec.tokenizer.kind);
    out.vocabulary = ds.vocabulary();
    const std::vector<double> floors = ds.entropyFloors();
    std::vector<Token> window(static_cast<std::size_t>(ds.sampleLength()));
    for (int d = 0; d < ds.domainCount(); ++d) {
        DomainInspection di;
        di.name = QString::fromStdString(ds.domain(d).name);
        di.source = QString::fromStdString(ds.domain(d).source);
        di.description = QString::fromStdString(ds.source(d).description());
        di.entropyFloor = floors[static_cast<std::size_t>(d)];
        const CorpusStats* c = ds.source(d).corpus();
        di.real = c != nullptr;
        if (c) {
            for (const std::string& f : c->files) {
                di.files << QString::fromStdString(f);
            }
            di.documents = c->documents;
            di.bytes = c->bytes;
            di.tokens = c->tokens;
            di.trainDocuments = c->trainDocuments;
            di.valDocuments = c->valDocuments;
            di.trainTokens = c->trainTokens;
            di.valTokens = c->valTokens;
        }
        const bool text = di.real || ds.vocabulary() > 256;
        for (int k = 0; k < samples; ++k) {
            const std::uint64_t id = makeSampleId(d, sampler.indexOf(d, static_cast<std::uint64_t>(k)));
            ds.fill(id, window.data());
            const std::string s = ds.decode(window.data(), static_cast<int>(window.size()));
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
            di.sampleIds.push_back(id);
            di.samples << (text ? textPreview(bytes, s.size(), true) : printableBytes(bytes, s.size()));
        }
        out.domains.push_back(std::move(di));
        check();
    }
    return out;
}

}  // namespace anneal::ui
