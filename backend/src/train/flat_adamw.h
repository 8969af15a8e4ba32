// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// FlatAdamW: AdamW over parameters that live in one contiguous buffer. Every parameter of the model is
// re-seated as a view into a flat tensor (weight-decayed matrices and embeddings first, then biases and
// LayerNorms), its gradient is a view into a flat gradient buffer (backward accumulates into it in place),
// and the two moment estimates are flat tensors too. Zeroing the gradients, the global gradient norm,
// clipping and the whole AdamW update are then a handful of tensor operations on the whole model
// instead of a dozen per parameter tensor — what dominates a small model's optimizer step.
//
// The update is torch::optim::AdamW's, element for element (decoupled decay p *= 1 - lr·wd, then
// m = β1·m + (1-β1)·g, v = β2·v + (1-β2)·g², p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)).
// Hyperparameters are read from the torch AdamW's two param groups (decay, no decay), which stay the
// single source of truth, and checkpoints keep torch's AdamW format: exportState() writes the moments
// into the torch optimizer's state before it is saved, importState() reads them after it is loaded.

#include <cstdint>
#include <torch/torch.h>
#include <vector>

namespace anneal::train {

class FlatAdamW {
public:
    /// `optimizer` has two groups: [0] the decayed parameters, [1] the others (paramGroups()).
    /// Moves every parameter's data into the flat buffer (values unchanged) and gives each a gradient
    /// view. The optimizer must outlive this object.
    explicit FlatAdamW(torch::optim::AdamW& optimizer);

    /// Re-seats the parameters into the flat buffer after something replaced their data (a module
    /// load), copying their current values in.
    void rebind();
    /// Sets every gradient to zero (one fill).
    void zeroGrad();
    /// Global L2 norm of the gradients (a 0-dim tensor on the parameters' device; no host sync).
    torch::Tensor gradNorm() const;
    /// Scales the gradients by min(1, maxNorm / (norm + 1e-6)) as torch::nn::utils::clip_grad_norm_
    /// does (no host sync).
    void clip(const torch::Tensor& norm, double maxNorm);
    /// One AdamW update with the groups' current hyperparameters.
    void step();

    /// Writes step count and moments into the torch optimizer's per-parameter state (for saving).
    void exportState();
    /// Reads them back from the torch optimizer's state (after loading); missing state means step 0.
    void importState();

    std::int64_t steps() const { return m_step; }

private:
    struct Slot {
        torch::Tensor param;
        std::int64_t offset;
        std::int64_t numel;
    };
    torch::optim::AdamW& m_opt;
    std::vector<Slot> m_slots;
    std::int64_t m_decayNumel = 0;  ///< the decayed parameters are [0, m_decayNumel)
    torch::Tensor m_params, m_grads, m_expAvg, m_expAvgSq;
    std::int64_t m_step = 0;
};

}  // namespace anneal::train
