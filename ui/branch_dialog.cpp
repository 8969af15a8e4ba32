// SPDX-License-Identifier: GPL-3.0-or-later
#include "branch_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/run_experiment.h"

namespace anneal::ui {

BranchDialog::BranchDialog(const RunRecord& parentRun, const QList<qint64>& checkpointSteps, qint64 step,
                           QWidget* parent)
    : QDialog(parent),
      m_parent(parentRun),
      m_step(new QComboBox(this)),
      m_name(new QLineEdit(this)),
      m_overrides(new QPlainTextEdit(this)),
      m_errorLabel(new QLabel(this)),
      m_cooldownSteps(new QSpinBox(this)),
      m_cooldownShape(new QComboBox(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setObjectName(QStringLiteral("branchDialog"));
    setWindowTitle(tr("Branch run %1").arg(parentRun.id));
    for (qint64 s : checkpointSteps) {
        m_step->addItem(tr("step %1").arg(s), s);
    }
    m_step->setCurrentIndex(std::max(0, m_step->findData(step)));
    m_name->setPlaceholderText(QString::fromStdString(parentRun.name) + QStringLiteral("@<step>"));
    m_overrides->setPlaceholderText(
        tr("One override per line, e.g.\nschedule.decay_fraction=0.2\ntrain.steps=1200"));
    m_overrides->setTabChangesFocus(true);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    m_overrides->setFont(mono);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setObjectName(QStringLiteral("branchError"));
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cooldownSteps->setRange(1, 100000000);
    m_cooldownSteps->setValue(static_cast<int>(std::max<qint64>(1, parentRun.stepsTotal / 5)));
    for (const char* s : {"linear", "1-sqrt", "cosine", "square", "exponential"}) {
        m_cooldownShape->addItem(QString::fromLatin1(s));
    }
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start branch"));

    auto* intro = new QLabel(tr("A new run continues <b>#%1 %2</b> from one of its checkpoints with its "
                                "config plus the overrides below. It shares the parent's history before "
                                "the branch step.")
                                 .arg(parentRun.id)
                                 .arg(QString::fromStdString(parentRun.name).toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    auto* cooldown = new QHBoxLayout;
    auto* insert = new QPushButton(tr("Insert"), this);
    insert->setToolTip(
        tr("Write the overrides of a WSD cooldown that starts at the branch step and lasts "
           "this many steps"));
    cooldown->addWidget(m_cooldownSteps);
    cooldown->addWidget(new QLabel(tr("steps,"), this));
    cooldown->addWidget(m_cooldownShape);
    cooldown->addWidget(insert);
    cooldown->addStretch(1);

    auto* form = new QFormLayout;
    form->addRow(tr("&Checkpoint:"), m_step);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Cooldown helper:"), cooldown);
    form->addRow(tr("&Overrides:"), m_overrides);
    form->addRow(QString(), m_errorLabel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form, 1);
    layout->addWidget(m_buttons);
    resize(560, 420);

    connect(m_overrides, &QPlainTextEdit::textChanged, this, &BranchDialog::validate);
    connect(m_step, &QComboBox::currentIndexChanged, this, &BranchDialog::validate);
    connect(insert, &QPushButton::clicked, this, &BranchDialog::insertCooldown);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        validate();
        if (m_error.isEmpty()) {
            emit branchRequested(m_parent.id, this->step(), overrides(), name());
            accept();
        }
    });
    validate();
}

qint64 BranchDialog::step() const { return m_step->currentData().toLongLong(); }

QString BranchDialog::name() const { return m_name->text().trimmed(); }

QStringList BranchDialog::overrides() const {
    QStringList out;
    for (const QString& line : m_overrides->toPlainText().split(QLatin1Char('\n'))) {
        const QString t = line.trimmed();
        if (!t.isEmpty() && !t.startsWith(QLatin1Char('#'))) {
            out << t;
        }
    }
    return out;
}

void BranchDialog::setOverrides(const QStringList& lines) {
    m_overrides->setPlainText(lines.join(QLatin1Char('\n')));
}

void BranchDialog::insertCooldown() {
    // A cooldown of L steps from step S: the branch trains to S + L and decays over its last L steps.
    const qint64 s = step();
    const qint64 length = m_cooldownSteps->value();
    const double fraction = static_cast<double>(length) / static_cast<double>(s + length);
    setOverrides({QStringLiteral("schedule.kind=wsd"), QStringLiteral("train.steps=%1").arg(s + length),
                  QStringLiteral("schedule.decay_fraction=%1").arg(fraction, 0, 'g', 17),
                  QStringLiteral("schedule.decay_shape=%1").arg(m_cooldownShape->currentText())});
    if (m_name->text().isEmpty()) {
        m_name->setText(
            QStringLiteral("%1@%2-cooldown%3").arg(QString::fromStdString(m_parent.name)).arg(s).arg(length));
    }
}

void BranchDialog::validate() {
    m_error.clear();
    if (m_step->count() == 0) {
        m_error = tr("run %1 has no checkpoint to branch from (set log.checkpoint_every)").arg(m_parent.id);
    } else {
        std::vector<Override> ov;
        for (const QString& o : overrides()) {
            ov.push_back(o.toStdString());
        }
        try {
            const ExperimentSpec spec = runExperiment(m_parent, ov);
            if (spec.train.steps < step()) {
                m_error = tr("train.steps: the branch ends (%1) before its start step %2")
                              .arg(spec.train.steps)
                              .arg(step());
            }
        } catch (const Error& e) {
            m_error = QString::fromStdString(e.what());
        } catch (const std::exception& e) {
            m_error = QString::fromStdString(e.what());
        }
    }
    m_errorLabel->setText(m_error.isEmpty() ? tr("✓ valid") : m_error);
    QPalette pal = m_errorLabel->palette();
    pal.setColor(QPalette::WindowText,
                 m_error.isEmpty() ? palette().color(QPalette::PlaceholderText) : QColor(0xc0, 0x39, 0x2b));
    m_errorLabel->setPalette(pal);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_error.isEmpty());
}

}  // namespace anneal::ui
