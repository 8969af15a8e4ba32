// SPDX-License-Identifier: GPL-3.0-or-later
#include "reweight/meta_rescale.h"

#include <nlohmann/json.hpp>

#include "anneal/data_source.h"

namespace anneal::reweight {

MetaRescaler::MetaRescaler(const ReweightSpec& spec, std::uint64_t seed)
    : m_spec(spec),
      m_seed(seed),
      m_phi(torch::zeros({kFeatures}, torch::kDouble)),
      m_bias(torch::zeros({1}, torch::kDouble)) {}

torch::Tensor MetaRescaler::features(const torch::Tensor& logits, const torch::Tensor& targets,
                                     double progress) const {
    torch::NoGradGuard ng;
    auto logp = torch::log_softmax(logits.to(torch::kFloat), -1);  // [B, T, V]
    auto p = logp.exp();
    auto lpTarget = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1);  // [B, T]
    auto loss = -lpTarget.mean(1);                                       // [B]
    auto pTarget = lpTarget.exp().mean(1);
    auto entropy = -(p * logp).sum(-1).mean(1);
    // Margin: p(target) minus the largest other probability, averaged over positions.
    auto masked = p.scatter(-1, targets.unsqueeze(-1), 0.0);
    auto margin = (lpTarget.exp() - std::get<0>(masked.max(-1))).mean(1);
    auto z = torch::stack({loss, pTarget, entropy, margin}, 1).to(torch::kDouble);  // [B, 4]
    auto mean = z.mean(0, true);
    auto sd = z.std(0, /*unbiased=*/false, true).clamp_min(1e-8);
    z = (z - mean) / sd;
    auto t = torch::full({z.size(0), 1}, progress, torch::kDouble);
    return torch::cat({z, t}, 1).to(torch::kCPU);
}

torch::Tensor MetaRescaler::weights(const torch::Tensor& features) const {
    torch::NoGradGuard ng;
    auto w = torch::sigmoid(features.matmul(m_phi) + m_bias);
    return w / w.mean().clamp_min(1e-12);
}

void MetaRescaler::metaStep(model::Gpt& model, const torch::Tensor& inputs, const torch::Tensor& targets,
                            const torch::Tensor& feats, std::int64_t step) {
    const auto B = inputs.size(0);
    // 1. Meta batch V: m draws from the batch with probability ∝ current weights (counter-based, seeded).
    auto w = weights(feats);
    auto probs = (w / w.sum()).contiguous();
    std::vector<std::int64_t> pick;
    const double* pr = probs.data_ptr<double>();
    for (int j = 0; j < m_spec.metaBatch; ++j) {
        const double u = uniform01(m_seed ^ 0x4D455441ULL, static_cast<std::uint64_t>(step) * 1000003ULL + j);
        double acc = 0;
        std::int64_t idx = B - 1;
        for (std::int64_t i = 0; i < B; ++i) {
            acc += pr[i];
            if (u < acc) {
                idx = i;
                break;
            }
        }
        pick.push_back(idx);
    }
    auto sel = torch::tensor(pick, torch::kLong).to(inputs.device());
    // 2. g_V = ∇θ mean_V ℓ.
    auto params = model->parameters();
    auto lossV =
        model::perSampleLoss(model->forward(inputs.index_select(0, sel)), targets.index_select(0, sel))
            .mean();
    auto grads = torch::autograd::grad({lossV}, params);
    double gnorm2 = 0;
    for (const auto& g : grads) {
        gnorm2 += g.pow(2).sum().item<double>();
    }
    const double gnorm = std::sqrt(gnorm2);
    if (!(gnorm > 0) || !std::isfinite(gnorm)) {
        return;
    }
    // 3. Alignment a_i ≈ g_V·g_i by a central difference of ℓ_i along g_V (displacement 1e-2 in norm).
    const double h = 1e-2 / gnorm;
    std::vector<torch::Tensor> saved;
    torch::Tensor plus, minus;
    {
        torch::NoGradGuard ng;
        for (auto& p : params) {
            saved.push_back(p.detach().clone());
        }
        for (size_t k = 0; k < params.size(); ++k) {
            params[k].add_(grads[k], h);
        }
        plus = model::perSampleLoss(model->forward(inputs), targets).to(torch::kDouble).cpu();
        for (size_t k = 0; k < params.size(); ++k) {
            params[k].copy_(saved[k]).add_(grads[k], -h);
        }
        minus = model::perSampleLoss(model->forward(inputs), targets).to(torch::kDouble).cpu();
        for (size_t k = 0; k < params.size(); ++k) {
            params[k].copy_(saved[k]);  // exact restore
        }
    }
    auto align = (plus - minus) / (2.0 * h);  // [B]
    // 4. Gradient step on φ: minimise Σ_i (-a_i)·w̃_i(φ), i.e. trust samples whose gradient agrees with V's.
    auto phi = m_phi.clone().requires_grad_(true);
    auto bias = m_bias.clone().requires_grad_(true);
    auto ww = torch::sigmoid(feats.matmul(phi) + bias);
    auto wn = ww / ww.mean();
    auto objective = -(align / align.abs().max().clamp_min(1e-12) * wn).sum() / static_cast<double>(B);
    auto g = torch::autograd::grad({objective}, {phi, bias});
    m_phi = (m_phi - m_spec.metaLr * g[0]).detach();
    m_bias = (m_bias - m_spec.metaLr * g[1]).detach();
}

std::vector<double> MetaRescaler::parameters() const {
    std::vector<double> out(m_phi.data_ptr<double>(), m_phi.data_ptr<double>() + kFeatures);
    out.push_back(m_bias.item<double>());
    return out;
}

std::string MetaRescaler::stateJson() const {
    nlohmann::json j;
    j["meta_params"] = parameters();
    return j.dump();
}

void MetaRescaler::loadStateJson(const std::string& json) {
    const auto j = nlohmann::json::parse(json);
    if (!j.contains("meta_params")) {
        return;
    }
    const auto v = j["meta_params"].get<std::vector<double>>();
    if (v.size() != kFeatures + 1) {
        return;
    }
    m_phi = torch::tensor(std::vector<double>(v.begin(), v.begin() + kFeatures), torch::kDouble);
    m_bias = torch::tensor(std::vector<double>{v.back()}, torch::kDouble);
}

}  // namespace anneal::reweight
