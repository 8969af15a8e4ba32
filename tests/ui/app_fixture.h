// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the suites of the views added after the lab views: training short CPU runs into a
// temporary database (as the app does, through anneal::RunSession), and reading the error dialogs
// of a MainWindow.

#include <QString>
#include <QStringList>
#include <cstdint>
#include <string>
#include <vector>

namespace anneal::ui {
class MainWindow;
}

namespace anneal::test {

/// Trains a run from TOML text with overrides into db and waits for it; returns its id.
std::int64_t trainRun(const std::string& db, const std::string& toml,
                      const std::vector<std::string>& overrides, const std::string& name = {},
                      const std::string& group = {});

/// The tiny experiment with per-sample reweighting (loss_quadratic after 4 steps), weight snapshots
/// every 10 steps and planted noise in 30 % of the markov domain's samples.
std::string reweightedNoisyToml(int steps = 40);

/// Waits (up to timeoutMs) for an error dialog of the window and returns "text\ninformative text" of
/// the newest one ("" when none appeared).
QString waitForErrorDialog(ui::MainWindow& window, int timeoutMs = 30000);
/// Closes every error dialog of the window.
void closeErrorDialogs(ui::MainWindow& window);

}  // namespace anneal::test
