// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes anneal::parseCsv (anneal-cli import, fit --csv). See fuzz_table.h for the properties.
#include "fuzz_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return anneal::fuzz::fuzzTable(data, size, "fuzz.csv", anneal::parseCsv);
}
