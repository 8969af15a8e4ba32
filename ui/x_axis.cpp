// SPDX-License-Identifier: GPL-3.0-or-later
#include "x_axis.h"

#include <algorithm>

namespace anneal::ui {

std::vector<XAxisKind> xAxisKinds() {
    return {XAxisKind::Step, XAxisKind::Tokens, XAxisKind::WallTime, XAxisKind::Flops,
            XAxisKind::RelativeStep};
}

QString xAxisName(XAxisKind kind) {
    switch (kind) {
        case XAxisKind::Step:
            return QStringLiteral("Step");
        case XAxisKind::Tokens:
            return QStringLiteral("Tokens");
        case XAxisKind::WallTime:
            return QStringLiteral("Wall time");
        case XAxisKind::Flops:
            return QStringLiteral("FLOPs");
        case XAxisKind::RelativeStep:
            return QStringLiteral("Steps from branch point");
    }
    return {};
}

QString xAxisLabel(XAxisKind kind) {
    switch (kind) {
        case XAxisKind::Step:
            return QStringLiteral("step");
        case XAxisKind::Tokens:
            return QStringLiteral("tokens");
        case XAxisKind::WallTime:
            return QStringLiteral("wall time (s)");
        case XAxisKind::Flops:
            return QStringLiteral("training FLOPs");
        case XAxisKind::RelativeStep:
            return QStringLiteral("steps from the branch point");
    }
    return {};
}

QString xAxisKey(XAxisKind kind) {
    switch (kind) {
        case XAxisKind::Step:
            return QStringLiteral("step");
        case XAxisKind::Tokens:
            return QStringLiteral("tokens");
        case XAxisKind::WallTime:
            return QStringLiteral("wall");
        case XAxisKind::Flops:
            return QStringLiteral("flops");
        case XAxisKind::RelativeStep:
            return QStringLiteral("relative");
    }
    return {};
}

XAxisKind xAxisFromKey(const QString& key) {
    for (XAxisKind k : xAxisKinds()) {
        if (xAxisKey(k) == key) {
            return k;
        }
    }
    return XAxisKind::Step;
}

void StepAxisData::append(double step, double tok, double seconds) {
    if (!steps.empty() && step <= steps.back()) {
        return;  // already known (history and live points overlap)
    }
    steps.push_back(step);
    tokens.push_back(tok);
    wall.push_back(seconds);
}

XAxisMapper::XAxisMapper(XAxisKind kind, const StepAxisData* axis, double flopsPerToken, double stepOffset)
    : m_kind(kind), m_axis(axis), m_flopsPerToken(flopsPerToken), m_offset(stepOffset) {}

double XAxisMapper::lookup(const std::vector<double>& column, double step, std::size_t& hint) const {
    const auto& s = m_axis->steps;
    const std::size_t n = s.size();
    if (n == 1) {
        return column[0] * (step + 1) / (s[0] + 1);
    }
    if (step <= s.front()) {
        // Before the first logged step: proportional to the updates made (tokens and time start at 0).
        return s.front() + 1 > 0 ? column.front() * std::max(0.0, step + 1) / (s.front() + 1)
                                 : column.front();
    }
    if (step >= s.back()) {
        const double slope = (column[n - 1] - column[n - 2]) / std::max(1e-12, s[n - 1] - s[n - 2]);
        return column.back() + slope * (step - s.back());
    }
    // Advance the hint (ascending queries) or search.
    if (hint + 1 >= n || s[hint] > step) {
        hint = static_cast<std::size_t>(std::upper_bound(s.begin(), s.end(), step) - s.begin()) - 1;
    }
    while (hint + 1 < n && s[hint + 1] <= step) {
        ++hint;
    }
    if (s[hint] == step || hint + 1 >= n) {
        return column[hint];
    }
    const double t = (step - s[hint]) / (s[hint + 1] - s[hint]);
    return column[hint] + t * (column[hint + 1] - column[hint]);
}

double XAxisMapper::map(double step) const {
    std::size_t hint = 0;
    switch (m_kind) {
        case XAxisKind::Step:
            return step;
        case XAxisKind::RelativeStep:
            return step - m_offset;
        case XAxisKind::Tokens:
        case XAxisKind::Flops:
        case XAxisKind::WallTime:
            break;
    }
    if (!m_axis || m_axis->steps.empty()) {
        return step;  // no axis stored (an imported curve): fall back to steps
    }
    if (m_kind == XAxisKind::WallTime) {
        return lookup(m_axis->wall, step, hint);
    }
    const double tokens = lookup(m_axis->tokens, step, hint);
    return m_kind == XAxisKind::Flops ? tokens * m_flopsPerToken : tokens;
}

void XAxisMapper::mapAll(const double* steps, std::size_t n, std::vector<double>& out) const {
    out.reserve(out.size() + n);
    if (m_kind == XAxisKind::Step || m_kind == XAxisKind::RelativeStep || !m_axis || m_axis->steps.empty()) {
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(map(steps[i]));
        }
        return;
    }
    const auto& column = m_kind == XAxisKind::WallTime ? m_axis->wall : m_axis->tokens;
    const double scale = m_kind == XAxisKind::Flops ? m_flopsPerToken : 1.0;
    std::size_t hint = 0;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(lookup(column, steps[i], hint) * scale);
    }
}

}  // namespace anneal::ui
