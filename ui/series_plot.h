// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SeriesPlot: a QCustomPlot that stays fast with millions of points and keeps spikes. Each curve keeps
// its full data; what QCustomPlot draws is that data decimated to min/max per pixel column of the
// visible range (MinMaxDecimator), recomputed from a coalescing timer (<= 25 Hz) when data arrive or
// the view moves, followed by one queued replot. Optional EMA smoothing draws the smoothed curve
// with the raw one faint behind it; log axes; horizontal reference lines (entropy floors); a
// crosshair that reads out every visible curve; a stacked-area mode for proportions. The view
// follows the data until the user zooms or pans; a double click goes back to following.

#include <QColor>
#include <QElapsedTimer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>
#include <QWidget>
#include <map>
#include <memory>
#include <vector>

#include "ema_smoother.h"

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPAbstractItem;

namespace anneal::ui {

struct CurveStyle {
    QString label;
    QColor color;
    Qt::PenStyle penStyle = Qt::SolidLine;
    double width = 1.6;
    bool inLegend = true;
    bool smoothable = true;  ///< false for curves smoothing makes no sense for (sparse validation points)
    bool markers = false;    ///< draw a small disc at each point (sparse curves)
    bool overlay = false;    ///< in stacked mode: a line drawn over the stack, not part of it

    bool operator==(const CurveStyle& o) const {
        return label == o.label && color == o.color && penStyle == o.penStyle && width == o.width &&
               inLegend == o.inLegend && smoothable == o.smoothable && markers == o.markers &&
               overlay == o.overlay;
    }
};

/// A horizontal line at y (an entropy floor), or a vertical one at x = y when vertical (a branch point).
struct ReferenceLine {
    double y = 0;
    QColor color;
    Qt::PenStyle penStyle = Qt::DashLine;
    QString label;
    bool vertical = false;
    bool labelRight = false;  ///< the label at the right end of a horizontal line (default: left)
};

class SeriesPlot : public QWidget {
    Q_OBJECT

public:
    explicit SeriesPlot(QWidget* parent = nullptr);
    ~SeriesPlot() override;

    QCustomPlot* plot() const { return m_plot; }

    /// Creates the curve or changes its style. Curves are drawn (and stacked) in creation order.
    void setCurve(const QString& key, const CurveStyle& style);
    void removeCurve(const QString& key);
    void clearCurves();
    bool hasCurve(const QString& key) const { return m_curves.count(key) > 0; }
    QStringList curveKeys() const { return m_order; }
    /// Replaces a curve's data (x ascending).
    void setCurveData(const QString& key, std::vector<double> x, std::vector<double> y);
    /// Appends points after the curve's last x (x ascending).
    void appendCurveData(const QString& key, const double* x, const double* y, std::size_t n);
    std::size_t curvePointCount(const QString& key) const;
    const std::vector<double>* curveX(const QString& key) const;
    const std::vector<double>* curveY(const QString& key) const;
    /// The smoothed values (empty when smoothing is off or the curve is not smoothable).
    const std::vector<double>* curveSmoothed(const QString& key) const;

    void setReferenceLines(const QVector<ReferenceLine>& lines);
    const QVector<ReferenceLine>& referenceLines() const { return m_refLines; }
    void setStacked(bool stacked);
    /// EMA weight in [0, 1); 0 turns smoothing off.
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    void setLogX(bool on);
    void setLogY(bool on);
    bool logX() const { return m_logX; }
    bool logY() const { return m_logY; }
    void setAxisLabels(const QString& x, const QString& y);
    void setPlaceholder(const QString& text);
    /// The text shown instead of curves ("" when none).
    QString placeholder() const;

    /// Follow the data again (fit every curve), as a double click does.
    void followData();
    bool following() const { return m_follow; }
    void setRange(double xLo, double xHi, double yLo, double yHi);

    /// Decimates and replots now instead of at the next timer tick (tests, exports).
    void refreshNow();
    /// Points handed to QCustomPlot over every curve after the last refresh.
    std::size_t drawnPointCount() const;
    /// Pixel columns decimation uses (the axis rect's width in device pixels).
    int pixelColumns() const;
    /// Graph of a curve as drawn: the smoothed one when smoothing, else the raw one.
    QCPGraph* graph(const QString& key, bool smoothed = false) const;
    /// Milliseconds the last refresh spent decimating and the last replot spent drawing.
    double lastDecimationMs() const { return m_lastDecimationMs; }

    /// "label: value" of every visible curve at x (the point at or before x).
    QStringList readout(double x) const;

    /// PNG, SVG or PDF by the file's suffix; false with a reason in *error.
    bool exportImage(const QString& path, QString* error = nullptr);
    /// The full data of every curve as CSV (curve, x, value, smoothed).
    bool exportCsv(const QString& path, QString* error = nullptr) const;

signals:
    /// The user zoomed or panned (following stops) or asked to follow again.
    void followingChanged(bool following);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    struct Curve;
    void scheduleRefresh();
    void refresh();
    void prepare();
    void fitRanges();
    void decimateLines();
    void decimateCurve(Curve& c);
    void decimateStacked();
    void applyStyle(Curve& c);
    void applyPalette();
    void resmooth(Curve& c);
    void updateCrosshair(const QPoint& pos);
    void hideCrosshair();
    void onRangeChanged();
    void rebuildReferenceLines();
    void updateLegendWrap();
    void setFastDrawing(bool fast);

    QCustomPlot* m_plot;
    std::map<QString, std::unique_ptr<Curve>> m_curves;
    QStringList m_order;
    QVector<ReferenceLine> m_refLines;
    std::vector<QCPAbstractItem*> m_refItems;
    QCPItemStraightLine* m_crossLine = nullptr;
    QCPItemText* m_crossText = nullptr;
    QCPItemText* m_placeholder = nullptr;
    QTimer m_refreshTimer;
    QTimer m_polishTimer;
    QElapsedTimer m_streamClock;
    qint64 m_lastAppendMs = -1;
    bool m_fastDrawing = false;
    double m_smoothing = 0;
    bool m_logX = false;
    bool m_logY = false;
    bool m_stacked = false;
    bool m_follow = true;
    bool m_settingRange = false;
    bool m_hiddenChanges = false;
    double m_lastDecimationMs = 0;
};

/// A qualitative palette (colour-blind friendly, Tableau 10) for curve i.
QColor curveColor(int i);

}  // namespace anneal::ui
