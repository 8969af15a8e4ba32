// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Starting one run of a local sweep as a child process: its stdout to a file, its GPU (--gpus) in
// its environment, optionally through a wrapper program ($ANNEAL_SWEEP_WRAPPER).

#include <string>
#include <sys/types.h>
#include <vector>

namespace anneal::cli {

/// This process's environment with CUDA_VISIBLE_DEVICES set to `gpu` (and CUDA_DEVICE_ORDER set to
/// PCI_BUS_ID unless already set, so indices are nvidia-smi's); the environment as is when gpu is empty.
std::vector<std::string> childEnvironment(const std::string& gpu);

/// Starts `args` with stdout to outFile and CUDA_VISIBLE_DEVICES=gpu (when not empty). With
/// $ANNEAL_SWEEP_WRAPPER set, that program starts the run: its arguments are the run's command line
/// (numactl, a profiler, or a test that records what each run was given). Throws Io when it cannot start.
pid_t spawnRun(std::vector<std::string> args, const std::string& outFile, const std::string& gpu);

}  // namespace anneal::cli
