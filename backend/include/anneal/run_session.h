// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file run_session.h
/// One run with its storage: creates (or reopens) the run's database row, starts the training
/// thread and a store writer subscribed to its events. The CLI and the GUI launch, resume and branch
/// runs through this, so both store exactly the same things. Subscribe more queues to bus() before
/// start(). Throws anneal::Error before anything starts (bad spec, unknown run, missing checkpoint).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "anneal/events.h"
#include "anneal/experiment.h"
#include "anneal/store.h"
#include "anneal/store_writer.h"
#include "anneal/trainer.h"

namespace anneal {

struct LaunchRequest {
    std::string dbPath;
    std::string specText;  ///< the experiment file as given
    std::string origin;    ///< its path, for messages
    std::vector<Override> overrides;
    std::string name;   ///< run name; default: the experiment's name
    std::string group;  ///< sweep group
    /// Building the run's data in launch() (training a tokenizer, tokenising: a minute on a large
    /// corpus with a cold cache), on the calling thread. The data is built once and handed to the
    /// run; a resumed run builds it on its thread and publishes PrepareEvent instead.
    DataProgress progress;
};

class RunSession {
public:
    /// A new run from an experiment file.
    static std::unique_ptr<RunSession> launch(const LaunchRequest& request);
    /// Continues an interrupted, stopped or failed run from its newest valid checkpoint.
    static std::unique_ptr<RunSession> resume(const std::string& dbPath, std::int64_t runId);
    /// A new run that starts from `parentId`'s checkpoint at `atStep` with the parent's resolved config
    /// plus `overrides`. It shares the parent's history before atStep.
    static std::unique_ptr<RunSession> branch(const std::string& dbPath, std::int64_t parentId,
                                              std::int64_t atStep, const std::vector<Override>& overrides,
                                              const std::string& name = {},
                                              const DataProgress& progress = {});

    ~RunSession();

    std::shared_ptr<EventBus> bus() const;
    void start();
    void stop();
    /// Waits for the run to end and its events to be committed.
    void wait();
    TrainingRun& run();
    std::int64_t runId() const;
    const ExperimentSpec& spec() const;
    /// Step the run starts at (0, a checkpoint's step on resume, the branch step).
    std::int64_t startStep() const;
    StoreWriterStats writerStats() const;

private:
    RunSession();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Domain records (names, sources, entropy) of an experiment whose data is built, for the runs table.
std::vector<DomainRecord> domainRecords(const ExperimentSpec& spec, const Dataset& data);
/// The static mix's loss floor of an experiment whose data is built (nats/token).
double experimentEntropyFloor(const ExperimentSpec& spec, const Dataset& data);
/// The same, building the data (which may train a tokenizer and tokenise a corpus: build a Dataset
/// once and use the overloads above when both are wanted).
std::vector<DomainRecord> domainRecords(const ExperimentSpec& spec);
double experimentEntropyFloor(const ExperimentSpec& spec);

}  // namespace anneal
