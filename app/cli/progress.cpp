// SPDX-License-Identifier: GPL-3.0-or-later
#include "progress.h"

#include <cstdio>

namespace anneal::cli {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : m_label(std::move(label)), m_enabled(enabled), m_start(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::int64_t done, std::int64_t total, const std::string& extra) {
    if (!m_enabled) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (m_first < 0) {
        m_first = done;
        m_start = now;
    }
    if (m_drawn && now - m_last < std::chrono::milliseconds(100) && done < total) {
        return;
    }
    m_last = now;
    const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    const int width = 24;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double rate = elapsed > 0 ? static_cast<double>(done - m_first) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    std::fprintf(stderr, "\r%s [%s] %lld/%lld  %s  ETA %dm%02ds\033[K", m_label.c_str(), bar.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total), extra.c_str(),
                 static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    std::fflush(stderr);
    m_drawn = true;
}

void ProgressBar::clear() {
    if (m_enabled && m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }
}

void ProgressBar::finish() {
    if (m_enabled && m_drawn) {
        std::fprintf(stderr, "\n");
        m_drawn = false;
    }
}

PrepareProgress::PrepareProgress(bool quiet, bool tty)
    : m_quiet(quiet), m_tty(tty), m_bar("data", !quiet && tty) {}

void PrepareProgress::update(const std::string& stage, std::int64_t done, std::int64_t total) {
    if (stage != m_stage && !m_quiet && !m_tty) {
        std::fprintf(stderr, "anneal-cli: preparing data: %s\n", stage.c_str());
    }
    m_stage = stage;
    m_bar.update(done, total, stage);
}

std::function<void(const std::string&, std::int64_t, std::int64_t)> PrepareProgress::callback() {
    return [this](const std::string& stage, std::int64_t done, std::int64_t total) {
        update(stage, done, total);
    };
}

}  // namespace anneal::cli
