// SPDX-License-Identifier: GPL-3.0-or-later
#include "prediction_fits.h"

#include "anneal/fit/fit_export.h"
#include "anneal/fit/law.h"
#include "anneal/run_experiment.h"
#include "anneal/store.h"

namespace anneal::ui {

QString experimentSignature(const ExperimentSpec& spec) {
    const ModelSpec& m = spec.model;
    QStringList domains;
    for (const DomainSpec& d : spec.data.domains) {
        domains << QString::fromStdString(d.name + "=" + d.source);
    }
    return QStringLiteral("model %1x%2 h%3 ctx%4 | %5")
        .arg(m.nLayer)
        .arg(m.dModel)
        .arg(m.nHead)
        .arg(m.context)
        .arg(domains.join(QStringLiteral(", ")));
}

std::vector<PredictionFit> loadPredictionFits(const std::string& dbPath, QString* errorOut) {
    std::vector<PredictionFit> out;
    auto store = Store::open(dbPath, Store::Mode::ReadOnly);
    QStringList bad;
    for (const FitRecord& rec : store->listFits()) {
        if (!fit::isCurveLaw(rec.law)) {
            continue;
        }
        PredictionFit p;
        p.id = rec.id;
        p.name = QString::fromStdString(rec.name);
        try {
            const fit::LoadedFit loaded = fit::fitFromJson(rec.resultJson);
            p.fit = loaded.fit;
            p.source = QString::fromStdString(loaded.provenance.source);
            for (const std::string& runId : loaded.provenance.runIds) {
                const auto run = store->findRun(std::stoll(runId));
                if (!run || run->configToml.empty()) {
                    p.runSignatures << QString();
                    continue;
                }
                p.runSignatures << experimentSignature(runExperiment(*run));
            }
        } catch (const std::exception& e) {
            bad << QStringLiteral("fit %1: %2").arg(rec.id).arg(QString::fromStdString(e.what()));
            continue;
        }
        out.push_back(std::move(p));
    }
    if (errorOut) {
        *errorOut = bad.join(QLatin1Char('\n'));
    }
    return out;
}

bool fitMatches(const PredictionFit& fit, const QString& signature) {
    if (fit.runSignatures.isEmpty()) {
        return false;
    }
    for (const QString& s : fit.runSignatures) {
        if (s != signature) {
            return false;
        }
    }
    return true;
}

int defaultPredictionFit(const std::vector<PredictionFit>& fits, const ExperimentSpec& spec) {
    const QString sig = experimentSignature(spec);
    int best = -1;
    for (int i = 0; i < static_cast<int>(fits.size()); ++i) {
        if (fitMatches(fits[static_cast<std::size_t>(i)], sig) &&
            (best < 0 || fits[static_cast<std::size_t>(i)].id > fits[static_cast<std::size_t>(best)].id)) {
            best = i;
        }
    }
    return best;
}

}  // namespace anneal::ui
