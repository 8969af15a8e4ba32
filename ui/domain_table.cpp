// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain_table.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>

#include "anneal/data_source.h"
#include "source_picker.h"

namespace anneal::ui {

namespace {

QString numberText(double v) {
    for (int p = 1; p <= 17; ++p) {
        const QString s = QString::number(v, 'g', p);
        if (s.toDouble() == v) {
            return s;
        }
    }
    return QString::number(v, 'g', 17);
}

}  // namespace

DomainTable::DomainTable(QWidget* parent)
    : QWidget(parent), m_table(new QTableWidget(0, ColumnCount, this)), m_error(new QLabel(this)) {
    m_table->setObjectName(QStringLiteral("data.domain"));
    m_table->setHorizontalHeaderLabels(
        {tr("Name"), tr("Source"), tr("Weight"), tr("Size"), tr("Noise rate"), tr("Params")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setToolTip(
        tr("Size 0: every draw is a new sample. Params: the source's settings, e.g. "
           "order=2, alphabet=16, entropy=1.2"));
    m_error->setWordWrap(true);
    m_error->setObjectName(QStringLiteral("data.domain.error"));
    QPalette pal = m_error->palette();
    pal.setColor(QPalette::WindowText, QColor(0xc0, 0x39, 0x2b));
    m_error->setPalette(pal);
    m_error->hide();
    auto* add = new QPushButton(tr("Add domain"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    auto* files = new SourcePickerButton(this);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addWidget(files);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_error);
    layout->addLayout(buttons);
    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        if (!m_loading) {
            emit edited();
        }
    });
    connect(add, &QPushButton::clicked, this, [this] {
        DomainSpec d;
        d.name = "domain" + std::to_string(m_table->rowCount() + 1);
        d.source = "synthetic:noise";
        addRow(d);
        emit edited();
    });
    connect(files, &SourcePickerButton::picked, this, &DomainTable::applyPickedPath);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_table->currentRow() >= 0) {
            m_table->removeRow(m_table->currentRow());
            emit edited();
        }
    });
}

void DomainTable::addRow(const DomainSpec& d) {
    const bool wasLoading = m_loading;
    m_loading = true;
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, NameColumn, new QTableWidgetItem(QString::fromStdString(d.name)));
    auto* source = new QComboBox(m_table);
    source->setEditable(true);
    for (const SourceInfo& s : sourceCatalog()) {
        source->addItem(QString::fromStdString(s.name));
        source->setItemData(source->count() - 1, QString::fromStdString(s.summary), Qt::ToolTipRole);
    }
    source->setCurrentText(QString::fromStdString(d.source));
    connect(source, &QComboBox::currentTextChanged, this, [this] {
        if (!m_loading) {
            emit edited();
        }
    });
    m_table->setCellWidget(row, SourceColumn, source);
    m_table->setItem(row, WeightColumn, new QTableWidgetItem(numberText(d.weight)));
    m_table->setItem(row, SizeColumn, new QTableWidgetItem(QString::number(d.size)));
    m_table->setItem(row, NoiseColumn, new QTableWidgetItem(numberText(d.noiseRate)));
    m_table->setItem(row, ParamsColumn, new QTableWidgetItem(paramsText(d.params)));
    m_loading = wasLoading;
}

QString DomainTable::sourceText(int row) const {
    auto* box = qobject_cast<QComboBox*>(m_table->cellWidget(row, SourceColumn));
    return box ? box->currentText() : QString();
}

void DomainTable::applyPickedPath(const QString& path, bool folder) {
    int row = m_table->currentRow();
    if (row < 0 && m_table->rowCount() == 1) {
        row = 0;
    }
    auto* box = qobject_cast<QComboBox*>(m_table->cellWidget(row, SourceColumn));
    if (!box) {
        m_error->setText(tr("Select the domain whose source the file should fill, then choose it again."));
        m_error->show();
        return;
    }
    const QString old = box->currentText();
    const QString source = sourceForPath(old, path, folder);
    if (!old.startsWith(source.section(QLatin1Char(':'), 0, 0) + QLatin1Char(':'))) {
        // Another kind of source: the old one's params (order=2, ...) mean nothing to it.
        m_loading = true;
        m_table->setItem(row, ParamsColumn, new QTableWidgetItem(QString()));
        m_loading = false;
    }
    box->setCurrentText(source);  // emits edited()
}

void DomainTable::load(const std::vector<DomainSpec>& domains) {
    m_loading = true;
    m_table->setRowCount(0);
    for (const DomainSpec& d : domains) {
        addRow(d);
    }
    m_loading = false;
}

bool DomainTable::store(std::vector<DomainSpec>& domains, QString* error) const {
    std::vector<DomainSpec> out;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        DomainSpec d;
        const QString where = QStringLiteral("data.domain[%1]").arg(r);
        auto text = [&](int c) {
            return m_table->item(r, c) ? m_table->item(r, c)->text().trimmed() : QString();
        };
        d.name = text(NameColumn).toStdString();
        d.source = static_cast<QComboBox*>(m_table->cellWidget(r, SourceColumn))
                       ->currentText()
                       .trimmed()
                       .toStdString();
        bool ok1 = false, ok2 = false, ok3 = false;
        d.weight = text(WeightColumn).toDouble(&ok1);
        d.size = text(SizeColumn).toLongLong(&ok2);
        d.noiseRate = text(NoiseColumn).toDouble(&ok3);
        QString e;
        if (!ok1) {
            e = where + QStringLiteral(".weight: not a number");
        } else if (!ok2) {
            e = where + QStringLiteral(".size: not an integer");
        } else if (!ok3) {
            e = where + QStringLiteral(".params.noise_rate: not a number");
        } else if (!parseParams(text(ParamsColumn), d.params, &e)) {
            e = where + QStringLiteral(".params: ") + e;
        }
        if (!e.isEmpty()) {
            if (error) {
                *error = e;
            }
            return false;
        }
        out.push_back(d);
    }
    domains = out;
    return true;
}

QString DomainTable::paramsText(const SourceParams& params) {
    QStringList parts;
    for (const auto& [k, v] : params) {
        QString value;
        if (const bool* b = std::get_if<bool>(&v)) {
            value = *b ? QStringLiteral("true") : QStringLiteral("false");
        } else if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) {
            value = QString::number(*i);
        } else if (const double* d = std::get_if<double>(&v)) {
            value = numberText(*d);
            if (!value.contains(QLatin1Char('.')) && !value.contains(QLatin1Char('e'))) {
                value += QStringLiteral(".0");  // stays a number, not an integer
            }
        } else {
            value = QLatin1Char('"') + QString::fromStdString(std::get<std::string>(v)) + QLatin1Char('"');
        }
        parts << QString::fromStdString(k) + QLatin1Char('=') + value;
    }
    return parts.join(QStringLiteral(", "));
}

bool DomainTable::parseParams(const QString& text, SourceParams& out, QString* error) {
    out.clear();
    static const QRegularExpression kInt(QStringLiteral("^-?[0-9]+$"));
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const int eq = static_cast<int>(part.indexOf(QLatin1Char('=')));
        const QString key = part.left(eq).trimmed();
        QString value = part.mid(eq + 1).trimmed();
        if (eq < 0 || key.isEmpty()) {
            if (error) {
                *error = QStringLiteral("'%1' is not key=value").arg(part.trimmed());
            }
            return false;
        }
        bool ok = false;
        if (value == QLatin1String("true") || value == QLatin1String("false")) {
            out[key.toStdString()] = value == QLatin1String("true");
        } else if (kInt.match(value).hasMatch()) {
            out[key.toStdString()] = static_cast<std::int64_t>(value.toLongLong());
        } else if (const double d = value.toDouble(&ok); ok) {
            out[key.toStdString()] = d;
        } else {
            if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"'))) {
                value = value.mid(1, value.size() - 2);
            }
            out[key.toStdString()] = value.toStdString();
        }
    }
    return true;
}

bool DomainTable::showError(const QString& path, const QString& message) {
    static const QRegularExpression kRow(QStringLiteral("^data\\.domain\\[(\\d+)\\]"));
    const auto m = kRow.match(path);
    if (!m.hasMatch() && path != QLatin1String("data.domain")) {
        return false;
    }
    m_error->setText(path + QStringLiteral(": ") + message);
    m_error->show();
    if (m.hasMatch()) {
        const int row = m.captured(1).toInt();
        if (row < m_table->rowCount()) {
            m_table->selectRow(row);
        }
    }
    return true;
}

void DomainTable::clearErrors() {
    m_error->clear();
    m_error->hide();
}

}  // namespace anneal::ui
