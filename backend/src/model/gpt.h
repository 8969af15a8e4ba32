// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A GPT-style decoder in LibTorch (DESIGN "Model"): token + learned position embeddings, pre-norm
// blocks of causal self-attention and a GELU MLP (4x), a final LayerNorm and an output head tied to
// the token embedding. Vocabulary: ModelSpec::vocab (the tokenizer's; 256 bytes by default). Initialisation
// as GPT-2: N(0, 0.02), residual projections N(0, 0.02/sqrt(2·n_layer)), biases 0.

#include <torch/torch.h>

#include "anneal/experiment.h"

namespace anneal::model {

struct BlockImpl : torch::nn::Module {
    BlockImpl(int dModel, int nHead, int nLayer);
    torch::Tensor forward(const torch::Tensor& x);
    /// causalBias: [T, T], 0 on and below the diagonal, -inf above (added to the attention scores).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& causalBias);

    int nHead;
    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
    torch::nn::Linear qkv{nullptr}, proj{nullptr}, fc{nullptr}, fcProj{nullptr};
};
TORCH_MODULE(Block);

struct GptImpl : torch::nn::Module {
    explicit GptImpl(const ModelSpec& spec);
    /// tokens [B, T] int64 -> logits [B, T, vocab].
    torch::Tensor forward(const torch::Tensor& tokens);

    ModelSpec spec;
    torch::nn::Embedding wte{nullptr}, wpe{nullptr};
    torch::nn::ModuleList blocks;
    torch::nn::LayerNorm lnF{nullptr};

private:
    // Constants of a forward pass for a sequence length, made once per (length, device) instead of
    // every step. Not registered as buffers: they are not state and stay out of checkpoints.
    torch::Tensor m_positions;   ///< arange(T)
    torch::Tensor m_causalBias;  ///< [T, T] additive mask
};
TORCH_MODULE(Gpt);

/// Mean per-token cross-entropy of each sequence: logits [B, T, V], targets [B, T] -> [B].
torch::Tensor perSampleLoss(const torch::Tensor& logits, const torch::Tensor& targets);

/// The additive causal mask for attention scores: [T, T], 0 where a position may attend, -inf above
/// the diagonal. Adding it and taking the softmax equals masked_fill(-inf) + softmax bit for bit.
torch::Tensor causalBias(std::int64_t T, const torch::TensorOptions& options);

}  // namespace anneal::model
