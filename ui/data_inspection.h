// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// inspectData: what each domain of an experiment reads, as `anneal-cli data inspect` prints it
// (app/cli/cmd_data.cpp), for the experiment dialog's "Inspect data…". It builds the experiment's
// anneal::Dataset (which may train a tokenizer: a minute on a large corpus), so it runs on a worker
// thread: progress goes to a callback and a cancel flag stops it at the next stage.

#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace anneal::ui {

/// One domain of the inspection. The counts are anneal::CorpusStats (real sources only).
struct DomainInspection {
    QString name;
    QString source;
    QString description;
    bool real = false;        ///< a file source (text:, jsonl:, tokens:) with the counts below
    double entropyFloor = 0;  ///< loss floor at the context, nats/token; NaN for real text (unknown)
    QStringList files;
    qint64 documents = 0, bytes = 0, tokens = 0;
    qint64 trainDocuments = 0, valDocuments = 0, trainTokens = 0, valTokens = 0;
    std::vector<quint64> sampleIds;  ///< the first training windows a run with this seed draws
    QStringList samples;             ///< their text: textPreview for real text, else printableBytes
};

struct DataInspection {
    QString tokenizer;  ///< tokenizer.kind
    int vocabulary = 0;
    std::vector<DomainInspection> domains;
};

/// Thrown by inspectData when *cancel became true.
struct InspectionCancelled : std::exception {
    const char* what() const noexcept override { return "cancelled"; }
};

/// Parses `tomlText` (errors name the field: data.domain[1].source: no file matches ...), builds its
/// Dataset, and reads `samples` windows per domain. `progress(stage, done, total)` is called on the
/// calling thread at each stage (training the tokenizer, tokenising a domain).
DataInspection inspectData(const std::string& tomlText, const std::string& origin, int samples,
                           const std::function<void(const QString&, qint64, qint64)>& progress,
                           const std::atomic<bool>* cancel);

}  // namespace anneal::ui
