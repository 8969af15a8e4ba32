// SPDX-License-Identifier: GPL-3.0-or-later
// escapeSampleText: a sample window as text that is safe to print (anneal-cli data inspect).

#include <cstdio>

#include "anneal/data_source.h"

namespace anneal {

namespace {
/// Length of the well-formed UTF-8 sequence at s[i] (0 if none) and its code point.
int decode(const std::uint8_t* s, int n, int i, std::uint32_t& cp) {
    const std::uint32_t c = s[i];
    int len = 0;
    std::uint32_t lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
        if (c == 0xE0) {
            lo = 0xA0;
        }
        if (c == 0xED) {
            hi = 0x9F;
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
        if (c == 0xF0) {
            lo = 0x90;
        }
        if (c == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return 0;
    }
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) {
        return 0;
    }
    for (int k = 1; k < len; ++k) {
        if (s[i + k] < 0x80 || s[i + k] > 0xBF) {
            return 0;
        }
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    return len;
}

bool unsafeCodePoint(std::uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0xFEFF;
}
}  // namespace

std::string escapeSampleText(const std::uint8_t* s, int n, bool endOfDocument) {
    std::string out;
    char buf[16];
    int i = 0;
    while (i < n) {
        const std::uint8_t c = s[i];
        if (endOfDocument && c == kEndOfDocumentByte) {
            out += "\u27E8eod\u27E9";
            ++i;
            continue;
        }
        std::uint32_t cp = 0;
        const int len = decode(s, n, i, cp);
        if (len == 0) {
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
            ++i;
            continue;
        }
        if (len == 1) {
            switch (c) {
                case '\n':
                    out += "\\n";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                default:
                    if (c < 0x20 || c == 0x7F) {
                        std::snprintf(buf, sizeof buf, "\\x%02X", c);
                        out += buf;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
        } else if (unsafeCodePoint(cp)) {
            std::snprintf(buf, sizeof buf, "\\u{%X}", cp);
            out += buf;
        } else {
            out.append(reinterpret_cast<const char*>(s + i), static_cast<size_t>(len));
        }
        i += len;
    }
    return out;
}

}  // namespace anneal
