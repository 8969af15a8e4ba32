// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu_slots.h"

#include <CLI/CLI.hpp>
#include <algorithm>

namespace anneal::cli {

namespace {

bool isIndex(const std::string& s) {
    return !s.empty() && s.size() <= 4 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isUuid(const std::string& s) {
    if (s.rfind("GPU-", 0) != 0 && s.rfind("MIG-", 0) != 0) {
        return false;
    }
    return s.size() > 4 && std::all_of(s.begin() + 4, s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                      c == '-' || c == '/';
           });
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) {
            return out;
        }
        start = comma + 1;
    }
}

}  // namespace

std::string gpuListError(const std::string& text) {
    const std::string allowed =
        "; expected GPU indices separated by commas, each once, e.g. 0,1,2,3 (or GPU-/MIG- UUIDs from "
        "nvidia-smi -L)";
    if (text.empty()) {
        return "an empty list" + allowed;
    }
    const auto items = split(text);
    for (size_t i = 0; i < items.size(); ++i) {
        const std::string& g = items[i];
        if (!isIndex(g) && !isUuid(g)) {
            return "entry " + std::to_string(i + 1) + " is \"" + g + "\", not a GPU index or UUID" + allowed;
        }
        if (std::find(items.begin(), items.begin() + static_cast<long>(i), g) !=
            items.begin() + static_cast<long>(i)) {
            return "GPU " + g + " is listed twice (two runs would share it)" + allowed;
        }
    }
    return {};
}

std::vector<std::string> parseGpuList(const std::string& text) {
    const std::string err = gpuListError(text);
    if (!err.empty()) {
        throw CLI::ValidationError("--gpus", err);
    }
    return split(text);
}

GpuSlots::GpuSlots(std::vector<std::string> gpus) : m_gpus(std::move(gpus)), m_held(m_gpus.size(), false) {}

std::optional<std::string> GpuSlots::acquire() {
    for (size_t i = 0; i < m_gpus.size(); ++i) {
        if (!m_held[i]) {
            m_held[i] = true;
            return m_gpus[i];
        }
    }
    return std::nullopt;
}

void GpuSlots::release(const std::string& gpu) {
    for (size_t i = 0; i < m_gpus.size(); ++i) {
        if (m_gpus[i] == gpu) {
            m_held[i] = false;
        }
    }
}

}  // namespace anneal::cli
