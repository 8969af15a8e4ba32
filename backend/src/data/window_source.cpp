// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/window_source.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "anneal/dataset.h"
#include "anneal/error.h"

namespace anneal::data {

namespace {
/// out[0..n) = the n elements of `v` from `pos` on, wrapping around to the start at its end (a window
/// that runs past the last document continues with the first). std::copy_n widens bytes to tokens
/// and is a memmove for ids.
template <class T>
void readWrapped(const std::vector<T>& v, std::uint64_t pos, Token* out, int n) {
    const std::uint64_t size = v.size();
    int done = 0;
    while (done < n) {
        const auto take =
            static_cast<int>(std::min<std::uint64_t>(size - pos, static_cast<std::uint64_t>(n - done)));
        std::copy_n(v.data() + pos, take, out + done);
        done += take;
        pos = 0;
    }
}
}  // namespace

void ByteStream::read(std::uint64_t pos, Token* out, int n) const { readWrapped(m_bytes, pos, out, n); }

void IdStream::read(std::uint64_t pos, Token* out, int n) const { readWrapped(m_ids, pos, out, n); }

WindowSource::WindowSource(std::unique_ptr<TokenStream> train, std::unique_ptr<TokenStream> val,
                           std::uint64_t seed, CorpusStats stats, std::string description)
    : m_train(std::move(train)),
      m_val(std::move(val)),
      m_seed(seed),
      m_stats(std::move(stats)),
      m_description(std::move(description)) {}

double WindowSource::entropyRate() const { return std::numeric_limits<double>::quiet_NaN(); }

void WindowSource::sample(std::uint64_t index, std::uint8_t* out, int length) const {
    if (!m_train->bytesOnly()) {
        throw Error(ErrorCode::InvalidInput, m_description + ": its windows are token ids, not bytes");
    }
    thread_local std::vector<Token> ids;
    ids.resize(static_cast<size_t>(length));
    sampleTokens(index, ids.data(), length);
    for (int t = 0; t < length; ++t) {
        out[t] = static_cast<std::uint8_t>(ids[static_cast<size_t>(t)]);
    }
}

void WindowSource::sampleTokens(std::uint64_t index, Token* out, int length) const {
    if (index & kValidationBit) {
        const std::uint64_t j = index & (kValidationBit - 1);
        const auto stride = static_cast<std::uint64_t>(std::max(1, length - 1));
        const std::uint64_t windows = std::max<std::uint64_t>(1, (m_val->size() + stride - 1) / stride);
        m_val->read(((j % windows) * stride) % m_val->size(), out, length);
        return;
    }
    const std::uint64_t start = mix64(m_seed ^ mix64(index + 0x77696e646f77ULL)) % m_train->size();
    m_train->read(start, out, length);
}

double documentSplitValue(const std::uint8_t* data, std::size_t size) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (std::size_t i = 0; i < size; ++i) {
        h = (h ^ data[i]) * 1099511628211ULL;
    }
    return static_cast<double>(mix64(h) >> 11) * (1.0 / 9007199254740992.0);
}

std::vector<bool> chooseValidation(const std::vector<double>& v, double fraction, const std::string& field,
                                   const std::string& domain, const std::vector<std::string>& files) {
    if (v.size() < 2) {
        std::string names;
        for (size_t i = 0; i < files.size() && i < 3; ++i) {
            names += (i ? ", \"" : "\"") + files[i] + "\"";
        }
        if (files.size() > 3) {
            names += " and " + std::to_string(files.size() - 3) + " more";
        }
        throw Error(
            ErrorCode::InvalidInput,
            "domain \"" + domain + "\": " + names + " hold(s) " + std::to_string(v.size()) +
                " document(s); a held-out validation set needs at least two (split a file into documents "
                "with params.separator, or match more files)",
            field);
    }
    std::vector<bool> val(v.size());
    size_t nval = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        val[i] = v[i] < fraction;
        nval += val[i] ? 1 : 0;
    }
    if (nval == 0) {
        val[static_cast<size_t>(std::min_element(v.begin(), v.end()) - v.begin())] = true;
    } else if (nval == v.size()) {
        val[static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin())] = false;
    }
    return val;
}

std::string humanBytes(std::int64_t n) {
    char buf[32];
    if (n < 10000) {
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(n));
    } else if (n < 10000000) {
        std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(n) / 1e3);
    } else if (n < 10000000000LL) {
        std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(n) / 1e9);
    }
    return buf;
}

std::vector<bool> DocumentSet::validation() const {
    std::vector<double> values;
    values.reserve(docs.size());
    for (const auto& d : docs) {
        values.push_back(documentSplitValue(reinterpret_cast<const std::uint8_t*>(d.data()), d.size()));
    }
    return chooseValidation(values, valFraction, field, domain, files);
}

namespace {
std::string describe(const DocumentSet& set, const CorpusStats& st, const std::string& heldOut,
                     const std::string& tokenizer) {
    return set.kind + ": " + std::to_string(st.files.size()) + " file(s), " + std::to_string(st.documents) +
           " documents, " + humanBytes(st.bytes) + tokenizer + "; " + std::to_string(st.valDocuments) +
           " held out (" + heldOut + "); entropy unknown";
}
}  // namespace

std::unique_ptr<DataSource> makeDocumentSource(DocumentSet set) {
    const std::vector<bool> isVal = set.validation();
    std::vector<std::uint8_t> train, val;
    CorpusStats st;
    st.files = set.files;
    st.documents = static_cast<std::int64_t>(set.docs.size());
    st.bytes = set.bytes;
    for (size_t i = 0; i < set.docs.size(); ++i) {
        auto& s = isVal[i] ? val : train;
        s.insert(s.end(), set.docs[i].begin(), set.docs[i].end());
        s.push_back(kEndOfDocumentByte);
        (isVal[i] ? st.valDocuments : st.trainDocuments) += 1;
    }
    st.trainTokens = static_cast<std::int64_t>(train.size());
    st.valTokens = static_cast<std::int64_t>(val.size());
    st.tokens = st.trainTokens + st.valTokens;
    const std::string desc = describe(set, st, humanBytes(st.valTokens), "");
    return std::make_unique<WindowSource>(std::make_unique<ByteStream>(std::move(train)),
                                          std::make_unique<ByteStream>(std::move(val)), set.seed,
                                          std::move(st), desc);
}

std::unique_ptr<DataSource> makeTokenizedSource(const DocumentSet& set,
                                                const std::vector<std::vector<Token>>& ids,
                                                Token endOfDocument, const std::string& tokenizer) {
    const std::vector<bool> isVal = set.validation();
    std::vector<Token> train, val;
    CorpusStats st;
    st.files = set.files;
    st.documents = static_cast<std::int64_t>(set.docs.size());
    st.bytes = set.bytes;
    for (size_t i = 0; i < set.docs.size(); ++i) {
        auto& s = isVal[i] ? val : train;
        s.insert(s.end(), ids[i].begin(), ids[i].end());
        s.push_back(endOfDocument);
        (isVal[i] ? st.valDocuments : st.trainDocuments) += 1;
    }
    st.trainTokens = static_cast<std::int64_t>(train.size());
    st.valTokens = static_cast<std::int64_t>(val.size());
    st.tokens = st.trainTokens + st.valTokens;
    const std::string desc = describe(set, st, std::to_string(st.valTokens) + " tokens", ", " + tokenizer);
    return std::make_unique<WindowSource>(std::make_unique<IdStream>(std::move(train)),
                                          std::make_unique<IdStream>(std::move(val)), set.seed, std::move(st),
                                          desc);
}

}  // namespace anneal::data
