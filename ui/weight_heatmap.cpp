// SPDX-License-Identifier: GPL-3.0-or-later
#include "weight_heatmap.h"

#include <qcustomplot.h>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "plot_palette.h"

namespace anneal::ui {

namespace {

/// Most columns drawn: beyond, several snapshots share a column (the latest one is shown).
constexpr int kMaxColumns = 4096;

QCPColorGradient weightGradient() {
    // Viridis (perceptually uniform, colour-blind safe), five stops.
    QCPColorGradient g;
    g.setColorStopAt(0.0, QColor(0x44, 0x01, 0x54));
    g.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
    g.setColorStopAt(0.5, QColor(0x21, 0x91, 0x8c));
    g.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
    g.setColorStopAt(1.0, QColor(0xfd, 0xe7, 0x25));
    g.setNanHandling(QCPColorGradient::nhTransparent);
    g.setLevelCount(256);
    return g;
}

}  // namespace

WeightHeatmap::WeightHeatmap(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setObjectName(QStringLiteral("weightHeatmap"));
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setGradient(weightGradient());
    m_map->setInterpolate(false);
    m_map->setTightBoundary(true);
    m_map->setDataScaleType(QCPAxis::stLogarithmic);
    m_scale = new QCPColorScale(m_plot);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setDataScaleType(QCPAxis::stLogarithmic);
    m_scale->setGradient(m_map->gradient());
    m_scale->axis()->setLabel(tr("samples in the bin"));
    m_scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    m_scale->setBarWidth(12);
    m_map->setColorScale(m_scale);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    auto* group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    // y: log10(weight) on a linear axis (the histogram's bins are uniform there), labelled in weights.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int e = -2; e <= 2; ++e) {
        ticker->addTick(e, QString::number(std::pow(10.0, e), 'g', 3));
    }
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(kLog10Lo, kLog10Hi);
    m_plot->yAxis->setLabel(tr("sample weight (log scale; 1.0 = plain averaging)"));
    m_plot->xAxis->setLabel(tr("step (one column per weight snapshot)"));

    auto* one = new QCPItemStraightLine(m_plot);
    one->point1->setCoords(0, 0);
    one->point2->setCoords(1, 0);
    QPen pen(QColor(255, 255, 255, 200), 1, Qt::DashLine);
    pen.setCosmetic(true);
    one->setPen(pen);
    auto* oneText = new QCPItemText(m_plot);
    oneText->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    oneText->position->setTypeY(QCPItemPosition::ptPlotCoords);
    oneText->position->setCoords(0.005, 0);
    oneText->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    oneText->setText(tr("1.0 = plain averaging"));
    oneText->setColor(QColor(255, 255, 255, 230));

    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setPositionAlignment(Qt::AlignCenter);
    applyPlotPalette(m_plot, palette(), font());
    m_placeholder->setColor(palette().color(QPalette::PlaceholderText));
    m_plot->installEventFilter(this);
    setRows({});
}

void WeightHeatmap::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        applyPlotPalette(m_plot, palette(), font());
        m_placeholder->setColor(palette().color(QPalette::PlaceholderText));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QWidget::changeEvent(event);
}

void WeightHeatmap::setPlaceholder(const QString& text) {
    m_placeholder->setText(text);
    m_placeholder->setVisible(!text.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void WeightHeatmap::setRows(const std::vector<WeightStatsRow>& rows) {
    m_columnSteps.clear();
    if (rows.empty()) {
        m_map->data()->clear();
        m_map->setVisible(false);
        m_scale->setVisible(false);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    // Columns on a uniform grid of the snapshot steps (QCPColorMap's cells are uniform): the grid
    // step is the smallest gap between snapshots, so evenly spaced snapshots get one column each.
    // A column shows the first snapshot at or after its step: the one holding the samples trained there.
    const std::int64_t first = rows.front().step;
    const std::int64_t last = rows.back().step;
    std::int64_t gap = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 1; i < rows.size(); ++i) {
        gap = std::min(gap, std::max<std::int64_t>(1, rows[i].step - rows[i - 1].step));
    }
    int nx = 1;
    if (rows.size() > 1) {
        nx = static_cast<int>(std::min<std::int64_t>(kMaxColumns, (last - first) / gap + 1));
        nx = std::max(nx, 2);
    }
    m_map->data()->setSize(nx, kBins);
    const double binWidth = (kLog10Hi - kLog10Lo) / kBins;
    if (nx == 1) {
        m_map->data()->setRange(QCPRange(first - 0.5, first + 0.5),
                                QCPRange(kLog10Lo + binWidth / 2, kLog10Hi - binWidth / 2));
    } else {
        m_map->data()->setRange(QCPRange(static_cast<double>(first), static_cast<double>(last)),
                                QCPRange(kLog10Lo + binWidth / 2, kLog10Hi - binWidth / 2));
    }
    double maxCount = 1;
    std::size_t r = 0;
    for (int j = 0; j < nx; ++j) {
        const double centre =
            nx == 1 ? static_cast<double>(first)
                    : static_cast<double>(first) + static_cast<double>(last - first) * j / (nx - 1);
        while (r + 1 < rows.size() && static_cast<double>(rows[r].step) < centre - 1e-9) {
            ++r;
        }
        const WeightStatsRow& row = rows[r];
        m_columnSteps.push_back(row.step);
        for (int b = 0; b < kBins; ++b) {
            const double count =
                b < static_cast<int>(row.hist.size()) ? row.hist[static_cast<std::size_t>(b)] : 0;
            m_map->data()->setCell(j, b, count > 0 ? count : std::nan(""));
            maxCount = std::max(maxCount, count);
        }
    }
    m_map->setDataRange(QCPRange(0.9, std::max(2.0, maxCount)));
    m_map->setVisible(true);
    m_scale->setVisible(true);
    const double pad = nx == 1 ? 0.5 : static_cast<double>(last - first) / (nx - 1) / 2;
    m_plot->xAxis->setRange(static_cast<double>(first) - pad, static_cast<double>(last) + pad);
    m_plot->yAxis->setRange(kLog10Lo, kLog10Hi);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double WeightHeatmap::cell(int column, int bin) const { return m_map->data()->cell(column, bin); }

void WeightHeatmap::setMarkedStep(std::int64_t step) {
    m_marked = step;
    static const char* kMarker = "markedStep";
    for (int i = m_plot->itemCount() - 1; i >= 0; --i) {
        if (m_plot->item(i)->property(kMarker).toBool()) {
            m_plot->removeItem(i);
        }
    }
    if (step >= 0) {
        auto* line = new QCPItemStraightLine(m_plot);
        line->setProperty(kMarker, true);
        line->point1->setCoords(static_cast<double>(step), 0);
        line->point2->setCoords(static_cast<double>(step), 1);
        QPen pen(QColor(0xe1, 0x57, 0x59), 1.5, Qt::SolidLine);
        pen.setCosmetic(true);
        line->setPen(pen);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool WeightHeatmap::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot && event->type() == QEvent::MouseButtonRelease && !m_columnSteps.empty()) {
        auto* e = static_cast<QMouseEvent*>(event);
        if (e->button() == Qt::LeftButton && m_plot->axisRect()->rect().contains(e->position().toPoint())) {
            const double x = m_plot->xAxis->pixelToCoord(e->position().x());
            int column = 0;
            m_map->data()->coordToCell(x, 0, &column, nullptr);
            column = std::clamp(column, 0, columns() - 1);
            emit stepPicked(columnStep(column));
        }
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace anneal::ui
