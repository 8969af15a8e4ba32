// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Waiting for the fit view's background fit, for the UI suites that drive it.
#include <QSignalSpy>

#include "scaling_law_view.h"

namespace anneal::test {

/// Waits for the running fit of the view; returns whether it succeeded.
inline bool waitForFit(ui::ScalingLawView& view, int timeoutMs = 300000) {
    QSignalSpy done(&view, &ui::ScalingLawView::fitFinished);
    if (!done.wait(timeoutMs)) {
        return false;
    }
    return done.first().first().toBool();
}

}  // namespace anneal::test
