// SPDX-License-Identifier: GPL-3.0-or-later
// Reading a SentencePiece .model file: protobuf wire format by hand (ModelProto.pieces = 1 with
// piece = 1, type = 3; ModelProto.trainer_spec = 2 with eos_id = 42; sentencepiece_model.proto).

#include "data/spm_model.h"

#include <cstdint>

#include "anneal/error.h"

namespace anneal::data {

namespace {

struct Reader {
    const std::string& s;
    size_t pos = 0;
    size_t end;
    bool ok = true;
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64 && pos < end; shift += 7) {
            const auto b = static_cast<unsigned char>(s[pos++]);
            v |= std::uint64_t{b & 0x7Fu} << shift;
            if (!(b & 0x80)) {
                return v;
            }
        }
        ok = false;
        return 0;
    }
    /// Skips a field of wire type `wt`; returns [begin, end) of a length-delimited one.
    std::pair<size_t, size_t> field(int wt) {
        if (wt == 0) {
            varint();
        } else if (wt == 1 || wt == 5) {
            pos += wt == 1 ? 8 : 4;
        } else if (wt == 2) {
            const std::uint64_t n = varint();
            if (n > end - pos) {
                ok = false;
                return {pos, pos};
            }
            pos += n;
            return {pos - n, pos};
        } else {
            ok = false;
        }
        ok = ok && pos <= end;
        return {pos, pos};
    }
};

}  // namespace

SpmModel parseSpmModel(const std::string& bytes, const std::string& field, const std::string& origin) {
    SpmModel m;
    Reader r{bytes, 0, bytes.size()};
    while (r.ok && r.pos < r.end) {
        const std::uint64_t key = r.varint();
        const auto [b, e] = r.field(static_cast<int>(key & 7));
        if ((key >> 3) == 1 && (key & 7) == 2) {  // ModelProto.pieces
            Reader p{bytes, b, e};
            std::string piece;
            auto type = SpmPiece::kNormal;
            while (p.ok && p.pos < p.end) {
                const std::uint64_t k = p.varint();
                if ((k >> 3) == 3 && (k & 7) == 0) {
                    type = static_cast<SpmPiece>(p.varint());
                    continue;
                }
                const auto [pb, pe] = p.field(static_cast<int>(k & 7));
                if ((k >> 3) == 1 && (k & 7) == 2) {
                    piece = bytes.substr(pb, pe - pb);
                }
            }
            r.ok = r.ok && p.ok;
            m.pieces.push_back(piece);
            m.types.push_back(type);
        } else if ((key >> 3) == 2 && (key & 7) == 2) {  // ModelProto.trainer_spec
            Reader t{bytes, b, e};
            while (t.ok && t.pos < t.end) {
                const std::uint64_t k = t.varint();
                if ((k >> 3) == 42 && (k & 7) == 0) {
                    m.eos = static_cast<int>(static_cast<std::int32_t>(t.varint()));
                } else {
                    t.field(static_cast<int>(k & 7));
                }
            }
            r.ok = r.ok && t.ok;
        }
    }
    if (!r.ok || m.pieces.empty()) {
        configError(field, origin + " is not a SentencePiece model (no pieces could be read)",
                    "a .model file written by spm_train");
    }
    if (m.eos < 0 || m.eos >= static_cast<int>(m.pieces.size()) ||
        m.types[static_cast<size_t>(m.eos)] != SpmPiece::kControl) {
        configError(field, origin + " has no end-of-sentence piece (eos_id = " + std::to_string(m.eos) + ")",
                    "a model trained with an eos piece (spm_train's default --eos_id=2)");
    }
    return m;
}

}  // namespace anneal::data
