// SPDX-License-Identifier: GPL-3.0-or-later
// Loss-based sample weights (Sow et al., ICLR 2025, arXiv:2502.06733; METHODS 3, reference values in
// METHODS 8.5) and domain scalarization weights (Li et al., arXiv:2410.04579; METHODS 4).

#include <algorithm>
#include <cmath>

#include "anneal/mixture.h"
#include "anneal/reweight.h"

namespace anneal {

bool isLossBasedStrategy(const std::string& s) {
    return s == "loss_linupper" || s == "loss_quadratic" || s == "loss_extremes";
}

std::vector<double> lossBasedWeights(const std::vector<double>& losses, const std::string& strategy,
                                     double delta, double r) {
    const size_t n = losses.size();
    if (n == 0) {
        return {};
    }
    const auto [mnIt, mxIt] = std::minmax_element(losses.begin(), losses.end());
    const double lmin = *mnIt;
    const double lmax = *mxIt;
    const double range = std::max(lmax - lmin, 1e-6);  // the authors' floor on the denominator
    std::vector<double> f(n);
    for (size_t i = 0; i < n; ++i) {
        const double h = delta * (2.0 * losses[i] - lmax - lmin) / range;  // in [-delta, delta]
        if (strategy == "loss_linupper") {
            f[i] = std::min(h + delta, delta);
        } else if (strategy == "loss_quadratic") {
            f[i] = 1.0 - h * h / (delta * delta);
        } else {  // loss_extremes
            f[i] = std::abs(h);
        }
    }
    // Softmax with temperature r (the closed form of the KL(w || uniform)-regularised problem);
    // the shift by max f is only for stability.
    const double fmax = *std::max_element(f.begin(), f.end());
    double total = 0;
    for (double& v : f) {
        v = std::exp((v - fmax) / r);
        total += v;
    }
    for (double& v : f) {
        v /= total;
    }
    return f;
}

std::vector<double> scalarizationWeights(const ExperimentSpec& spec, std::int64_t step) {
    const auto& domains = spec.data.domains;
    std::vector<double> w(domains.size(), 1.0);
    const ReweightSpec& rw = spec.reweight;
    if (rw.temperature > 0) {
        std::vector<double> sizes;
        for (const auto& d : domains) {
            sizes.push_back(static_cast<double>(d.size));
        }
        const std::vector<double> p = temperatureProbabilities(sizes, rw.temperature);
        const std::vector<double> q = mixtureAt(spec, step);
        for (size_t i = 0; i < w.size(); ++i) {
            w[i] = q[i] > 0 ? p[i] / q[i] : 0.0;
        }
    } else {
        for (size_t i = 0; i < w.size(); ++i) {
            auto it = rw.domainWeights.find(domains[i].name);
            if (it != rw.domainWeights.end()) {
                w[i] = it->second;
            }
        }
    }
    return w;
}

}  // namespace anneal
