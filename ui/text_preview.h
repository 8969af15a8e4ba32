// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// textPreview: the bytes of a real-text sample (UTF-8) as one line of readable text, for the
// weights explorer and the experiment dialog's data inspection. Letters of every script show as
// themselves; what would hide, reflow or reorder the line is made visible: a newline as ⏎, a tab as
// ⇥, other control characters (C0, DEL, C1) and the bidirectional and line-separator controls as
// '·', and each byte that does not begin a valid UTF-8 sequence as U+FFFD (�). Synthetic byte
// data keeps printableBytes (sample_decoder.h), one character per byte.

#include <QString>
#include <cstdint>
#include <vector>

namespace anneal::ui {

/// With `endOfDocument`, the end-of-document byte (0xFF, anneal::kEndOfDocumentByte, never part of
/// valid UTF-8) shows as ⟨eod⟩ instead of �.
QString textPreview(const std::uint8_t* data, std::size_t size, bool endOfDocument = true);
inline QString textPreview(const std::vector<std::uint8_t>& bytes, bool endOfDocument = true) {
    return textPreview(bytes.data(), bytes.size(), endOfDocument);
}

}  // namespace anneal::ui
