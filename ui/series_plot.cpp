// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one widget over QCustomPlot; curves, smoothing, ranges share its Curve state.
#include "series_plot.h"

#include <qcustomplot.h>
#include <QEvent>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "min_max_decimator.h"
#include "series_plot_curve.h"

namespace anneal::ui {

namespace {

constexpr int kRefreshIntervalMs = 40;  // 25 Hz at most
constexpr int kMaxRefreshIntervalMs = 250;
/// Data that arrived this recently mean the plot is streaming: draw fast, polish when it stops.
constexpr qint64 kStreamingMs = 300;
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

QColor curveColor(int i) {
    static const QColor kColors[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b),
                                     QColor(0xe1, 0x57, 0x59), QColor(0x59, 0xa1, 0x4f),
                                     QColor(0xb0, 0x7a, 0xa1), QColor(0x76, 0xb7, 0xb2),
                                     QColor(0xed, 0xc9, 0x48), QColor(0x9c, 0x75, 0x5f),
                                     QColor(0xff, 0x9d, 0xa7), QColor(0xba, 0xb0, 0xac)};
    return kColors[static_cast<size_t>(i) % (sizeof kColors / sizeof kColors[0])];
}

SeriesPlot::SeriesPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setNoAntialiasingOnDrag(true);
    // Noisy curves self-intersect at every step; stroking them as one polyline costs far more
    // than drawing their segments (70 ms vs a few ms for 1200 points), so draw segments.
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    // The legend sits in a row above the axis rect, so it never hides a curve; an empty element
    // beside it takes the spare width, so its entries stay together on the left.
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->axisRect()->insetLayout()->simplify();
    m_plot->plotLayout()->insertRow(0);
    auto* legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, legendRow);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setRowSpacing(0);
    legendRow->addElement(0, 0, m_plot->legend);
    legendRow->addElement(0, 1, new QCPLayoutElement(m_plot));
    legendRow->setColumnStretchFactor(0, 0.001);
    legendRow->setColumnStretchFactor(1, 1.0);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setRowSpacing(0);
    m_plot->legend->setColumnSpacing(18);
    m_plot->legend->setMargins(QMargins(52, 4, 8, 0));
    m_plot->xAxis2->setVisible(true);
    m_plot->yAxis2->setVisible(true);
    m_plot->xAxis2->setTickLabels(false);
    m_plot->yAxis2->setTickLabels(false);
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), m_plot->xAxis2,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(m_plot->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), m_plot->yAxis2,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            &SeriesPlot::onRangeChanged);
    connect(m_plot->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            &SeriesPlot::onRangeChanged);

    // Overlay curves (planned mixture boundaries) draw above the stacked areas.
    m_plot->addLayer(QStringLiteral("curvesTop"), m_plot->layer(QStringLiteral("main")),
                     QCustomPlot::limAbove);
    // The crosshair lives on a buffered layer of its own, so moving it repaints only that layer.
    m_plot->layer(QStringLiteral("overlay"))->setMode(QCPLayer::lmBuffered);
    m_crossLine = new QCPItemStraightLine(m_plot);
    m_crossLine->setLayer(QStringLiteral("overlay"));
    m_crossLine->setVisible(false);
    m_crossText = new QCPItemText(m_plot);
    m_crossText->setLayer(QStringLiteral("overlay"));
    m_crossText->setVisible(false);
    m_crossText->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_crossText->setTextAlignment(Qt::AlignLeft);
    m_crossText->setPadding(QMargins(6, 4, 6, 4));
    m_crossText->position->setType(QCPItemPosition::ptAbsolute);
    m_crossText->setClipToAxisRect(false);

    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setVisible(false);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(kRefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &SeriesPlot::refresh);
    m_polishTimer.setSingleShot(true);
    m_polishTimer.setInterval(static_cast<int>(kStreamingMs));
    connect(&m_polishTimer, &QTimer::timeout, this, [this] {
        if (m_fastDrawing) {
            setFastDrawing(false);
            m_plot->replot(QCustomPlot::rpQueuedReplot);
        }
    });
    connect(m_plot, &QCustomPlot::afterReplot, this, [this] {
        // A replot may take at most about a quarter of the GUI thread: slower replots (a loaded
        // machine, many curves) refresh less often, down to 4 Hz.
        const int next =
            std::clamp(static_cast<int>(4 * m_plot->replotTime()), kRefreshIntervalMs, kMaxRefreshIntervalMs);
        m_refreshTimer.setInterval(next);
    });
    m_streamClock.start();
    applyPalette();
}

SeriesPlot::~SeriesPlot() = default;

void SeriesPlot::setCurve(const QString& key, const CurveStyle& style) {
    auto it = m_curves.find(key);
    if (it == m_curves.end()) {
        auto c = std::make_unique<Curve>();
        c->raw = m_plot->addGraph();
        c->smoothGraph = m_plot->addGraph();
        c->raw->setAdaptiveSampling(false);  // we decimate ourselves, keeping spikes
        c->smoothGraph->setAdaptiveSampling(false);
        c->ema = EmaSmoother(m_smoothing);
        it = m_curves.emplace(key, std::move(c)).first;
        m_order << key;
    } else if (it->second->style == style) {
        return;  // views restate styles on every update; only a change costs work
    }
    const bool resmoothNeeded = it->second->style.smoothable != style.smoothable;
    it->second->style = style;
    if (resmoothNeeded) {
        resmooth(*it->second);
    }
    applyStyle(*it->second);
    scheduleRefresh();
}

void SeriesPlot::removeCurve(const QString& key) {
    auto it = m_curves.find(key);
    if (it == m_curves.end()) {
        return;
    }
    m_plot->removeGraph(it->second->raw);
    m_plot->removeGraph(it->second->smoothGraph);
    m_curves.erase(it);
    m_order.removeAll(key);
    scheduleRefresh();
}

void SeriesPlot::clearCurves() {
    for (const QString& k : QStringList(m_order)) {
        removeCurve(k);
    }
}

void SeriesPlot::setCurveData(const QString& key, std::vector<double> x, std::vector<double> y) {
    auto it = m_curves.find(key);
    if (it == m_curves.end()) {
        return;
    }
    Curve& c = *it->second;
    c.x = std::move(x);
    c.y = std::move(y);
    c.y.resize(c.x.size(), std::nan(""));
    c.clearBounds();
    c.extendBounds(0);
    c.rawPyramid.build(c.y.data(), c.y.size());
    resmooth(c);
    scheduleRefresh();
}

void SeriesPlot::appendCurveData(const QString& key, const double* x, const double* y, std::size_t n) {
    auto it = m_curves.find(key);
    if (it == m_curves.end() || n == 0) {
        return;
    }
    Curve& c = *it->second;
    const std::size_t from = c.x.size();
    c.x.insert(c.x.end(), x, x + n);
    c.y.insert(c.y.end(), y, y + n);
    c.extendBounds(from);
    m_lastAppendMs = m_streamClock.elapsed();
    c.rawPyramid.update(c.y.data(), c.y.size());
    if (m_smoothing > 0 && c.style.smoothable) {
        c.ema.append(y, n, c.smooth);
        c.smoothPyramid.update(c.smooth.data(), c.smooth.size());
    }
    scheduleRefresh();
}

std::size_t SeriesPlot::curvePointCount(const QString& key) const {
    auto it = m_curves.find(key);
    return it == m_curves.end() ? 0 : it->second->x.size();
}

const std::vector<double>* SeriesPlot::curveX(const QString& key) const {
    auto it = m_curves.find(key);
    return it == m_curves.end() ? nullptr : &it->second->x;
}

const std::vector<double>* SeriesPlot::curveY(const QString& key) const {
    auto it = m_curves.find(key);
    return it == m_curves.end() ? nullptr : &it->second->y;
}

const std::vector<double>* SeriesPlot::curveSmoothed(const QString& key) const {
    auto it = m_curves.find(key);
    return it == m_curves.end() ? nullptr : &it->second->smooth;
}

void SeriesPlot::resmooth(Curve& c) {
    c.smooth.clear();
    c.ema = EmaSmoother(m_smoothing);
    if (m_smoothing > 0 && c.style.smoothable) {
        c.ema.append(c.y.data(), c.y.size(), c.smooth);
    }
    c.smoothPyramid.build(c.smooth.data(), c.smooth.size());
}

void SeriesPlot::setSmoothing(double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == m_smoothing) {
        return;
    }
    m_smoothing = weight;
    for (auto& [k, c] : m_curves) {
        resmooth(*c);
        applyStyle(*c);
    }
    scheduleRefresh();
}

void SeriesPlot::applyStyle(Curve& c) {
    const CurveStyle& s = c.style;
    const bool smoothing = m_smoothing > 0 && s.smoothable && !m_stacked;
    QPen pen(s.color, s.width, s.penStyle);
    pen.setCosmetic(true);
    c.raw->setName(s.label);
    c.smoothGraph->setName(s.label);
    if (smoothing) {
        QColor faint = s.color;
        faint.setAlphaF(0.25);
        c.raw->setPen(QPen(faint, 1.0, s.penStyle));
        c.smoothGraph->setPen(pen);
    } else {
        c.raw->setPen(pen);
    }
    c.smoothGraph->setVisible(smoothing);
    c.raw->setLayer(s.overlay ? QStringLiteral("curvesTop") : QStringLiteral("main"));
    c.raw->setScatterStyle(s.markers ? QCPScatterStyle(QCPScatterStyle::ssDisc, 4) : QCPScatterStyle());
    c.raw->removeFromLegend();
    c.smoothGraph->removeFromLegend();
    if (s.inLegend) {
        (smoothing ? c.smoothGraph : c.raw)->addToLegend();
    }
    if (m_stacked && !s.overlay) {
        QColor fill = s.color;
        fill.setAlphaF(0.75);
        c.raw->setBrush(fill);
        c.raw->setPen(QPen(s.color.darker(120), 1.0));
    } else {
        c.raw->setBrush(Qt::NoBrush);
        c.raw->setChannelFillGraph(nullptr);
    }
}

void SeriesPlot::setStacked(bool stacked) {
    m_stacked = stacked;
    for (auto& [k, c] : m_curves) {
        applyStyle(*c);
    }
    scheduleRefresh();
}

void SeriesPlot::scheduleRefresh() {
    if (!m_refreshTimer.isActive()) {
        m_refreshTimer.start();
    }
}

void SeriesPlot::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_hiddenChanges) {
        scheduleRefresh();
    }
}

void SeriesPlot::refreshNow() {
    m_refreshTimer.stop();
    setFastDrawing(false);  // exports and tests get the finished look
    prepare();
    if (isVisible()) {
        m_plot->replot(QCustomPlot::rpImmediateRefresh);
    }
}

void SeriesPlot::refresh() {
    if (!isVisible()) {
        m_hiddenChanges = true;  // a tab in the background: catch up when shown
        return;
    }
    prepare();
    // While points stream in, curves are drawn without antialiasing (about a third of the cost);
    // once they stop, one antialiased replot polishes the view.
    const bool streaming = m_lastAppendMs >= 0 && m_streamClock.elapsed() - m_lastAppendMs < kStreamingMs;
    setFastDrawing(streaming);
    if (streaming) {
        m_polishTimer.start();
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::setFastDrawing(bool fast) {
    if (fast != m_fastDrawing) {
        m_fastDrawing = fast;
        m_plot->setNotAntialiasedElements(fast ? QCP::aePlottables : QCP::aeNone);
    }
}

void SeriesPlot::prepare() {
    m_hiddenChanges = false;
    QElapsedTimer timer;
    timer.start();
    if (m_follow) {
        fitRanges();
    }
    updateLegendWrap();
    // Lay the plot out for the new ranges first (tick labels change the margins), so decimation
    // uses the axis rect's width as it will be drawn.
    for (auto phase :
         {QCPLayoutElement::upPreparation, QCPLayoutElement::upMargins, QCPLayoutElement::upLayout}) {
        m_plot->plotLayout()->update(phase);
    }
    if (m_stacked) {
        decimateStacked();
    } else {
        decimateLines();
    }
    m_lastDecimationMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

void SeriesPlot::fitRanges() {
    double x0 = kInf, x1 = -kInf, y0 = kInf, y1 = -kInf;
    for (const auto& [k, c] : m_curves) {
        if (!c->raw->visible() || c->x.empty()) {
            continue;
        }
        x0 = std::min(x0, m_logX ? c->xMinPos : c->xMin);
        x1 = std::max(x1, c->xMax);
        y0 = std::min(y0, m_logY ? c->yMinPos : c->yMin);
        y1 = std::max(y1, c->yMax);
    }
    if (!m_curves.empty() && y0 <= y1) {
        for (const ReferenceLine& l : m_refLines) {
            if (!l.vertical && std::isfinite(l.y) && (!m_logY || l.y > 0)) {
                y0 = std::min(y0, l.y);
                y1 = std::max(y1, l.y);
            }
        }
    }
    if (m_stacked) {
        y0 = 0;
        y1 = 1;
    }
    if (!(x0 <= x1) || !(y0 <= y1)) {
        return;  // nothing to fit yet
    }
    if (x0 == x1) {
        x0 = m_logX ? x0 / 2 : x0 - 1;
        x1 = m_logX ? x1 * 2 : x1 + 1;
    }
    if (m_logY) {
        const double span = std::max(y1 / y0, 1.0001);
        y0 /= std::pow(span, 0.04);
        y1 *= std::pow(span, 0.04);
    } else if (!m_stacked) {
        const double pad = y1 > y0 ? (y1 - y0) * 0.04 : std::max(1e-9, std::abs(y0) * 0.1);
        y0 -= pad;
        y1 += pad;
    }
    m_settingRange = true;
    m_plot->xAxis->setRange(x0, x1);
    m_plot->yAxis->setRange(y0, y1);
    m_settingRange = false;
}

void SeriesPlot::updateLegendWrap() {
    // As many legend columns as fit the plot's width.
    const QFontMetrics fm(m_plot->legend->font());
    int widest = 0;
    for (int i = 0; i < m_plot->legend->itemCount(); ++i) {
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(m_plot->legend->item(i))) {
            widest = std::max(widest, fm.horizontalAdvance(item->plottable()->name()));
        }
    }
    const int itemWidth =
        widest + m_plot->legend->iconSize().width() + m_plot->legend->iconTextPadding() + 16;
    const int wrap = std::max(1, (m_plot->width() - 40) / std::max(1, itemWidth));
    if (wrap != m_plot->legend->wrap()) {
        m_plot->legend->setWrap(wrap);
        // setWrap alone does not move the items already there; re-filling does.
        m_plot->legend->setFillOrder(m_plot->legend->fillOrder(), true);
    }
}

QCPGraph* SeriesPlot::graph(const QString& key, bool smoothed) const {
    auto it = m_curves.find(key);
    if (it == m_curves.end()) {
        return nullptr;
    }
    return smoothed ? it->second->smoothGraph : it->second->raw;
}

}  // namespace anneal::ui
