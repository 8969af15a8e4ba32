// SPDX-License-Identifier: GPL-3.0-or-later
// tokens:<glob> — pre-tokenized shards, memory-mapped and never read whole into memory:
//   nanoGPT  train.bin / val.bin: headerless little-endian uint16 token ids;
//   llm.c    a 1024-byte header of 256 little-endian int32 (magic, version, token count, 0...)
//            then the tokens: magic 20240520 → uint16 (GPT-2), 20240801 → uint32 (Llama 3).
// Shards have no document boundaries Anneal can rely on, so the train/validation split is by
// chunks of `chunk` tokens (a chunk is a "document"), chosen by a hash of (file name, chunk).
// Every id is checked against the tokenizer's vocabulary (0..255 for bytes) when the shard is opened, in one
// sequential pass that gives the pages back to the kernel as it goes.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "anneal/error.h"
#include "data/corpus_files.h"
#include "data/param_reader.h"
#include "data/sources.h"
#include "data/window_source.h"

namespace anneal::data {

namespace {

constexpr std::int32_t kLlmcMagicU16 = 20240520;
constexpr std::int32_t kLlmcMagicU32 = 20240801;
constexpr std::size_t kLlmcHeaderBytes = 1024;

class MappedFile {
public:
    MappedFile(const std::string& path, const std::string& field, const std::string& domain) : m_path(path) {
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            throw Error(ErrorCode::Io,
                        "domain \"" + domain + "\": cannot open \"" + path + "\": " + std::strerror(errno),
                        field);
        }
        struct stat st {};
        ::fstat(m_fd, &st);
        m_size = static_cast<std::size_t>(st.st_size);
        if (m_size > 0) {
            void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, m_fd, 0);
            if (p == MAP_FAILED) {
                const std::string why = std::strerror(errno);
                ::close(m_fd);
                throw Error(ErrorCode::Io, "domain \"" + domain + "\": cannot map \"" + path + "\": " + why,
                            field);
            }
            m_data = static_cast<const std::uint8_t*>(p);
        }
    }
    ~MappedFile() {
        if (m_data) {
            ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
        }
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    /// Lets the kernel drop [from, to) from this process's resident set (the file stays cached).
    void release(std::size_t from, std::size_t to) const {
        const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        from = from / page * page;
        if (m_data && to > from) {
            ::madvise(const_cast<std::uint8_t*>(m_data) + from, to - from, MADV_DONTNEED);
        }
    }

private:
    std::string m_path;
    int m_fd = -1;
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

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
    std::string format;  ///< "nanoGPT uint16", "llm.c v1 uint16"
};

/// A run of consecutive tokens of one shard that belongs to one side of the split.
struct Segment {
    const Shard* shard;
    std::uint64_t begin;  ///< first token in the shard
    std::uint64_t count;
    std::uint64_t start;  ///< position in the stream
};

class ShardStream final : public TokenStream {
public:
    ShardStream(std::shared_ptr<std::vector<Shard>> shards, std::vector<Segment> segs, int vocabulary)
        : m_shards(std::move(shards)), m_segs(std::move(segs)), m_vocabulary(vocabulary) {
        m_size = m_segs.empty() ? 0 : m_segs.back().start + m_segs.back().count;
    }
    std::uint64_t size() const override { return m_size; }
    bool bytesOnly() const override { return m_vocabulary <= 256; }
    void read(std::uint64_t pos, Token* out, int n) const override {
        auto it = std::upper_bound(m_segs.begin(), m_segs.end(), pos,
                                   [](std::uint64_t p, const Segment& s) { return p < s.start; }) -
                  1;
        for (int k = 0; k < n; ++k) {
            if (pos >= it->start + it->count) {
                ++it;
                if (it == m_segs.end()) {
                    it = m_segs.begin();  // cyclic
                }
                pos = it->start;
            }
            const Shard& s = *it->shard;
            const std::uint8_t* p = s.file->data() + s.offset +
                                    (it->begin + (pos - it->start)) * static_cast<std::uint64_t>(s.width);
            out[k] = static_cast<Token>(loadLe(p, s.width));  // < vocabulary: checked when opened
            ++pos;
        }
    }

private:
    std::shared_ptr<std::vector<Shard>> m_shards;  // keeps the mappings alive
    std::vector<Segment> m_segs;
    std::uint64_t m_size = 0;
    int m_vocabulary;
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
    if (t.format != "auto" && t.format != "nanogpt" && t.format != "llmc") {
        configError(p.keyPath("format"), "unknown format \"" + t.format + "\"", "auto | nanogpt | llmc");
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
    ::madvise(const_cast<std::uint8_t*>(b), size, MADV_RANDOM);
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

std::unique_ptr<DataSource> makeTokens(const DomainSpec& d, const std::string& field, int vocabulary) {
    const TokensParams t = readTokensParams(d, field);
    const std::string srcField = field + ".source";
    std::vector<std::string> files = expandGlob(argumentOf(d), srcField);
    auto shards = std::make_shared<std::vector<Shard>>();
    shards->reserve(files.size());
    for (const auto& f : files) {
        shards->push_back(openShard(f, t.format, srcField, d.name, vocabulary));
    }
    // Chunks are the split's documents: chunk k of a shard is held out when the hash of the shard's
    // file name and k falls below val_fraction.
    std::vector<double> values;
    std::vector<std::pair<size_t, std::uint64_t>> chunks;  // (shard, first token)
    const auto chunk = static_cast<std::uint64_t>(t.chunk);
    for (size_t s = 0; s < shards->size(); ++s) {
        const std::string name = baseName(files[s]);
        for (std::uint64_t b = 0; b < (*shards)[s].tokens; b += chunk) {
            std::string key = name + "#" + std::to_string(b / chunk);
            values.push_back(
                documentSplitValue(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
            chunks.emplace_back(s, b);
        }
    }
    const std::vector<bool> isVal = chooseValidation(values, t.valFraction, srcField, d.name, files);
    std::vector<Segment> train, val;
    CorpusStats st;
    st.files = files;
    st.documents = static_cast<std::int64_t>(chunks.size());
    for (size_t c = 0; c < chunks.size(); ++c) {
        const Shard& sh = (*shards)[chunks[c].first];
        const std::uint64_t n = std::min(chunk, sh.tokens - chunks[c].second);
        auto& segs = isVal[c] ? val : train;
        const std::uint64_t start = segs.empty() ? 0 : segs.back().start + segs.back().count;
        if (!segs.empty() && segs.back().shard == &sh &&
            segs.back().begin + segs.back().count == chunks[c].second) {
            segs.back().count += n;  // merge neighbouring chunks of one side
        } else {
            segs.push_back({&sh, chunks[c].second, n, start});
        }
        (isVal[c] ? st.valDocuments : st.trainDocuments) += 1;
        (isVal[c] ? st.valTokens : st.trainTokens) += static_cast<std::int64_t>(n);
    }
    st.tokens = st.trainTokens + st.valTokens;
    st.bytes = st.tokens;  // counted in tokens: the shards carry no text
    std::string formats;
    for (const auto& sh : *shards) {
        if (formats.find(sh.format) == std::string::npos) {
            formats += (formats.empty() ? "" : ", ") + sh.format;
        }
    }
    const std::string desc = "tokens (" + formats + "): " + std::to_string(files.size()) + " shard(s), " +
                             std::to_string(st.tokens) + " tokens in " + std::to_string(st.documents) +
                             " chunks of " + std::to_string(t.chunk) + "; " +
                             std::to_string(st.valDocuments) + " chunks held out; entropy unknown";
    return std::make_unique<WindowSource>(std::make_unique<ShardStream>(shards, std::move(train), vocabulary),
                                          std::make_unique<ShardStream>(shards, std::move(val), vocabulary),
                                          t.seed, std::move(st), desc);
}

}  // namespace anneal::data
