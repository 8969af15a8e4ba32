// SPDX-License-Identifier: GPL-3.0-or-later
// CSV export: one row per observation with its predictors, observed and predicted values and the log
// residual. Columns depend on the law (curves get curve and step, steplaw gets target).
#include <functional>
#include <sstream>

#include "anneal/fit/fit_export.h"
#include "anneal/fit/law.h"
#include "export_format.h"

namespace anneal::fit {

namespace {

std::string cell(double v) { return std::isfinite(v) ? detail::exactNumber(v) : std::string(); }

std::string quoted(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) {
        return s;
    }
    std::string q = "\"";
    for (char ch : s) {
        q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    }
    return q + "\"";
}

}  // namespace

std::string fitToCsv(const FitResult& fit) {
    using Getter = std::function<std::string(const PointResult&)>;
    std::vector<std::pair<std::string, Getter>> cols;
    cols.emplace_back("index", [](const PointResult& p) { return std::to_string(p.index); });
    if (isCurveLaw(fit.law)) {
        cols.emplace_back("curve", [](const PointResult& p) { return std::to_string(p.curve); });
        cols.emplace_back("step", [](const PointResult& p) { return cell(p.x); });
    }
    cols.emplace_back("label", [](const PointResult& p) { return quoted(p.label); });
    if (fit.law == "power") {
        const std::string& v = fit.options.variable;
        const std::string name = v == "N" ? "n" : v == "D" ? "d" : v == "C" ? "c" : "x";
        cols.emplace_back(name, [](const PointResult& p) { return cell(p.x); });
    } else if (!isCurveLaw(fit.law)) {
        cols.emplace_back("n", [](const PointResult& p) { return cell(p.n); });
        cols.emplace_back("d", [](const PointResult& p) { return cell(p.d); });
        cols.emplace_back("c", [](const PointResult& p) { return cell(p.c); });
    }
    if (fit.law == "steplaw") {
        cols.emplace_back("target", [](const PointResult& p) { return p.target; });
    }
    cols.emplace_back("observed", [](const PointResult& p) { return cell(p.observed); });
    cols.emplace_back("predicted", [](const PointResult& p) { return cell(p.predicted); });
    cols.emplace_back("residual_log", [](const PointResult& p) { return cell(p.residual); });
    cols.emplace_back("weight", [](const PointResult& p) { return cell(p.weight); });
    cols.emplace_back("held_out", [](const PointResult& p) { return std::string(p.heldOut ? "1" : "0"); });

    std::ostringstream out;
    for (size_t k = 0; k < cols.size(); ++k) {
        out << (k ? "," : "") << cols[k].first;
    }
    out << "\n";
    for (const PointResult& p : fit.points) {
        for (size_t k = 0; k < cols.size(); ++k) {
            out << (k ? "," : "") << cols[k].second(p);
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace anneal::fit
