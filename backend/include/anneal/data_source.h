// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file data_source.h
/// Byte-level data sources. A source is a pure function from a sample index to bytes, so any sample
/// can be regenerated from its id (the weights explorer previews samples this way) and runs are
/// deterministic by seed. Synthetic sources know their entropy rate, which makes the irreducible
/// loss of a mixture known exactly. Thread-safe: sample() is const and touches no shared state.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "anneal/experiment.h"

namespace anneal {

class DataSource {
public:
    virtual ~DataSource() = default;
    /// Writes the `length` bytes of sample `index` to out. Deterministic in (source params, index).
    virtual void sample(std::uint64_t index, std::uint8_t* out, int length) const = 0;
    /// Entropy rate in nats per token (the limit for long contexts); NaN when unknown (real text).
    virtual double entropyRate() const = 0;
    /// Lowest expected loss (nats/token) any model can reach on this source, averaged over the
    /// `targets` predicted positions of one sample. Equals entropyRate() unless the source knows
    /// better (the markov source's first order-1 targets are uniform).
    virtual double entropyFloor(int targets) const { return entropyRate(); }
    /// One line for humans: "markov order 2, alphabet 16, H = 1.5 nats/token".
    virtual std::string description() const = 0;
};

struct SourceInfo {
    std::string name;                  ///< "synthetic:markov"
    std::string summary;               ///< one line
    std::vector<std::string> params;   ///< accepted [data.domain.params] keys besides noise_rate
};

/// Every source kind Anneal knows.
std::vector<SourceInfo> sourceCatalog();

/// Builds a domain's source. `field` is the domain's key path ("data.domain[1]") for messages.
/// Throws InvalidConfig for an unknown source, an unknown param or a param out of range.
std::unique_ptr<DataSource> makeSource(const DomainSpec& domain, const std::string& field);

// --- helpers shared by the sources, the sampler and the noise planting ---

/// SplitMix64 finaliser: a strong 64-bit mix, used for counter-based randomness.
std::uint64_t mix64(std::uint64_t x);
/// A counter-based uniform double in [0, 1) from two keys.
double uniform01(std::uint64_t key, std::uint64_t counter);

}  // namespace anneal
