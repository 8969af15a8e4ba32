// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SpecForm: a form of fields bound to parts of an anneal::ExperimentSpec, each named by its key path
// in the experiment file ("train.lr", "schedule.decay_fraction"). load() fills the widgets from a
// spec, store() writes them back; showError() puts a backend error's message under the widget of its
// field. The experiment dialog and the schedule editor build their forms from it.

#include <QMap>
#include <QString>
#include <QWidget>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "anneal/experiment.h"

class QFormLayout;
class QLabel;

namespace anneal::ui {

class SpecForm : public QWidget {
    Q_OBJECT

public:
    template <typename T>
    using Accessor = T& (*)(ExperimentSpec&);

    explicit SpecForm(QWidget* parent = nullptr);

    /// An integer field (int, int64 or uint64 member).
    template <typename T>
    void addInt(const QString& key, const QString& label, Accessor<T> field, qint64 min, qint64 max,
                const QString& tip = {});
    /// A number typed as text so 3e-4 and 0.1 both read naturally.
    void addNumber(const QString& key, const QString& label, Accessor<double> field, const QString& tip = {});
    void addChoice(const QString& key, const QString& label, Accessor<std::string> field,
                   const QStringList& choices, const QString& tip = {});
    void addText(const QString& key, const QString& label, Accessor<std::string> field,
                 const QString& tip = {});
    void addBool(const QString& key, const QString& label, Accessor<bool> field, const QString& tip = {});
    /// Weights by domain name, typed as "markov=0.5, noise=0.1".
    void addWeights(const QString& key, const QString& label, Accessor<std::map<std::string, double>> field,
                    const QString& tip = {});
    /// A list of words typed comma-separated (tags).
    void addList(const QString& key, const QString& label, Accessor<std::vector<std::string>> field,
                 const QString& tip = {});
    /// A section title row.
    void addSection(const QString& title);

    void load(const ExperimentSpec& spec);
    /// Writes every field; returns false (with *error naming the field) when a text does not parse.
    bool store(ExperimentSpec& spec, QString* error = nullptr) const;

    bool hasField(const QString& key) const { return m_fields.contains(key); }
    QWidget* fieldWidget(const QString& key) const;
    QLabel* errorLabel(const QString& key) const;
    void setFieldVisible(const QString& key, bool visible);
    /// Shows message under the field's widget; false when no field of this form has that key.
    bool showError(const QString& key, const QString& message);
    /// The field an error path belongs to: the key itself, or the longest key that prefixes it
    /// ("train.betas[1]" -> "train.betas"); "" when none.
    QString fieldFor(const QString& errorPath) const;
    void clearErrors();

signals:
    /// The user changed a field.
    void edited();

private:
    struct Field {
        QWidget* widget = nullptr;
        QLabel* error = nullptr;
        std::function<void(const ExperimentSpec&)> load;
        std::function<bool(ExperimentSpec&, QString*)> store;
    };
    void addRow(const QString& key, const QString& label, QWidget* widget, const QString& tip, Field field);
    void addIntImpl(const QString& key, const QString& label,
                    std::function<qint64(const ExperimentSpec&)> get,
                    std::function<void(ExperimentSpec&, qint64)> set, qint64 min, qint64 max,
                    const QString& tip);

    QFormLayout* m_form;
    QMap<QString, Field> m_fields;
    bool m_loading = false;
};

template <typename T>
void SpecForm::addInt(const QString& key, const QString& label, Accessor<T> field, qint64 min, qint64 max,
                      const QString& tip) {
    addIntImpl(
        key, label,
        [field](const ExperimentSpec& s) {
            return static_cast<qint64>(field(const_cast<ExperimentSpec&>(s)));
        },
        [field](ExperimentSpec& s, qint64 v) { field(s) = static_cast<T>(v); }, min, max, tip);
}

}  // namespace anneal::ui
