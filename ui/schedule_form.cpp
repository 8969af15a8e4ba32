// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule_form.h"

#include <QComboBox>

#include "anneal/config_schema.h"

namespace anneal::ui {

namespace {

QStringList toQStringList(const std::vector<std::string>& v) {
    QStringList out;
    for (const std::string& s : v) {
        out << QString::fromStdString(s);
    }
    return out;
}

/// Every key some kind uses (the rows the form has besides the kind).
QStringList allScheduleKeys() {
    QStringList out;
    for (const QString& kind : ScheduleForm::kinds()) {
        for (const QString& k : ScheduleForm::keysOf(kind)) {
            if (!out.contains(k)) {
                out << k;
            }
        }
    }
    return out;
}

}  // namespace

QStringList ScheduleForm::kinds() { return toQStringList(configKinds("schedule.kind")); }

QStringList ScheduleForm::keysOf(const QString& kind) {
    return toQStringList(configKeysFor("schedule.kind", kind.toStdString()));
}

ScheduleForm::ScheduleForm(bool withTrain, QWidget* parent) : SpecForm(parent) {
    using S = ExperimentSpec;
    if (withTrain) {
        addInt<std::int64_t>(
            QStringLiteral("train.steps"), tr("Steps"), [](S& s) -> std::int64_t& { return s.train.steps; },
            1, 1000000000000LL, tr("Updates in the run; the schedule is a function of them"));
        addNumber(
            QStringLiteral("train.lr"), tr("Peak LR"), [](S& s) -> double& { return s.train.lr; },
            tr("lr(t) = peak LR x the schedule's multiplier"));
    }
    addChoice(
        QStringLiteral("schedule.kind"), tr("Schedule"), [](S& s) -> std::string& { return s.schedule.kind; },
        kinds());
    addInt<std::int64_t>(
        QStringLiteral("schedule.warmup_steps"), tr("Warmup steps"),
        [](S& s) -> std::int64_t& { return s.schedule.warmupSteps; }, 0, 1000000000000LL);
    addNumber(
        QStringLiteral("schedule.warmup_start_fraction"), tr("Warmup start"),
        [](S& s) -> double& { return s.schedule.warmupStartFraction; },
        tr("Multiplier of the first warmup step (warmup is s + (1 - s)·t/W)"));
    addNumber(
        QStringLiteral("schedule.final_lr_fraction"), tr("Final LR fraction"),
        [](S& s) -> double& { return s.schedule.finalLrFraction; },
        tr("LR at the end, as a fraction of the peak"));
    addNumber(
        QStringLiteral("schedule.decay_fraction"), tr("Decay fraction"),
        [](S& s) -> double& { return s.schedule.decayFraction; },
        tr("wsd: share of the steps in the final decay; inverse_sqrt: its cooldown"));
    addChoice(
        QStringLiteral("schedule.decay_shape"), tr("Decay shape"),
        [](S& s) -> std::string& { return s.schedule.decayShape; },
        toQStringList(configAllowedValues("schedule.decay_shape")));
    addNumber(
        QStringLiteral("schedule.decay_half_life"), tr("Decay half-life"),
        [](S& s) -> double& { return s.schedule.decayHalfLife; },
        tr("exponential decay only: half-life in steps (0 = reach the final LR at the end)"));
    addNumber(
        QStringLiteral("schedule.timescale"), tr("Timescale"),
        [](S& s) -> double& { return s.schedule.timescale; },
        tr("inverse_sqrt: f = 1/sqrt(1 + (t - W)/timescale); 0 = warmup steps"));
    addInt<std::int64_t>(
        QStringLiteral("schedule.rewarm_at"), tr("Re-warm at step"),
        [](S& s) -> std::int64_t& { return s.schedule.rewarmAt; }, 0, 1000000000000LL);
    addInt<std::int64_t>(
        QStringLiteral("schedule.rewarm_steps"), tr("Re-warm steps"),
        [](S& s) -> std::int64_t& { return s.schedule.rewarmSteps; }, 0, 1000000000000LL);
    addNumber(
        QStringLiteral("schedule.rewarm_peak_fraction"), tr("Re-warm peak"),
        [](S& s) -> double& { return s.schedule.rewarmPeakFraction; },
        tr("The new peak, as a fraction of the LR"));
    addInt<std::int64_t>(
        QStringLiteral("schedule.cooldown_steps"), tr("Cooldown steps"),
        [](S& s) -> std::int64_t& { return s.schedule.cooldownSteps; }, 0, 1000000000000LL);
    addChoice(
        QStringLiteral("schedule.cooldown_shape"), tr("Cooldown shape"),
        [](S& s) -> std::string& { return s.schedule.cooldownShape; },
        toQStringList(configAllowedValues("schedule.cooldown_shape")));
    addNumber(QStringLiteral("schedule.constant_lr_fraction"), tr("Constant LR fraction"),
              [](S& s) -> double& { return s.schedule.constantLrFraction; });
    addNumber(QStringLiteral("schedule.cooldown_timescale"), tr("Cooldown timescale"),
              [](S& s) -> double& { return s.schedule.cooldownTimescale; });
    addNumber(
        QStringLiteral("schedule.anneal_fraction"), tr("Anneal fraction"),
        [](S& s) -> double& { return s.schedule.annealFraction; },
        tr("Share of the steps in the final exponential anneal"));
    auto* kind = static_cast<QComboBox*>(fieldWidget(QStringLiteral("schedule.kind")));
    connect(kind, &QComboBox::currentTextChanged, this, &ScheduleForm::showKind);
    showKind(kind->currentText());
}

void ScheduleForm::showKind(const QString& kind) {
    const QStringList used = keysOf(kind);
    static const QStringList all = allScheduleKeys();
    for (const QString& k : all) {
        setFieldVisible(QStringLiteral("schedule.") + k, used.contains(k));
    }
}

}  // namespace anneal::ui
