// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/checkpoint.h"

#include <caffe2/serialize/inline_container.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <tuple>
#include <unistd.h>

#include "anneal/error.h"

namespace anneal::train {

namespace {

constexpr char kMagic[8] = {'A', 'N', 'N', 'E', 'A', 'L', 'C', 'K'};

std::uint64_t fnv1a(const std::string& a, const std::string& b) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const std::string* s : {&a, &b}) {
        for (unsigned char c : *s) {
            h = (h ^ c) * 1099511628211ULL;
        }
    }
    return h;
}

template <typename T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
T take(const std::string& in, size_t& pos, const std::string& path) {
    if (pos + sizeof(T) > in.size()) {
        throw Error(ErrorCode::InvalidInput,
                    "checkpoint is truncated (" + std::to_string(in.size()) + " bytes)", path,
                    "a complete checkpoint written by Anneal");
    }
    T v;
    std::memcpy(&v, in.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
}

std::string headerJson(const CheckpointHeader& h) {
    nlohmann::json j;
    j["step"] = h.step;
    j["tokens"] = h.tokens;
    j["wall_seconds"] = h.wallSeconds;
    j["seed"] = h.seed;
    j["sampler_drawn"] = h.samplerDrawn;
    j["spike_window"] = h.spikeWindow;
    j["config"] = h.configToml;
    j["model_shape"] = h.modelShape;
    j["extra"] = nlohmann::json::parse(h.extraJson);
    return j.dump();
}

CheckpointHeader parseHeader(const std::string& text, const std::string& path) {
    try {
        const auto j = nlohmann::json::parse(text);
        CheckpointHeader h;
        h.step = j.at("step").get<std::int64_t>();
        h.tokens = j.at("tokens").get<std::int64_t>();
        h.wallSeconds = j.at("wall_seconds").get<double>();
        h.seed = j.at("seed").get<std::uint64_t>();
        h.samplerDrawn = j.at("sampler_drawn").get<std::vector<std::uint64_t>>();
        h.spikeWindow = j.at("spike_window").get<std::vector<double>>();
        h.configToml = j.at("config").get<std::string>();
        h.modelShape = j.at("model_shape").get<std::string>();
        h.extraJson = j.at("extra").dump();
        return h;
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidInput, std::string("checkpoint header is unreadable: ") + e.what(),
                    path);
    }
}

/// The payload as torch's zip reader sees it, without copying it.
class PayloadReader : public caffe2::serialize::ReadAdapterInterface {
public:
    explicit PayloadReader(const std::string& data) : m_data(data) {}
    size_t size() const override { return m_data.size(); }
    size_t read(std::uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
        if (pos >= m_data.size()) {
            return 0;
        }
        const size_t k = std::min<size_t>(n, m_data.size() - static_cast<size_t>(pos));
        std::memcpy(buf, m_data.data() + pos, k);
        return k;
    }

private:
    const std::string& m_data;
};

/// Anneal's archives hold tensors and TorchScript *declarations* (classes with typed attributes)
/// only. A method in the archive's code/ — e.g. __setstate__, which torch::jit::load runs while it
/// loads the archive — never comes from Anneal: a checkpoint from someone else could use it to run
/// TorchScript on load. Refuse any such archive before torch interprets it.
void refuseCode(const std::string& payload, const std::string& path) {
    static const std::regex method(R"((^|\n)[ \t]*def[ \t])");
    try {
        caffe2::serialize::PyTorchStreamReader reader(std::make_shared<PayloadReader>(payload));
        for (const std::string& name : reader.getAllRecords()) {
            if (name.rfind("code/", 0) != 0 || name.size() < 3 ||
                name.compare(name.size() - 3, 3, ".py") != 0) {
                continue;
            }
            at::DataPtr data;
            size_t size = 0;
            std::tie(data, size) = reader.getRecord(name);
            const std::string text(static_cast<const char*>(data.get()), size);
            if (std::regex_search(text, method)) {
                throw Error(ErrorCode::InvalidInput,
                            "checkpoint contains TorchScript code (" + name +
                                "); Anneal checkpoints hold only tensors, so it was not loaded",
                            path, "a checkpoint written by Anneal");
            }
        }
    } catch (const c10::Error& e) {
        throw Error(ErrorCode::InvalidInput,
                    std::string("checkpoint payload is unreadable: ") + e.what_without_backtrace(), path,
                    "a checkpoint written by Anneal");
    }
}

void syncFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

void writeCheckpointFile(const std::string& path, const CheckpointHeader& header,
                         const std::string& payload) {
    const std::string json = headerJson(header);
    std::string head(kMagic, sizeof kMagic);
    put<std::uint32_t>(head, kCheckpointFormat);
    put<std::uint64_t>(head, json.size());
    head += json;
    put<std::uint64_t>(head, payload.size());
    std::string tail;
    put<std::uint64_t>(tail, fnv1a(json, payload));

    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) {
            throw Error(ErrorCode::Io, std::string("cannot create checkpoint: ") + std::strerror(errno), tmp);
        }
        out.write(head.data(), static_cast<std::streamsize>(head.size()));
        out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
        out.write(tail.data(), static_cast<std::streamsize>(tail.size()));
        out.flush();
        if (!out) {
            out.close();
            std::filesystem::remove(tmp);
            throw Error(ErrorCode::Io, "cannot write checkpoint (disk full?)", tmp);
        }
    }
    syncFile(tmp);
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw Error(ErrorCode::Io, "cannot rename checkpoint into place: " + ec.message(), path);
    }
    syncFile(std::filesystem::path(path).parent_path().string());
}

void readCheckpointFile(const std::string& path, CheckpointHeader& header, std::string& payload) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorCode::Io, "checkpoint file is missing or unreadable", path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string data = ss.str();
    if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) {
        throw Error(ErrorCode::InvalidInput, "not an Anneal checkpoint (bad magic)", path);
    }
    size_t pos = sizeof kMagic;
    const auto version = take<std::uint32_t>(data, pos, path);
    if (version > kCheckpointFormat) {
        throw Error(ErrorCode::InvalidInput,
                    "checkpoint format " + std::to_string(version) + " was written by a newer Anneal", path,
                    "format <= " + std::to_string(kCheckpointFormat));
    }
    const auto jsonLen = take<std::uint64_t>(data, pos, path);
    if (pos + jsonLen > data.size()) {
        throw Error(ErrorCode::InvalidInput, "checkpoint is truncated (header)", path);
    }
    const std::string json = data.substr(pos, jsonLen);
    pos += jsonLen;
    const auto payloadLen = take<std::uint64_t>(data, pos, path);
    if (pos + payloadLen + sizeof(std::uint64_t) != data.size()) {
        throw Error(ErrorCode::InvalidInput,
                    "checkpoint is truncated or has trailing bytes (" + std::to_string(data.size()) +
                        " bytes, expected " + std::to_string(pos + payloadLen + sizeof(std::uint64_t)) + ")",
                    path);
    }
    payload = data.substr(pos, payloadLen);
    pos += payloadLen;
    const auto sum = take<std::uint64_t>(data, pos, path);
    if (sum != fnv1a(json, payload)) {
        throw Error(ErrorCode::InvalidInput, "checkpoint is corrupt (checksum mismatch)", path);
    }
    header = parseHeader(json, path);
    refuseCode(payload, path);
}

CheckpointHeader readCheckpointHeader(const std::string& path) {
    CheckpointHeader h;
    std::string payload;
    readCheckpointFile(path, h, payload);
    return h;
}

}  // namespace anneal::train
