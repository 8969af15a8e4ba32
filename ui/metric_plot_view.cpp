// SPDX-License-Identifier: GPL-3.0-or-later
#include "metric_plot_view.h"

#include <QVBoxLayout>

#include "run_data_cache.h"

namespace anneal::ui {

namespace {

bool sameLines(const QVector<ReferenceLine>& a, const QVector<ReferenceLine>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (int i = 0; i < a.size(); ++i) {
        if (a[i].y != b[i].y || a[i].color != b[i].color || a[i].label != b[i].label ||
            a[i].penStyle != b[i].penStyle || a[i].vertical != b[i].vertical ||
            a[i].labelRight != b[i].labelRight) {
            return false;
        }
    }
    return true;
}

}  // namespace

MetricPlotView::MetricPlotView(RunDataCache* cache, QWidget* parent)
    : QWidget(parent), m_cache(cache), m_plot(new SeriesPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    connect(m_cache, &RunDataCache::runChanged, this, &MetricPlotView::onRunChanged);
    updatePlaceholder();
}

QString MetricPlotView::curveKey(qint64 runId, const QString& metric) {
    return QString::number(runId) + QLatin1Char('/') + metric;
}

void MetricPlotView::setRuns(const QList<qint64>& runIds) {
    if (runIds == m_runs) {
        return;
    }
    m_runs = runIds;
    m_cache->request(drawnRuns(), metricPatterns());
    rebuild();
}

void MetricPlotView::setOptions(const PlotOptions& options) {
    // The x axis and the loss units change which values a curve holds: read them again.
    const bool remap = options.xAxis != m_options.xAxis || options.lossUnits != m_options.lossUnits;
    m_options = options;
    m_plot->setSmoothing(options.smoothing);
    if (m_plot->logX() != options.logX) {
        m_plot->setLogX(options.logX);
    }
    if (m_plot->logY() != options.logY) {
        m_plot->setLogY(options.logY);
    }
    if (remap) {
        rebuild();
    }
}

void MetricPlotView::rebuild() {
    m_plot->clearCurves();
    m_tracked.clear();
    m_plot->setStacked(stacked());
    m_plot->setAxisLabels(xAxisLabel(m_options.xAxis), yLabel());
    const QList<qint64> runs = drawnRuns();
    for (int i = 0; i < runs.size(); ++i) {
        syncRun(runs[i], i);
    }
    m_lastLines = referenceLines() + branchMarkers();
    m_plot->setReferenceLines(m_lastLines);
    m_plot->followData();
    updatePlaceholder();
}

void MetricPlotView::onRunChanged(qint64 runId) {
    const QList<qint64> runs = drawnRuns();
    const int index = static_cast<int>(runs.indexOf(runId));
    if (index < 0) {
        return;
    }
    // A run's metrics become known while it trains: ask for the ones that match (no-op when loaded).
    m_cache->request({runId}, metricPatterns());
    syncRun(runId, index);
    const QVector<ReferenceLine> lines = referenceLines() + branchMarkers();
    if (!sameLines(lines, m_lastLines)) {
        m_lastLines = lines;
        m_plot->setReferenceLines(lines);
    }
    updatePlaceholder();
}

void MetricPlotView::syncRun(qint64 runId, int runIndex) {
    const RunData* run = m_cache->run(runId);
    if (!run) {
        return;
    }
    const XAxisMapper mapper(m_options.xAxis, &run->axis, run->record.flopsPerToken, branchOffset(runId));
    const QStringList metrics = metricsFor(runId);
    std::vector<double> x;
    for (int m = 0; m < metrics.size(); ++m) {
        const Series* s = m_cache->series(runId, metrics[m]);
        if (!s || s->steps.empty()) {
            continue;
        }
        const QString key = curveKey(runId, metrics[m]);
        m_plot->setCurve(key, styleFor(runId, metrics[m], runIndex, m));
        Tracked& t = m_tracked[key];
        const std::size_t n = s->steps.size();
        x.clear();
        if (t.generation != s->generation || n < t.consumed || t.consumed == 0) {
            mapper.mapAll(s->steps.data(), n, x);
            m_plot->setCurveData(key, x, s->values);
        } else if (n > t.consumed) {
            mapper.mapAll(s->steps.data() + t.consumed, n - t.consumed, x);
            m_plot->appendCurveData(key, x.data(), s->values.data() + t.consumed, n - t.consumed);
        }
        t.generation = s->generation;
        t.consumed = n;
    }
    syncExtras(runId, mapper, runIndex);
}

QStringList MetricPlotView::metricsFor(qint64 runId) const {
    return m_cache->matchingMetrics(runId, metricPatterns());
}

CurveStyle MetricPlotView::styleFor(qint64 runId, const QString& metric, int runIndex,
                                    int metricIndex) const {
    static const Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                           Qt::DashDotDotLine};
    CurveStyle s;
    if (drawnRuns().size() <= 1) {
        s.color = curveColor(metricIndex);
        s.label = metricLabel(metric);
    } else {
        s.color = curveColor(runIndex);
        s.penStyle = kStyles[metricIndex % 5];
        s.label = runLabel(runId) + QStringLiteral(" · ") + metricLabel(metric);
    }
    return s;
}

QString MetricPlotView::metricLabel(const QString& metric) {
    if (metric == QLatin1String("train_loss")) {
        return QStringLiteral("train");
    }
    if (metric.startsWith(QLatin1String("val_loss."))) {
        return QStringLiteral("val ") + metric.mid(9);
    }
    if (metric == QLatin1String("val_loss")) {
        return QStringLiteral("val_loss (mix mean)");
    }
    if (metric.startsWith(QLatin1String("train_loss."))) {
        return QStringLiteral("train ") + metric.mid(11);
    }
    if (metric.startsWith(QLatin1String("mix."))) {
        return metric.mid(4);
    }
    if (metric == QLatin1String("lr")) {
        return QStringLiteral("learning rate");
    }
    if (metric == QLatin1String("grad_norm")) {
        return QStringLiteral("grad norm");
    }
    if (metric == QLatin1String("tokens_per_s")) {
        return QStringLiteral("tokens/s");
    }
    return metric;
}

QString MetricPlotView::runLabel(qint64 runId) const {
    const RunData* r = m_cache->run(runId);
    QString name;
    if (r && r->recordLoaded) {
        name = QString::fromStdString(r->record.name);
    } else if (r && r->live) {
        name = r->liveInfo.name;
    }
    return name.isEmpty() ? QStringLiteral("#%1").arg(runId) : QStringLiteral("#%1 %2").arg(runId).arg(name);
}

QVector<ReferenceLine> MetricPlotView::branchMarkers() const {
    // Where each shown branch leaves its parent: before it, its curve is the parent's history.
    QVector<ReferenceLine> out;
    const QList<qint64> runs = drawnRuns();
    for (int i = 0; i < runs.size(); ++i) {
        const RunData* r = m_cache->run(runs[i]);
        if (!r || !r->recordLoaded || !r->record.branchStep) {
            continue;
        }
        const XAxisMapper mapper(m_options.xAxis, &r->axis, r->record.flopsPerToken, branchOffset(runs[i]));
        ReferenceLine l;
        l.vertical = true;
        l.y = mapper.map(static_cast<double>(*r->record.branchStep));
        QColor c = runs.size() <= 1 ? palette().color(QPalette::WindowText) : curveColor(i);
        c.setAlphaF(0.6);
        l.color = c;
        l.penStyle = Qt::DotLine;
        l.label = tr("#%1 branches at step %2").arg(runs[i]).arg(*r->record.branchStep);
        out << l;
    }
    return out;
}

double MetricPlotView::branchOffset(qint64 runId) const {
    const RunData* r = m_cache->run(runId);
    if (r && r->record.branchStep) {
        return static_cast<double>(*r->record.branchStep);
    }
    // A parent shown with one of its branches is aligned on that branch's point.
    for (qint64 other : m_runs) {
        const RunData* o = m_cache->run(other);
        if (o && o->record.parentId && *o->record.parentId == runId && o->record.branchStep) {
            return static_cast<double>(*o->record.branchStep);
        }
    }
    return 0;
}

QString MetricPlotView::emptyText() const { return tr("No %1 data yet").arg(title().toLower()); }

void MetricPlotView::updatePlaceholder() {
    if (m_runs.isEmpty()) {
        m_plot->setPlaceholder(tr("Select one or more runs in the run browser"));
    } else if (m_plot->curveKeys().isEmpty()) {
        m_plot->setPlaceholder(m_cache->busy() ? tr("Loading…") : emptyText());
    } else {
        m_plot->setPlaceholder({});
    }
}

}  // namespace anneal::ui
