// SPDX-License-Identifier: GPL-3.0-or-later
// Counter-based randomness: every random choice in the data pipeline is a hash of its keys, so no
// generator state needs to be saved and any sample can be regenerated on its own.

#include "anneal/data_source.h"

namespace anneal {

std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double uniform01(std::uint64_t key, std::uint64_t counter) {
    const std::uint64_t h = mix64(key ^ mix64(counter));
    return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace anneal
