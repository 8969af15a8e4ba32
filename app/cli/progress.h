// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A one-line progress bar on stderr for long work; silent when stderr is not a terminal.

#include <chrono>
#include <cstdint>
#include <functional>
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

/// Building an experiment's data before step 0 (training a tokenizer, tokenising a domain): a "data"
/// bar on a terminal, one stderr line per stage otherwise (a job log), nothing when quiet.
class PrepareProgress {
public:
    PrepareProgress(bool quiet, bool tty);
    void update(const std::string& stage, std::int64_t done, std::int64_t total);
    /// update() as a Dataset's DataProgress (valid while this object lives).
    std::function<void(const std::string&, std::int64_t, std::int64_t)> callback();
    void finish() { m_bar.finish(); }

private:
    bool m_quiet;
    bool m_tty;
    ProgressBar m_bar;
    std::string m_stage;
};

}  // namespace anneal::cli
