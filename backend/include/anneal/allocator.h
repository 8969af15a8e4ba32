// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace anneal {

/// Keeps the training step's large blocks (activations, logits, gradients: tens of MB, freed and
/// allocated again every step) in glibc's main heap instead of fresh mmap(2) regions that the
/// kernel must zero and fault in on every step. With a 4096-piece vocabulary the logits alone are
/// 64 MB a step, above glibc's largest mmap threshold (32 MB), and a thread other than the main
/// one allocates from an arena whose heaps cannot exceed 64 MB, so both limits are lifted: one
/// arena (the main heap) and no mmap'd blocks. Measured in docs/BENCHMARKS.md ("Allocator").
///
/// Call it first thing in main(), before any thread starts: a thread that has already allocated
/// keeps its arena. TrainingRun calls it too (for embedders that did not), which then helps only
/// threads started afterwards. Process-wide, once; a no-op where glibc's malloc is not in use
/// (e.g. under AddressSanitizer). ANNEAL_GLIBC_MALLOC_DEFAULTS=1 in the environment keeps glibc's
/// own settings (for comparison, or with another allocator preloaded).
void keepLargeAllocationsInHeap();

/// Gives freed heap memory back to the kernel (malloc_trim): called when a training run ends, so
/// a long-lived process (the desktop app) does not keep a finished run's peak.
void releaseFreeHeapMemory();

}  // namespace anneal
