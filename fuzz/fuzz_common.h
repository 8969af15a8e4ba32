// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every fuzz target checks besides "no crash, no sanitizer report": a rejected input is an
// anneal::Error whose message is not empty. Any other exception escapes to libFuzzer, which reports
// it as a crash (an uncaught exception is a finding: the CLI and the GUI only catch anneal::Error
// cleanly, and anything else is a bug in the parser).

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "anneal/error.h"

namespace anneal::fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "FUZZ PROPERTY VIOLATED: %s %s\n", what, detail.c_str());
    std::abort();
}

/// ANNEAL_FUZZ_VERBOSE=1 prints each input's verdict (for triage: `fuzz_x -runs=0 corpus/`).
inline bool verbose() {
    static const bool on = std::getenv("ANNEAL_FUZZ_VERBOSE") != nullptr;
    return on;
}

inline void checkError(const Error& e) {
    if (verbose()) {
        std::fprintf(stderr, "rejected: %s\n", e.what());
    }
    if (std::strlen(e.what()) == 0 || e.detail().empty()) {
        fail("an anneal::Error without a message");
    }
}

inline void accepted() {
    if (verbose()) {
        std::fprintf(stderr, "accepted\n");
    }
}

}  // namespace anneal::fuzz
