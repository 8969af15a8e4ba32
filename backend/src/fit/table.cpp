// SPDX-License-Identifier: GPL-3.0-or-later
// The conversions of imported tables to fit inputs (anneal/fit/table.h).
#include "anneal/fit/table.h"

#include <cmath>
#include <map>

#include "anneal/error.h"

namespace anneal::fit {

FitInput tableToPoints(const Table& table, const PointColumns& cols) {
    FitInput in;
    auto take = [&](const std::string& name, std::vector<double>& dst) {
        if (!name.empty()) {
            dst = table.column(name);
        }
    };
    take(cols.n, in.n);
    take(cols.d, in.d);
    take(cols.c, in.c);
    take(cols.x, in.x);
    take(cols.loss, in.loss);
    take(cols.lr, in.lr);
    take(cols.batch, in.batch);
    take(cols.weight, in.weight);
    if (!cols.label.empty()) {
        const auto it = table.text.find(cols.label);
        if (it == table.text.end()) {
            throw Error(ErrorCode::InvalidInput, "no text column '" + cols.label + "'", table.source);
        }
        in.labels = it->second;
    }
    return in;
}

TableSpec curveSpec(const CurveColumns& cols) {
    TableSpec spec;
    spec.numeric = {cols.step, cols.loss};
    (cols.lrSequence ? spec.optionalNumeric : spec.numeric).push_back(cols.lr);
    spec.increasing = cols.step;
    spec.group = cols.group;
    return spec;
}

std::vector<Curve> tableToCurves(const Table& table, const CurveColumns& cols) {
    const auto& steps = table.column(cols.step);
    const auto& losses = table.column(cols.loss);
    static const std::vector<double> kNone;
    const bool hasLr = table.has(cols.lr);
    const auto& lrs = hasLr ? table.column(cols.lr) : kNone;
    std::vector<std::string> groupOf(table.rows());
    if (!cols.group.empty()) {
        const auto it = table.text.find(cols.group);
        if (it == table.text.end()) {
            throw Error(ErrorCode::InvalidInput, "no text column '" + cols.group + "'", table.source);
        }
        groupOf = it->second;
    }
    // Rows of each group in file order (the spec made steps strictly increasing per group).
    std::vector<std::string> order;
    std::map<std::string, std::vector<size_t>> rowsOf;
    for (size_t r = 0; r < table.rows(); ++r) {
        if (!rowsOf.count(groupOf[r])) {
            order.push_back(groupOf[r]);
        }
        rowsOf[groupOf[r]].push_back(r);
    }
    std::vector<Curve> curves;
    for (const auto& g : order) {
        Curve cv;
        cv.name = g.empty() ? table.source : g;
        const auto& rows = rowsOf[g];
        for (size_t r : rows) {
            const double s = steps[r];
            if (s < 0 || s != std::floor(s) || s > 1e12) {
                throw Error(ErrorCode::InvalidInput,
                            "column '" + cols.step + "': step must be a non-negative integer",
                            table.source + ":" + std::to_string(table.lines[r]));
            }
            if (hasLr && lrs[r] < 0) {
                throw Error(ErrorCode::InvalidInput, "column '" + cols.lr + "': LR must be >= 0",
                            table.source + ":" + std::to_string(table.lines[r]));
            }
            cv.steps.push_back(static_cast<int64_t>(s));
            cv.losses.push_back(losses[r]);
        }
        if (cols.lrSequence) {
            std::vector<double> logged;
            std::vector<size_t> lines;
            for (size_t r : rows) {
                lines.push_back(table.lines[r]);
                if (hasLr) {
                    logged.push_back(lrs[r]);
                }
            }
            checkCurveAgainstLr(*cols.lrSequence, cv.steps, hasLr ? &logged : nullptr, lines, table.source,
                                cols.step, cols.lr);
            cv.lr = cols.lrSequence->lr;
            cv.warmupSteps = cols.lrSequence->warmupSteps;
            curves.push_back(std::move(cv));
            continue;
        }
        if (cols.warnings && cv.steps.front() > 0) {
            cols.warnings->push_back(unknownWarmupWarning(
                g.empty() ? table.source : table.source + " (" + cols.group + " " + g + ")",
                cv.steps.front()));
        }
        // LR of every update: linear interpolation between logged steps, the first logged LR before it.
        cv.lr.resize(static_cast<size_t>(cv.steps.back()) + 1);
        size_t k = 0;
        for (size_t u = 0; u < cv.lr.size(); ++u) {
            while (k + 1 < rows.size() && cv.steps[k + 1] <= static_cast<int64_t>(u)) {
                ++k;
            }
            const double s0 = static_cast<double>(cv.steps[k]);
            if (static_cast<double>(u) <= s0 || k + 1 == rows.size()) {
                cv.lr[u] = lrs[rows[k]];
            } else {
                const double s1 = static_cast<double>(cv.steps[k + 1]);
                const double t = (static_cast<double>(u) - s0) / (s1 - s0);
                cv.lr[u] = lrs[rows[k]] + t * (lrs[rows[k + 1]] - lrs[rows[k]]);
            }
        }
        curves.push_back(std::move(cv));
    }
    return curves;
}

}  // namespace anneal::fit
