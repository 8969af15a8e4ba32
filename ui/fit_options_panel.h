// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// FitOptionsPanel: what the scaling-law view fits: the points (the selected runs, a sweep group, or
// a CSV/JSONL file with its columns), the law (anneal::fit::lawNames()) and its options: variable,
// metric, bootstrap resamples, hold-out threshold, lambda. request() turns it into a FitRequest;
// fields the chosen law and source do not use are hidden.

#include <QList>
#include <QMap>
#include <QStringList>
#include <QWidget>

#include "fit_runner.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace anneal::ui {

class FitOptionsPanel : public QWidget {
    Q_OBJECT

public:
    explicit FitOptionsPanel(QWidget* parent = nullptr);

    void setDatabasePath(const QString& path) { m_dbPath = path; }
    void setSelectedRuns(const QList<qint64>& runIds);
    void setGroups(const QStringList& groups);
    /// Fits points of a file: reads its header, guesses the columns (N, D, C, loss, step, lr) and a law.
    /// False with *error (naming the file and line) when the file does not parse.
    bool setFile(const QString& path, QString* error = nullptr);
    void setSource(FitRequest::Source source);
    void setLaw(const QString& law);
    QString law() const;
    /// The request the fields describe; false with *error naming the field when one is invalid.
    bool request(FitRequest& out, QString* error = nullptr) const;

    QComboBox* lawCombo() const { return m_law; }
    QComboBox* variableCombo() const { return m_variable; }
    QSpinBox* bootstrapBox() const { return m_bootstrap; }
    QLineEdit* holdOutEdit() const { return m_holdOut; }
    /// Curve laws on runs: ids of selected runs to predict instead of fit ("3, 5").
    QLineEdit* heldOutRunsEdit() const { return m_heldOutRuns; }
    /// Curve laws: the first step whose loss is fitted and scored.
    QLineEdit* minStepEdit() const { return m_minStep; }
    QLineEdit* lambdaEdit() const { return m_lambda; }
    QLineEdit* metricEdit() const { return m_metric; }
    QComboBox* groupCombo() const { return m_group; }
    QLineEdit* fileEdit() const { return m_file; }
    /// The combo of a file column: "n", "d", "c", "x", "loss", "step", "lr", "group".
    QComboBox* columnCombo(const QString& role) const;

signals:
    /// The user changed something (the view marks the shown fit as not matching the fields).
    void changed();
    /// "Browse…" for a file was clicked.
    void browseRequested();

private:
    void updateVisibility();

    QString m_dbPath;
    QList<qint64> m_runs;
    QButtonGroup* m_sourceGroup;
    QRadioButton* m_fromRuns;
    QRadioButton* m_fromGroup;
    QRadioButton* m_fromFile;
    QComboBox* m_group;
    QLineEdit* m_file;
    QWidget* m_columnsBox;
    QFormLayout* m_columnsForm;
    QMap<QString, QComboBox*> m_columns;
    QStringList m_fileColumns;
    QComboBox* m_law;
    QComboBox* m_variable;
    QLineEdit* m_metric;
    QCheckBox* m_withEmbeddings;
    QSpinBox* m_bootstrap;
    QLineEdit* m_holdOut;
    QLineEdit* m_heldOutRuns;
    QLineEdit* m_minStep;
    QLineEdit* m_lambda;
    QCheckBox* m_fitLambda;
    QComboBox* m_warmup;
    QFormLayout* m_form;
};

}  // namespace anneal::ui
