// SPDX-License-Identifier: GPL-3.0-or-later
// synthetic:markov — a random order-k Markov source over a small alphabet whose entropy rate is
// known exactly by construction: every context's next-symbol distribution is a permutation of one
// base distribution q with entropy H (q_j ∝ exp(-beta·j), beta found by bisection), so
// H(X_t | X_{t-k..t-1}) = H for every context and the entropy rate is exactly H.
// A sample starts with k uniform symbols, so its first k-1 targets are uniform (ln a nats each)
// and the rest cost H: entropyFloor() is exact for a sample of any length.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "anneal/error.h"
#include "data/param_reader.h"
#include "data/sample_rng.h"
#include "data/sources.h"

namespace anneal::data {

namespace {

constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
constexpr int kMaxAlphabet = 64;
constexpr std::uint64_t kMaxTable = std::uint64_t{1} << 22;

double entropyOf(const std::vector<double>& q) {
    double h = 0;
    for (double p : q) {
        if (p > 0) {
            h -= p * std::log(p);
        }
    }
    return h;
}

std::vector<double> geometric(int a, double beta) {
    std::vector<double> q(static_cast<size_t>(a));
    for (int j = 0; j < a; ++j) {
        q[static_cast<size_t>(j)] = std::exp(-beta * j);
    }
    const double s = std::accumulate(q.begin(), q.end(), 0.0);
    for (double& p : q) {
        p /= s;
    }
    return q;
}

class MarkovSource final : public DataSource {
public:
    MarkovSource(int order, int alphabet, double entropy, std::uint64_t seed)
        : m_order(order), m_alphabet(alphabet), m_seed(seed) {
        // Bisection on beta: entropy(geometric(beta)) falls from ln a (beta = 0) towards 0.
        double lo = 0.0;
        double hi = 1.0;
        while (entropyOf(geometric(alphabet, hi)) > entropy) {
            hi *= 2.0;
        }
        for (int it = 0; it < 200; ++it) {
            const double mid = 0.5 * (lo + hi);
            (entropyOf(geometric(alphabet, mid)) > entropy ? lo : hi) = mid;
        }
        m_q = geometric(alphabet, 0.5 * (lo + hi));
        m_entropy = entropyOf(m_q);
        m_cdf.resize(m_q.size());
        std::partial_sum(m_q.begin(), m_q.end(), m_cdf.begin());
        m_cdf.back() = 1.0;
        // One random permutation of the symbols per context (Fisher-Yates keyed by the context).
        m_contexts = 1;
        for (int i = 0; i < order; ++i) {
            m_contexts *= static_cast<std::uint64_t>(alphabet);
        }
        m_perm.resize(m_contexts * static_cast<std::uint64_t>(alphabet));
        for (std::uint64_t c = 0; c < m_contexts; ++c) {
            std::uint8_t* p = &m_perm[c * static_cast<std::uint64_t>(alphabet)];
            std::iota(p, p + alphabet, 0);
            SampleRng rng(seed ^ 0xC0FFEEULL, c);
            for (int i = alphabet - 1; i > 0; --i) {
                std::swap(p[i], p[rng.below(static_cast<std::uint64_t>(i) + 1)]);
            }
        }
    }

    void sample(std::uint64_t index, std::uint8_t* out, int length) const override {
        SampleRng rng(m_seed, index);
        std::uint64_t ctx = 0;
        const auto a = static_cast<std::uint64_t>(m_alphabet);
        for (int t = 0; t < length; ++t) {
            int sym;
            if (t < m_order) {
                sym = static_cast<int>(rng.below(a));
            } else {
                const double u = rng.uniform();
                const int j =
                    static_cast<int>(std::upper_bound(m_cdf.begin(), m_cdf.end(), u) - m_cdf.begin());
                sym = m_perm[ctx * a + static_cast<std::uint64_t>(std::min(j, m_alphabet - 1))];
            }
            out[t] = static_cast<std::uint8_t>(kAlphabet[sym]);
            ctx = (ctx * a + static_cast<std::uint64_t>(sym)) % m_contexts;
        }
    }

    double entropyRate() const override { return m_entropy; }

    double entropyFloor(int targets) const override {
        // Targets are bytes 1..targets; bytes 1..k-1 belong to the uniform start.
        const int uniform = std::min(m_order - 1, targets);
        return (uniform * std::log(static_cast<double>(m_alphabet)) + (targets - uniform) * m_entropy) /
               targets;
    }

    std::string description() const override {
        std::ostringstream os;
        os << "markov order " << m_order << ", alphabet " << m_alphabet << ", H = " << m_entropy
           << " nats/token";
        return os.str();
    }

    /// Probability of symbol `sym` after the context (for tests).
    double probability(std::uint64_t ctx, int sym) const {
        const std::uint8_t* p = &m_perm[ctx * static_cast<std::uint64_t>(m_alphabet)];
        for (int j = 0; j < m_alphabet; ++j) {
            if (p[j] == sym) {
                return m_q[static_cast<size_t>(j)];
            }
        }
        return 0.0;
    }

private:
    int m_order;
    int m_alphabet;
    std::uint64_t m_seed;
    double m_entropy = 0;
    std::vector<double> m_q;
    std::vector<double> m_cdf;
    std::uint64_t m_contexts = 1;
    std::vector<std::uint8_t> m_perm;
};

}  // namespace

std::unique_ptr<DataSource> makeMarkov(const DomainSpec& d, const std::string& field) {
    ParamReader p(d.params, field + ".params");
    const int order = static_cast<int>(p.integer("order", 2, 1, 8));
    const int alphabet = static_cast<int>(p.integer("alphabet", 16, 2, kMaxAlphabet));
    const double maxH = std::log(static_cast<double>(alphabet));
    const double entropy = p.number("entropy", 0.6 * maxH, 0.0, maxH, true);
    const auto seed =
        static_cast<std::uint64_t>(p.integer("seed", static_cast<std::int64_t>(nameSeed(d.name) >> 1), 0,
                                             std::numeric_limits<std::int64_t>::max()));
    p.finish();
    double table = 1;
    for (int i = 0; i <= order; ++i) {
        table *= alphabet;
    }
    if (table > static_cast<double>(kMaxTable)) {
        configError(field + ".params.order",
                    "alphabet^(order+1) = " + std::to_string(static_cast<long long>(table)) + " is too large",
                    "alphabet^(order+1) <= 4194304");
    }
    return std::make_unique<MarkovSource>(order, alphabet, entropy, seed);
}

}  // namespace anneal::data
