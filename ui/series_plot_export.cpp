// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesPlot's exports: the view as PNG, SVG or PDF, and the curves' full data as CSV.
#include <qcustomplot.h>
#include <QFile>
#include <QFileInfo>
#include <QSvgGenerator>
#include <QTextStream>
#include <cmath>

#include "series_plot.h"
#include "series_plot_curve.h"

namespace anneal::ui {

namespace {

QString csvField(const QString& s) {
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n'))) {
        QString q = s;
        q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + q + QLatin1Char('"');
    }
    return s;
}

QString csvNumber(double v) { return std::isfinite(v) ? QString::number(v, 'g', 17) : QString(); }

}  // namespace

bool SeriesPlot::exportImage(const QString& path, QString* error) {
    refreshNow();
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        ok = m_plot->savePng(path, 0, 0, 2.0);  // twice the screen resolution
    } else if (suffix == QLatin1String("pdf")) {
        ok = m_plot->savePdf(path);
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(m_plot->size());
        generator.setViewBox(QRect(QPoint(0, 0), m_plot->size()));
        generator.setTitle(m_plot->yAxis->label());
        generator.setDescription(QStringLiteral("Exported by Anneal"));
        QCPPainter painter;
        ok = painter.begin(&generator);
        if (ok) {
            m_plot->toPainter(&painter, m_plot->width(), m_plot->height());
            ok = painter.end();
        }
    } else {
        if (error) {
            *error = tr("unknown image format '%1' (allowed: png, svg, pdf)").arg(suffix);
        }
        return false;
    }
    if (!ok && error) {
        *error = tr("could not write %1").arg(path);
    }
    return ok;
}

bool SeriesPlot::exportCsv(const QString& path, QString* error) const {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error) {
            *error = tr("could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    QTextStream out(&file);
    const QString xName = m_plot->xAxis->label().isEmpty() ? QStringLiteral("x") : m_plot->xAxis->label();
    out << "curve," << csvField(xName) << ",value,smoothed\n";
    for (const QString& k : m_order) {
        const Curve& c = *m_curves.at(k);
        const QString label = csvField(c.style.label);
        const bool smooth = c.smooth.size() == c.y.size();
        for (std::size_t i = 0; i < c.x.size(); ++i) {
            out << label << ',' << csvNumber(c.x[i]) << ',' << csvNumber(c.y[i]) << ','
                << (smooth ? csvNumber(c.smooth[i]) : QString()) << '\n';
        }
    }
    out.flush();
    if (file.error() != QFileDevice::NoError) {
        if (error) {
            *error = tr("could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}

}  // namespace anneal::ui
