// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// DomainTable: the [[data.domain]] entries of an experiment as an editable table: name, source
// (the built-in sources of anneal::sourceCatalog(), or files:/jsonl: typed in), weight, size, noise
// rate and the source's params as "key=value, ...". Errors of a domain (data.domain[i]...) mark its
// row and show under the table. "Files…" fills the selected domain's source from a file or folder
// picked in a file dialog (source_picker.h).

#include <QWidget>
#include <vector>

#include "anneal/experiment.h"

class QLabel;
class QTableWidget;

namespace anneal::ui {

class DomainTable : public QWidget {
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        SourceColumn,
        WeightColumn,
        SizeColumn,
        NoiseColumn,
        ParamsColumn,
        ColumnCount
    };

    explicit DomainTable(QWidget* parent = nullptr);

    void load(const std::vector<DomainSpec>& domains);
    /// False with *error naming the cell when a number or a param does not parse.
    bool store(std::vector<DomainSpec>& domains, QString* error = nullptr) const;
    /// Shows an error whose path starts with data.domain[i]; false for other paths.
    bool showError(const QString& path, const QString& message);
    void clearErrors();
    QTableWidget* table() const { return m_table; }
    QLabel* errorLabel() const { return m_error; }
    /// The source text of a row (its editable combo box).
    QString sourceText(int row) const;
    /// Sets the selected row's source from a picked path (sourceForPath); with no row selected,
    /// the only row, else an error under the table. Emits edited().
    void applyPickedPath(const QString& path, bool folder);

    /// "order=2, alphabet=16" <-> params (bool, integer, number or string values).
    static QString paramsText(const SourceParams& params);
    static bool parseParams(const QString& text, SourceParams& out, QString* error);

signals:
    void edited();

private:
    void addRow(const DomainSpec& d);

    QTableWidget* m_table;
    QLabel* m_error;
    bool m_loading = false;
};

}  // namespace anneal::ui
