// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Checkpoint files: a versioned header (magic, format version, JSON with step, seed, sampler
// counters and the other small state) followed by torch's archive of the model and the optimizer,
// and a checksum over both. Written to a temporary name, fsynced and renamed, so a file under its
// final name is always complete; the database row comes after (the store writer adds it).

#include <cstdint>
#include <string>
#include <vector>

namespace anneal::train {

constexpr std::uint32_t kCheckpointFormat = 1;

struct CheckpointHeader {
    std::int64_t step = 0;  ///< updates completed; training resumes at this step
    std::int64_t tokens = 0;
    double wallSeconds = 0;
    std::uint64_t seed = 0;
    std::vector<std::uint64_t> samplerDrawn;
    std::vector<double> spikeWindow;  ///< recent losses of the spike detector
    std::string configToml;           ///< resolved config the run had when it saved
    std::string modelShape;           ///< "n_layer,d_model,n_head,context" (checked on load)
    std::string extraJson = "{}";     ///< reweighter state and future fields
};

/// Writes header + payload atomically to `path`. Throws Io.
void writeCheckpointFile(const std::string& path, const CheckpointHeader& header, const std::string& payload);

/// Reads and verifies a checkpoint (magic, version, length, checksum). Throws Io / InvalidInput
/// with a message that says what is wrong (missing, truncated, corrupt, from a newer Anneal).
void readCheckpointFile(const std::string& path, CheckpointHeader& header, std::string& payload);

/// Reads only the header (for listings and branch validation).
CheckpointHeader readCheckpointHeader(const std::string& path);

}  // namespace anneal::train
