// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A one-line progress bar on stderr for long work; silent when stderr is not a terminal.

#include <chrono>
#include <cstdint>
#include <string>

namespace anneal::cli {

class ProgressBar {
public:
    explicit ProgressBar(std::string label, bool enabled);
    ~ProgressBar();
    /// Redraws at most 10 times a second. `extra` follows the counts ("loss 2.31  41k tok/s").
    void update(std::int64_t done, std::int64_t total, const std::string& extra = {});
    void finish();
    /// Erases the bar so a message line can be printed; the next update draws it again.
    void clear();

private:
    std::string m_label;
    bool m_enabled;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last;
    std::int64_t m_first = -1;
};

}  // namespace anneal::cli
