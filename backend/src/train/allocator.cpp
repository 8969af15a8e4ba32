// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace anneal {

void keepLargeAllocationsInHeap() {
    static std::once_flag once;
    std::call_once(once, [] {
        const char* keep = std::getenv("ANNEAL_GLIBC_MALLOC_DEFAULTS");
        if (keep != nullptr && *keep != '\0' && std::strcmp(keep, "0") != 0) {
            return;  // glibc's own thresholds (bench/allocator.sh compares the two)
        }
        mallopt(M_ARENA_MAX, 1);  // every thread allocates from the main heap, which grows without bound
        mallopt(M_MMAP_MAX, 0);   // no block gets a mapping of its own, whatever its size
        mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);  // keep up to 512 MB free at the heap's top
    });
}

void releaseFreeHeapMemory() { malloc_trim(0); }

}  // namespace anneal
