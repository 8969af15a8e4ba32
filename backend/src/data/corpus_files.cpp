// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/corpus_files.h"

#include <glob.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#ifdef ANNEAL_HAVE_ZSTD
#include <zstd.h>
#endif

#include "anneal/corpus.h"
#include "anneal/error.h"

namespace anneal::data {

std::vector<std::string> expandGlob(const std::string& written, const std::string& field) {
    // ${ANNEAL_CORPUS}/...: the prepared corpus (anneal-cli corpus prepare), or an error saying to
    // prepare it.
    const std::string pattern = resolveCorpusPath(written, field);
    if (pattern.empty()) {
        configError(field, "names no file",
                    "a path or glob after the colon, e.g. text:/usr/share/common-licenses/*");
    }
    // Without GLOB_ERR: a missing or unreadable directory is no match, reported as such below.
    glob_t g{};
    const int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g);
    std::vector<std::string> out;
    if (rc == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
            struct stat st {};
            if (::stat(g.gl_pathv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                continue;
            }
            out.emplace_back(g.gl_pathv[i]);
        }
    }
    ::globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
        throw Error(ErrorCode::Io, "cannot list \"" + pattern + "\": out of memory", field);
    }
    if (out.empty()) {
        configError(field, "no file matches \"" + pattern + "\"",
                    "a glob that matches at least one readable file");
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

[[noreturn]] void ioError(const std::string& path, const std::string& what) {
    throw Error(ErrorCode::Io, "cannot read \"" + path + "\": " + what);
}

std::string readRaw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ioError(path, std::strerror(errno));
    }
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        ioError(path, "read error");
    }
    return s;
}

std::string gunzip(const std::string& path, const std::string& raw) {
    // Inflate every gzip member in turn (dictzip .dz files are gzip with an extra header field).
    std::string out;
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) {
        ioError(path, "zlib failed to start");
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    z.avail_in = static_cast<uInt>(raw.size());
    std::vector<char> buf(1 << 16);
    for (;;) {
        z.next_out = reinterpret_cast<Bytef*>(buf.data());
        z.avail_out = static_cast<uInt>(buf.size());
        const int rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf.data(), buf.size() - z.avail_out);
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0) {
                break;
            }
            inflateReset(&z);  // a further member
            continue;
        }
        if (rc != Z_OK) {
            const std::string msg = z.msg ? z.msg : "corrupt gzip data";
            const auto at = raw.size() - z.avail_in;
            inflateEnd(&z);
            ioError(path, msg + " at compressed byte offset " + std::to_string(at));
        }
        if (z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            ioError(path, "truncated gzip data (the stream ends before its end marker)");
        }
    }
    inflateEnd(&z);
    return out;
}

std::string unzstd(const std::string& path, const std::string& raw) {
#ifdef ANNEAL_HAVE_ZSTD
    std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> ds(ZSTD_createDStream(), ZSTD_freeDStream);
    ZSTD_initDStream(ds.get());
    ZSTD_inBuffer in{raw.data(), raw.size(), 0};
    std::vector<char> buf(ZSTD_DStreamOutSize());
    std::string out;
    size_t last = 0;
    for (;;) {
        ZSTD_outBuffer o{buf.data(), buf.size(), 0};
        last = ZSTD_decompressStream(ds.get(), &o, &in);
        if (ZSTD_isError(last)) {
            ioError(path, std::string("zstd: ") + ZSTD_getErrorName(last) + " near compressed byte offset " +
                              std::to_string(in.pos));
        }
        out.append(buf.data(), o.pos);
        if (in.pos == in.size && o.pos < o.size) {
            break;  // all input consumed and the decoder holds nothing more
        }
    }
    if (last != 0) {
        ioError(path, "truncated zstd data (the last frame is incomplete)");
    }
    return out;
#else
    (void)raw;
    ioError(path, "it is zstd-compressed and this build has no libzstd (install libzstd-dev and rebuild)");
#endif
}

}  // namespace

bool haveZstd() {
#ifdef ANNEAL_HAVE_ZSTD
    return true;
#else
    return false;
#endif
}

std::string readDecompressed(const std::string& path) {
    std::string raw = readRaw(path);
    const auto* b = reinterpret_cast<const unsigned char*>(raw.data());
    if (raw.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
        return gunzip(path, raw);
    }
    if (raw.size() >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
        return unzstd(path, raw);
    }
    return raw;
}

namespace {
/// Length of the well-formed UTF-8 sequence at s[i], or 0 (RFC 3629, Unicode table 3-7).
int sequenceLength(const unsigned char* s, size_t n, size_t i) {
    const unsigned c = s[i];
    if (c < 0x80) {
        return 1;
    }
    int len = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) {
            lo = 0xA0;  // overlong
        }
        if (c == 0xED) {
            hi = 0x9F;  // surrogates
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) {
            lo = 0x90;  // overlong
        }
        if (c == 0xF4) {
            hi = 0x8F;  // above U+10FFFF
        }
    } else {
        return 0;
    }
    if (i + static_cast<size_t>(len) > n) {
        return 0;
    }
    if (s[i + 1] < lo || s[i + 1] > hi) {
        return 0;
    }
    for (int k = 2; k < len; ++k) {
        if (s[i + static_cast<size_t>(k)] < 0x80 || s[i + static_cast<size_t>(k)] > 0xBF) {
            return 0;
        }
    }
    return len;
}
}  // namespace

std::int64_t firstInvalidUtf8(const std::string& str) {
    const auto* s = reinterpret_cast<const unsigned char*>(str.data());
    size_t i = 0;
    while (i < str.size()) {
        const int len = sequenceLength(s, str.size(), i);
        if (len == 0) {
            return static_cast<std::int64_t>(i);
        }
        i += static_cast<size_t>(len);
    }
    return -1;
}

std::string replaceInvalidUtf8(const std::string& str) {
    const auto* s = reinterpret_cast<const unsigned char*>(str.data());
    std::string out;
    out.reserve(str.size());
    size_t i = 0;
    while (i < str.size()) {
        const int len = sequenceLength(s, str.size(), i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(str, i, static_cast<size_t>(len));
            i += static_cast<size_t>(len);
        }
    }
    return out;
}

}  // namespace anneal::data
