// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule_plot.h"

#include <qcustomplot.h>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <cmath>

#include "min_max_decimator.h"
#include "plot_palette.h"
#include "series_plot.h"

namespace anneal::ui {

namespace {
constexpr double kGrabRadiusPx = 10;
}

SchedulePlot::SchedulePlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->installEventFilter(this);
    m_plot->setMouseTracking(true);
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->yAxis->setLabel(tr("learning rate"));
    m_plot->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_plot->yAxis2->setLabel(tr("loss (nats/token): predicted, validation"));
    m_lrGraph = m_plot->addGraph();
    m_lrGraph->setName(tr("learning rate (what the trainer applies)"));
    m_lrGraph->setPen(QPen(curveColor(0), 2));
    m_lrGraph->setAdaptiveSampling(false);
    QColor fill = curveColor(0);
    fill.setAlphaF(0.12);
    m_lrGraph->setBrush(fill);
    m_knotGraph = m_plot->addGraph();
    m_knotGraph->setName(tr("knots (drag)"));
    m_knotGraph->setLineStyle(QCPGraph::lsNone);
    m_knotGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(curveColor(2), 2),
                                                 QBrush(palette().color(QPalette::Base)), 11));
    // The predicted-loss slot: its own axis, empty until a fitted law provides the curve.
    m_lossGraph = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_lossGraph->setName(tr("predicted loss"));
    m_lossGraph->setPen(QPen(curveColor(1), 2, Qt::DashLine));
    m_lossGraph->removeFromLegend();
    m_lossGraph->setAdaptiveSampling(false);
    m_observedGraph = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_observedGraph->setName(tr("validation loss"));
    m_observedGraph->setPen(QPen(curveColor(3), 1.4));
    m_observedGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    m_observedGraph->removeFromLegend();
    m_optLrGraph = m_plot->addGraph();
    m_optLrGraph->setName(tr("optimised learning rate"));
    m_optLrGraph->setPen(QPen(curveColor(4), 2, Qt::DashLine));
    m_optLrGraph->setAdaptiveSampling(false);
    m_optLrGraph->removeFromLegend();
    m_optLossGraph = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_optLossGraph->setName(tr("its predicted loss"));
    m_optLossGraph->setPen(QPen(curveColor(4), 1.6, Qt::DotLine));
    m_optLossGraph->setAdaptiveSampling(false);
    m_optLossGraph->removeFromLegend();
    m_lossNote = new QCPItemText(m_plot);
    m_lossNote->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_lossNote->position->setCoords(0.99, 0.02);
    m_lossNote->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_lossNote->setText(tr("predicted loss: needs a stored lr_annealing or mpl fit of this model and data"));
    m_lossNote->setColor(palette().color(QPalette::PlaceholderText));
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setColumnSpacing(18);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->axisRect()->insetLayout()->simplify();
    m_plot->plotLayout()->insertRow(0);
    auto* legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, legendRow);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    legendRow->addElement(0, 0, m_plot->legend);
    legendRow->addElement(0, 1, new QCPLayoutElement(m_plot));
    legendRow->setColumnStretchFactor(0, 0.001);
    m_plot->legend->setMargins(QMargins(52, 4, 8, 0));
    applyPlotPalette(m_plot, palette(), font());
}

void SchedulePlot::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        applyPlotPalette(m_plot, palette(), font());
        m_lossNote->setColor(palette().color(QPalette::PlaceholderText));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QWidget::changeEvent(event);
}

void SchedulePlot::setCurve(const std::vector<double>& lr, const std::vector<ScheduleKnot>& knots,
                            double peakLr) {
    m_lr = lr;
    m_knots = knots;
    m_peak = peakLr;
    redrawCurve();
}

void SchedulePlot::redrawCurve() {
    const auto n = m_lr.size();
    const double xMax = std::max<double>(1.0, static_cast<double>(n));
    // Exact at every step when there are fewer steps than pixels; min/max per pixel beyond.
    std::vector<double> x(n), ox, oy;
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = static_cast<double>(i);
    }
    MinMaxDecimator::Range r{0, xMax, std::max(100, m_plot->axisRect()->width()), false};
    MinMaxDecimator::decimate(x.data(), m_lr.data(), n, r, ox, oy);
    QVector<QCPGraphData> d(static_cast<int>(ox.size()));
    for (std::size_t i = 0; i < ox.size(); ++i) {
        d[static_cast<int>(i)] = QCPGraphData(ox[i], oy[i]);
    }
    m_lrGraph->data()->set(d, true);
    QVector<QCPGraphData> k;
    for (const ScheduleKnot& knot : m_knots) {
        k << QCPGraphData(static_cast<double>(knot.step), knot.multiplier * m_peak);
    }
    m_knotGraph->data()->set(k, true);
    double yMax = m_peak;
    for (double v : m_lr) {
        yMax = std::max(yMax, v);
    }
    // A little room on both sides so the first and last knots are not cut by the frame.
    m_plot->xAxis->setRange(-0.015 * xMax, xMax * 1.015);
    m_plot->yAxis->setRange(0, yMax * 1.08);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SchedulePlot::setPredictedLoss(const QVector<double>& steps, const QVector<double>& loss) {
    m_lossGraph->setData(steps, loss);
    const bool has = !steps.isEmpty();
    m_lossNote->setVisible(!has);
    if (has) {
        m_lossGraph->addToLegend();
    } else {
        m_lossGraph->removeFromLegend();
    }
    rescaleLossAxis();
}

void SchedulePlot::setPredictedCurve(const std::vector<double>& loss, const QString& label) {
    // Exact at every step when there are fewer steps than pixels; min/max per pixel column beyond.
    std::vector<double> x, y, ox, oy;
    x.reserve(loss.size());
    y.reserve(loss.size());
    for (std::size_t i = 0; i < loss.size(); ++i) {
        if (std::isfinite(loss[i])) {
            x.push_back(static_cast<double>(i));
            y.push_back(loss[i]);
        }
    }
    const double xMax = std::max<double>(1.0, static_cast<double>(loss.size()));
    MinMaxDecimator::Range r{0, xMax, std::max(100, m_plot->axisRect()->width()), false};
    MinMaxDecimator::decimate(x.data(), y.data(), x.size(), r, ox, oy);
    QVector<QCPGraphData> d(static_cast<int>(ox.size()));
    for (std::size_t i = 0; i < ox.size(); ++i) {
        d[static_cast<int>(i)] = QCPGraphData(ox[i], oy[i]);
    }
    m_lossGraph->data()->set(d, true);
    m_lossGraph->setName(label);
    const bool has = !d.isEmpty();
    m_lossNote->setVisible(!has);
    if (has) {
        m_lossGraph->addToLegend();
    } else {
        m_lossGraph->removeFromLegend();
    }
    rescaleLossAxis();
}

namespace {

/// Every finite value of `y` at x = its index, min/max-decimated to the plot's pixel columns.
QVector<QCPGraphData> decimated(const std::vector<double>& y, int pixels) {
    std::vector<double> xs, ys, ox, oy;
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (std::isfinite(y[i])) {
            xs.push_back(static_cast<double>(i));
            ys.push_back(y[i]);
        }
    }
    MinMaxDecimator::Range r{0, std::max<double>(1.0, static_cast<double>(y.size())), std::max(100, pixels),
                             false};
    MinMaxDecimator::decimate(xs.data(), ys.data(), xs.size(), r, ox, oy);
    QVector<QCPGraphData> d(static_cast<int>(ox.size()));
    for (std::size_t i = 0; i < ox.size(); ++i) {
        d[static_cast<int>(i)] = QCPGraphData(ox[i], oy[i]);
    }
    return d;
}

}  // namespace

void SchedulePlot::setOptimizedCurves(const std::vector<double>& lr, const std::vector<double>& loss,
                                      const QString& label) {
    const int px = m_plot->axisRect()->width();
    m_optLrGraph->data()->set(decimated(lr, px), true);
    m_optLossGraph->data()->set(decimated(loss, px), true);
    m_optLossGraph->setName(label);
    for (QCPGraph* g : {m_optLrGraph, m_optLossGraph}) {
        if (g->data()->isEmpty()) {
            g->removeFromLegend();
        } else {
            g->addToLegend();
        }
    }
    rescaleLossAxis();
}

void SchedulePlot::setObservedLoss(const std::vector<double>& steps, const std::vector<double>& loss,
                                   const QString& label) {
    QVector<QCPGraphData> d;
    for (std::size_t i = 0; i < steps.size() && i < loss.size(); ++i) {
        if (std::isfinite(loss[i])) {
            d.append(QCPGraphData(steps[i], loss[i]));
        }
    }
    m_observedGraph->data()->set(d, true);
    m_observedGraph->setName(label);
    if (d.isEmpty()) {
        m_observedGraph->removeFromLegend();
    } else {
        m_observedGraph->addToLegend();
    }
    rescaleLossAxis();
}

void SchedulePlot::setPredictionNote(const QString& text) {
    m_lossNote->setText(text);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SchedulePlot::rescaleLossAxis() {
    // Both loss curves share the right axis; the range covers what is drawn of both.
    bool found = false;
    QCPRange range;
    for (QCPGraph* g : {m_lossGraph, m_observedGraph, m_optLossGraph}) {
        bool ok = false;
        const QCPRange r = g->getValueRange(ok);
        if (ok) {
            range = found ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
            found = true;
        }
    }
    m_plot->yAxis2->setVisible(found);
    m_plot->yAxis2->setTickLabels(found);
    if (found) {
        const double pad = std::max(1e-6, (range.upper - range.lower) * 0.05);
        m_plot->yAxis2->setRange(range.lower - pad, range.upper + pad);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int SchedulePlot::knotAt(const QPointF& pos) const {
    int best = -1;
    double bestDist = kGrabRadiusPx;
    for (int i = 0; i < static_cast<int>(m_knots.size()); ++i) {
        const ScheduleKnot& k = m_knots[static_cast<std::size_t>(i)];
        const QPointF p(m_plot->xAxis->coordToPixel(static_cast<double>(k.step)),
                        m_plot->yAxis->coordToPixel(k.multiplier * m_peak));
        const double d = std::hypot(p.x() - pos.x(), p.y() - pos.y());
        if (d <= bestDist) {
            best = i;
            bestDist = d;
        }
    }
    return best;
}

bool SchedulePlot::eventFilter(QObject* watched, QEvent* event) {
    if (watched != m_plot) {
        return QWidget::eventFilter(watched, event);
    }
    const QEvent::Type type = event->type();
    if (type == QEvent::MouseButtonPress) {
        auto* e = static_cast<QMouseEvent*>(event);
        const int i = e->button() == Qt::LeftButton ? knotAt(e->position()) : -1;
        // Tracked by name: the knot list changes while dragging (a warmup of 0 has no warmup knot).
        m_dragging = i >= 0 ? QString::fromStdString(m_knots[static_cast<std::size_t>(i)].name) : QString();
        return i >= 0;
    }
    if (type == QEvent::MouseMove) {
        auto* e = static_cast<QMouseEvent*>(event);
        if (!m_dragging.isEmpty()) {
            const double step = m_plot->xAxis->pixelToCoord(e->position().x());
            const double lr = m_plot->yAxis->pixelToCoord(e->position().y());
            emit knotDragged(m_dragging, step, m_peak > 0 ? lr / m_peak : 0.0);
            return true;
        }
        m_plot->setCursor(knotAt(e->position()) >= 0 ? Qt::OpenHandCursor : Qt::ArrowCursor);
    }
    if (type == QEvent::MouseButtonRelease && !m_dragging.isEmpty()) {
        m_dragging.clear();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace anneal::ui
