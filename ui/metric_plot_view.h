// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// MetricPlotView: the base of the plot tabs. It shows some metrics of the selected runs on a
// SeriesPlot, reading them from the shared RunDataCache: history when a run is selected, then only
// the new points as they arrive (appended, never re-copied). Subclasses say which metrics, how each
// curve looks and which reference lines to draw.

#include <QList>
#include <QString>
#include <QWidget>
#include <map>

#include "plot_options.h"
#include "series_plot.h"

namespace anneal::ui {

class RunDataCache;
struct RunData;

class MetricPlotView : public QWidget {
    Q_OBJECT

public:
    MetricPlotView(RunDataCache* cache, QWidget* parent = nullptr);

    /// The runs to show (the run browser's selection), in display order.
    void setRuns(const QList<qint64>& runIds);
    QList<qint64> runs() const { return m_runs; }
    void setOptions(const PlotOptions& options);
    const PlotOptions& options() const { return m_options; }
    SeriesPlot* plot() const { return m_plot; }
    /// A short title for tabs and exported files ("Loss").
    virtual QString title() const = 0;

    static QString curveKey(qint64 runId, const QString& metric);

protected:
    /// Metric name patterns this view reads ("val_loss.*").
    virtual QStringList metricPatterns() const = 0;
    /// The metrics of one run, in drawing order (default: the run's names matching the patterns).
    virtual QStringList metricsFor(qint64 runId) const;
    virtual CurveStyle styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const;
    virtual QVector<ReferenceLine> referenceLines() const { return {}; }
    virtual QString yLabel() const = 0;
    virtual bool stacked() const { return false; }
    /// Runs the view draws (default all; the mixture view draws only the first).
    virtual QList<qint64> drawnRuns() const { return m_runs; }
    /// Curves a view derives from a run besides its metrics (after each update of the run).
    virtual void syncExtras(qint64 runId, const XAxisMapper& mapper, int runIndex) {}
    /// What the plot says when it has runs but no curve and nothing is loading (default "No loss
    /// data yet"); a view says why its metrics are missing.
    virtual QString emptyText() const;

    /// A human label for a metric ("val markov"), and the run's display name.
    static QString metricLabel(const QString& metric);
    QString runLabel(qint64 runId) const;
    /// The step a run's x is measured from on the "steps from branch point" axis.
    double branchOffset(qint64 runId) const;
    /// A dotted vertical line where each shown branch starts.
    QVector<ReferenceLine> branchMarkers() const;
    RunDataCache* cache() const { return m_cache; }
    /// Re-reads every curve (after the options or the runs changed).
    void rebuild();

private:
    void onRunChanged(qint64 runId);
    void syncRun(qint64 runId, int runIndex);
    void updatePlaceholder();

    struct Tracked {
        quint64 generation = 0;
        std::size_t consumed = 0;
    };

    RunDataCache* m_cache;
    SeriesPlot* m_plot;
    QList<qint64> m_runs;
    PlotOptions m_options;
    std::map<QString, Tracked> m_tracked;
    QVector<ReferenceLine> m_lastLines;
};

}  // namespace anneal::ui
