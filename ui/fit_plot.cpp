// SPDX-License-Identifier: GPL-3.0-or-later
#include "fit_plot.h"

#include <qcustomplot.h>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "plot_palette.h"

namespace anneal::ui {

namespace {

QVector<QCPGraphData> toData(const std::vector<double>& x, const std::vector<double>& y) {
    QVector<QCPGraphData> d;
    d.reserve(static_cast<int>(x.size()));
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (std::isfinite(x[i]) && std::isfinite(y[i])) {
            d.append(QCPGraphData(x[i], y[i]));
        }
    }
    return d;
}

}  // namespace

FitPlot::FitPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setPositionAlignment(Qt::AlignCenter);
    applyPlotPalette(m_plot, palette(), font());
    QColor legendBg = palette().color(QPalette::Base);
    legendBg.setAlphaF(0.85);
    m_plot->legend->setBrush(legendBg);
    m_placeholder->setColor(palette().color(QPalette::PlaceholderText));
}

void FitPlot::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        applyPlotPalette(m_plot, palette(), font());
        m_placeholder->setColor(palette().color(QPalette::PlaceholderText));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QWidget::changeEvent(event);
}

void FitPlot::clear() {
    m_plot->clearGraphs();
    for (int i = m_plot->itemCount() - 1; i >= 0; --i) {
        if (m_plot->item(i) != m_placeholder) {
            m_plot->removeItem(i);
        }
    }
    m_curves.clear();
    m_points.clear();
    m_bands.clear();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void FitPlot::setAxes(const QString& xLabel, bool logX, const QString& yLabel, bool logY) {
    m_logX = logX;
    m_logY = logY;
    m_plot->xAxis->setLabel(xLabel);
    m_plot->yAxis->setLabel(yLabel);
    for (auto [axis, log] : {std::pair{m_plot->xAxis, logX}, std::pair{m_plot->yAxis, logY}}) {
        axis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (log) {
            auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
            ticker->setSubTickCount(8);
            // Over less than about two decades QCPAxisTickerLog falls back to linear ticks; at the
            // default count of 5 their "7.5·10⁴"-style labels run into each other.
            ticker->setTickCount(3);
            axis->setTicker(ticker);
            axis->setNumberFormat(QStringLiteral("gb"));
            axis->setNumberPrecision(3);
        } else {
            axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
            axis->setNumberFormat(QStringLiteral("gb"));
            axis->setNumberPrecision(4);
        }
    }
}

void FitPlot::setPlaceholder(const QString& text) {
    m_placeholder->setText(text);
    m_placeholder->setVisible(!text.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void FitPlot::addPoints(const XYCurve& points, const QColor& color, bool hollow, bool inLegend) {
    QCPGraph* g = m_plot->addGraph();
    g->setName(points.label);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 1.5),
                                       hollow ? QBrush(Qt::NoBrush) : QBrush(color), 6));
    g->data()->set(toData(points.x, points.y));
    if (!inLegend) {
        g->removeFromLegend();
    }
    m_points.push_back(points);
}

void FitPlot::addCurve(const XYCurve& curve, const QColor& color, Qt::PenStyle style, double width,
                       bool inLegend) {
    QCPGraph* g = m_plot->addGraph();
    g->setName(curve.label);
    QPen pen(color, width, style);
    g->setPen(pen);
    g->data()->set(toData(curve.x, curve.y), true);
    if (!inLegend) {
        g->removeFromLegend();
    }
    m_curves.push_back(curve);
}

void FitPlot::addBand(const Band& band, const QColor& color, const QString& label) {
    if (band.x.empty()) {
        return;
    }
    QColor fill = color;
    fill.setAlphaF(0.22);
    QCPGraph* lo = m_plot->addGraph();
    lo->setPen(Qt::NoPen);
    lo->data()->set(toData(band.x, band.lo), true);
    lo->removeFromLegend();
    QCPGraph* hi = m_plot->addGraph();
    hi->setPen(Qt::NoPen);
    hi->setBrush(fill);
    hi->setChannelFillGraph(lo);
    hi->data()->set(toData(band.x, band.hi), true);
    if (label.isEmpty()) {
        hi->removeFromLegend();
    } else {
        hi->setName(label);
    }
    m_bands.push_back(band);
}

void FitPlot::addMarker(double x, double y, const QString& label, const QColor& color) {
    QCPGraph* g = m_plot->addGraph();
    g->setName(label);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QPen(color, 2), QBrush(color), 12));
    g->setData(QVector<double>{x}, QVector<double>{y});
    m_points.push_back(XYCurve{label, {x}, {y}});
}

void FitPlot::addHorizontalLine(double y, const QString& label, const QColor& color) {
    auto* line = new QCPItemStraightLine(m_plot);
    line->point1->setCoords(1, y);
    line->point2->setCoords(2, y);
    QPen pen(color, 1.2, Qt::DashLine);
    pen.setCosmetic(true);
    line->setPen(pen);
    if (!label.isEmpty()) {
        auto* text = new QCPItemText(m_plot);
        text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        text->position->setTypeY(QCPItemPosition::ptPlotCoords);
        text->position->setCoords(0.01, y);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        text->setText(label);
        text->setColor(color);
    }
}

const XYCurve* FitPlot::curve(const QString& label) const {
    for (const XYCurve& c : m_curves) {
        if (c.label == label) {
            return &c;
        }
    }
    return nullptr;
}

void FitPlot::rescale() {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    double x0 = kInf, x1 = -kInf, y0 = kInf, y1 = -kInf;
    auto take = [&](const std::vector<double>& xs, const std::vector<double>& ys) {
        for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
            const double x = xs[i], y = ys[i];
            if (!std::isfinite(x) || !std::isfinite(y) || (m_logX && x <= 0) || (m_logY && y <= 0)) {
                continue;
            }
            x0 = std::min(x0, x);
            x1 = std::max(x1, x);
            y0 = std::min(y0, y);
            y1 = std::max(y1, y);
        }
    };
    for (const XYCurve& c : m_curves) {
        take(c.x, c.y);
    }
    for (const XYCurve& c : m_points) {
        take(c.x, c.y);
    }
    for (const Band& b : m_bands) {
        take(b.x, b.lo);
        take(b.x, b.hi);
    }
    if (!(x0 <= x1) || !(y0 <= y1)) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    auto pad = [](double lo, double hi, bool log) {
        if (log) {
            const double f = hi > lo ? std::pow(hi / lo, 0.05) : 1.5;
            return QCPRange(lo / f, hi * f);
        }
        const double m = hi > lo ? (hi - lo) * 0.05 : std::max(std::abs(hi) * 0.05, 1e-9);
        return QCPRange(lo - m, hi + m);
    };
    m_plot->xAxis->setRange(pad(x0, x1, m_logX));
    m_plot->yAxis->setRange(pad(y0, y1, m_logY));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace anneal::ui
