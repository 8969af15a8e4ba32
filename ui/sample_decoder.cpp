// SPDX-License-Identifier: GPL-3.0-or-later
#include "sample_decoder.h"

#include "anneal/dataset.h"
#include "anneal/experiment.h"
#include "text_preview.h"

namespace anneal::ui {

QString printableBytes(const std::uint8_t* data, std::size_t size) {
    QString out;
    out.reserve(static_cast<qsizetype>(size));
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint8_t b = data[i];
        out += (b >= 0x20 && b < 0x7f) ? QChar(b) : QChar(0x00b7);
    }
    return out;
}

std::shared_ptr<const SampleDecoder> SampleDecoder::fromExperiment(const ExperimentSpec& spec) {
    std::shared_ptr<SampleDecoder> d(new SampleDecoder);
    d->m_data = std::make_unique<Dataset>(spec);
    return d;
}

SampleDecoder::~SampleDecoder() = default;

std::vector<std::uint8_t> SampleDecoder::bytes(std::uint64_t sampleId) const {
    std::vector<Token> tokens(static_cast<std::size_t>(m_data->sampleLength()));
    m_data->fill(sampleId, tokens.data());
    const std::string text = m_data->decode(tokens.data(), static_cast<int>(tokens.size()));
    return {text.begin(), text.end()};
}

bool SampleDecoder::isText(int domain) const {
    if (domain < 0 || domain >= m_data->domainCount()) {
        return false;
    }
    return m_data->source(domain).corpus() != nullptr || m_data->vocabulary() > 256;
}

QString SampleDecoder::preview(int domain, const std::vector<std::uint8_t>& bytes) const {
    return isText(domain) ? textPreview(bytes) : printableBytes(bytes);
}

bool SampleDecoder::isNoisy(std::uint64_t sampleId) const { return m_data->isNoisy(sampleId); }

int SampleDecoder::domainCount() const { return m_data->domainCount(); }

QString SampleDecoder::domainName(int domain) const {
    return domain >= 0 && domain < m_data->domainCount() ? QString::fromStdString(m_data->domain(domain).name)
                                                         : QStringLiteral("#%1").arg(domain);
}

}  // namespace anneal::ui
