// SPDX-License-Identifier: GPL-3.0-or-later
#include "experiment_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

#include "anneal/config.h"
#include "anneal/error.h"
#include "data_inspect_dialog.h"
#include "domain_table.h"
#include "resources.h"
#include "spec_form.h"

namespace anneal::ui {

namespace {
constexpr int kValidateDelayMs = 200;
}

ExperimentDialog::ExperimentDialog(QWidget* parent)
    : QDialog(parent),
      m_pages(new QTabWidget(this)),
      m_presets(new QComboBox(this)),
      m_originLabel(new QLabel(this)),
      m_summary(new QLabel(this)),
      m_start(new QPushButton(tr("&Start run"), this)) {
    setObjectName(QStringLiteral("experimentDialog"));
    setWindowTitle(tr("New experiment"));
    m_presets->addItem(tr("Preset…"));
    for (const QString& p : presetNames()) {
        m_presets->addItem(p, p);
    }
    auto* load = new QPushButton(tr("&Open…"), this);
    auto* save = new QPushButton(tr("Save &as…"), this);
    auto* top = new QHBoxLayout;
    top->addWidget(m_originLabel, 1);
    top->addWidget(m_presets);
    top->addWidget(load);
    top->addWidget(save);
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("experimentError"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_start, QDialogButtonBox::AcceptRole);
    m_start->setDefault(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_summary);
    layout->addWidget(buttons);
    buildPages();
    for (int i = 0; i < m_pages->count(); ++i) {
        m_tabTitles << m_pages->tabText(i);
    }
    resize(720, 640);

    m_validateTimer.setSingleShot(true);
    m_validateTimer.setInterval(kValidateDelayMs);
    connect(&m_validateTimer, &QTimer::timeout, this, &ExperimentDialog::validate);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (validate().isEmpty()) {
            emit runRequested(tomlText(), m_origin);
            accept();
        }
    });
    connect(m_presets, &QComboBox::activated, this, [this](int i) {
        if (i > 0) {
            loadPreset(m_presets->itemData(i).toString());
        }
        m_presets->setCurrentIndex(0);
    });
    connect(load, &QPushButton::clicked, this, [this] {
        auto* d = new QFileDialog(this, tr("Open experiment"), QString(), tr("Experiment files (*.toml)"));
        d->setAttribute(Qt::WA_DeleteOnClose);
        d->setFileMode(QFileDialog::ExistingFile);
        connect(d, &QFileDialog::fileSelected, this, [this](const QString& path) {
            QString error;
            if (!loadFile(path, &error)) {
                m_summary->setText(error);
            }
        });
        d->open();
    });
    connect(save, &QPushButton::clicked, this, [this] {
        auto* d = new QFileDialog(this, tr("Save experiment"), QString(), tr("Experiment files (*.toml)"));
        d->setAttribute(Qt::WA_DeleteOnClose);
        d->setAcceptMode(QFileDialog::AcceptSave);
        d->setDefaultSuffix(QStringLiteral("toml"));
        connect(d, &QFileDialog::fileSelected, this, [this](const QString& path) {
            QString error;
            if (!saveFile(path, &error)) {
                m_summary->setText(error);
            }
        });
        d->open();
    });
    loadPreset(QStringLiteral("default.toml"));
}

SpecForm* ExperimentDialog::addFormPage(const QString& title) {
    auto* form = new SpecForm(this);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(form);
    scroll->setWidgetResizable(true);
    m_pages->addTab(scroll, title);
    m_forms << form;
    connect(form, &SpecForm::edited, this, &ExperimentDialog::onEdited);
    return form;
}

void ExperimentDialog::setExperiment(const ExperimentSpec& spec, const QString& origin) {
    m_origin = origin;
    m_base = spec;
    m_originLabel->setText(tr("From <b>%1</b>").arg(origin.toHtmlEscaped()));
    for (SpecForm* f : m_forms) {
        f->load(spec);
    }
    m_domains->load(spec.data.domains);
    updateKinds();
    validate();
}

bool ExperimentDialog::experiment(ExperimentSpec& out, QString* error) const {
    // Start from the loaded experiment; every visible field overwrites its part, and what no page
    // shows (the tokenizer) stays as loaded.
    ExperimentSpec spec = m_base;
    for (SpecForm* f : m_forms) {
        if (!f->store(spec, error)) {
            return false;
        }
    }
    if (!m_domains->store(spec.data.domains, error)) {
        return false;
    }
    out = spec;
    return true;
}

QString ExperimentDialog::tomlText() const {
    ExperimentSpec spec;
    return experiment(spec) ? QString::fromStdString(toToml(spec)) : QString();
}

void ExperimentDialog::onEdited() {
    updateKinds();
    m_validateTimer.start();
}

QString ExperimentDialog::validate() {
    m_validateTimer.stop();
    for (SpecForm* f : m_forms) {
        f->clearErrors();
    }
    m_domains->clearErrors();
    for (int i = 0; i < m_pages->count(); ++i) {
        markTab(i, false);
    }
    m_error.clear();
    QString field, message;
    ExperimentSpec spec;
    QString local;
    if (!experiment(spec, &local)) {
        // A text that is not a number: "key: message".
        m_error = local;
        field = local.section(QLatin1Char(':'), 0, 0);
        message = local.section(QLatin1Char(':'), 1).trimmed();
    } else {
        try {
            parseExperiment(toToml(spec), m_origin.toStdString());
        } catch (const Error& e) {
            m_error = QString::fromStdString(e.what());
            field = QString::fromStdString(e.field());
            message = QString::fromStdString(e.detail());
            if (!e.allowed().empty()) {
                message += tr(" (allowed: %1)").arg(QString::fromStdString(e.allowed()));
            }
        } catch (const std::exception& e) {
            m_error = QString::fromStdString(e.what());
        }
    }
    if (!m_error.isEmpty()) {
        bool shown = false;
        for (int i = 0; i < m_forms.size() && !shown; ++i) {
            if (m_forms[i]->showError(field, message)) {
                markTab(pageOf(m_forms[i]), true);
                shown = true;
            }
        }
        if (!shown && m_domains->showError(field, message)) {
            markTab(m_dataPage, true);
        }
    }
    m_summary->setText(m_error.isEmpty() ? tr("✓ The experiment is valid.") : m_error);
    QPalette pal = m_summary->palette();
    pal.setColor(QPalette::WindowText,
                 m_error.isEmpty() ? palette().color(QPalette::PlaceholderText) : QColor(0xc0, 0x39, 0x2b));
    m_summary->setPalette(pal);
    m_start->setEnabled(m_error.isEmpty());
    return m_error;
}

int ExperimentDialog::pageOf(QWidget* w) const {
    for (; w; w = w->parentWidget()) {
        const int i = m_pages->indexOf(w);
        if (i >= 0) {
            return i;
        }
    }
    return -1;
}

void ExperimentDialog::markTab(int index, bool error) {
    if (index < 0 || index >= m_tabTitles.size()) {
        return;
    }
    m_pages->setTabText(index, error ? m_tabTitles[index] + QStringLiteral(" ⚠") : m_tabTitles[index]);
}

QString ExperimentDialog::fieldError(const QString& key) const {
    for (SpecForm* f : m_forms) {
        if (f->hasField(key)) {
            QLabel* l = f->errorLabel(key);
            return l ? l->text() : QString();
        }
    }
    return key.startsWith(QLatin1String("data.domain")) ? m_domains->errorLabel()->text() : QString();
}

QWidget* ExperimentDialog::fieldWidget(const QString& key) const {
    for (SpecForm* f : m_forms) {
        if (QWidget* w = f->fieldWidget(key)) {
            return w;
        }
    }
    return nullptr;
}

bool ExperimentDialog::loadFile(const QString& path, QString* error) {
    try {
        const ExperimentSpec spec = loadExperiment(path.toStdString());
        setExperiment(spec, path);
        return true;
    } catch (const std::exception& e) {
        if (error) {
            *error = QString::fromStdString(e.what());
        }
        return false;
    }
}

bool ExperimentDialog::saveFile(const QString& path, QString* error) {
    const QString text = tomlText();
    QFile f(path);
    if (text.isEmpty() || !f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error) {
            *error = text.isEmpty() ? tr("fix the fields first: %1").arg(m_error)
                                    : tr("could not write %1: %2").arg(path, f.errorString());
        }
        return false;
    }
    f.write(text.toUtf8());
    m_origin = path;
    m_originLabel->setText(tr("Saved as <b>%1</b>").arg(path.toHtmlEscaped()));
    return true;
}

DataInspectDialog* ExperimentDialog::inspectData() {
    const QString text = tomlText();
    if (text.isEmpty()) {
        validate();
        return nullptr;
    }
    if (!m_inspect) {
        m_inspect = new DataInspectDialog(this);
        m_inspect->setModal(false);
    }
    m_inspect->show();
    m_inspect->raise();
    m_inspect->inspect(text, m_origin);
    return m_inspect;
}

void ExperimentDialog::loadPreset(const QString& name) {
    try {
        setExperiment(parseExperiment(presetText(name).toStdString(), name.toStdString()),
                      tr("preset %1").arg(name));
    } catch (const std::exception& e) {
        m_summary->setText(QString::fromStdString(e.what()));
    }
}

}  // namespace anneal::ui
