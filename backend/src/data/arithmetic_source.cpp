// SPDX-License-Identifier: GPL-3.0-or-later
// synthetic:arithmetic — a stream of expressions "a+b=c\n" with a, b uniform in [0, 10^digits) and
// the operator uniform over `ops`. The result is determined by the operands, so an expression carries
// H_expr = 2·ln(10^digits) + ln(|ops|) nats; the stream is a renewal process, so its entropy rate is
// exactly H_expr / E[length of an expression] (E computed by enumerating every (a, op, b)).
// Samples start at an expression boundary, so a short context sits near, not exactly at, that rate.

#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "anneal/error.h"
#include "data/param_reader.h"
#include "data/sample_rng.h"
#include "data/sources.h"

namespace anneal::data {

namespace {

int decimalLength(long long v) {
    int n = v < 0 ? 2 : 1;
    v = v < 0 ? -v : v;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

long long apply(char op, long long a, long long b) {
    switch (op) {
        case '+':
            return a + b;
        case '-':
            return a - b;
        default:
            return a * b;
    }
}

class ArithmeticSource final : public DataSource {
public:
    ArithmeticSource(int digits, std::string ops, std::uint64_t seed) : m_ops(std::move(ops)), m_seed(seed) {
        m_range = 1;
        for (int i = 0; i < digits; ++i) {
            m_range *= 10;
        }
        double totalLen = 0;
        for (char op : m_ops) {
            for (long long a = 0; a < m_range; ++a) {
                for (long long b = 0; b < m_range; ++b) {
                    totalLen += decimalLength(a) + decimalLength(b) + decimalLength(apply(op, a, b)) + 3;
                }
            }
        }
        const double combos = static_cast<double>(m_ops.size()) * static_cast<double>(m_range * m_range);
        m_meanLength = totalLen / combos;
        m_entropy = std::log(combos) / m_meanLength;
    }

    void sample(std::uint64_t index, std::uint8_t* out, int length) const override {
        SampleRng rng(m_seed, index);
        int t = 0;
        char buf[64];
        while (t < length) {
            const auto a = static_cast<long long>(rng.below(static_cast<std::uint64_t>(m_range)));
            const char op = m_ops[rng.below(m_ops.size())];
            const auto b = static_cast<long long>(rng.below(static_cast<std::uint64_t>(m_range)));
            const int n = std::snprintf(buf, sizeof buf, "%lld%c%lld=%lld\n", a, op, b, apply(op, a, b));
            for (int i = 0; i < n && t < length; ++i) {
                out[t++] = static_cast<std::uint8_t>(buf[i]);
            }
        }
    }

    double entropyRate() const override { return m_entropy; }

    std::string description() const override {
        std::ostringstream os;
        os << "arithmetic '" << m_ops << "' on numbers below " << m_range << ", " << m_meanLength
           << " bytes/expression, H = " << m_entropy << " nats/token";
        return os.str();
    }

private:
    std::string m_ops;
    std::uint64_t m_seed;
    long long m_range = 10;
    double m_meanLength = 0;
    double m_entropy = 0;
};

}  // namespace

std::unique_ptr<DataSource> makeArithmetic(const DomainSpec& d, const std::string& field) {
    ParamReader p(d.params, field + ".params");
    const int digits = static_cast<int>(p.integer("digits", 2, 1, 3));
    const std::string ops = p.string("ops", "+-*");
    const auto seed =
        static_cast<std::uint64_t>(p.integer("seed", static_cast<std::int64_t>(nameSeed(d.name) >> 1), 0,
                                             std::numeric_limits<std::int64_t>::max()));
    p.finish();
    if (ops.empty() || ops.find_first_not_of("+-*") != std::string::npos) {
        configError(field + ".params.ops", "\"" + ops + "\" is not a set of operators",
                    "a non-empty subset of \"+-*\"");
    }
    for (size_t i = 0; i < ops.size(); ++i) {
        if (ops.find(ops[i], i + 1) != std::string::npos) {
            configError(field + ".params.ops", "operator '" + std::string(1, ops[i]) + "' is listed twice",
                        "each of + - * at most once");
        }
    }
    return std::make_unique<ArithmeticSource>(digits, ops, seed);
}

}  // namespace anneal::data
