// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_helpers.h"

#include <QCryptographicHash>
#include <QFile>
#include <cmath>
#include <cstring>

#include "anneal/dataset.h"
#include "anneal/mixture.h"
#include "anneal/store.h"
#include "temp_paths.h"

namespace anneal::test {

void driveSession(RunSession& session, const std::function<void(const StepEvent&)>& onStep) {
    auto q = std::make_shared<EventQueue>(1 << 16);
    session.bus()->subscribe(q);
    session.start();
    std::vector<Event> events;
    while (!(session.run().finished() && q->size() == 0)) {
        events.clear();
        q->drain(events, std::chrono::milliseconds(50));
        for (const Event& e : events) {
            if (const auto* s = std::get_if<StepEvent>(&e.payload); s && onStep) {
                onStep(*s);
            }
        }
    }
    session.wait();
}

double unigramEntropy(const ExperimentSpec& spec) {
    Dataset data(spec);
    MixtureSampler sampler(spec, data);
    std::vector<double> counts(256, 0.0);
    Batch b;
    double total = 0;
    for (std::int64_t t = 0; t < 4000 / spec.data.batchSize; ++t) {
        sampler.nextBatch(t, b);
        for (std::uint8_t c : b.tokens) {
            counts[c] += 1;
            total += 1;
        }
    }
    double h = 0;
    for (double c : counts) {
        if (c > 0) {
            h -= c / total * std::log(c / total);
        }
    }
    return h;
}

NewRun plainRun(const std::string& name, std::optional<std::int64_t> parent,
                std::optional<std::int64_t> branchStep) {
    NewRun r;
    r.name = name;
    r.configToml = tinyExperimentToml(10);
    r.specToml = r.configToml;
    r.parentId = parent;
    r.branchStep = branchStep;
    return r;
}

QByteArray fileSha256(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

std::int64_t runToml(const std::string& dbPath, const std::string& toml,
                     const std::vector<Override>& overrides, const std::string& name) {
    LaunchRequest req;
    req.dbPath = dbPath;
    req.specText = toml;
    req.origin = "<test>";
    req.overrides = overrides;
    req.name = name;
    auto s = RunSession::launch(req);
    driveSession(*s);
    return s->runId();
}

std::vector<double> storedMetric(const std::string& dbPath, std::int64_t runId, const std::string& name,
                                 bool withHistory) {
    auto store = Store::open(dbPath, Store::Mode::ReadOnly);
    return store->metric(runId, name, withHistory).values;
}

bool bitIdentical(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace anneal::test
