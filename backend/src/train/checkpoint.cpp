// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/checkpoint.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
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
        throw Error(ErrorCode::InvalidInput, "checkpoint is truncated (" + std::to_string(in.size()) + " bytes)", path,
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
        throw Error(ErrorCode::InvalidInput, std::string("checkpoint header is unreadable: ") + e.what(), path);
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

void writeCheckpointFile(const std::string& path, const CheckpointHeader& header, const std::string& payload) {
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
                    "checkpoint is truncated or has trailing bytes (" + std::to_string(data.size()) + " bytes, expected " +
                        std::to_string(pos + payloadLen + sizeof(std::uint64_t)) + ")",
                    path);
    }
    payload = data.substr(pos, payloadLen);
    pos += payloadLen;
    const auto sum = take<std::uint64_t>(data, pos, path);
    if (sum != fnv1a(json, payload)) {
        throw Error(ErrorCode::InvalidInput, "checkpoint is corrupt (checksum mismatch)", path);
    }
    header = parseHeader(json, path);
}

CheckpointHeader readCheckpointHeader(const std::string& path) {
    CheckpointHeader h;
    std::string payload;
    readCheckpointFile(path, h, payload);
    return h;
}

}  // namespace anneal::train
