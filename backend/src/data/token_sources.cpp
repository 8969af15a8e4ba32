// SPDX-License-Identifier: GPL-3.0-or-later
// tokens:<glob> — pre-tokenized shards, memory-mapped and never read whole into memory:
//   nanoGPT  train.bin / val.bin: headerless little-endian uint16 token ids;
//   llm.c    a 1024-byte header of 256 little-endian int32 (magic, version, token count, 0...)
//            then the tokens: magic 20240520 → uint16 (GPT-2), 20240801 → uint32 (Llama 3).
//   Megatron x.bin + x.idx (MMIDIDX, data/megatron_index.h): documents of sequences of ids.
// nanoGPT and llm.c shards have no document boundaries Anneal can rely on, so their train/validation
// split is by chunks of `chunk` tokens (a chunk is a "document"), chosen by a hash of (file name,
// chunk); Megatron documents are kept, split by a hash of (file name, document), and each is
// followed by the end-of-document token, as text documents are.
// Every id is checked against the tokenizer's vocabulary (0..255 for bytes) when the shard is opened, in one
// sequential pass over the mapping that gives the pages back to the kernel as it goes. Training windows are
// then copied with pread, not read through the mapping, so the resident set stays small (docs/BENCHMARKS.md).

#include <algorithm>
#include <cstring>
#include <limits>

#include "anneal/error.h"
#include "data/corpus_files.h"
#include "data/mapped_file.h"
#include "data/megatron_index.h"
#include "data/param_reader.h"
#include "data/sources.h"
#include "data/window_source.h"

namespace anneal::data {

namespace {

constexpr std::int32_t kLlmcMagicU16 = 20240520;
constexpr std::int32_t kLlmcMagicU32 = 20240801;
constexpr std::size_t kLlmcHeaderBytes = 1024;

std::uint32_t loadLe(const std::uint8_t* p, int width) {
    std::uint32_t v = p[0] | (static_cast<std::uint32_t>(p[1]) << 8);
    if (width == 4) {
        v |= (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    }
    return v;
}

/// One mapped shard: its tokens start at `offset` bytes, `width` bytes each.
struct Shard {
    std::shared_ptr<MappedFile> file;
    std::size_t offset = 0;
    int width = 2;
    std::uint64_t tokens = 0;
    std::string format;  ///< "nanoGPT uint16", "llm.c v1 uint16", "Megatron uint16"
    /// Megatron: each document's token runs (first token, count); empty for chunked shards.
    std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> documents;
};

/// A run of consecutive tokens of one shard that belongs to one side of the split, or (shard
/// null, count 1) the end-of-document token after a Megatron document.
struct Segment {
    const Shard* shard;
    std::uint64_t begin;  ///< first token in the shard
    std::uint64_t count;
    std::uint64_t start;  ///< position in the stream
};

class ShardStream final : public TokenStream {
public:
    ShardStream(std::shared_ptr<std::vector<Shard>> shards, std::vector<Segment> segs, int vocabulary,
                Token endOfDocument)
        : m_shards(std::move(shards)),
          m_segs(std::move(segs)),
          m_vocabulary(vocabulary),
          m_eod(endOfDocument) {
        m_size = m_segs.empty() ? 0 : m_segs.back().start + m_segs.back().count;
    }
    std::uint64_t size() const override { return m_size; }
    bool bytesOnly() const override { return m_vocabulary <= 256; }
    void read(std::uint64_t pos, Token* out, int n) const override {
        auto it = std::upper_bound(m_segs.begin(), m_segs.end(), pos,
                                   [](std::uint64_t p, const Segment& s) { return p < s.start; }) -
                  1;
        // Each run of one segment is copied with pread (MappedFile::readAt), not read through the
        // mapping, so a window leaves nothing behind in the resident set.
        constexpr std::uint64_t kBufferBytes = 4096;
        std::uint8_t buffer[kBufferBytes];
        int k = 0;
        while (k < n) {
            if (pos >= it->start + it->count) {
                ++it;
                if (it == m_segs.end()) {
                    it = m_segs.begin();  // cyclic
                }
                pos = it->start;
            }
            if (!it->shard) {
                out[k++] = m_eod;
                ++pos;
                continue;
            }
            const Shard& s = *it->shard;
            const auto width = static_cast<std::uint64_t>(s.width);
            const std::uint64_t run = std::min(
                {static_cast<std::uint64_t>(n - k), it->start + it->count - pos, kBufferBytes / width});
            s.file->readAt(s.offset + (it->begin + (pos - it->start)) * width, buffer, run * width);
            for (std::uint64_t i = 0; i < run; ++i) {  // each id < vocabulary: checked when opened
                out[k++] = static_cast<Token>(loadLe(buffer + i * width, s.width));
            }
            pos += run;
        }
    }

private:
    std::shared_ptr<std::vector<Shard>> m_shards;  // keeps the mappings alive
    std::vector<Segment> m_segs;
    std::uint64_t m_size = 0;
    int m_vocabulary;
    Token m_eod;
};

struct TokensParams {
    std::string format = "auto";
    std::int64_t chunk = 2048;
    double valFraction = 0.05;
    std::uint64_t seed = 0;
};

TokensParams readTokensParams(const DomainSpec& d, const std::string& field) {
    ParamReader p(d.params, field + ".params");
    TokensParams t;
    t.format = p.string("format", "auto");
    if (t.format != "auto" && t.format != "nanogpt" && t.format != "llmc" && t.format != "megatron") {
        configError(p.keyPath("format"), "unknown format \"" + t.format + "\"",
                    "auto | nanogpt | llmc | megatron");
    }
    t.chunk = p.integer("chunk", 2048, 16, std::int64_t{1} << 30);
    t.valFraction = p.number("val_fraction", 0.05, 0.0, 0.9, true);
    t.seed = static_cast<std::uint64_t>(p.integer("seed", static_cast<std::int64_t>(nameSeed(d.name) >> 1), 0,
                                                  std::numeric_limits<std::int64_t>::max()));
    p.finish();
    return t;
}

std::string argumentOf(const DomainSpec& d) { return d.source.substr(d.source.find(':') + 1); }

Shard openShard(const std::string& path, const std::string& format, const std::string& field,
                const std::string& domain, int vocabulary) {
    auto bad = [&](const std::string& what) -> Error {
        return Error(ErrorCode::InvalidInput, "domain \"" + domain + "\": \"" + path + "\": " + what, field);
    };
    Shard s;
    if (format == "megatron" || (format == "auto" && isMegatron(path))) {
        MegatronFile m = openMegatron(path, vocabulary, field, domain);
        s.file = m.bin;
        s.width = m.width;
        s.tokens = m.tokens;
        s.format = "Megatron " + m.dtype;
        for (size_t k = 0; k + 1 < m.documents.size(); ++k) {
            std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
            for (std::uint64_t q = m.documents[k]; q < m.documents[k + 1]; ++q) {
                if (m.sequences[q].second > 0) {
                    runs.push_back(m.sequences[q]);
                }
            }
            if (!runs.empty()) {  // empty documents are dropped, as for text
                s.documents.push_back(std::move(runs));
            }
        }
        if (s.tokens == 0) {
            throw bad("holds no tokens");
        }
        return s;
    }
    s.file = std::make_shared<MappedFile>(path, field, domain);
    const std::size_t size = s.file->size();
    const std::uint8_t* b = s.file->data();
    std::int32_t header[3] = {0, 0, 0};
    if (size >= 12) {
        std::memcpy(header, b, 12);  // little-endian hosts only (x86-64, arm64)
    }
    const bool llmcMagic =
        size >= kLlmcHeaderBytes && (header[0] == kLlmcMagicU16 || header[0] == kLlmcMagicU32);
    const bool llmc = format == "llmc" || (format == "auto" && llmcMagic);
    if (llmc) {
        if (size < kLlmcHeaderBytes) {
            throw bad("truncated header: the file has " + std::to_string(size) +
                      " bytes, an llm.c header needs 1024");
        }
        if (header[0] != kLlmcMagicU16 && header[0] != kLlmcMagicU32) {
            throw bad("wrong magic " + std::to_string(header[0]) +
                      " at byte offset 0 (an llm.c shard starts with " + std::to_string(kLlmcMagicU16) +
                      " for uint16 or " + std::to_string(kLlmcMagicU32) + " for uint32 tokens)");
        }
        s.width = header[0] == kLlmcMagicU16 ? 2 : 4;
        s.offset = kLlmcHeaderBytes;
        if (header[2] < 0) {
            throw bad("negative token count " + std::to_string(header[2]) + " at byte offset 8");
        }
        s.tokens = static_cast<std::uint64_t>(header[2]);
        const std::uint64_t expected = kLlmcHeaderBytes + s.tokens * static_cast<std::uint64_t>(s.width);
        if (expected != size) {
            throw bad("the header (byte offset 8) says " + std::to_string(s.tokens) +
                      " tokens, which end at byte offset " + std::to_string(expected) +
                      ", but the file has " + std::to_string(size) + " bytes (" +
                      (size < expected ? "truncated" : "trailing bytes") + ")");
        }
        s.format = "llm.c v" + std::to_string(header[1]) + (s.width == 2 ? " uint16" : " uint32");
    } else {
        if (size % 2 != 0) {
            throw bad("a nanoGPT .bin holds uint16 tokens but the file has an odd size, " +
                      std::to_string(size) + " bytes: the last token, at byte offset " +
                      std::to_string(size - 1) + ", is cut");
        }
        s.width = 2;
        s.tokens = size / 2;
        s.format = "nanoGPT uint16";
    }
    if (s.tokens == 0) {
        throw bad("holds no tokens");
    }
    // One pass over the ids, releasing the pages behind it so the resident set stays small.
    constexpr std::uint64_t kBlock = std::uint64_t{1} << 24;
    for (std::uint64_t i0 = 0; i0 < s.tokens; i0 += kBlock) {
        const std::uint64_t i1 = std::min(s.tokens, i0 + kBlock);
        const std::uint8_t* p = b + s.offset;
        for (std::uint64_t i = i0; i < i1; ++i) {
            const std::uint32_t id = loadLe(p + i * static_cast<std::uint64_t>(s.width), s.width);
            if (id >= static_cast<std::uint32_t>(vocabulary)) {
                throw bad("token id " + std::to_string(id) + " at byte offset " +
                          std::to_string(s.offset + i * static_cast<std::uint64_t>(s.width)) +
                          " is outside the vocabulary (0.." + std::to_string(vocabulary - 1) +
                          (vocabulary == 256 ? ", the byte tokenizer)" : ", the tokenizer's)"));
            }
        }
        s.file->release(s.offset + i0 * static_cast<std::uint64_t>(s.width),
                        s.offset + i1 * static_cast<std::uint64_t>(s.width));
    }
    s.file->adviseRandom();
    return s;
}

std::string baseName(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

void checkTokens(const DomainSpec& d, const std::string& field) {
    readTokensParams(d, field);
    expandGlob(argumentOf(d), field + ".source");
}

std::unique_ptr<DataSource> makeTokens(const DomainSpec& d, const std::string& field, int vocabulary,
                                       Token endOfDocument) {
    const TokensParams t = readTokensParams(d, field);
    const std::string srcField = field + ".source";
    std::vector<std::string> files = expandGlob(argumentOf(d), srcField);
    // A glob such as "data/*" matches a Megatron dataset's .idx beside its .bin: the index is read
    // with its .bin, not as a shard of its own.
    files.erase(std::remove_if(files.begin(), files.end(),
                               [&](const std::string& f) {
                                   if (f.size() < 4 || f.compare(f.size() - 4, 4, ".idx") != 0) {
                                       return false;
                                   }
                                   const std::string bin = f.substr(0, f.size() - 4) + ".bin";
                                   return std::binary_search(files.begin(), files.end(), bin) &&
                                          isMegatron(bin);
                               }),
                files.end());
    auto shards = std::make_shared<std::vector<Shard>>();
    shards->reserve(files.size());
    for (const auto& f : files) {
        shards->push_back(openShard(f, t.format, srcField, d.name, vocabulary));
    }
    // The units of the split: chunk k of a chunked shard, or document k of a Megatron dataset, is
    // held out when the hash of the file's name and k falls below val_fraction.
    struct Unit {
        size_t shard;
        std::uint64_t index;  ///< chunk or document number
    };
    std::vector<double> values;
    std::vector<Unit> units;
    const auto chunk = static_cast<std::uint64_t>(t.chunk);
    for (size_t s = 0; s < shards->size(); ++s) {
        const std::string name = baseName(files[s]);
        const Shard& sh = (*shards)[s];
        const std::uint64_t n = sh.documents.empty() ? (sh.tokens + chunk - 1) / chunk : sh.documents.size();
        for (std::uint64_t k = 0; k < n; ++k) {
            std::string key = name + "#" + std::to_string(k);
            values.push_back(
                documentSplitValue(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
            units.push_back({s, k});
        }
    }
    const std::vector<bool> isVal = chooseValidation(values, t.valFraction, srcField, d.name, files);
    std::vector<Segment> train, val;
    CorpusStats st;
    st.files = files;
    st.documents = static_cast<std::int64_t>(units.size());
    bool documents = false;
    auto append = [](std::vector<Segment>& segs, const Shard* sh, std::uint64_t begin, std::uint64_t n) {
        const std::uint64_t start = segs.empty() ? 0 : segs.back().start + segs.back().count;
        if (sh && !segs.empty() && segs.back().shard == sh &&
            segs.back().begin + segs.back().count == begin) {
            segs.back().count += n;  // merge neighbouring runs of one side
        } else {
            segs.push_back({sh, begin, n, start});
        }
    };
    for (size_t u = 0; u < units.size(); ++u) {
        const Shard& sh = (*shards)[units[u].shard];
        auto& segs = isVal[u] ? val : train;
        std::uint64_t n = 0;
        if (sh.documents.empty()) {
            const std::uint64_t begin = units[u].index * chunk;
            n = std::min(chunk, sh.tokens - begin);
            append(segs, &sh, begin, n);
        } else {
            documents = true;
            for (const auto& [begin, count] : sh.documents[units[u].index]) {
                append(segs, &sh, begin, count);
                n += count;
            }
            append(segs, nullptr, 0, 1);  // the end-of-document token
            st.bytes += static_cast<std::int64_t>(n);
            n += 1;
        }
        (isVal[u] ? st.valDocuments : st.trainDocuments) += 1;
        (isVal[u] ? st.valTokens : st.trainTokens) += static_cast<std::int64_t>(n);
    }
    st.tokens = st.trainTokens + st.valTokens;
    for (const auto& sh : *shards) {
        if (sh.documents.empty()) {
            st.bytes += static_cast<std::int64_t>(sh.tokens);  // counted in tokens: the shards carry no text
        }
    }
    std::string formats;
    for (const auto& sh : *shards) {
        if (formats.find(sh.format) == std::string::npos) {
            formats += (formats.empty() ? "" : ", ") + sh.format;
        }
    }
    const std::string desc = "tokens (" + formats + "): " + std::to_string(files.size()) + " shard(s), " +
                             std::to_string(st.tokens) + " tokens in " + std::to_string(st.documents) +
                             (documents ? " chunks or documents" : " chunks of " + std::to_string(t.chunk)) +
                             "; " + std::to_string(st.valDocuments) + " held out; entropy unknown";
    return std::make_unique<WindowSource>(
        std::make_unique<ShardStream>(shards, std::move(train), vocabulary, endOfDocument),
        std::make_unique<ShardStream>(shards, std::move(val), vocabulary, endOfDocument), t.seed,
        std::move(st), desc);
}

}  // namespace anneal::data
