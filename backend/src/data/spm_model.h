// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The parts of a SentencePiece model file Anneal reads itself (to decode and to count each token's
// bytes): its pieces, their types and the eos id. Encoding is spm_encode's (sentencepiece_tokenizer.cpp).

#include <string>
#include <vector>

namespace anneal::data {

/// SentencePiece::Type of sentencepiece_model.proto.
enum class SpmPiece { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

struct SpmModel {
    std::vector<std::string> pieces;  ///< by id
    std::vector<SpmPiece> types;
    int eos = 2;  ///< TrainerSpec.eos_id (its default when absent)
};

/// Throws InvalidConfig at `field` when the bytes are not a model or have no eos control piece.
SpmModel parseSpmModel(const std::string& bytes, const std::string& field, const std::string& origin);

}  // namespace anneal::data
