// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Unicode character classes for the GPT-2 pre-tokeniser (data/gpt2_tokenizer.cpp), without a regex
// or ICU dependency: letters and numbers from tables generated from Python's unicodedata
// (scripts/gen-unicode-classes.py writes unicode_classes.cpp), whitespace as Unicode's
// White_Space property.

namespace anneal::data {

/// General category L* (\p{L}).
bool isUnicodeLetter(char32_t c);
/// General category N* (\p{N}).
bool isUnicodeNumber(char32_t c);
/// The White_Space property (\s of Unicode regex engines): U+0009..U+000D, U+0020, U+0085, U+00A0,
/// U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
inline bool isUnicodeSpace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

}  // namespace anneal::data
