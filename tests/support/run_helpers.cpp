// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_helpers.h"

#include <cstring>

#include "anneal/store.h"

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

std::int64_t runToml(const std::string& dbPath, const std::string& toml, const std::vector<Override>& overrides,
                     const std::string& name) {
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
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace anneal::test
