// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// BranchDialog: "Branch from here…": a new run that starts from a parent's checkpoint with the
// parent's resolved config plus overrides (RunSession::branch). Overrides are validated as they are
// typed by parsing the parent's config with them (anneal::parseExperiment); the error's field and
// message show under the overrides. A helper writes the overrides of a WSD cooldown of a given length.

#include <QDialog>

#include "anneal/store.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QDialogButtonBox;

namespace anneal::ui {

class BranchDialog : public QDialog {
    Q_OBJECT

public:
    BranchDialog(const RunRecord& parentRun, const QList<qint64>& checkpointSteps, qint64 step,
                 QWidget* parent = nullptr);

    qint64 step() const;
    QString name() const;
    QStringList overrides() const;
    void setOverrides(const QStringList& lines);
    /// The current validation message ("" when the branch is valid).
    QString validationError() const { return m_error; }
    QLabel* errorLabel() const { return m_errorLabel; }

signals:
    /// Accepted with valid overrides.
    void branchRequested(qint64 parentId, qint64 step, const QStringList& overrides, const QString& name);

private:
    void validate();
    void insertCooldown();

    RunRecord m_parent;
    QComboBox* m_step;
    QLineEdit* m_name;
    QPlainTextEdit* m_overrides;
    QLabel* m_errorLabel;
    QSpinBox* m_cooldownSteps;
    QComboBox* m_cooldownShape;
    QDialogButtonBox* m_buttons;
    QString m_error;
};

}  // namespace anneal::ui
