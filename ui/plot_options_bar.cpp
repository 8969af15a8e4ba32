// SPDX-License-Identifier: GPL-3.0-or-later
#include "plot_options_bar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSlider>
#include <QToolButton>

namespace anneal::ui {

PlotOptionsBar::PlotOptionsBar(QWidget* parent)
    : QWidget(parent),
      m_xAxis(new QComboBox(this)),
      m_logX(new QCheckBox(tr("Log &x"), this)),
      m_logY(new QCheckBox(tr("Log &y"), this)),
      m_smoothing(new QSlider(Qt::Horizontal, this)),
      m_smoothingValue(new QLabel(this)),
      m_lossUnits(new QComboBox(this)),
      m_fit(new QToolButton(this)),
      m_export(new QToolButton(this)) {
    setObjectName(QStringLiteral("plotOptionsBar"));
    for (XAxisKind k : xAxisKinds()) {
        m_xAxis->addItem(xAxisName(k), xAxisKey(k));
    }
    m_xAxis->setToolTip(tr("What the x axis measures"));
    m_smoothing->setRange(0, 99);
    m_smoothing->setToolTip(tr("Exponential moving average weight; the raw curve stays faint behind"));
    m_smoothing->setMaximumWidth(160);
    m_smoothingValue->setMinimumWidth(
        m_smoothingValue->fontMetrics().horizontalAdvance(QStringLiteral("0.99")));
    m_lossUnits->setObjectName(QStringLiteral("lossUnits"));
    m_lossUnits->addItem(tr("nats/token"), QString::fromLatin1(lossUnitsKey(LossUnits::NatsPerToken)));
    m_lossUnits->addItem(tr("bits/byte"), QString::fromLatin1(lossUnitsKey(LossUnits::BitsPerByte)));
    m_lossUnits->setToolTip(
        tr("Loss tab: validation loss per token in nats (val_loss.*), or per byte of text in bits "
           "(val_bpb.*: compares across tokenizers; train loss is not shown)"));
    m_fit->setText(tr("&Fit"));
    m_fit->setToolTip(tr("Fit the view to the data and follow new points (double click on a plot)"));
    m_export->setText(tr("&Export"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_export);
    for (const auto& [format, text] :
         {std::pair{"png", tr("Image (PNG)…")}, std::pair{"svg", tr("Vector (SVG)…")},
          std::pair{"pdf", tr("PDF…")}, std::pair{"csv", tr("Data (CSV)…")}}) {
        const QString f = QString::fromLatin1(format);
        menu->addAction(text, this, [this, f] { emit exportRequested(f); });
    }
    m_export->setMenu(menu);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 2);
    auto* xLabel = new QLabel(tr("X a&xis:"), this);
    xLabel->setBuddy(m_xAxis);
    layout->addWidget(xLabel);
    layout->addWidget(m_xAxis);
    layout->addSpacing(8);
    layout->addWidget(m_logX);
    layout->addWidget(m_logY);
    layout->addSpacing(8);
    auto* sLabel = new QLabel(tr("&Smoothing:"), this);
    sLabel->setBuddy(m_smoothing);
    layout->addWidget(sLabel);
    layout->addWidget(m_smoothing);
    layout->addWidget(m_smoothingValue);
    layout->addSpacing(8);
    auto* uLabel = new QLabel(tr("&Loss units:"), this);
    uLabel->setBuddy(m_lossUnits);
    layout->addWidget(uLabel);
    layout->addWidget(m_lossUnits);
    layout->addStretch(1);
    layout->addWidget(m_fit);
    layout->addWidget(m_export);

    connect(m_xAxis, &QComboBox::currentIndexChanged, this, &PlotOptionsBar::readWidgets);
    connect(m_logX, &QCheckBox::toggled, this, &PlotOptionsBar::readWidgets);
    connect(m_logY, &QCheckBox::toggled, this, &PlotOptionsBar::readWidgets);
    connect(m_smoothing, &QSlider::valueChanged, this, &PlotOptionsBar::readWidgets);
    connect(m_lossUnits, &QComboBox::currentIndexChanged, this, &PlotOptionsBar::readWidgets);
    connect(m_fit, &QToolButton::clicked, this, &PlotOptionsBar::fitRequested);
    setOptions(m_options);
}

void PlotOptionsBar::setOptions(const PlotOptions& options) {
    m_updating = true;
    m_options = options;
    m_xAxis->setCurrentIndex(std::max(0, m_xAxis->findData(xAxisKey(options.xAxis))));
    m_logX->setChecked(options.logX);
    m_logY->setChecked(options.logY);
    m_smoothing->setValue(static_cast<int>(std::lround(options.smoothing * 100)));
    m_lossUnits->setCurrentIndex(
        std::max(0, m_lossUnits->findData(QString::fromLatin1(lossUnitsKey(options.lossUnits)))));
    updateSmoothingLabel();
    m_updating = false;
}

void PlotOptionsBar::setXAxisEnabled(bool enabled) { m_xAxis->setEnabled(enabled); }

void PlotOptionsBar::setLossUnitsEnabled(bool enabled) { m_lossUnits->setEnabled(enabled); }

void PlotOptionsBar::readWidgets() {
    if (m_updating) {
        return;
    }
    m_options.xAxis = xAxisFromKey(m_xAxis->currentData().toString());
    m_options.logX = m_logX->isChecked();
    m_options.logY = m_logY->isChecked();
    m_options.smoothing = m_smoothing->value() / 100.0;
    m_options.lossUnits = lossUnitsFromKey(m_lossUnits->currentData().toString());
    updateSmoothingLabel();
    emit optionsChanged(m_options);
}

void PlotOptionsBar::updateSmoothingLabel() {
    m_smoothingValue->setText(QString::number(m_smoothing->value() / 100.0, 'f', 2));
}

}  // namespace anneal::ui
