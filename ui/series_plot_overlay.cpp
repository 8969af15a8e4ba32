// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesPlot's overlays: reference lines, the crosshair read-out, and the palette it follows.
#include <qcustomplot.h>
#include <QEvent>
#include <QMouseEvent>
#include <algorithm>

#include "plot_palette.h"
#include "series_plot.h"
#include "series_plot_curve.h"

namespace anneal::ui {

void SeriesPlot::setReferenceLines(const QVector<ReferenceLine>& lines) {
    m_refLines = lines;
    rebuildReferenceLines();
    scheduleRefresh();
}

void SeriesPlot::rebuildReferenceLines() {
    for (QCPAbstractItem* item : m_refItems) {
        m_plot->removeItem(item);
    }
    m_refItems.clear();
    for (const ReferenceLine& l : m_refLines) {
        auto* line = new QCPItemStraightLine(m_plot);
        QPen pen(l.color, 1.2, l.penStyle);
        pen.setCosmetic(true);
        line->setPen(pen);
        // Two points on the line; the other coordinate is 1 and 2 so that log axes accept them.
        line->point1->setCoords(l.vertical ? l.y : 1, l.vertical ? 1 : l.y);
        line->point2->setCoords(l.vertical ? l.y : 2, l.vertical ? 2 : l.y);
        m_refItems.push_back(line);
        if (!l.label.isEmpty()) {
            auto* text = new QCPItemText(m_plot);
            text->position->setTypeX(l.vertical ? QCPItemPosition::ptPlotCoords
                                                : QCPItemPosition::ptAxisRectRatio);
            text->position->setTypeY(l.vertical ? QCPItemPosition::ptAxisRectRatio
                                                : QCPItemPosition::ptPlotCoords);
            const bool right = l.labelRight && !l.vertical;
            text->position->setCoords(l.vertical ? l.y : (right ? 0.99 : 0.01), l.vertical ? 0.01 : l.y);
            text->setPositionAlignment((right ? Qt::AlignRight : Qt::AlignLeft) |
                                       (l.vertical ? Qt::AlignTop : Qt::AlignBottom));
            text->setPadding(QMargins(3, 0, 0, 0));
            text->setText(l.label);
            text->setColor(l.color);
            QFont f = font();
            f.setPointSizeF(f.pointSizeF() * 0.85);
            text->setFont(f);
            m_refItems.push_back(text);
        }
    }
}

QStringList SeriesPlot::readout(double x) const {
    QStringList lines;
    for (const QString& k : m_order) {
        const Curve& c = *m_curves.at(k);
        if (!c.raw->visible() || c.x.empty()) {
            continue;
        }
        auto it = std::upper_bound(c.x.begin(), c.x.end(), x);
        if (it == c.x.begin()) {
            continue;
        }
        const auto i = static_cast<std::size_t>(it - c.x.begin()) - 1;
        const bool smooth = m_smoothing > 0 && c.style.smoothable && i < c.smooth.size();
        const double v = smooth ? c.smooth[i] : c.y[i];
        lines << QStringLiteral("%1: %2").arg(c.style.label, QString::number(v, 'g', 5));
    }
    return lines;
}

bool SeriesPlot::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot) {
        const QEvent::Type type = event->type();
        if (type == QEvent::MouseMove) {
            updateCrosshair(static_cast<QMouseEvent*>(event)->pos());
        } else if (type == QEvent::Leave) {
            hideCrosshair();
        } else if (type == QEvent::Resize) {
            scheduleRefresh();  // more or fewer pixel columns to decimate for
        } else if (type == QEvent::MouseButtonDblClick) {
            followData();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SeriesPlot::updateCrosshair(const QPoint& pos) {
    const QRect rect = m_plot->axisRect()->rect();
    if (!rect.contains(pos) || m_curves.empty()) {
        hideCrosshair();
        return;
    }
    const double x = m_plot->xAxis->pixelToCoord(pos.x());
    m_crossLine->point1->setCoords(x, m_plot->yAxis->range().lower);
    m_crossLine->point2->setCoords(x, m_plot->yAxis->range().upper);
    m_crossLine->setVisible(true);
    QStringList lines = readout(x);
    lines.prepend(QStringLiteral("%1 = %2").arg(m_plot->xAxis->label(), QString::number(x, 'g', 6)));
    m_crossText->setText(lines.join(QLatin1Char('\n')));
    // Keep the box inside the plot: to the left of the cursor on the right half.
    const bool left = pos.x() > rect.center().x();
    m_crossText->setPositionAlignment((left ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
    m_crossText->position->setCoords(pos.x() + (left ? -12 : 12), rect.top() + 8);
    m_crossText->setVisible(true);
    m_plot->layer(QStringLiteral("overlay"))->replot();
}

void SeriesPlot::hideCrosshair() {
    if (m_crossLine->visible()) {
        m_crossLine->setVisible(false);
        m_crossText->setVisible(false);
        m_plot->layer(QStringLiteral("overlay"))->replot();
    }
}

void SeriesPlot::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        applyPalette();
    }
    QWidget::changeEvent(event);
}

void SeriesPlot::applyPalette() {
    const QPalette pal = palette();
    applyPlotPalette(m_plot, pal, font());
    const QColor text = pal.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlphaF(0.12);
    QFont small = m_plot->legend->font();
    QColor crossPen = text;
    crossPen.setAlphaF(0.5);
    m_crossLine->setPen(QPen(crossPen, 1, Qt::DashLine));
    QColor boxBg = pal.color(QPalette::ToolTipBase);
    boxBg.setAlphaF(0.92);
    m_crossText->setBrush(boxBg);
    m_crossText->setColor(pal.color(QPalette::ToolTipText));
    m_crossText->setPen(QPen(grid, 1));
    m_crossText->setFont(small);
    QColor placeholder = text;
    placeholder.setAlphaF(0.5);
    m_placeholder->setColor(placeholder);
    scheduleRefresh();
}

}  // namespace anneal::ui
