// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Qt-side copies of a run's events that RunController emits in batches (see events.h for the
// meaning of each field). Plain value types, registered as metatypes so they may cross threads.

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include "anneal/events.h"

namespace anneal::ui {

struct StepPoint {
    qint64 step = 0;
    qint64 tokens = 0;
    double wallSeconds = 0;
    double trainLoss = 0;
    double weightedLoss = 0;
    double lr = 0;
    double gradNorm = 0;
    double tokensPerSecond = 0;
    double lossZ = 0;
    QVector<double> domainLoss;
    QVector<double> mixDrawn;
    QVector<double> gradShare;
};

struct EvalPoint {
    qint64 step = 0;
    qint64 tokens = 0;
    QVector<double> domainLoss;
    double meanLoss = 0;
};

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
    bool reweighting = false;
};

/// Live progress of a run of this process.
struct LiveProgress {
    qint64 stepsDone = 0;
    qint64 stepsTotal = 0;
    double stepsPerSecond = 0;  ///< recent rate; 0 before it is known
    double etaSeconds = -1;     ///< -1 while unknown
    bool paused = false;
};

/// The Qt-side copy of a step / evaluation event (RunController, and the live-latency benchmark).
StepPoint toPoint(const StepEvent& e);
EvalPoint toPoint(const EvalEvent& e);

}  // namespace anneal::ui

Q_DECLARE_METATYPE(anneal::ui::StepPoint)
Q_DECLARE_METATYPE(anneal::ui::EvalPoint)
Q_DECLARE_METATYPE(anneal::ui::RunNotice)
Q_DECLARE_METATYPE(anneal::ui::LiveRunInfo)
Q_DECLARE_METATYPE(anneal::RunStatus)
