// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <thread>
#include <torch/torch.h>

#include "anneal/error.h"
#include "anneal/trainer.h"
#include "model/gpt.h"

namespace anneal {

bool cudaAvailable() { return torch::cuda::is_available(); }

std::string resolveDevice(const std::string& device) {
    if (device == "cpu") {
        return "cpu";
    }
    if (device == "cuda") {
        if (!cudaAvailable()) {
            throw Error(ErrorCode::Unsupported,
                        "device = \"cuda\" but this build's LibTorch sees no CUDA device", "device",
                        "auto | cpu (or build against a CUDA LibTorch on a machine with a GPU)");
        }
        return "cuda";
    }
    return cudaAvailable() ? "cuda" : "cpu";
}

int resolveThreads(int requested) {
    if (requested > 0) {
        return requested;
    }
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, cores - 1);  // leave a core for the GUI and the store writer
}

std::int64_t countModelParameters(const ModelSpec& m) {
    model::Gpt gpt(m);
    std::int64_t n = 0;
    for (const auto& p : gpt->parameters()) {
        n += p.numel();
    }
    return n;
}

}  // namespace anneal
