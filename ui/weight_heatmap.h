// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// WeightHeatmap: the distribution of per-sample weights over training. One column per weight
// snapshot (the samples trained on since the previous one), one row per bin of the store's 64-bin
// histogram of log10(weight) over [-2, 2] (WeightStatsRow::hist); the colour is the number of samples
// (log scale; empty bins are left blank). Weights are relative to plain averaging, so the row at
// log10 = 0 (weight 1.0) is where every sample would sit without reweighting; a line marks it.
// A click picks the snapshot under the mouse (stepPicked).

#include <QWidget>
#include <cstdint>
#include <vector>

#include "anneal/store.h"

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemText;

namespace anneal::ui {

class WeightHeatmap : public QWidget {
    Q_OBJECT

public:
    static constexpr int kBins = 64;
    static constexpr double kLog10Lo = -2.0;
    static constexpr double kLog10Hi = 2.0;

    explicit WeightHeatmap(QWidget* parent = nullptr);

    /// Rows of one domain (or the overall ones), in step order; empty clears the map.
    void setRows(const std::vector<WeightStatsRow>& rows);
    void setPlaceholder(const QString& text);
    /// Marks the step the sample table shows (a vertical line); < 0 hides it.
    void setMarkedStep(std::int64_t step);

    QCustomPlot* plot() const { return m_plot; }
    QCPColorMap* colorMap() const { return m_map; }
    /// Columns of the map and the snapshot step each one shows.
    int columns() const { return static_cast<int>(m_columnSteps.size()); }
    std::int64_t columnStep(int column) const { return m_columnSteps.at(static_cast<std::size_t>(column)); }
    /// The value drawn in a cell: the sample count of that bin, NaN where the bin is empty.
    double cell(int column, int bin) const;

signals:
    /// The user clicked the map: the snapshot step of the column under the mouse.
    void stepPicked(qint64 step);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    QCustomPlot* m_plot;
    QCPColorMap* m_map;
    QCPColorScale* m_scale;
    QCPItemText* m_placeholder;
    std::vector<std::int64_t> m_columnSteps;
    std::vector<std::int64_t> m_rowSteps;  ///< the snapshot of each column (uniform grid over the steps)
    std::int64_t m_marked = -1;
};

}  // namespace anneal::ui
