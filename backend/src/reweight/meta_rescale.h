// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// meta_rescale: on-the-fly meta loss rescaling in the spirit of STORM (Heck et al. 2024,
// arXiv:2412.12955). The paper's feature list, Ω architecture and meta step were NOT confirmed
// (METHODS 6); this is our simplified design, labelled as such in the docs and the UI:
//   features z_i = [loss, p(target), entropy, margin] of the model's own predictions, standardised
//   per batch, plus t/T;
//   Ω = a linear map + sigmoid, w_i = σ(φ·z_i + b), normalised to mean 1 in the batch;
//   meta step (first-order look-ahead, Ren et al. 2018): the meta batch V is drawn from the batch
//   itself with probability ∝ w (samples Ω currently trusts); with g_V = ∇θ mean_V ℓ, the effect of
//   w̃_i on the look-ahead loss is dL_V(θ - η Σ w̃ g)/dw̃_i ≈ -η g_V·g_i, and the alignment g_V·g_i is
//   measured for all i at once by a central difference of ℓ_i along g_V (two extra forward passes).
//   φ then takes a gradient step of size meta_lr on Σ_i (-g_V·g_i) w̃_i(φ).

#include <cstdint>
#include <string>
#include <torch/torch.h>
#include <vector>

#include "anneal/experiment.h"
#include "model/gpt.h"

namespace anneal::reweight {

class MetaRescaler {
public:
    static constexpr int kFeatures = 5;

    explicit MetaRescaler(const ReweightSpec& spec, std::uint64_t seed);

    /// Per-sample features [B, 5] from logits [B, T, V] and targets [B, T] (no grad).
    torch::Tensor features(const torch::Tensor& logits, const torch::Tensor& targets, double progress) const;
    /// Weights normalised to mean 1 over the batch for features [B, 5] (no grad).
    torch::Tensor weights(const torch::Tensor& features) const;
    /// One meta update of Ω from the current model and batch. Restores the model's parameters exactly.
    void metaStep(model::Gpt& model, const torch::Tensor& inputs, const torch::Tensor& targets,
                  const torch::Tensor& features, std::int64_t step);

    std::string stateJson() const;
    void loadStateJson(const std::string& json);
    std::vector<double> parameters() const;

private:
    ReweightSpec m_spec;
    std::uint64_t m_seed;
    torch::Tensor m_phi;   // [5]
    torch::Tensor m_bias;  // [1]
};

}  // namespace anneal::reweight
