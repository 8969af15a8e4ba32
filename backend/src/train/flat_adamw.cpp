// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/flat_adamw.h"

#include <cmath>

namespace anneal::train {

namespace {

std::string stateKey(const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

torch::optim::AdamWOptions& groupOptions(torch::optim::AdamW& opt, size_t g) {
    return static_cast<torch::optim::AdamWOptions&>(opt.param_groups()[g].options());
}

}  // namespace

FlatAdamW::FlatAdamW(torch::optim::AdamW& optimizer) : m_opt(optimizer) {
    torch::NoGradGuard noGrad;
    auto& groups = m_opt.param_groups();
    TORCH_CHECK(groups.size() == 2, "FlatAdamW expects two parameter groups (decay, no decay)");
    std::int64_t total = 0;
    torch::TensorOptions options;
    bool first = true;
    for (size_t g = 0; g < groups.size(); ++g) {
        for (const auto& p : groups[g].params()) {
            if (first) {
                options = p.options().requires_grad(false);
                first = false;
            }
            m_slots.push_back({p, total, p.numel()});
            total += p.numel();
        }
        if (g == 0) {
            m_decayNumel = total;
        }
    }
    m_params = torch::empty({total}, options);
    m_grads = torch::zeros({total}, options);
    m_expAvg = torch::zeros({total}, options);
    m_expAvgSq = torch::zeros({total}, options);
    rebind();
    for (auto& s : m_slots) {
        s.param.mutable_grad() = m_grads.narrow(0, s.offset, s.numel).view(s.param.sizes());
    }
}

void FlatAdamW::rebind() {
    torch::NoGradGuard noGrad;
    for (auto& s : m_slots) {
        torch::Tensor view = m_params.narrow(0, s.offset, s.numel).view(s.param.sizes());
        if (s.param.data_ptr() != view.data_ptr()) {
            view.copy_(s.param.detach());
            s.param.set_data(view);
        }
    }
}

void FlatAdamW::zeroGrad() { m_grads.zero_(); }

torch::Tensor FlatAdamW::gradNorm() const { return m_grads.norm(); }

void FlatAdamW::clip(const torch::Tensor& norm, double maxNorm) {
    auto coef = torch::clamp(maxNorm / (norm + 1e-6), c10::nullopt, 1.0);
    m_grads.mul_(coef);
}

void FlatAdamW::step() {
    torch::NoGradGuard noGrad;
    const auto& decay = groupOptions(m_opt, 0);
    const auto& plain = groupOptions(m_opt, 1);
    // Both groups share lr, betas and eps (the trainer sets them together); only the decay differs.
    const double lr = decay.lr();
    if (decay.weight_decay() != 0 && m_decayNumel > 0) {
        m_params.narrow(0, 0, m_decayNumel).mul_(1 - lr * decay.weight_decay());
    }
    if (plain.weight_decay() != 0 && m_params.numel() > m_decayNumel) {
        m_params.narrow(0, m_decayNumel, m_params.numel() - m_decayNumel).mul_(1 - lr * plain.weight_decay());
    }
    ++m_step;
    const double beta1 = std::get<0>(decay.betas());
    const double beta2 = std::get<1>(decay.betas());
    const double biasCorrection1 = 1 - std::pow(beta1, static_cast<double>(m_step));
    const double biasCorrection2 = 1 - std::pow(beta2, static_cast<double>(m_step));
    m_expAvg.mul_(beta1).add_(m_grads, 1 - beta1);
    m_expAvgSq.mul_(beta2).addcmul_(m_grads, m_grads, 1 - beta2);
    torch::Tensor denom = (m_expAvgSq.sqrt() / std::sqrt(biasCorrection2)).add_(decay.eps());
    m_params.addcdiv_(m_expAvg, denom, -lr / biasCorrection1);
}

void FlatAdamW::exportState() {
    torch::NoGradGuard noGrad;
    auto& state = m_opt.state();
    for (const auto& s : m_slots) {
        const std::string key = stateKey(s.param);
        if (m_step == 0) {
            state.erase(key);  // as torch's AdamW before its first step
            continue;
        }
        auto st = std::make_unique<torch::optim::AdamWParamState>();
        st->step(m_step);
        st->exp_avg(m_expAvg.narrow(0, s.offset, s.numel).view(s.param.sizes()).clone());
        st->exp_avg_sq(m_expAvgSq.narrow(0, s.offset, s.numel).view(s.param.sizes()).clone());
        state[key] = std::move(st);
    }
}

void FlatAdamW::importState() {
    torch::NoGradGuard noGrad;
    auto& state = m_opt.state();
    m_step = 0;
    m_expAvg.zero_();
    m_expAvgSq.zero_();
    for (const auto& s : m_slots) {
        auto it = state.find(stateKey(s.param));
        if (it == state.end()) {
            continue;
        }
        auto& st = static_cast<torch::optim::AdamWParamState&>(*it->second);
        m_step = std::max(m_step, st.step());
        m_expAvg.narrow(0, s.offset, s.numel).copy_(st.exp_avg().reshape({-1}));
        m_expAvgSq.narrow(0, s.offset, s.numel).copy_(st.exp_avg_sq().reshape({-1}));
    }
    state.clear();  // the flat buffers are the live state now
}

}  // namespace anneal::train
