// SPDX-License-Identifier: GPL-3.0-or-later
#include "spec_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <cmath>

namespace anneal::ui {

namespace {

/// A 64-bit integer editor (QSpinBox is 32-bit): a line edit that accepts only integers in range.
class IntEdit : public QLineEdit {
public:
    IntEdit(qint64 min, qint64 max, QWidget* parent) : QLineEdit(parent), m_min(min), m_max(max) {
        setValidator(
            new QRegularExpressionValidator(QRegularExpression(QStringLiteral("-?[0-9]{0,19}")), this));
        setAlignment(Qt::AlignRight);
    }
    bool value(qint64* out) const {
        bool ok = false;
        const qint64 v = text().toLongLong(&ok);
        if (!ok || v < m_min || v > m_max) {
            return false;
        }
        *out = v;
        return true;
    }
    QString rangeText() const { return QStringLiteral("an integer in [%1, %2]").arg(m_min).arg(m_max); }

private:
    qint64 m_min, m_max;
};

QString formatNumber(double v) {
    // Shortest text that reads back to the same double.
    for (int p = 1; p <= 17; ++p) {
        const QString s = QString::number(v, 'g', p);
        if (s.toDouble() == v) {
            return s;
        }
    }
    return QString::number(v, 'g', 17);
}

}  // namespace

SpecForm::SpecForm(QWidget* parent) : QWidget(parent), m_form(new QFormLayout(this)) {
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setLabelAlignment(Qt::AlignRight);
}

void SpecForm::addRow(const QString& key, const QString& label, QWidget* widget, const QString& tip,
                      Field field) {
    widget->setObjectName(key);
    const QString keyTip = QStringLiteral("<b>%1</b>").arg(key);
    widget->setToolTip(tip.isEmpty() ? keyTip : keyTip + QStringLiteral("<br>") + tip);
    field.widget = widget;
    field.error = new QLabel(this);
    field.error->setWordWrap(true);
    field.error->setObjectName(key + QStringLiteral(".error"));
    QPalette pal = field.error->palette();
    pal.setColor(QPalette::WindowText, QColor(0xc0, 0x39, 0x2b));
    field.error->setPalette(pal);
    m_form->addRow(label, widget);
    m_form->addRow(QString(), field.error);
    m_form->setRowVisible(field.error, false);
    m_fields.insert(key, field);
}

void SpecForm::addSection(const QString& title) {
    auto* l = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), this);
    m_form->addRow(l);
}

void SpecForm::addIntImpl(const QString& key, const QString& label,
                          std::function<qint64(const ExperimentSpec&)> get,
                          std::function<void(ExperimentSpec&, qint64)> set, qint64 min, qint64 max,
                          const QString& tip) {
    auto* edit = new IntEdit(min, max, this);
    connect(edit, &QLineEdit::textEdited, this, &SpecForm::edited);
    Field f;
    f.load = [edit, get](const ExperimentSpec& s) { edit->setText(QString::number(get(s))); };
    f.store = [edit, set, key](ExperimentSpec& s, QString* error) {
        qint64 v = 0;
        if (!edit->value(&v)) {
            if (error) {
                *error = QStringLiteral("%1: must be %2").arg(key, edit->rangeText());
            }
            return false;
        }
        set(s, v);
        return true;
    };
    addRow(key, label, edit, tip, f);
}

void SpecForm::addNumber(const QString& key, const QString& label, Accessor<double> field,
                         const QString& tip) {
    auto* edit = new QLineEdit(this);
    edit->setAlignment(Qt::AlignRight);
    connect(edit, &QLineEdit::textEdited, this, &SpecForm::edited);
    Field f;
    f.load = [edit, field](const ExperimentSpec& s) {
        edit->setText(formatNumber(field(const_cast<ExperimentSpec&>(s))));
    };
    f.store = [edit, field, key](ExperimentSpec& s, QString* error) {
        bool ok = false;
        const double v = edit->text().trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v)) {
            if (error) {
                *error = QStringLiteral("%1: '%2' is not a number").arg(key, edit->text());
            }
            return false;
        }
        field(s) = v;
        return true;
    };
    addRow(key, label, edit, tip, f);
}

void SpecForm::addChoice(const QString& key, const QString& label, Accessor<std::string> field,
                         const QStringList& choices, const QString& tip) {
    auto* combo = new QComboBox(this);
    combo->addItems(choices);
    connect(combo, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_loading) {
            emit edited();
        }
    });
    Field f;
    f.load = [combo, field](const ExperimentSpec& s) {
        const QString v = QString::fromStdString(field(const_cast<ExperimentSpec&>(s)));
        if (combo->findText(v) < 0) {
            combo->addItem(v);  // a value this build's list does not know: keep it visible
        }
        combo->setCurrentText(v);
    };
    f.store = [combo, field](ExperimentSpec& s, QString*) {
        field(s) = combo->currentText().toStdString();
        return true;
    };
    addRow(key, label, combo, tip, f);
}

void SpecForm::addText(const QString& key, const QString& label, Accessor<std::string> field,
                       const QString& tip) {
    auto* edit = new QLineEdit(this);
    connect(edit, &QLineEdit::textEdited, this, &SpecForm::edited);
    Field f;
    f.load = [edit, field](const ExperimentSpec& s) {
        edit->setText(QString::fromStdString(field(const_cast<ExperimentSpec&>(s))));
    };
    f.store = [edit, field](ExperimentSpec& s, QString*) {
        field(s) = edit->text().toStdString();
        return true;
    };
    addRow(key, label, edit, tip, f);
}

void SpecForm::addBool(const QString& key, const QString& label, Accessor<bool> field, const QString& tip) {
    auto* box = new QCheckBox(this);
    connect(box, &QCheckBox::toggled, this, [this] {
        if (!m_loading) {
            emit edited();
        }
    });
    Field f;
    f.load = [box, field](const ExperimentSpec& s) {
        box->setChecked(field(const_cast<ExperimentSpec&>(s)));
    };
    f.store = [box, field](ExperimentSpec& s, QString*) {
        field(s) = box->isChecked();
        return true;
    };
    addRow(key, label, box, tip, f);
}

void SpecForm::addWeights(const QString& key, const QString& label,
                          Accessor<std::map<std::string, double>> field, const QString& tip) {
    auto* edit = new QLineEdit(this);
    edit->setPlaceholderText(QStringLiteral("domain=weight, ..."));
    connect(edit, &QLineEdit::textEdited, this, &SpecForm::edited);
    Field f;
    f.load = [edit, field](const ExperimentSpec& s) {
        QStringList parts;
        for (const auto& [k, v] : field(const_cast<ExperimentSpec&>(s))) {
            parts << QStringLiteral("%1=%2").arg(QString::fromStdString(k), formatNumber(v));
        }
        edit->setText(parts.join(QStringLiteral(", ")));
    };
    f.store = [edit, field, key](ExperimentSpec& s, QString* error) {
        std::map<std::string, double> out;
        for (const QString& part : edit->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QStringList kv = part.split(QLatin1Char('='));
            bool ok = kv.size() == 2;
            const double v = ok ? kv[1].trimmed().toDouble(&ok) : 0.0;
            if (!ok || kv[0].trimmed().isEmpty()) {
                if (error) {
                    *error = QStringLiteral("%1: '%2' is not domain=number").arg(key, part.trimmed());
                }
                return false;
            }
            out[kv[0].trimmed().toStdString()] = v;
        }
        field(s) = out;
        return true;
    };
    addRow(key, label, edit, tip, f);
}

void SpecForm::addList(const QString& key, const QString& label, Accessor<std::vector<std::string>> field,
                       const QString& tip) {
    auto* edit = new QLineEdit(this);
    edit->setPlaceholderText(QStringLiteral("word, word, ..."));
    connect(edit, &QLineEdit::textEdited, this, &SpecForm::edited);
    Field f;
    f.load = [edit, field](const ExperimentSpec& s) {
        QStringList parts;
        for (const auto& w : field(const_cast<ExperimentSpec&>(s))) {
            parts << QString::fromStdString(w);
        }
        edit->setText(parts.join(QStringLiteral(", ")));
    };
    f.store = [edit, field](ExperimentSpec& s, QString*) {
        std::vector<std::string> out;
        for (const QString& part : edit->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!part.trimmed().isEmpty()) {
                out.push_back(part.trimmed().toStdString());
            }
        }
        field(s) = out;
        return true;
    };
    addRow(key, label, edit, tip, f);
}

QString SpecForm::fieldFor(const QString& errorPath) const {
    QString best;
    for (auto it = m_fields.begin(); it != m_fields.end(); ++it) {
        const QString& k = it.key();
        const bool prefix = errorPath == k || errorPath.startsWith(k + QLatin1Char('.')) ||
                            errorPath.startsWith(k + QLatin1Char('['));
        if (prefix && k.size() > best.size()) {
            best = k;
        }
    }
    return best;
}

void SpecForm::load(const ExperimentSpec& spec) {
    m_loading = true;
    for (const Field& f : m_fields) {
        f.load(spec);
    }
    m_loading = false;
}

bool SpecForm::store(ExperimentSpec& spec, QString* error) const {
    bool ok = true;
    for (auto it = m_fields.begin(); it != m_fields.end(); ++it) {
        if (it->widget->isHidden()) {
            continue;  // a field the current kind does not use keeps its value
        }
        QString e;
        if (!it->store(spec, &e)) {
            if (ok && error) {
                *error = e;
            }
            ok = false;
        }
    }
    return ok;
}

QWidget* SpecForm::fieldWidget(const QString& key) const {
    auto it = m_fields.find(key);
    return it == m_fields.end() ? nullptr : it->widget;
}

QLabel* SpecForm::errorLabel(const QString& key) const {
    auto it = m_fields.find(key);
    return it == m_fields.end() ? nullptr : it->error;
}

void SpecForm::setFieldVisible(const QString& key, bool visible) {
    auto it = m_fields.find(key);
    if (it == m_fields.end()) {
        return;
    }
    m_form->setRowVisible(it->widget, visible);
    if (!visible) {
        m_form->setRowVisible(it->error, false);
    }
}

bool SpecForm::showError(const QString& key, const QString& message) {
    auto it = m_fields.find(fieldFor(key));
    if (it == m_fields.end()) {
        return false;
    }
    it->error->setText(message);
    m_form->setRowVisible(it->error, true);
    return true;
}

void SpecForm::clearErrors() {
    for (const Field& f : m_fields) {
        if (!f.error->text().isEmpty()) {
            f.error->clear();
            m_form->setRowVisible(f.error, false);
        }
    }
}

}  // namespace anneal::ui
