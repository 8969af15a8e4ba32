// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// PlotOptionsBar: the controls above the plot tabs: x axis (step, tokens, wall time, FLOPs, steps
// from the branch point), log x / log y, EMA smoothing, the Loss tab's units (nats/token or
// bits/byte), fit-to-data and export of the current view.

#include <QWidget>

#include "plot_options.h"

class QComboBox;
class QCheckBox;
class QSlider;
class QLabel;
class QToolButton;

namespace anneal::ui {

class PlotOptionsBar : public QWidget {
    Q_OBJECT

public:
    explicit PlotOptionsBar(QWidget* parent = nullptr);

    PlotOptions options() const { return m_options; }
    void setOptions(const PlotOptions& options);
    /// The x axis selector (off where a view aligns its own x axis).
    void setXAxisEnabled(bool enabled);
    /// The loss units selector (on only where the Loss tab is shown).
    void setLossUnitsEnabled(bool enabled);

    QComboBox* xAxisCombo() const { return m_xAxis; }
    QCheckBox* logXBox() const { return m_logX; }
    QCheckBox* logYBox() const { return m_logY; }
    QSlider* smoothingSlider() const { return m_smoothing; }
    QComboBox* lossUnitsCombo() const { return m_lossUnits; }

signals:
    void optionsChanged(const anneal::ui::PlotOptions& options);
    void fitRequested();
    /// "png", "svg", "pdf" or "csv".
    void exportRequested(const QString& format);

private:
    void readWidgets();
    void updateSmoothingLabel();

    PlotOptions m_options;
    QComboBox* m_xAxis;
    QCheckBox* m_logX;
    QCheckBox* m_logY;
    QSlider* m_smoothing;
    QLabel* m_smoothingValue;
    QComboBox* m_lossUnits;
    QToolButton* m_fit;
    QToolButton* m_export;
    bool m_updating = false;
};

}  // namespace anneal::ui
