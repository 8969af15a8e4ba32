// SPDX-License-Identifier: GPL-3.0-or-later
// ExperimentDialog's pages: one SpecForm per table of the experiment file, named by key path.
#include <QComboBox>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

#include "anneal/config_schema.h"
#include "domain_table.h"
#include "experiment_dialog.h"
#include "schedule_form.h"
#include "spec_form.h"

namespace anneal::ui {

namespace {

using S = ExperimentSpec;
constexpr qint64 kBig = 1000000000000LL;

/// The allowed values of an enumerated key or the kinds of a selector, from the parser's own table.
QStringList allowed(const char* keyPath) {
    QStringList out;
    for (const std::string& w : configAllowedValues(keyPath)) {
        out << QString::fromStdString(w);
    }
    return out;
}

/// Whether a kind of a selector uses a key (e.g. "reweight.strategy", "meta_rescale", "meta_lr").
bool kindUses(const char* selector, const QString& kind, const char* key) {
    for (const std::string& k : configKeysFor(selector, kind.toStdString())) {
        if (k == key) {
            return true;
        }
    }
    return false;
}

}  // namespace

void ExperimentDialog::buildPages() {
    SpecForm* general = addFormPage(tr("General"));
    general->addText(QStringLiteral("name"), tr("Name"), [](S& s) -> std::string& { return s.name; });
    general->addInt<std::uint64_t>(
        QStringLiteral("seed"), tr("Seed"), [](S& s) -> std::uint64_t& { return s.seed; }, 0,
        std::numeric_limits<qint64>::max(), tr("Same spec and seed give the same losses bit for bit on CPU"));
    general->addChoice(
        QStringLiteral("device"), tr("Device"), [](S& s) -> std::string& { return s.device; },
        allowed("device"));
    general->addList(QStringLiteral("tags"), tr("Tags"),
                     [](S& s) -> std::vector<std::string>& { return s.tags; });

    SpecForm* model = addFormPage(tr("Model"));
    model->addInt<int>(
        QStringLiteral("model.n_layer"), tr("Layers"), [](S& s) -> int& { return s.model.nLayer; }, 1, 1000);
    model->addInt<int>(
        QStringLiteral("model.d_model"), tr("Width (d_model)"), [](S& s) -> int& { return s.model.dModel; },
        1, 100000);
    model->addInt<int>(
        QStringLiteral("model.n_head"), tr("Heads"), [](S& s) -> int& { return s.model.nHead; }, 1, 1000,
        tr("Must divide d_model"));
    model->addInt<int>(
        QStringLiteral("model.context"), tr("Context"), [](S& s) -> int& { return s.model.context; }, 1,
        1000000, tr("Tokens the model sees; each sample holds context + 1 bytes"));

    SpecForm* dataForm = addFormPage(tr("Data"));
    dataForm->addInt<int>(
        QStringLiteral("data.batch_size"), tr("Batch size"), [](S& s) -> int& { return s.data.batchSize; }, 1,
        1000000);
    dataForm->addInt<int>(
        QStringLiteral("data.val_every"), tr("Validate every"), [](S& s) -> int& { return s.data.valEvery; },
        0, 100000000, tr("Steps; 0 = only at the end"));
    dataForm->addInt<int>(
        QStringLiteral("data.val_batches"), tr("Validation batches"),
        [](S& s) -> int& { return s.data.valBatches; }, 1, 100000, tr("Per domain, per validation"));
    m_dataPage = m_pages->count() - 1;
    m_domains = new DomainTable(this);
    auto* dataPage = static_cast<QScrollArea*>(m_pages->widget(m_dataPage));
    auto* holder = new QWidget(this);
    auto* holderLayout = new QVBoxLayout(holder);
    dataPage->takeWidget();
    holderLayout->addWidget(dataForm);
    holderLayout->addWidget(m_domains, 1);
    auto* inspect = new QPushButton(tr("&Inspect data…"), holder);
    inspect->setObjectName(QStringLiteral("inspectData"));
    inspect->setToolTip(
        tr("Build this experiment's data as a run would (reading files, training a tokenizer) and show per "
           "domain its files, documents, bytes, tokens, split and a few decoded windows"));
    holderLayout->addWidget(inspect, 0, Qt::AlignLeft);
    connect(inspect, &QPushButton::clicked, this, [this] { inspectData(); });
    dataPage->setWidget(holder);
    connect(m_domains, &DomainTable::edited, this, &ExperimentDialog::onEdited);

    SpecForm* train = addFormPage(tr("Training"));
    train->addInt<std::int64_t>(
        QStringLiteral("train.steps"), tr("Steps"), [](S& s) -> std::int64_t& { return s.train.steps; }, 1,
        kBig);
    train->addNumber(QStringLiteral("train.lr"), tr("Peak LR"), [](S& s) -> double& { return s.train.lr; });
    train->addNumber(QStringLiteral("train.weight_decay"), tr("Weight decay"),
                     [](S& s) -> double& { return s.train.weightDecay; });
    train->addNumber(QStringLiteral("train.betas"), tr("Adam β1"),
                     [](S& s) -> double& { return s.train.betas[0]; });
    train->addNumber(QStringLiteral("train.betas[1]"), tr("Adam β2"),
                     [](S& s) -> double& { return s.train.betas[1]; });
    train->addNumber(QStringLiteral("train.eps"), tr("Adam ε"), [](S& s) -> double& { return s.train.eps; });
    train->addNumber(
        QStringLiteral("train.grad_clip"), tr("Gradient clip"),
        [](S& s) -> double& { return s.train.gradClip; },
        tr("Max global gradient norm; 0 disables clipping"));
    train->addInt<int>(
        QStringLiteral("train.threads"), tr("Threads"), [](S& s) -> int& { return s.train.threads; }, 0, 1024,
        tr("Torch intra-op threads; 0 = all cores but one (leaves the window a core)"));
    train->addBool(QStringLiteral("train.skip_nonfinite"), tr("Skip non-finite updates"),
                   [](S& s) -> bool& { return s.train.skipNonFinite; });
    train->addNumber(
        QStringLiteral("train.spike_z"), tr("Spike z-score"), [](S& s) -> double& { return s.train.spikeZ; },
        tr("Loss z-score recorded as a spike notice"));

    auto* schedule = new ScheduleForm(false, this);
    auto* scheduleScroll = new QScrollArea(this);
    scheduleScroll->setWidget(schedule);
    scheduleScroll->setWidgetResizable(true);
    m_pages->addTab(scheduleScroll, tr("Schedule"));
    m_forms << schedule;
    connect(schedule, &SpecForm::edited, this, &ExperimentDialog::onEdited);

    SpecForm* mix = addFormPage(tr("Mixture"));
    mix->addChoice(
        QStringLiteral("mixture.kind"), tr("Mixture"), [](S& s) -> std::string& { return s.mixture.kind; },
        allowed("mixture.kind"), tr("static: the domains' weights; temperature: p ∝ size^(1/T)"));
    mix->addNumber(QStringLiteral("mixture.temperature"), tr("Temperature"),
                   [](S& s) -> double& { return s.mixture.temperature; });
    mix->addChoice(
        QStringLiteral("mixture.temperature_schedule"), tr("Temperature schedule"),
        [](S& s) -> std::string& { return s.mixture.temperatureSchedule; },
        allowed("mixture.temperature_schedule"));
    mix->addNumber(QStringLiteral("mixture.temperature_end"), tr("Final temperature"),
                   [](S& s) -> double& { return s.mixture.temperatureEnd; });
    mix->addNumber(
        QStringLiteral("mixture.temperature_switch_fraction"), tr("Switch at"),
        [](S& s) -> double& { return s.mixture.temperatureSwitchFraction; }, tr("Fraction of the steps"));
    mix->addSection(tr("Upsampling at the end of training"));
    mix->addBool(QStringLiteral("mixture.upsample"), tr("Upsample"),
                 [](S& s) -> bool& { return s.mixture.upsample.enabled; });
    mix->addNumber(
        QStringLiteral("mixture.upsample.start_fraction"), tr("Start at"),
        [](S& s) -> double& { return s.mixture.upsample.startFraction; }, tr("Fraction of the steps"));
    mix->addWeights(QStringLiteral("mixture.upsample.weights"), tr("New weights"),
                    [](S& s) -> std::map<std::string, double>& { return s.mixture.upsample.weights; });
    mix->addSection(tr("Replay of an earlier mix"));
    mix->addBool(QStringLiteral("mixture.replay"), tr("Replay"),
                 [](S& s) -> bool& { return s.mixture.replay.enabled; });
    mix->addNumber(QStringLiteral("mixture.replay.fraction"), tr("Share of each batch"),
                   [](S& s) -> double& { return s.mixture.replay.fraction; });
    mix->addInt<std::int64_t>(
        QStringLiteral("mixture.replay.start_step"), tr("From step"),
        [](S& s) -> std::int64_t& { return s.mixture.replay.startStep; }, 0, kBig);
    mix->addWeights(QStringLiteral("mixture.replay.weights"), tr("Replay mix"),
                    [](S& s) -> std::map<std::string, double>& { return s.mixture.replay.weights; });

    SpecForm* rw = addFormPage(tr("Reweighting"));
    rw->addChoice(
        QStringLiteral("reweight.strategy"), tr("Strategy"),
        [](S& s) -> std::string& { return s.reweight.strategy; }, allowed("reweight.strategy"));
    rw->addInt<std::int64_t>(
        QStringLiteral("reweight.burnin_steps"), tr("Burn-in steps"),
        [](S& s) -> std::int64_t& { return s.reweight.burninSteps; }, 0, kBig,
        tr("Uniform weights before this step"));
    rw->addNumber(
        QStringLiteral("reweight.delta"), tr("δ"), [](S& s) -> double& { return s.reweight.delta; },
        tr("Normalisation range [-δ, δ]"));
    rw->addNumber(QStringLiteral("reweight.kl_reg"), tr("KL regularisation r"),
                  [](S& s) -> double& { return s.reweight.klReg; });
    rw->addNumber(
        QStringLiteral("reweight.temperature"), tr("Temperature"),
        [](S& s) -> double& { return s.reweight.temperature; },
        tr("w_i = p_i(T)/q_i; 0 = use domain weights"));
    rw->addWeights(QStringLiteral("reweight.domain_weights"), tr("Domain weights"),
                   [](S& s) -> std::map<std::string, double>& { return s.reweight.domainWeights; });
    rw->addNumber(QStringLiteral("reweight.meta_lr"), tr("Meta LR"),
                  [](S& s) -> double& { return s.reweight.metaLr; });
    rw->addInt<int>(
        QStringLiteral("reweight.meta_every"), tr("Meta every"),
        [](S& s) -> int& { return s.reweight.metaEvery; }, 1, 1000000);
    rw->addInt<int>(
        QStringLiteral("reweight.meta_batch"), tr("Meta batch"),
        [](S& s) -> int& { return s.reweight.metaBatch; }, 1, 1000000);

    SpecForm* log = addFormPage(tr("Logging"));
    log->addInt<int>(
        QStringLiteral("log.every"), tr("Metrics every"), [](S& s) -> int& { return s.log.every; }, 1,
        1000000);
    log->addInt<int>(
        QStringLiteral("log.weights_every"), tr("Weights every"),
        [](S& s) -> int& { return s.log.weightsEvery; }, 0, 100000000, tr("0 = never"));
    log->addInt<int>(
        QStringLiteral("log.checkpoint_every"), tr("Checkpoint every"),
        [](S& s) -> int& { return s.log.checkpointEvery; }, 0, 100000000,
        tr("0 = only at the end; set it to branch from the middle of a run"));
    log->addInt<int>(
        QStringLiteral("log.keep_checkpoints"), tr("Keep checkpoints"),
        [](S& s) -> int& { return s.log.keepCheckpoints; }, 0, 100000);

    for (const char* key : {"mixture.kind", "mixture.temperature_schedule", "reweight.strategy"}) {
        connect(static_cast<QComboBox*>(fieldWidget(QString::fromLatin1(key))),
                &QComboBox::currentTextChanged, this, &ExperimentDialog::updateKinds);
    }
}

void ExperimentDialog::updateKinds() {
    SpecForm* mix = nullptr;
    SpecForm* rw = nullptr;
    for (SpecForm* f : m_forms) {
        if (f->hasField(QStringLiteral("mixture.kind"))) {
            mix = f;
        } else if (f->hasField(QStringLiteral("reweight.strategy"))) {
            rw = f;
        }
    }
    auto text = [](SpecForm* f, const char* key) {
        return static_cast<QComboBox*>(f->fieldWidget(QString::fromLatin1(key)))->currentText();
    };
    auto checked = [](SpecForm* f, const char* key) {
        return f->fieldWidget(QString::fromLatin1(key))->property("checked").toBool();
    };
    const QString mixKind = text(mix, "mixture.kind");
    const bool temperature = kindUses("mixture.kind", mixKind, "temperature");
    const QString tSchedule = text(mix, "mixture.temperature_schedule");
    mix->setFieldVisible(QStringLiteral("mixture.temperature"), temperature);
    mix->setFieldVisible(QStringLiteral("mixture.temperature_schedule"),
                         kindUses("mixture.kind", mixKind, "temperature_schedule"));
    mix->setFieldVisible(QStringLiteral("mixture.temperature_end"),
                         temperature && tSchedule != QLatin1String("constant"));
    mix->setFieldVisible(QStringLiteral("mixture.temperature_switch_fraction"),
                         temperature && tSchedule == QLatin1String("step"));
    const bool up = checked(mix, "mixture.upsample");
    mix->setFieldVisible(QStringLiteral("mixture.upsample.start_fraction"), up);
    mix->setFieldVisible(QStringLiteral("mixture.upsample.weights"), up);
    const bool replay = checked(mix, "mixture.replay");
    mix->setFieldVisible(QStringLiteral("mixture.replay.fraction"), replay);
    mix->setFieldVisible(QStringLiteral("mixture.replay.start_step"), replay);
    mix->setFieldVisible(QStringLiteral("mixture.replay.weights"), replay);

    // The keys each strategy uses (the experiment format rejects the others): the parser's table.
    const QString strategy = text(rw, "reweight.strategy");
    for (const char* key : {"burnin_steps", "delta", "kl_reg", "temperature", "domain_weights", "meta_lr",
                            "meta_every", "meta_batch"}) {
        rw->setFieldVisible(QStringLiteral("reweight.") + QString::fromLatin1(key),
                            kindUses("reweight.strategy", strategy, key));
    }
}

}  // namespace anneal::ui
