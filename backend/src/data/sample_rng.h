// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A tiny sequential generator for the bytes of one sample, seeded from (source seed, index).

#include <cstdint>

#include "anneal/data_source.h"

namespace anneal::data {

class SampleRng {
public:
    SampleRng(std::uint64_t key, std::uint64_t index) : m_state(mix64(key) ^ mix64(index + 0x51ed27)) {}
    std::uint64_t next() {
        m_state += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    /// Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n) {
        return static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
    }

private:
    std::uint64_t m_state;
};

}  // namespace anneal::data
