// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule_form.h"

#include <QComboBox>

namespace anneal::ui {

namespace {

const QStringList kAllKeys = {QStringLiteral("warmup_steps"),
                              QStringLiteral("warmup_start_fraction"),
                              QStringLiteral("final_lr_fraction"),
                              QStringLiteral("decay_fraction"),
                              QStringLiteral("decay_shape"),
                              QStringLiteral("decay_half_life"),
                              QStringLiteral("timescale"),
                              QStringLiteral("rewarm_at"),
                              QStringLiteral("rewarm_steps"),
                              QStringLiteral("rewarm_peak_fraction"),
                              QStringLiteral("cooldown_steps"),
                              QStringLiteral("cooldown_shape"),
                              QStringLiteral("constant_lr_fraction"),
                              QStringLiteral("cooldown_timescale"),
                              QStringLiteral("anneal_fraction")};

}  // namespace

QStringList ScheduleForm::kinds() {
    return {QStringLiteral("constant"),     QStringLiteral("cosine"), QStringLiteral("linear"),
            QStringLiteral("inverse_sqrt"), QStringLiteral("wsd"),    QStringLiteral("rewarm"),
            QStringLiteral("infinite")};
}

QStringList ScheduleForm::keysOf(const QString& kind) {
    const QStringList warm{QStringLiteral("warmup_steps"), QStringLiteral("warmup_start_fraction")};
    if (kind == QLatin1String("constant")) {
        return warm;
    }
    if (kind == QLatin1String("cosine") || kind == QLatin1String("linear")) {
        return warm + QStringList{QStringLiteral("final_lr_fraction")};
    }
    if (kind == QLatin1String("inverse_sqrt")) {
        return warm + QStringList{QStringLiteral("timescale"), QStringLiteral("decay_fraction"),
                                  QStringLiteral("decay_shape"), QStringLiteral("final_lr_fraction"),
                                  QStringLiteral("decay_half_life")};
    }
    if (kind == QLatin1String("wsd")) {
        return warm + QStringList{QStringLiteral("decay_fraction"), QStringLiteral("decay_shape"),
                                  QStringLiteral("final_lr_fraction"), QStringLiteral("decay_half_life")};
    }
    if (kind == QLatin1String("rewarm")) {
        return warm + QStringList{QStringLiteral("final_lr_fraction"), QStringLiteral("rewarm_at"),
                                  QStringLiteral("rewarm_steps"), QStringLiteral("rewarm_peak_fraction")};
    }
    if (kind == QLatin1String("infinite")) {
        return warm +
               QStringList{QStringLiteral("cooldown_steps"),       QStringLiteral("cooldown_shape"),
                           QStringLiteral("constant_lr_fraction"), QStringLiteral("cooldown_timescale"),
                           QStringLiteral("anneal_fraction"),      QStringLiteral("final_lr_fraction")};
    }
    return {};
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
    addChoice(QStringLiteral("schedule.decay_shape"), tr("Decay shape"),
              [](S& s) -> std::string& { return s.schedule.decayShape; },
              {QStringLiteral("linear"), QStringLiteral("cosine"), QStringLiteral("1-sqrt"),
               QStringLiteral("square"), QStringLiteral("exponential")});
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
    addChoice(QStringLiteral("schedule.cooldown_shape"), tr("Cooldown shape"),
              [](S& s) -> std::string& { return s.schedule.cooldownShape; },
              {QStringLiteral("inverse_sqrt"), QStringLiteral("cosine")});
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
    for (const QString& k : kAllKeys) {
        setFieldVisible(QStringLiteral("schedule.") + k, used.contains(k));
    }
}

}  // namespace anneal::ui
