// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GPUs for the runs of a local sweep (anneal-cli sweep --gpus 0,1,...): each running run holds one
// GPU of the list that no other running run holds, and sees it as its only device through
// CUDA_VISIBLE_DEVICES. A run that ends gives its GPU back; the next run takes the first free one in
// the list's order. So at most as many runs run at once as the list has GPUs.

#include <optional>
#include <string>
#include <vector>

namespace anneal::cli {

/// Why `text` is not a valid --gpus list ("" when it is): comma-separated, distinct entries, each a
/// GPU index (0, 1, ...) or a GPU/MIG UUID as nvidia-smi -L prints it (GPU-..., MIG-...).
std::string gpuListError(const std::string& text);
/// The entries of a valid list, in order. Throws CLI::ValidationError naming --gpus otherwise.
std::vector<std::string> parseGpuList(const std::string& text);

class GpuSlots {
public:
    explicit GpuSlots(std::vector<std::string> gpus = {});
    bool enabled() const { return !m_gpus.empty(); }
    int size() const { return static_cast<int>(m_gpus.size()); }
    /// The first GPU that no running run holds, now held; nullopt when every GPU is held.
    std::optional<std::string> acquire();
    /// Gives a held GPU back.
    void release(const std::string& gpu);
    /// The GPU a run would get if runs took them in turn (what --dry-run prints): the k-th started run's.
    const std::string& inTurn(int k) const { return m_gpus[static_cast<size_t>(k) % m_gpus.size()]; }

private:
    std::vector<std::string> m_gpus;
    std::vector<bool> m_held;
};

}  // namespace anneal::cli
