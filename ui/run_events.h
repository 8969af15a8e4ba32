// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What RunController emits about the runs of this process, besides the backend's own StepEvent and
// EvalEvent (events.h), which it emits as they are: all registered as metatypes to cross threads.

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include "anneal/events.h"
#include "anneal/metric_names.h"

namespace anneal::ui {

struct RunNotice {
    qint64 step = 0;
    QString kind;
    QString message;
    double value = 0;
};

/// What a view needs to know about a run this process is training.
struct LiveRunInfo {
    qint64 runId = 0;
    QString name;
    QStringList domains;
    qint64 stepsTotal = 0;
    qint64 startStep = 0;
    RunFacts facts;  ///< names its live metrics as the store writer does (metric_names.h)
};

/// Live progress of a run of this process.
struct LiveProgress {
    qint64 stepsDone = 0;
    qint64 stepsTotal = 0;
    double stepsPerSecond = 0;  ///< recent rate; 0 before it is known
    double etaSeconds = -1;     ///< -1 while unknown
    bool paused = false;
};

}  // namespace anneal::ui

Q_DECLARE_METATYPE(anneal::StepEvent)
Q_DECLARE_METATYPE(anneal::EvalEvent)
Q_DECLARE_METATYPE(anneal::ui::RunNotice)
Q_DECLARE_METATYPE(anneal::ui::LiveRunInfo)
Q_DECLARE_METATYPE(anneal::RunStatus)
