// SPDX-License-Identifier: GPL-3.0-or-later
// tokenizer.kind = "gpt2": GPT-2's byte-level BPE (Radford et al. 2019; OpenAI's encoder.py) from a
// vocab.json (token string -> id) and merges.txt (one merge "a b" a line, by rank):
//   1. pre-tokenise with GPT-2's pattern
//        's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//      implemented by hand below (alternatives tried in order at each position, as a regex engine
//      does; \s is Unicode White_Space). A byte that is not part of valid UTF-8 is a character of
//      its own in the class [^\s\p{L}\p{N}], so any byte string round-trips;
//   2. map each piece's bytes to printable characters (bytes_to_unicode) and merge the pair of
//      lowest rank until none is left;
//   3. look the symbols up in the vocabulary.
// The end-of-document token is <|endoftext|>, which vocab.json must hold.

#include <climits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "anneal/error.h"
#include "anneal/sha256.h"
#include "data/tokenizer.h"
#include "data/unicode_classes.h"

namespace anneal::data {

namespace {

/// The code point at s[i] and its length in bytes; an invalid byte is (-1, 1).
std::pair<long, int> codePoint(std::string_view s, size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
        return {b, 1};
    }
    int len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
    if (len == 0 || i + static_cast<size_t>(len) > s.size()) {
        return {-1, 1};
    }
    long cp = b & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
        if ((c & 0xC0) != 0x80) {
            return {-1, 1};
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    const long minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < minimum[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return {-1, 1};
    }
    return {cp, len};
}

enum class Cls { Letter, Number, Space, Other };

Cls classOf(long cp) {
    if (cp < 0) {
        return Cls::Other;
    }
    const auto c = static_cast<char32_t>(cp);
    return isUnicodeLetter(c)   ? Cls::Letter
           : isUnicodeNumber(c) ? Cls::Number
           : isUnicodeSpace(c)  ? Cls::Space
                                : Cls::Other;
}

/// The pieces of GPT-2's pre-tokenisation pattern, as [begin, end) byte ranges.
std::vector<std::string_view> pretokenize(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    auto runOf = [&](size_t j, Cls c) {  // end of the run of class c starting at j
        while (j < s.size()) {
            const auto [cp, len] = codePoint(s, j);
            if (classOf(cp) != c) {
                break;
            }
            j += static_cast<size_t>(len);
        }
        return j;
    };
    static const char* const kContractions[] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
    while (i < s.size()) {
        size_t end = 0;
        if (s[i] == '\'') {
            for (const char* c : kContractions) {
                if (s.substr(i).rfind(c, 0) == 0) {
                    end = i + std::char_traits<char>::length(c);
                    break;
                }
            }
        }
        if (end == 0) {
            const auto [cp, len] = codePoint(s, i);
            const Cls c = classOf(cp);
            size_t from = i;
            Cls body = c;
            if (cp == ' ' && i + 1 < s.size()) {
                const Cls next = classOf(codePoint(s, i + 1).first);
                if (next != Cls::Space) {
                    from = i + 1;  // " ?" then a run of the next character's class
                    body = next;
                }
            }
            if (body != Cls::Space) {
                end = runOf(from, body);
            } else {
                const size_t run = runOf(i, Cls::Space);
                // \s+(?!\S): the run, less its last character when a non-space follows and the run
                // is longer than one character; else \s+ takes the whole run.
                end = run;
                if (run < s.size()) {
                    size_t last = run - 1;
                    while (last > i && (static_cast<unsigned char>(s[last]) & 0xC0) == 0x80) {
                        --last;
                    }
                    if (last > i) {
                        end = last;
                    }
                }
            }
        }
        out.push_back(s.substr(i, end - i));
        i = end;
    }
    return out;
}

/// GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 upwards.
std::array<std::string, 256> byteSymbols() {
    std::array<int, 256> cp{};
    std::array<bool, 256> printable{};
    for (int b = 0; b < 256; ++b) {
        printable[static_cast<size_t>(b)] =
            (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }
    int n = 0;
    for (int b = 0; b < 256; ++b) {
        cp[static_cast<size_t>(b)] = printable[static_cast<size_t>(b)] ? b : 256 + n++;
    }
    std::array<std::string, 256> out;
    for (int b = 0; b < 256; ++b) {
        const int c = cp[static_cast<size_t>(b)];
        std::string u;
        if (c < 0x80) {
            u.push_back(static_cast<char>(c));
        } else {
            u.push_back(static_cast<char>(0xC0 | (c >> 6)));
            u.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
        out[static_cast<size_t>(b)] = u;
    }
    return out;
}

class Gpt2Tokenizer final : public Tokenizer {
public:
    Gpt2Tokenizer(const std::string& vocabJson, const std::string& mergesTxt) : m_symbols(byteSymbols()) {
        const auto j = nlohmann::json::parse(vocabJson, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            configError("tokenizer.vocab", "is not a JSON object of token -> id", "GPT-2's vocab.json");
        }
        int maxId = -1;
        for (const auto& [token, id] : j.items()) {
            if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() > INT_MAX / 2) {
                configError("tokenizer.vocab", "the id of \"" + token + "\" is not an integer >= 0",
                            "GPT-2's vocab.json");
            }
            m_ids[token] = id.get<int>();
            maxId = std::max(maxId, id.get<int>());
        }
        m_vocabulary = maxId + 1;
        for (int b = 0; b < 256; ++b) {
            const auto it = m_ids.find(m_symbols[static_cast<size_t>(b)]);
            if (it == m_ids.end()) {
                configError("tokenizer.vocab",
                            "has no token for byte " + std::to_string(b) + " (\"" +
                                m_symbols[static_cast<size_t>(b)] + "\")",
                            "a byte-level vocabulary: every one of the 256 byte symbols is a token");
            }
            m_byteOf[m_symbols[static_cast<size_t>(b)]] = b;
        }
        const auto eod = m_ids.find("<|endoftext|>");
        if (eod == m_ids.end()) {
            configError("tokenizer.vocab", "has no \"<|endoftext|>\" token",
                        "GPT-2's vocab.json (its end-of-document token is <|endoftext|>)");
        }
        m_eod = eod->second;
        size_t pos = 0;
        int rank = 0;
        int lineNo = 0;
        while (pos < mergesTxt.size()) {
            size_t nl = mergesTxt.find('\n', pos);
            std::string line = mergesTxt.substr(pos, (nl == std::string::npos ? mergesTxt.size() : nl) - pos);
            pos = nl == std::string::npos ? mergesTxt.size() : nl + 1;
            ++lineNo;
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (line.empty() || (lineNo == 1 && line.rfind("#version", 0) == 0)) {
                continue;
            }
            const size_t sp = line.find(' ');
            if (sp == std::string::npos || sp == 0 || sp + 1 == line.size() ||
                line.find(' ', sp + 1) != std::string::npos) {
                configError("tokenizer.merges", "line " + std::to_string(lineNo) + " is not two symbols",
                            "GPT-2's merges.txt: \"a b\" on each line");
            }
            m_ranks.emplace(line, rank++);
        }
        std::vector<std::string> names(static_cast<size_t>(m_vocabulary));
        for (const auto& [token, id] : m_ids) {
            names[static_cast<size_t>(id)] = token;
        }
        m_tokenBytes.assign(static_cast<size_t>(m_vocabulary), 0);
        for (int id = 0; id < m_vocabulary; ++id) {
            int chars = 0;  // each character of a byte-level token stands for one byte
            for (unsigned char c : names[static_cast<size_t>(id)]) {
                chars += (c & 0xC0) != 0x80 ? 1 : 0;
            }
            m_tokenBytes[static_cast<size_t>(id)] = static_cast<std::uint16_t>(id == m_eod ? 1 : chars);
        }
        m_names = std::move(names);
        m_identity = "gpt2:" + sha256Hex(vocabJson + '\0' + mergesTxt);
        m_summary = "gpt2, vocabulary " + std::to_string(m_vocabulary);
    }

    std::string kind() const override { return "gpt2"; }
    int vocabulary() const override { return m_vocabulary; }
    Token endOfDocument() const override { return m_eod; }

    std::vector<Token> encode(std::string_view text) const override {
        std::vector<Token> out;
        std::unordered_map<std::string_view, std::vector<Token>> cache;  // per call: thread-safe
        for (std::string_view piece : pretokenize(text)) {
            auto hit = cache.find(piece);
            if (hit == cache.end()) {
                hit = cache.emplace(piece, bpe(piece)).first;
            }
            out.insert(out.end(), hit->second.begin(), hit->second.end());
        }
        return out;
    }

    std::string decode(const Token* ids, int n) const override {
        std::string out;
        for (int i = 0; i < n; ++i) {
            if (ids[i] == m_eod || ids[i] < 0 || ids[i] >= m_vocabulary) {
                continue;
            }
            const std::string& name = m_names[static_cast<size_t>(ids[i])];
            for (size_t k = 0; k < name.size();) {
                const size_t len = (static_cast<unsigned char>(name[k]) < 0x80) ? 1 : 2;
                const auto it = m_byteOf.find(name.substr(k, len));
                if (it != m_byteOf.end()) {
                    out.push_back(static_cast<char>(it->second));
                }
                k += len;
            }
        }
        return out;
    }

private:
    std::vector<Token> bpe(std::string_view piece) const {
        std::vector<std::string> word;
        for (unsigned char b : piece) {
            word.push_back(m_symbols[b]);
        }
        while (word.size() > 1) {
            int best = INT_MAX;
            size_t at = 0;
            for (size_t k = 0; k + 1 < word.size(); ++k) {
                const auto it = m_ranks.find(word[k] + ' ' + word[k + 1]);
                if (it != m_ranks.end() && it->second < best) {
                    best = it->second;
                    at = k;
                }
            }
            if (best == INT_MAX) {
                break;
            }
            // Merge every occurrence of the best pair, left to right (encoder.py's loop).
            const std::string first = word[at], second = word[at + 1];
            std::vector<std::string> merged;
            for (size_t k = 0; k < word.size();) {
                if (k + 1 < word.size() && word[k] == first && word[k + 1] == second) {
                    merged.push_back(first + second);
                    k += 2;
                } else {
                    merged.push_back(word[k]);
                    ++k;
                }
            }
            word = std::move(merged);
        }
        std::vector<Token> ids;
        ids.reserve(word.size());
        for (const auto& w : word) {
            const auto it = m_ids.find(w);
            if (it == m_ids.end()) {
                throw Error(ErrorCode::InvalidInput,
                            "GPT-2 vocabulary has no token \"" + w + "\" that its merges make");
            }
            ids.push_back(it->second);
        }
        return ids;
    }

    std::array<std::string, 256> m_symbols;
    std::unordered_map<std::string, int> m_byteOf;
    std::unordered_map<std::string, int> m_ids;
    std::unordered_map<std::string, int> m_ranks;
    std::vector<std::string> m_names;
    int m_vocabulary = 0;
    Token m_eod = 0;
};

}  // namespace

std::shared_ptr<const Tokenizer> makeGpt2Tokenizer(const std::string& vocabJson,
                                                   const std::string& mergesTxt) {
    return std::make_shared<const Gpt2Tokenizer>(vocabJson, mergesTxt);
}

}  // namespace anneal::data
