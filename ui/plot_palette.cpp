// SPDX-License-Identifier: GPL-3.0-or-later
#include "plot_palette.h"

#include <qcustomplot.h>

namespace anneal::ui {

void applyPlotPalette(QCustomPlot* plot, const QPalette& pal, const QFont& font) {
    const QColor text = pal.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlphaF(0.12);
    QColor subGrid = text;
    subGrid.setAlphaF(0.05);
    plot->setBackground(pal.brush(QPalette::Base));
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) {
        axis->setBasePen(QPen(text, 1));
        axis->setTickPen(QPen(text, 1));
        axis->setSubTickPen(QPen(text, 1));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->setTickLabelFont(font);
        axis->setLabelFont(font);
        axis->grid()->setPen(QPen(grid, 1, Qt::SolidLine));
        axis->grid()->setSubGridPen(QPen(subGrid, 1, Qt::DotLine));
        axis->grid()->setSubGridVisible(true);
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setTextColor(text);
    QFont small = font;
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.9));
    plot->legend->setFont(small);
}

}  // namespace anneal::ui
