// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// ExperimentDialog: "New experiment…": every field of an experiment file on pages (general, model,
// data with its domains, training, schedule, mixture, reweighting, logging). What the dialog produces
// is TOML (anneal::toToml of the edited spec); it is validated as the user types by
// anneal::parseExperiment, and the error's field and message appear under the offending widget.
// Loads and saves TOML files, starts from the embedded presets, and starts a run. "Inspect data…" on
// the data page builds the edited experiment's data on a worker thread (DataInspectDialog). Keys
// the pages do not show (the [tokenizer] table) keep the values of the loaded experiment.

#include <QDialog>
#include <QList>
#include <QTimer>

#include "anneal/experiment.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTabWidget;

namespace anneal::ui {

class DataInspectDialog;
class DomainTable;
class SpecForm;

class ExperimentDialog : public QDialog {
    Q_OBJECT

public:
    explicit ExperimentDialog(QWidget* parent = nullptr);

    void setExperiment(const ExperimentSpec& spec, const QString& origin);
    /// The edited experiment (false with *error when a field does not parse).
    bool experiment(ExperimentSpec& out, QString* error = nullptr) const;
    /// The experiment file the dialog produces.
    QString tomlText() const;
    /// Validates now; returns the error ("" when the experiment is valid).
    QString validate();
    QString validationError() const { return m_error; }
    /// The message shown under a field's widget ("" when none).
    QString fieldError(const QString& key) const;
    QWidget* fieldWidget(const QString& key) const;
    DomainTable* domainTable() const { return m_domains; }
    QTabWidget* pages() const { return m_pages; }

    bool loadFile(const QString& path, QString* error = nullptr);
    bool saveFile(const QString& path, QString* error = nullptr);
    void loadPreset(const QString& name);
    /// Opens the data inspection of the edited experiment (non-modal) and starts it; null when a
    /// field does not parse (the error is shown as usual).
    DataInspectDialog* inspectData();

signals:
    void runRequested(const QString& tomlText, const QString& origin);

private:
    void buildPages();
    SpecForm* addFormPage(const QString& title);
    void updateKinds();
    void onEdited();
    void markTab(int index, bool error);
    int pageOf(QWidget* w) const;

    ExperimentSpec m_base;  ///< the loaded experiment: what the pages do not edit comes from it
    DataInspectDialog* m_inspect = nullptr;
    QTabWidget* m_pages;
    QList<SpecForm*> m_forms;
    DomainTable* m_domains = nullptr;
    int m_dataPage = -1;
    QComboBox* m_presets;
    QLabel* m_originLabel;
    QLabel* m_summary;
    QPushButton* m_start;
    QTimer m_validateTimer;
    QString m_origin;
    QString m_error;
    QStringList m_tabTitles;
};

}  // namespace anneal::ui
