// SPDX-License-Identifier: GPL-3.0-or-later
// Parameter counts and FLOPs per token of the GPT in model/gpt.cpp, without torch. The counts must
// match the module's (tested against torch's own count).

#include "anneal/trainer.h"

namespace anneal {

ModelInfo modelInfo(const ModelSpec& m) {
    const std::int64_t d = m.dModel;
    // Per block: 2 LayerNorms (2d each), qkv (3d² + 3d), attention proj (d² + d), MLP (4d² + 4d, 4d² + d).
    const std::int64_t perBlock = 12 * d * d + 13 * d;
    ModelInfo info;
    info.paramsNonEmbedding = m.nLayer * perBlock + 2 * d;  // + final LayerNorm; head tied
    info.params =
        info.paramsNonEmbedding + std::int64_t{m.vocab} * d + static_cast<std::int64_t>(m.context) * d;
    // Kaplan et al.: forward ≈ 2N + 2·n_layer·n_ctx·d_attn per token; training ≈ 3x forward.
    info.flopsPerToken = 6.0 * static_cast<double>(info.paramsNonEmbedding) +
                         6.0 * m.nLayer * static_cast<double>(m.context) * static_cast<double>(d);
    return info;
}

}  // namespace anneal
