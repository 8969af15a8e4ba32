// SPDX-License-Identifier: GPL-3.0-or-later
// synthetic:noise — uniformly random bytes: ln 256 = 5.545 nats (8 bits) per token, unlearnable.

#include <cmath>
#include <limits>

#include "data/param_reader.h"
#include "data/sample_rng.h"
#include "data/sources.h"

namespace anneal::data {

namespace {
class NoiseSource final : public DataSource {
public:
    explicit NoiseSource(std::uint64_t seed) : m_seed(seed) {}
    void sample(std::uint64_t index, std::uint8_t* out, int length) const override {
        SampleRng rng(m_seed, index);
        for (int t = 0; t < length; ++t) {
            out[t] = static_cast<std::uint8_t>(rng.next() >> 56);
        }
    }
    double entropyRate() const override { return std::log(256.0); }
    std::string description() const override { return "uniform random bytes, H = ln 256 = 5.545 nats/token"; }

private:
    std::uint64_t m_seed;
};
}  // namespace

std::unique_ptr<DataSource> makeNoise(const DomainSpec& d, const std::string& field) {
    ParamReader p(d.params, field + ".params");
    const auto seed =
        static_cast<std::uint64_t>(p.integer("seed", static_cast<std::int64_t>(nameSeed(d.name) >> 1), 0,
                                             std::numeric_limits<std::int64_t>::max()));
    p.finish();
    return std::make_unique<NoiseSource>(seed);
}

}  // namespace anneal::data
