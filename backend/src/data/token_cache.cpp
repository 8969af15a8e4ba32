// SPDX-License-Identifier: GPL-3.0-or-later
// Token cache entries (data/token_cache.h). Layout of a .tok file, little-endian:
//   "ANNTOK01"                     8 bytes
//   documents  uint64
//   tokens     uint64              the sum of the documents' token counts
//   counts     uint64 × documents
//   ids        int32 × tokens
//   checksum   uint64              FNV-1a of every byte before it, finalised with mix64

#include "data/token_cache.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "anneal/error.h"
#include "core/user_dirs.h"

namespace anneal::data {

namespace {

constexpr char kMagic[8] = {'A', 'N', 'N', 'T', 'O', 'K', '0', '1'};

struct Checksum {
    std::uint64_t h = 1469598103934665603ULL;
    void update(const void* data, size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (size_t i = 0; i < n; ++i) {
            h = (h ^ p[i]) * 1099511628211ULL;
        }
    }
    std::uint64_t value() const { return mix64(h); }
};

}  // namespace

void writeFileAtomically(const std::string& path, const std::string& bytes) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    const std::string tmp = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw Error(ErrorCode::Io, "cannot write the cache file \"" + tmp + "\": " + std::strerror(errno),
                        "ANNEAL_CACHE_DIR");
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error(ErrorCode::Io, "cannot rename \"" + tmp + "\" to \"" + path + "\": " + ec.message(),
                    "ANNEAL_CACHE_DIR");
    }
}

namespace {

bool readWhole(const std::string& path, std::string& bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

constexpr char kBlobMagic[8] = {'A', 'N', 'N', 'B', 'L', 'O', 'B', '1'};

}  // namespace

std::string cacheDirectory() { return userPath("ANNEAL_CACHE_DIR", XdgBase::Cache, "", ".anneal-cache"); }

bool readTokenEntry(const std::string& path, size_t documents, std::vector<std::vector<Token>>& ids) {
    std::string bytes;
    if (!readWhole(path, bytes)) {
        return false;
    }
    const size_t head = sizeof kMagic + 16;
    if (bytes.size() < head + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
        return false;
    }
    std::uint64_t docs = 0, tokens = 0;
    std::memcpy(&docs, bytes.data() + 8, 8);
    std::memcpy(&tokens, bytes.data() + 16, 8);
    if (docs != documents || tokens > bytes.size() / sizeof(Token) ||
        bytes.size() != head + docs * 8 + tokens * sizeof(Token) + 8) {
        return false;
    }
    Checksum sum;
    sum.update(bytes.data(), bytes.size() - 8);
    std::uint64_t stored = 0;
    std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
    if (stored != sum.value()) {
        return false;
    }
    ids.assign(documents, {});
    const char* counts = bytes.data() + head;
    const char* p = counts + docs * 8;
    std::uint64_t total = 0;
    for (size_t d = 0; d < documents; ++d) {
        std::uint64_t n = 0;
        std::memcpy(&n, counts + d * 8, 8);
        total += n;
        if (total > tokens) {
            return false;
        }
        ids[d].resize(n);
        std::memcpy(ids[d].data(), p, n * sizeof(Token));
        p += n * sizeof(Token);
    }
    return total == tokens;
}

void writeTokenEntry(const std::string& path, const std::vector<std::vector<Token>>& ids) {
    std::uint64_t tokens = 0;
    for (const auto& v : ids) {
        tokens += v.size();
    }
    const std::uint64_t docs = ids.size();
    std::string bytes;
    bytes.reserve(sizeof kMagic + 16 + docs * 8 + tokens * sizeof(Token) + 8);
    bytes.append(kMagic, sizeof kMagic);
    bytes.append(reinterpret_cast<const char*>(&docs), 8);
    bytes.append(reinterpret_cast<const char*>(&tokens), 8);
    for (const auto& v : ids) {
        const std::uint64_t n = v.size();
        bytes.append(reinterpret_cast<const char*>(&n), 8);
    }
    for (const auto& v : ids) {
        bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(Token));
    }
    Checksum sum;
    sum.update(bytes.data(), bytes.size());
    const std::uint64_t value = sum.value();
    bytes.append(reinterpret_cast<const char*>(&value), 8);
    writeFileAtomically(path, bytes);
}

// A cached file is its bytes, then their checksum (uint64) and "ANNBLOB1".
bool readCachedFile(const std::string& path, std::string& bytes) {
    if (!readWhole(path, bytes) || bytes.size() < 16 ||
        std::memcmp(bytes.data() + bytes.size() - 8, kBlobMagic, 8) != 0) {
        return false;
    }
    Checksum sum;
    sum.update(bytes.data(), bytes.size() - 16);
    std::uint64_t stored = 0;
    std::memcpy(&stored, bytes.data() + bytes.size() - 16, 8);
    if (stored != sum.value()) {
        return false;
    }
    bytes.resize(bytes.size() - 16);
    return true;
}

void writeCachedFile(const std::string& path, const std::string& bytes) {
    Checksum sum;
    sum.update(bytes.data(), bytes.size());
    const std::uint64_t value = sum.value();
    std::string out = bytes;
    out.append(reinterpret_cast<const char*>(&value), 8);
    out.append(kBlobMagic, 8);
    writeFileAtomically(path, out);
}

}  // namespace anneal::data
