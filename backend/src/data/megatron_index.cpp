// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/megatron_index.h"

#include <cstring>
#include <fstream>

#include "anneal/error.h"

namespace anneal::data {

namespace {

constexpr char kMagic[9] = {'M', 'M', 'I', 'D', 'I', 'D', 'X', '\0', '\0'};
constexpr std::size_t kHeaderBytes = 9 + 8 + 1 + 8 + 8;

template <typename T>
T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);  // little-endian hosts only (x86-64, arm64)
    return v;
}

/// The integer dtypes of Megatron's index (its DType enum; 6 and 7 are float32/float64, never ids):
/// code, width in bytes, name, and how to read one id as a signed 64-bit value.
struct DType {
    int code;
    int width;
    const char* name;
    std::int64_t (*load)(const std::uint8_t*);
};
constexpr DType kDTypes[] = {
    {1, 1, "uint8", [](const std::uint8_t* p) -> std::int64_t { return p[0]; }},
    {2, 1, "int8", [](const std::uint8_t* p) -> std::int64_t { return static_cast<std::int8_t>(p[0]); }},
    {3, 2, "int16", [](const std::uint8_t* p) -> std::int64_t { return load<std::int16_t>(p); }},
    {4, 4, "int32", [](const std::uint8_t* p) -> std::int64_t { return load<std::int32_t>(p); }},
    {5, 8, "int64", [](const std::uint8_t* p) -> std::int64_t { return load<std::int64_t>(p); }},
    {8, 2, "uint16", [](const std::uint8_t* p) -> std::int64_t { return load<std::uint16_t>(p); }},
};

const DType* dtypeOf(int code) {
    for (const DType& d : kDTypes) {
        if (d.code == code) {
            return &d;
        }
    }
    return nullptr;
}

}  // namespace

std::string megatronIndexPath(const std::string& binPath) {
    if (binPath.size() < 4 || binPath.compare(binPath.size() - 4, 4, ".bin") != 0) {
        return {};
    }
    return binPath.substr(0, binPath.size() - 4) + ".idx";
}

bool isMegatron(const std::string& binPath) {
    const std::string idx = megatronIndexPath(binPath);
    if (idx.empty()) {
        return false;
    }
    std::ifstream f(idx, std::ios::binary);
    char head[9] = {};
    return f.read(head, 9) && std::memcmp(head, kMagic, 9) == 0;
}

MegatronFile openMegatron(const std::string& binPath, int vocabulary, const std::string& field,
                          const std::string& domain) {
    const std::string idxPath = megatronIndexPath(binPath);
    auto bad = [&](const std::string& file, const std::string& what) -> Error {
        return Error(ErrorCode::InvalidInput, "domain \"" + domain + "\": \"" + file + "\": " + what, field);
    };
    if (idxPath.empty()) {
        throw bad(binPath,
                  "a Megatron dataset's data file must end in .bin (its index is the .idx beside it)");
    }
    const MappedFile idx(idxPath, field, domain);
    const std::uint8_t* x = idx.data();
    const std::uint64_t idxSize = idx.size();
    if (idxSize < kHeaderBytes) {
        throw bad(idxPath, "truncated header: the file has " + std::to_string(idxSize) +
                               " bytes, a Megatron index header needs " + std::to_string(kHeaderBytes));
    }
    if (std::memcmp(x, kMagic, 9) != 0) {
        throw bad(idxPath, "wrong magic at byte offset 0 (a Megatron index starts with \"MMIDIDX\\0\\0\")");
    }
    const auto version = load<std::uint64_t>(x + 9);
    if (version != 1) {
        throw bad(idxPath,
                  "unsupported version " + std::to_string(version) + " at byte offset 9 (1 is read)");
    }
    MegatronFile m;
    const int code = x[17];
    const DType* dtype = dtypeOf(code);
    if (!dtype) {
        throw bad(idxPath, "unsupported dtype code " + std::to_string(code) +
                               " at byte offset 17 (token ids are 1 uint8, 2 int8, 3 int16, 4 int32, "
                               "5 int64 or 8 uint16; 6 and 7 are floating point)");
    }
    m.width = dtype->width;
    m.dtype = dtype->name;
    const auto seqs = load<std::uint64_t>(x + 18);
    const auto docs = load<std::uint64_t>(x + 26);
    const std::uint64_t lengthsAt = kHeaderBytes;
    // Guard the products below against overflow before computing where the arrays end.
    if (seqs > idxSize / 12 || docs > idxSize / 8 || lengthsAt + seqs * 12 + docs * 8 != idxSize) {
        throw bad(idxPath, "the header (byte offsets 18 and 26) says " + std::to_string(seqs) +
                               " sequences and " + std::to_string(docs) + " document indices, which need " +
                               (seqs > idxSize / 12 || docs > idxSize / 8
                                    ? std::string("more bytes than the file has")
                                    : std::to_string(lengthsAt + seqs * 12 + docs * 8) + " bytes") +
                               ", but the file has " + std::to_string(idxSize) + " bytes");
    }
    const std::uint64_t pointersAt = lengthsAt + seqs * 4;
    const std::uint64_t docsAt = pointersAt + seqs * 8;

    m.bin = std::make_shared<MappedFile>(binPath, field, domain);
    const std::uint64_t binSize = m.bin->size();
    const auto w = static_cast<std::uint64_t>(m.width);
    m.sequences.reserve(seqs);
    for (std::uint64_t i = 0; i < seqs; ++i) {
        const auto len = load<std::int32_t>(x + lengthsAt + i * 4);
        const auto ptr = load<std::int64_t>(x + pointersAt + i * 8);
        if (len < 0) {
            throw bad(idxPath, "sequence " + std::to_string(i) + " has a negative length " +
                                   std::to_string(len) + " at byte offset " +
                                   std::to_string(lengthsAt + i * 4));
        }
        if (ptr < 0 || static_cast<std::uint64_t>(ptr) % w != 0 ||
            static_cast<std::uint64_t>(ptr) + static_cast<std::uint64_t>(len) * w > binSize) {
            throw bad(idxPath, "sequence " + std::to_string(i) + "'s pointer " + std::to_string(ptr) +
                                   " (byte offset " + std::to_string(pointersAt + i * 8) + ") and length " +
                                   std::to_string(len) + " (byte offset " +
                                   std::to_string(lengthsAt + i * 4) + ") do not fit the " +
                                   std::to_string(binSize) + "-byte \"" + binPath + "\" with " +
                                   std::to_string(w) + "-byte ids");
        }
        m.sequences.emplace_back(static_cast<std::uint64_t>(ptr) / w, static_cast<std::uint64_t>(len));
        m.tokens += static_cast<std::uint64_t>(len);
    }
    std::uint64_t previous = 0;
    for (std::uint64_t k = 0; k < docs; ++k) {
        const auto d = load<std::int64_t>(x + docsAt + k * 8);
        const bool ok = (k == 0 ? d == 0 : d >= static_cast<std::int64_t>(previous)) &&
                        d <= static_cast<std::int64_t>(seqs) &&
                        (k + 1 < docs || d == static_cast<std::int64_t>(seqs));
        if (!ok) {
            throw bad(idxPath, "document index " + std::to_string(k) + " is " + std::to_string(d) +
                                   " at byte offset " + std::to_string(docsAt + k * 8) +
                                   " (document indices rise from 0 to the sequence count, " +
                                   std::to_string(seqs) + ")");
        }
        previous = static_cast<std::uint64_t>(d);
        m.documents.push_back(previous);
    }
    if (docs == 0) {
        m.documents = {0, seqs};  // no document boundaries: the file is one document
    }
    // One pass over the ids, releasing the pages behind it so the resident set stays small.
    const std::uint8_t* b = m.bin->data();
    std::uint64_t releasedTo = 0;
    for (const auto& [begin, count] : m.sequences) {
        for (std::uint64_t t = begin; t < begin + count; ++t) {
            const std::int64_t id = dtype->load(b + t * w);
            if (id < 0 || id >= vocabulary) {
                throw bad(binPath, "token id " + std::to_string(id) + " at byte offset " +
                                       std::to_string(t * w) + " is outside the vocabulary (0.." +
                                       std::to_string(vocabulary - 1) +
                                       (vocabulary == 256 ? ", the byte tokenizer)" : ", the tokenizer's)"));
            }
        }
        const std::uint64_t end = (begin + count) * w;
        if (end > releasedTo + (std::uint64_t{1} << 26)) {
            m.bin->release(releasedTo, end);
            releasedTo = end;
        }
    }
    m.bin->release(releasedTo, binSize);
    m.bin->adviseRandom();
    return m;
}

}  // namespace anneal::data
