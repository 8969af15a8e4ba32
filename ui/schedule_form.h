// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// ScheduleForm: the [schedule] table of an experiment (every kind of anneal::ScheduleSpec), with the
// rows of the keys the chosen kind does not use hidden, as the experiment format requires.

#include "spec_form.h"

namespace anneal::ui {

class ScheduleForm : public SpecForm {
    Q_OBJECT

public:
    /// withTrain: also the train.steps and train.lr rows (the schedule editor needs them).
    explicit ScheduleForm(bool withTrain, QWidget* parent = nullptr);

    /// Shows the rows of the kind's keys only.
    void showKind(const QString& kind);

    static QStringList kinds();
    /// The kinds and the keys (without "schedule.") each uses: the parser's own table
    /// (anneal/config_schema.h), so the form offers exactly what a file may contain.
    static QStringList keysOf(const QString& kind);
};

}  // namespace anneal::ui
