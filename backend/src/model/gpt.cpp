// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/gpt.h"

#include <cmath>
#include <limits>
#include <torch/version.h>

namespace anneal::model {

namespace {
void initLinear(torch::nn::Linear& l, double std) {
    torch::nn::init::normal_(l->weight, 0.0, std);
    if (l->bias.defined()) {
        torch::nn::init::zeros_(l->bias);
    }
}
}  // namespace

BlockImpl::BlockImpl(int dModel, int nHead_, int nLayer) : nHead(nHead_) {
    ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dModel})));
    ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dModel})));
    qkv = register_module("qkv", torch::nn::Linear(dModel, 3 * dModel));
    proj = register_module("proj", torch::nn::Linear(dModel, dModel));
    fc = register_module("fc", torch::nn::Linear(dModel, 4 * dModel));
    fcProj = register_module("fc_proj", torch::nn::Linear(4 * dModel, dModel));
    const double residualStd = 0.02 / std::sqrt(2.0 * nLayer);
    initLinear(qkv, 0.02);
    initLinear(fc, 0.02);
    initLinear(proj, residualStd);
    initLinear(fcProj, residualStd);
}

torch::Tensor causalBias(std::int64_t T, const torch::TensorOptions& options) {
    auto above = torch::ones({T, T}, options.dtype(torch::kBool)).triu(1);
    return torch::zeros({T, T}, options).masked_fill(above, -std::numeric_limits<float>::infinity());
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x) {
    return forward(x, causalBias(x.size(1), x.options().requires_grad(false)));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& bias) {
    const auto B = x.size(0);
    const auto T = x.size(1);
    const auto C = x.size(2);
    const auto hd = C / nHead;
    // Attention: [B, T, 3C] -> q, k, v [B, nh, T, hd].
    auto parts = qkv->forward(ln1->forward(x)).split(C, /*dim=*/2);
    auto q = parts[0].view({B, T, nHead, hd}).transpose(1, 2);
    auto k = parts[1].view({B, T, nHead, hd}).transpose(1, 2);
    auto v = parts[2].view({B, T, nHead, hd}).transpose(1, 2);
#if TORCH_VERSION_MAJOR >= 2
    (void)bias;
    auto y = at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);
#else
    // The mask is added (a precomputed bias) rather than filled in: one op less forward and backward,
    // no mask built per call, and the same values (s + 0 = s, s + -inf = -inf).
    auto att = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(hd)));
    att = torch::softmax(att + bias, -1);
    auto y = torch::matmul(att, v);
#endif
    y = y.transpose(1, 2).contiguous().view({B, T, C});
    auto h = x + proj->forward(y);
    return h + fcProj->forward(torch::gelu(fc->forward(ln2->forward(h))));
}

GptImpl::GptImpl(const ModelSpec& s) : spec(s) {
    wte = register_module("wte", torch::nn::Embedding(s.vocab, s.dModel));
    wpe = register_module("wpe", torch::nn::Embedding(s.context, s.dModel));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < s.nLayer; ++i) {
        blocks->push_back(Block(s.dModel, s.nHead, s.nLayer));
    }
    lnF = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({s.dModel})));
    torch::nn::init::normal_(wte->weight, 0.0, 0.02);
    torch::nn::init::normal_(wpe->weight, 0.0, 0.02);
}

torch::Tensor GptImpl::forward(const torch::Tensor& tokens) {
    const auto T = tokens.size(1);
    const auto floatOptions = wte->weight.options().requires_grad(false);
    if (!m_positions.defined() || m_positions.size(0) != T || m_positions.device() != tokens.device() ||
        m_causalBias.scalar_type() != wte->weight.scalar_type()) {
        m_positions = torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(tokens.device()));
        m_causalBias = causalBias(T, floatOptions);
    }
    auto x = wte->forward(tokens) + wpe->forward(m_positions).unsqueeze(0);
    for (const auto& b : *blocks) {
        x = b->as<Block>()->forward(x, m_causalBias);
    }
    // Tied head: logits = x · wte^T.
    return torch::matmul(lnF->forward(x), wte->weight.t());
}

torch::Tensor perSampleLoss(const torch::Tensor& logits, const torch::Tensor& targets) {
    const auto B = logits.size(0);
    const auto T = logits.size(1);
    auto ce = torch::nn::functional::cross_entropy(
        logits.reshape({B * T, logits.size(2)}).to(torch::kFloat), targets.reshape({B * T}),
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    return ce.view({B, T}).mean(1);
}

}  // namespace anneal::model
