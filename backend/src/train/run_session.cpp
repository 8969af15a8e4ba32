// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/run_session.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "anneal/dataset.h"
#include "anneal/error.h"
#include "anneal/mixture.h"
#include "anneal/run_experiment.h"
#include "anneal/store.h"
#include "train/checkpoint.h"

namespace anneal {

std::vector<DomainRecord> domainRecords(const ExperimentSpec& spec, const Dataset& data) {
    const auto floors = data.entropyFloors();
    const auto rates = data.entropyRates();
    std::vector<DomainRecord> out;
    for (int i = 0; i < data.domainCount(); ++i) {
        const auto k = static_cast<size_t>(i);
        out.push_back({spec.data.domains[k].name, spec.data.domains[k].source, spec.data.domains[k].weight,
                       rates[k], floors[k], data.source(i).description()});
    }
    return out;
}

double experimentEntropyFloor(const ExperimentSpec& spec, const Dataset& data) {
    std::vector<double> w;
    for (const auto& d : spec.data.domains) {
        w.push_back(d.weight);
    }
    return data.mixtureFloor(normalized(w));
}

std::vector<DomainRecord> domainRecords(const ExperimentSpec& spec) {
    return domainRecords(spec, Dataset(spec));
}

double experimentEntropyFloor(const ExperimentSpec& spec) {
    return experimentEntropyFloor(spec, Dataset(spec));
}

struct RunSession::Impl {
    std::string dbPath;
    ExperimentSpec spec;
    std::int64_t runId = 0;
    std::int64_t startStep = 0;
    std::shared_ptr<EventBus> bus = std::make_shared<EventBus>();
    std::shared_ptr<EventQueue> storeQueue = std::make_shared<EventQueue>(1 << 18);
    std::unique_ptr<StoreWriter> writer;
    std::unique_ptr<TrainingRun> run;
};

RunSession::RunSession() : m_impl(std::make_unique<Impl>()) {}

RunSession::~RunSession() {
    if (m_impl->run) {
        m_impl->run->stop();
        m_impl->run->wait();
    }
    if (m_impl->writer) {
        m_impl->writer->stop();
    }
}

namespace {

NewRun newRunFor(const ExperimentSpec& spec, const Dataset& data, const std::string& specText,
                 const std::vector<Override>& overrides, const std::string& name, const std::string& group) {
    NewRun r;
    r.name = name.empty() ? spec.name : name;
    r.group = group;
    r.specToml = specText;
    r.configToml = toToml(spec);
    r.overridesJson = nlohmann::json(overrides).dump();
    r.seed = spec.seed;
    r.device = resolveDevice(spec.device);
    r.stepsTotal = spec.train.steps;
    const ModelInfo mi = modelInfo(spec.model);
    r.params = mi.params;
    r.paramsNonEmbedding = mi.paramsNonEmbedding;
    r.flopsPerToken = mi.flopsPerToken;
    r.entropyFloor = experimentEntropyFloor(spec, data);
    r.tags = spec.tags;
    r.domains = domainRecords(spec, data);
    return r;
}

}  // namespace

std::unique_ptr<RunSession> RunSession::launch(const LaunchRequest& req) {
    std::unique_ptr<RunSession> s(new RunSession());
    Impl& m = *s->m_impl;
    m.dbPath = req.dbPath;
    m.spec = parseExperiment(req.specText, req.origin, req.overrides);
    resolveDevice(m.spec.device);  // refuse cuda without CUDA before a row is written
    auto data = std::make_shared<const Dataset>(m.spec, req.progress);  // once: the record and the run
    auto store = Store::open(req.dbPath);
    m.runId = store->createRun(newRunFor(m.spec, *data, req.specText, req.overrides, req.name, req.group));
    store->markRunning(m.runId);
    RunRequest rr;
    rr.spec = m.spec;
    rr.runId = m.runId;
    rr.checkpointDir = checkpointDirFor(req.dbPath, store->run(m.runId).uuid);
    rr.data = std::move(data);
    m.run = std::make_unique<TrainingRun>(rr, m.bus);
    return s;
}

std::unique_ptr<RunSession> RunSession::resume(const std::string& dbPath, std::int64_t runId) {
    std::unique_ptr<RunSession> s(new RunSession());
    Impl& m = *s->m_impl;
    m.dbPath = dbPath;
    auto store = Store::open(dbPath);
    const RunRecord r = store->run(runId);
    if (r.kind != "trained") {
        throw Error(ErrorCode::InvalidInput,
                    "run " + std::to_string(runId) + " is an imported curve and cannot be resumed", "RUN_ID");
    }
    if (r.status == RunStatus::Running || r.status == RunStatus::Completed) {
        throw Error(ErrorCode::InvalidInput,
                    "run " + std::to_string(runId) + " is " + runStatusName(r.status) +
                        "; only interrupted, stopped or "
                        "failed runs can be resumed",
                    "RUN_ID", "a run whose status is interrupted | stopped | failed");
    }
    m.spec = runExperiment(r);
    // The newest checkpoint whose file verifies; a checkpoint cut short by a kill is never used.
    auto cps = store->checkpoints(runId);
    std::string from;
    std::string skipped;
    for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
        try {
            train::readCheckpointHeader(it->path);
            from = it->path;
            m.startStep = it->step;
            break;
        } catch (const Error& e) {
            skipped += std::string("\n  step ") + std::to_string(it->step) + ": " + e.what();
        }
    }
    RunRequest rr;
    rr.spec = m.spec;
    rr.runId = runId;
    rr.checkpointDir = checkpointDirFor(dbPath, r.uuid);
    rr.startFrom = from;
    if (from.empty()) {
        if (!cps.empty()) {
            throw Error(ErrorCode::InvalidInput,
                        "no usable checkpoint for run " + std::to_string(runId) + ":" + skipped, "RUN_ID");
        }
        m.startStep = 0;  // killed before its first checkpoint: start over, same run
    }
    store->markRunning(runId);
    m.runId = runId;
    m.run = std::make_unique<TrainingRun>(rr, m.bus);
    return s;
}

std::unique_ptr<RunSession> RunSession::branch(const std::string& dbPath, std::int64_t parentId,
                                               std::int64_t atStep, const std::vector<Override>& overrides,
                                               const std::string& name, const DataProgress& progress) {
    std::unique_ptr<RunSession> s(new RunSession());
    Impl& m = *s->m_impl;
    m.dbPath = dbPath;
    auto store = Store::open(dbPath);
    const RunRecord parent = store->run(parentId);
    auto cp = store->checkpointAt(parentId, atStep);
    if (!cp) {
        std::string steps;
        for (const auto& c : store->checkpoints(parentId)) {
            steps += (steps.empty() ? "" : ", ") + std::to_string(c.step);
        }
        throw Error(
            ErrorCode::NotFound,
            "run " + std::to_string(parentId) + " has no checkpoint at step " + std::to_string(atStep),
            "--at-step",
            steps.empty() ? "none: the parent has no checkpoints (set log.checkpoint_every)" : steps);
    }
    train::readCheckpointHeader(cp->path);  // verify before creating a run
    m.spec = runExperiment(parent, overrides);
    if (m.spec.train.steps < atStep) {
        throw Error(ErrorCode::InvalidConfig,
                    "the branch ends before its start step " + std::to_string(atStep), "train.steps",
                    ">= " + std::to_string(atStep));
    }
    const std::string runName = name.empty() ? parent.name + "@" + std::to_string(atStep) : name;
    auto data = std::make_shared<const Dataset>(m.spec, progress);
    NewRun nr = newRunFor(m.spec, *data, parent.configToml, overrides, runName, parent.group);
    nr.parentId = parentId;
    nr.branchStep = atStep;
    nr.branchCheckpointId = cp->id;
    m.runId = store->createRun(nr);
    store->pinCheckpoint(cp->id, true);
    store->markRunning(m.runId);
    m.startStep = atStep;
    RunRequest rr;
    rr.spec = m.spec;
    rr.runId = m.runId;
    rr.checkpointDir = checkpointDirFor(dbPath, store->run(m.runId).uuid);
    rr.startFrom = cp->path;
    rr.isBranch = true;
    rr.data = std::move(data);
    m.run = std::make_unique<TrainingRun>(rr, m.bus);
    return s;
}

std::shared_ptr<EventBus> RunSession::bus() const { return m_impl->bus; }

void RunSession::start() {
    if (!m_impl->writer) {
        m_impl->bus->subscribe(m_impl->storeQueue);
        m_impl->writer = std::make_unique<StoreWriter>(m_impl->dbPath, m_impl->storeQueue);
        m_impl->writer->describeRun(m_impl->runId, runFacts(m_impl->spec));
    }
    m_impl->run->start();
}

void RunSession::stop() { m_impl->run->stop(); }

void RunSession::wait() {
    m_impl->run->wait();
    if (m_impl->writer) {
        m_impl->writer->flush();
    }
}

TrainingRun& RunSession::run() { return *m_impl->run; }
std::int64_t RunSession::runId() const { return m_impl->runId; }
const ExperimentSpec& RunSession::spec() const { return m_impl->spec; }
std::int64_t RunSession::startStep() const { return m_impl->startStep; }
StoreWriterStats RunSession::writerStats() const {
    return m_impl->writer ? m_impl->writer->stats() : StoreWriterStats{};
}

}  // namespace anneal
