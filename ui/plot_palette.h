// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The system palette and font on a QCustomPlot: background, axes, grid and legend text, so plots
// follow light and dark themes like the rest of the window.

#include <QFont>
#include <QPalette>

class QCustomPlot;

namespace anneal::ui {

void applyPlotPalette(QCustomPlot* plot, const QPalette& palette, const QFont& font);

}  // namespace anneal::ui
