// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SampleDecoder: a run's training samples shown again from their ids. Every sample is a pure
// function of its id and the run's resolved config (anneal::Dataset::fill), so the weights explorer
// regenerates the bytes a weight belongs to instead of storing them. Built on a worker thread (a
// domain of files: reads them); const afterwards, so several threads may decode at once.

#include <QString>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace anneal {
class Dataset;
struct ExperimentSpec;
}  // namespace anneal

namespace anneal::ui {

/// One character per byte: printable ASCII as is, every other byte (control bytes, newlines, bytes
/// >= 0x7f) as a middle dot '·', so a preview never hides or reflows a byte.
QString printableBytes(const std::uint8_t* data, std::size_t size);
inline QString printableBytes(const std::vector<std::uint8_t>& bytes) {
    return printableBytes(bytes.data(), bytes.size());
}

class SampleDecoder {
public:
    /// From a run's experiment (anneal::runExperiment of its record). Throws anneal::Error naming
    /// the field when a domain's source cannot be built.
    static std::shared_ptr<const SampleDecoder> fromExperiment(const ExperimentSpec& spec);
    ~SampleDecoder();

    /// The sample's text: its context + 1 tokens decoded by the run's tokenizer (Dataset::decode;
    /// with the byte tokenizer, the bytes Dataset::fill writes).
    std::vector<std::uint8_t> bytes(std::uint64_t sampleId) const;
    /// Whether a domain's samples are text to decode as UTF-8 (textPreview): a real source (text:,
    /// jsonl:, tokens:) or any domain under a subword tokenizer. False for the byte tokenizer's
    /// synthetic domains, whose previews stay one character per byte (printableBytes).
    bool isText(int domain) const;
    /// The preview of a sample's bytes: textPreview for a text domain, else printableBytes.
    QString preview(int domain, const std::vector<std::uint8_t>& bytes) const;
    /// Whether the run planted noise in this sample.
    bool isNoisy(std::uint64_t sampleId) const;
    int domainCount() const;
    QString domainName(int domain) const;

private:
    SampleDecoder() = default;
    std::unique_ptr<Dataset> m_data;
};

}  // namespace anneal::ui
