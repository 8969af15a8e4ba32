// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Megatron-LM indexed datasets (tokens:), a `.bin` of token ids and its `.idx` (MMIDIDX), both
// memory-mapped. The .idx, little-endian:
//   9 bytes  magic "MMIDIDX\0\0"      8 bytes  version (u64) = 1
//   1 byte   dtype code: 1 uint8, 2 int8, 3 int16, 4 int32, 5 int64, 8 uint16 (6 float64 and
//            7 float32 are Megatron codes too, but not token ids)
//   8 bytes  sequence count S (u64)    8 bytes  document index count D (u64)
//   S int32  sequence lengths (tokens) S int64  sequence pointers (byte offsets into the .bin)
//   D int64  document indices: document k is sequences [doc[k], doc[k+1]); doc[0] = 0,
//            doc[D-1] = S (Megatron's writer appends S after each document, so D = documents + 1)

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/mapped_file.h"

namespace anneal::data {

struct MegatronFile {
    std::shared_ptr<MappedFile> bin;
    int width = 2;      ///< bytes per token id
    std::string dtype;  ///< "uint16"
    /// Each sequence's first token (an index into the .bin in units of `width`) and token count.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> sequences;
    /// Document k is sequences [documents[k], documents[k + 1]).
    std::vector<std::uint64_t> documents;
    std::uint64_t tokens = 0;
};

/// The .idx that belongs to a .bin ("x.bin" -> "x.idx"), or "" when the name does not end in .bin.
std::string megatronIndexPath(const std::string& binPath);

/// Whether `binPath` has a sibling .idx that starts with the MMIDIDX magic.
bool isMegatron(const std::string& binPath);

/// Opens and checks a pair: the header, that every sequence lies within the .bin and that every
/// id is in [0, vocabulary). Throws InvalidInput at `field`, naming the file and the byte offset.
MegatronFile openMegatron(const std::string& binPath, int vocabulary, const std::string& field,
                          const std::string& domain);

}  // namespace anneal::data
