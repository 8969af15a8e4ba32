// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a plot's x axis measures, and the mapping from a run's steps to it. Tokens and wall time come
// from the run's step axis (Store::stepAxis), interpolated between logged steps and extrapolated
// past the last one; FLOPs are tokens x the run's training FLOPs per token (6N convention). Pure.

#include <QString>
#include <cstddef>
#include <vector>

namespace anneal::ui {

enum class XAxisKind { Step, Tokens, WallTime, Flops, RelativeStep };

/// Every kind, in menu order.
std::vector<XAxisKind> xAxisKinds();
QString xAxisName(XAxisKind kind);   ///< menu text: "Step", "Tokens"...
QString xAxisLabel(XAxisKind kind);  ///< axis label with units
QString xAxisKey(XAxisKind kind);    ///< stable settings key: "step", "tokens"...
XAxisKind xAxisFromKey(const QString& key);

/// A run's step -> tokens / wall seconds table, steps ascending.
struct StepAxisData {
    std::vector<double> steps;
    std::vector<double> tokens;
    std::vector<double> wall;
    void append(double step, double tok, double seconds);
};

class XAxisMapper {
public:
    /// stepOffset is subtracted for RelativeStep (the branch step). flopsPerToken is used for Flops.
    XAxisMapper(XAxisKind kind, const StepAxisData* axis, double flopsPerToken, double stepOffset);

    double map(double step) const;
    /// Maps ascending steps (one pass over the axis); appends to out.
    void mapAll(const double* steps, std::size_t n, std::vector<double>& out) const;

private:
    double lookup(const std::vector<double>& column, double step, std::size_t& hint) const;

    XAxisKind m_kind;
    const StepAxisData* m_axis;
    double m_flopsPerToken;
    double m_offset;
};

}  // namespace anneal::ui
