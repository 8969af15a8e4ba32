// SPDX-License-Identifier: GPL-3.0-or-later
// tokenizer.kind = "sentencepiece", through the programs of Debian's `sentencepiece` package:
// spm_train trains a model, spm_encode encodes. Not through libsentencepiece: Debian's
// libsentencepiece0 carries its own protobuf-lite 3.14 and exports its symbols, which collide with
// the libprotobuf 3.21 that LibTorch loads (the process aborts at startup, or in protobuf's version
// check), so the library cannot live in a process with LibTorch. The model file is read here (its
// pieces and their types: a few protobuf fields) for decoding and the bytes of each token.
//
// spm_encode encodes a line at a time (its input is text lines): a document is encoded line by
// line, each newline being the byte piece <0x0A>, so a model needs byte_fallback (ours have it).
//
// Training is deterministic: one thread, no sampling or shuffling inside SentencePiece (the sample
// is ours, in a fixed order), a fixed random seed, and paths relative to a scratch directory (the
// model records its input and prefix names). The normalisation is the identity, no dummy prefix, no
// whitespace folding, byte_fallback: decode(encode(text)) == text for valid UTF-8. Invalid UTF-8 is
// replaced by U+FFFD by SentencePiece's normaliser (the text sources reject or replace it first).

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "anneal/error.h"
#include "anneal/sha256.h"
#include "data/spm_model.h"
#include "data/token_cache.h"
#include "data/tokenizer.h"

extern char** environ;

namespace anneal::data {

namespace {

namespace fs = std::filesystem;

std::string readAll(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// Runs a program found in PATH in `dir`, stdout and stderr to `dir`/log. Returns its exit status
/// (-1 when it cannot start).
int runTool(const std::vector<std::string>& args, const std::string& dir, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        return -1;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// A scratch directory under the cache, removed with the object.
struct Scratch {
    Scratch() {
        static std::atomic<int> counter{0};
        path = cacheDirectory() + "/tmp/spm-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        fs::create_directories(path);
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string path;
};

[[noreturn]] void toolError(const std::string& field, const std::string& what, const std::string& log) {
    std::string tail = readAll(log);
    if (tail.size() > 600) {
        tail = "..." + tail.substr(tail.size() - 600);
    }
    configError(field, what + (tail.empty() ? "" : ": " + tail),
                "the sentencepiece programs (spm_train, spm_encode; Debian package sentencepiece) in PATH");
}

class SentencePieceTokenizer final : public Tokenizer {
public:
    SentencePieceTokenizer(const std::string& modelBytes, const std::string& field, const std::string& origin)
        : m_model(parseSpmModel(modelBytes, field, origin)) {
        const auto n = m_model.pieces.size();
        m_tokenBytes.assign(n, 0);
        for (size_t id = 0; id < n; ++id) {
            const std::string& piece = m_model.pieces[id];
            const SpmPiece type = m_model.types[id];
            if (type == SpmPiece::kByte) {
                m_tokenBytes[id] = 1;
                if (piece == "<0x0A>") {
                    m_newline = static_cast<Token>(id);
                }
            } else if (type == SpmPiece::kNormal || type == SpmPiece::kUserDefined) {
                m_tokenBytes[id] = static_cast<std::uint16_t>(decodePiece(piece).size());
            }
        }
        m_tokenBytes[static_cast<size_t>(m_model.eos)] = 1;
        if (m_newline < 0) {
            configError(field, origin + " has no byte piece <0x0A> for a newline",
                        "a model trained with --byte_fallback=true");
        }
        const std::string sha = sha256Hex(modelBytes);
        m_identity = "sentencepiece:" + sha;
        m_summary = "sentencepiece, vocabulary " + std::to_string(n);
        // spm_encode reads the model from a file: a content-addressed copy in the cache.
        m_path = cacheDirectory() + "/spm/" + sha + ".model";
        std::error_code ec;
        if (fs::file_size(m_path, ec) != modelBytes.size() || readAll(m_path) != modelBytes) {
            writeFileAtomically(m_path, modelBytes);
        }
    }

    std::string kind() const override { return "sentencepiece"; }
    int vocabulary() const override { return static_cast<int>(m_model.pieces.size()); }
    Token endOfDocument() const override { return m_model.eos; }
    std::vector<Token> encode(std::string_view text) const override {
        return encodeAll({std::string(text)}, 1).front();
    }

    std::vector<std::vector<Token>> encodeAll(const std::vector<std::string>& docs,
                                              int threads) const override {
        // Lines of every document, and which of them end with a newline.
        std::vector<std::string_view> lines;
        std::vector<bool> newline;
        std::vector<size_t> firstLine(docs.size() + 1);
        std::uint64_t total = 0;
        for (size_t d = 0; d < docs.size(); ++d) {
            firstLine[d] = lines.size();
            const std::string& s = docs[d];
            size_t pos = 0;
            while (pos < s.size()) {
                const size_t nl = s.find('\n', pos);
                const size_t end = nl == std::string::npos ? s.size() : nl;
                lines.emplace_back(s.data() + pos, end - pos);
                newline.push_back(nl != std::string::npos);
                total += end - pos + 1;
                pos = end + 1;
            }
        }
        firstLine[docs.size()] = lines.size();
        // Chunks of about equal bytes, one spm_encode each, `threads` at a time.
        if (threads <= 0) {
            threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1U, 8U));
        }
        const int chunks = static_cast<int>(std::max<std::uint64_t>(
            1, std::min<std::uint64_t>(static_cast<std::uint64_t>(threads), total / 65536 + 1)));
        std::vector<size_t> bounds = {0};
        std::uint64_t acc = 0;
        for (size_t i = 0; i < lines.size(); ++i) {
            acc += lines[i].size() + 1;
            if (acc * static_cast<std::uint64_t>(chunks) >= total * bounds.size() &&
                bounds.size() < static_cast<size_t>(chunks)) {
                bounds.push_back(i + 1);
            }
        }
        bounds.push_back(lines.size());
        Scratch scratch;
        std::vector<std::vector<Token>> lineIds(lines.size());
        std::vector<std::string> failures(bounds.size() - 1);
        auto work = [&](size_t c) {
            const std::string in = scratch.path + "/in" + std::to_string(c) + ".txt";
            const std::string out = scratch.path + "/out" + std::to_string(c) + ".txt";
            const std::string log = scratch.path + "/log" + std::to_string(c) + ".txt";
            {
                std::ofstream f(in, std::ios::binary);
                for (size_t i = bounds[c]; i < bounds[c + 1]; ++i) {
                    f << lines[i] << '\n';
                }
            }
            if (runTool({"spm_encode", "--model=" + m_path, "--output_format=id", "--input=" + in,
                         "--output=" + out},
                        scratch.path, log) != 0) {
                failures[c] = log;
                return;
            }
            std::ifstream f(out);
            std::string row;
            for (size_t i = bounds[c]; i < bounds[c + 1]; ++i) {
                if (!std::getline(f, row)) {
                    failures[c] = log;
                    return;
                }
                const char* p = row.c_str();
                char* next = nullptr;
                for (long v = std::strtol(p, &next, 10); next != p; v = std::strtol(p, &next, 10)) {
                    lineIds[i].push_back(static_cast<Token>(v));
                    p = next;
                }
            }
        };
        std::vector<std::thread> pool;
        for (size_t c = 1; c + 1 < bounds.size(); ++c) {
            pool.emplace_back(work, c);
        }
        work(0);
        for (auto& t : pool) {
            t.join();
        }
        for (const auto& log : failures) {
            if (!log.empty()) {
                toolError("tokenizer.kind", "spm_encode failed", log);
            }
        }
        std::vector<std::vector<Token>> ids(docs.size());
        for (size_t d = 0; d < docs.size(); ++d) {
            for (size_t i = firstLine[d]; i < firstLine[d + 1]; ++i) {
                ids[d].insert(ids[d].end(), lineIds[i].begin(), lineIds[i].end());
                if (newline[i]) {
                    ids[d].push_back(m_newline);
                }
            }
        }
        return ids;
    }

    std::string decode(const Token* ids, int n) const override {
        std::string out;
        for (int i = 0; i < n; ++i) {
            if (ids[i] < 0 || ids[i] >= vocabulary()) {
                continue;
            }
            const auto id = static_cast<size_t>(ids[i]);
            const SpmPiece type = m_model.types[id];
            if (type == SpmPiece::kByte) {
                out.push_back(static_cast<char>(std::stoi(m_model.pieces[id].substr(3, 2), nullptr, 16)));
            } else if (type == SpmPiece::kNormal || type == SpmPiece::kUserDefined) {
                out += decodePiece(m_model.pieces[id]);
            } else if (type == SpmPiece::kUnknown) {
                out += " \xE2\x81\x87 ";  // SentencePiece's unk surface
            }
        }
        return out;
    }

private:
    /// A piece's text: the meta symbol U+2581 stands for a space.
    static std::string decodePiece(const std::string& piece) {
        std::string out;
        for (size_t i = 0; i < piece.size(); ++i) {
            if (piece.compare(i, 3, "\xE2\x96\x81") == 0) {
                out.push_back(' ');
                i += 2;
            } else {
                out.push_back(piece[i]);
            }
        }
        return out;
    }

    SpmModel m_model;
    Token m_newline = -1;
    std::string m_path;
};

bool inPath(const char* program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t pos = 0;
    while (pos <= dirs.size()) {
        const size_t colon = std::min(dirs.find(':', pos), dirs.size());
        const std::string file = dirs.substr(pos, colon - pos) + "/" + program;
        if (::access(file.c_str(), X_OK) == 0) {
            return true;
        }
        pos = colon + 1;
    }
    return false;
}

}  // namespace

std::shared_ptr<const Tokenizer> makeSentencePieceTokenizer(const std::string& modelBytes,
                                                            const std::string& field, std::string origin) {
    return std::make_shared<const SentencePieceTokenizer>(modelBytes, field, origin);
}

std::string trainSentencePiece(const std::vector<std::string>& sentences, const TokenizerSpec& spec) {
    Scratch scratch;
    {
        std::ofstream f(scratch.path + "/sample.txt", std::ios::binary);
        for (const auto& s : sentences) {
            f << std::string_view(s).substr(0, s.size() - (!s.empty() && s.back() == '\n' ? 1 : 0)) << '\n';
        }
    }
    const std::string log = scratch.path + "/log.txt";
    const int rc = runTool(
        {"spm_train", "--input=sample.txt", "--model_prefix=model", "--model_type=" + spec.modelType,
         "--vocab_size=" + std::to_string(spec.vocabSize), "--byte_fallback=true", "--character_coverage=1.0",
         "--normalization_rule_name=identity", "--add_dummy_prefix=false", "--remove_extra_whitespaces=false",
         "--allow_whitespace_only_pieces=true", "--num_threads=1", "--input_sentence_size=0",
         "--shuffle_input_sentence=false", "--max_sentence_length=16384", "--hard_vocab_limit=true",
         "--random_seed=" + std::to_string(spec.seed % 0xffffffffU), "--minloglevel=1"},
        scratch.path, log);
    if (rc != 0) {
        toolError("tokenizer.vocab_size",
                  "spm_train could not train a " + spec.modelType + " model of " +
                      std::to_string(spec.vocabSize) + " pieces on " + std::to_string(sentences.size()) +
                      " sampled lines (exit " + std::to_string(rc) +
                      "; smaller vocab_size or more train_bytes may help)",
                  log);
    }
    return readAll(scratch.path + "/model.model");
}

bool haveSentencePiece() { return inPath("spm_encode") && inPath("spm_train"); }

}  // namespace anneal::data
