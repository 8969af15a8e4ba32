// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Final metrics of a run for the compare view's table: final and best validation loss per domain and
// overall, the final train loss (mean of the last logged steps), tokens and training time. Read
// from a Store (call on a worker thread with that thread's own connection).

#include <QString>
#include <QStringList>
#include <QVector>

namespace anneal {
class Store;
}

namespace anneal::ui {

struct FinalMetrics {
    qint64 runId = 0;
    QString name;
    QString status;
    qint64 steps = 0;
    qint64 tokens = 0;
    double wallSeconds = 0;
    double finalTrain = 0;  ///< mean train loss over the last kTrainWindow logged steps (NaN: none)
    double finalVal = 0;    ///< last mean validation loss (NaN: none)
    double bestVal = 0;     ///< lowest mean validation loss
    QStringList domains;
    QVector<double> finalDomain;  ///< last validation loss of each domain
    QVector<double> bestDomain;   ///< lowest validation loss of each domain
};

/// Logged steps the final train loss averages over (one step's batch loss is noisy).
constexpr int kTrainWindow = 10;

/// Throws anneal::Error (NotFound, Storage).
FinalMetrics computeFinalMetrics(const Store& store, qint64 runId);

}  // namespace anneal::ui
