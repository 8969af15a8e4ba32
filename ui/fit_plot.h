// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// FitPlot: a QCustomPlot for the scaling-law view: observed points (hollow when held out), the
// fitted law's curves, the bootstrap confidence band (a filled area between two curves), markers
// and reference lines, on linear or log axes. It remembers what it drew (curves() and points()) so
// tests can compare the drawing with the law.

#include <QColor>
#include <QString>
#include <QWidget>
#include <vector>

#include "fit_curves.h"

class QCustomPlot;
class QCPItemText;

namespace anneal::ui {

class FitPlot : public QWidget {
    Q_OBJECT

public:
    explicit FitPlot(QWidget* parent = nullptr);

    void clear();
    void setAxes(const QString& xLabel, bool logX, const QString& yLabel, bool logY);
    void setPlaceholder(const QString& text);
    void addPoints(const XYCurve& points, const QColor& color, bool hollow = false, bool inLegend = true);
    void addCurve(const XYCurve& curve, const QColor& color, Qt::PenStyle style = Qt::SolidLine,
                  double width = 1.8, bool inLegend = true);
    /// A filled area between band.lo and band.hi (not in the legend unless label is given).
    void addBand(const Band& band, const QColor& color, const QString& label = {});
    void addMarker(double x, double y, const QString& label, const QColor& color);
    void addHorizontalLine(double y, const QString& label, const QColor& color);
    /// Fits the axes to everything drawn (positive values only on a log axis) and replots.
    void rescale();

    QCustomPlot* plot() const { return m_plot; }
    const std::vector<XYCurve>& curves() const { return m_curves; }
    const std::vector<XYCurve>& points() const { return m_points; }
    const std::vector<Band>& bands() const { return m_bands; }
    /// A drawn curve by its label; nullptr when there is none.
    const XYCurve* curve(const QString& label) const;

protected:
    void changeEvent(QEvent* event) override;

private:
    QCustomPlot* m_plot;
    QCPItemText* m_placeholder;
    std::vector<XYCurve> m_curves;
    std::vector<XYCurve> m_points;
    std::vector<Band> m_bands;
    bool m_logX = false;
    bool m_logY = false;
};

}  // namespace anneal::ui
