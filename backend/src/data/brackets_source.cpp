// SPDX-License-Identifier: GPL-3.0-or-later
// synthetic:brackets — balanced brackets of `kinds` types up to depth `max_depth`: at depth 0 a
// bracket opens, at max_depth the innermost closes, otherwise one opens with probability p_open (its
// type uniform) or the innermost closes (its type is determined by the stack). The depth is a
// birth-death chain, so the entropy rate is exact: sum_d pi(d)·h(d) with h(0) = ln kinds,
// h(max) = 0 and h(d) = H_b(p_open) + p_open·ln kinds in between. Samples start at depth 0.

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "anneal/error.h"
#include "data/param_reader.h"
#include "data/sample_rng.h"
#include "data/sources.h"

namespace anneal::data {

namespace {

constexpr char kOpen[] = "([{<";
constexpr char kClose[] = ")]}>";

class BracketsSource final : public DataSource {
public:
    BracketsSource(int kinds, int maxDepth, double pOpen, std::uint64_t seed)
        : m_kinds(kinds), m_maxDepth(maxDepth), m_pOpen(pOpen), m_seed(seed) {
        // Stationary distribution of the depth chain: pi(d+1)·down(d+1) = pi(d)·up(d).
        std::vector<double> pi(static_cast<size_t>(maxDepth) + 1, 0.0);
        pi[0] = 1.0;
        for (int d = 0; d < maxDepth; ++d) {
            const double up = d == 0 ? 1.0 : pOpen;
            const double down = d + 1 == maxDepth ? 1.0 : 1.0 - pOpen;
            pi[static_cast<size_t>(d) + 1] = pi[static_cast<size_t>(d)] * up / down;
        }
        double total = 0;
        for (double v : pi) {
            total += v;
        }
        const double lnK = std::log(static_cast<double>(kinds));
        const double hb = -(pOpen * std::log(pOpen) + (1 - pOpen) * std::log(1 - pOpen));
        m_entropy = 0;
        for (int d = 0; d <= maxDepth; ++d) {
            const double h = d == 0 ? lnK : (d == maxDepth ? 0.0 : hb + pOpen * lnK);
            m_entropy += pi[static_cast<size_t>(d)] / total * h;
        }
    }

    void sample(std::uint64_t index, std::uint8_t* out, int length) const override {
        SampleRng rng(m_seed, index);
        std::vector<int> stack;
        for (int t = 0; t < length; ++t) {
            const int depth = static_cast<int>(stack.size());
            const bool open = depth == 0 || (depth < m_maxDepth && rng.uniform() < m_pOpen);
            if (open) {
                const int k = static_cast<int>(rng.below(static_cast<std::uint64_t>(m_kinds)));
                stack.push_back(k);
                out[t] = static_cast<std::uint8_t>(kOpen[k]);
            } else {
                out[t] = static_cast<std::uint8_t>(kClose[stack.back()]);
                stack.pop_back();
            }
        }
    }

    double entropyRate() const override { return m_entropy; }

    std::string description() const override {
        std::ostringstream os;
        os << "brackets of " << m_kinds << " kinds, depth <= " << m_maxDepth << ", H = " << m_entropy
           << " nats/token";
        return os.str();
    }

private:
    int m_kinds;
    int m_maxDepth;
    double m_pOpen;
    std::uint64_t m_seed;
    double m_entropy = 0;
};

}  // namespace

std::unique_ptr<DataSource> makeBrackets(const DomainSpec& d, const std::string& field) {
    ParamReader p(d.params, field + ".params");
    const int kinds = static_cast<int>(p.integer("kinds", 2, 1, 4));
    const int depth = static_cast<int>(p.integer("max_depth", 8, 1, 64));
    const double pOpen = p.number("p_open", 0.5, 0.0, 1.0, true);
    const auto seed =
        static_cast<std::uint64_t>(p.integer("seed", static_cast<std::int64_t>(nameSeed(d.name) >> 1), 0,
                                             std::numeric_limits<std::int64_t>::max()));
    p.finish();
    if (pOpen >= 1.0) {
        configError(field + ".params.p_open", "must be below 1", "a number in (0, 1)");
    }
    return std::make_unique<BracketsSource>(kinds, depth, pOpen, seed);
}

}  // namespace anneal::data
