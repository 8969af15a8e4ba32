// SPDX-License-Identifier: GPL-3.0-or-later
#include "text_preview.h"

namespace anneal::ui {

namespace {

constexpr char32_t kReplacement = 0xfffd;
constexpr char32_t kVisibleControl = 0x00b7;  // ·

/// The code point of the valid UTF-8 sequence at data[0..], and its length; 0 when data[0] does
/// not begin one (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or a
/// sequence cut short).
int decodeOne(const std::uint8_t* data, std::size_t size, char32_t& out) {
    const std::uint8_t b = data[0];
    int n = 0;
    char32_t cp = 0;
    std::uint8_t lo = 0x80, hi = 0xbf;  // the allowed range of the second byte (RFC 3629 table)
    if (b < 0x80) {
        out = b;
        return 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        cp = b & 0x0f;
        lo = b == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
        hi = b == 0xed ? 0x9f : 0xbf;  // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        cp = b & 0x07;
        lo = b == 0xf0 ? 0x90 : 0x80;
        hi = b == 0xf4 ? 0x8f : 0xbf;  // nothing beyond U+10FFFF
    } else {
        return 0;
    }
    if (size < static_cast<std::size_t>(n)) {
        return 0;
    }
    for (int i = 1; i < n; ++i) {
        const std::uint8_t c = data[i];
        if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf)) {
            return 0;
        }
        cp = (cp << 6) | (c & 0x3f);
    }
    out = cp;
    return n;
}

/// What a code point shows as: itself, or a visible stand-in for one that would hide, reflow or
/// reorder the line.
char32_t visible(char32_t cp) {
    if (cp == U'\n') {
        return 0x23ce;  // ⏎
    }
    if (cp == U'\t') {
        return 0x21e5;  // ⇥
    }
    const bool control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
    const bool layout = cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
                        (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
    return control || layout ? kVisibleControl : cp;
}

}  // namespace

QString textPreview(const std::uint8_t* data, std::size_t size, bool endOfDocument) {
    QString out;
    out.reserve(static_cast<qsizetype>(size));
    std::size_t i = 0;
    while (i < size) {
        if (endOfDocument && data[i] == 0xff) {
            out += QStringLiteral("⟨eod⟩");
            ++i;
            continue;
        }
        char32_t cp = 0;
        const int n = decodeOne(data + i, size - i, cp);
        if (n == 0) {
            out += QChar(static_cast<char16_t>(kReplacement));  // one per byte that starts nothing valid
            ++i;
            continue;
        }
        const char32_t v = visible(cp);
        out += QString::fromUcs4(&v, 1);
        i += static_cast<std::size_t>(n);
    }
    return out;
}

}  // namespace anneal::ui
