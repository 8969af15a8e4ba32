// SPDX-License-Identifier: GPL-3.0-or-later
// A report as Markdown (README.md), its figures as JSON for anneal-render, its numbers as JSON.
#include <cctype>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "anneal/report.h"
#include "anneal/version.h"
#include "report_internal.h"

namespace anneal::report {

namespace {

using namespace detail;

std::string cell(std::string s) {
    std::string out;
    for (char ch : s) {
        if (ch == '|') {
            out += "\\|";
        } else if (ch == '\n') {
            out += ' ';
        } else {
            out += ch;
        }
    }
    return out;
}

void writeTable(std::ostringstream& os, const Table& t) {
    os << "|";
    for (const auto& h : t.header) {
        os << " " << cell(h) << " |";
    }
    os << "\n|";
    for (size_t i = 0; i < t.header.size(); ++i) {
        // Numbers right-aligned, text left.
        bool numeric = true;
        for (const auto& row : t.rows) {
            if (i < row.size() && !row[i].empty() && row[i] != "baseline" && row[i] != "nan") {
                const std::string& v = row[i];
                numeric = numeric && (std::isdigit(static_cast<unsigned char>(v[0])) ||
                                      ((v[0] == '+' || v[0] == '-' || v[0] == '[') && v.size() > 1));
            }
        }
        os << (numeric ? "---:|" : "---|");
    }
    os << "\n";
    for (const auto& row : t.rows) {
        os << "|";
        for (const auto& v : row) {
            os << " " << cell(v) << " |";
        }
        os << "\n";
    }
    os << "\n";
}

/// Domain names over all runs, in order of first appearance.
std::vector<std::string> allDomains(const Report& r) {
    std::vector<std::string> out;
    for (const auto& run : r.runs) {
        for (const auto& d : run.domains) {
            if (std::find(out.begin(), out.end(), d) == out.end()) {
                out.push_back(d);
            }
        }
    }
    return out;
}

nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string toMarkdown(const Report& r, const FigureOutcome& figures) {
    std::ostringstream os;
    os << "# Study report: " << r.group << "\n\n";
    if (!r.description.empty()) {
        os << "> " << r.description << "\n\n";
    }
    int completed = 0;
    for (const auto& run : r.runs) {
        completed += run.record.status == RunStatus::Completed;
    }
    char when[32] = "";
    const std::time_t now = std::time(nullptr);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    os << "Plan `" << r.planPath << "`, database `" << r.dbPath << "`: " << r.runs.size()
       << " runs of the group `" << r.group << "` (" << completed << " completed). Analysis `" << r.analysis
       << "`. Written by anneal-cli " << kVersion << " on " << when << ".\n\n";
    if (!r.warnings.empty()) {
        os << "**Warnings**\n\n";
        for (const auto& w : r.warnings) {
            os << "- " << w << "\n";
        }
        os << "\n";
    }

    os << "## Runs\n\n";
    const auto domains = allDomains(r);
    Table t;
    t.header = {"id", "run", "from", "status", "steps", "tokens", "train time (s)", "val_loss"};
    for (const auto& d : domains) {
        t.header.push_back("val " + d);
    }
    t.header.push_back("floor");
    for (const auto& run : r.runs) {
        const RunRecord& rec = run.record;
        std::vector<std::string> row = {std::to_string(rec.id),
                                        displayName(run),
                                        rec.parentId ? "#" + std::to_string(*rec.parentId) + " @ " +
                                                           std::to_string(rec.branchStep.value_or(0))
                                                     : "",
                                        runStatusName(rec.status),
                                        std::to_string(rec.stepsDone),
                                        std::to_string(rec.tokensDone),
                                        formatNumber(rec.wallSeconds, 1),
                                        formatNumber(run.valLoss)};
        for (const auto& d : domains) {
            row.push_back(formatNumber(run.domainLoss(d)));
        }
        row.push_back(std::isfinite(rec.entropyFloor) ? formatNumber(rec.entropyFloor) : "unknown");
        t.rows.push_back(std::move(row));
    }
    writeTable(os, t);
    os << "Final validation losses in nats/token: the last stored `val_loss` (mixed by the domains' static "
          "weights) "
          "and `val_loss.<domain>` of each run; validation sets are fixed and never noisy. `floor` is the "
          "entropy "
          "floor of the run's static mix. A branch's steps and tokens count from step 0 (its parent's "
          "history "
          "included); its train time is its own (from the branch step on).\n\n";

    for (const auto& s : r.sections) {
        os << "## " << s.heading << "\n\n";
        for (const auto& p : s.paragraphs) {
            os << p << "\n\n";
        }
        for (const auto& tab : s.tables) {
            writeTable(os, tab);
        }
        for (const auto& p : s.notes) {
            os << p << "\n\n";
        }
    }

    os << "## Figures\n\n";
    if (!figures.note.empty()) {
        os << figures.note << "\n\n";
    }
    for (const auto& f : r.figures) {
        if (figures.rendered) {
            os << "![" << f.title << "](" << f.file << ")\n\n";
        } else {
            os << "- `" << f.file << "`: " << f.title << "\n";
        }
        if (figures.rendered && !f.caption.empty()) {
            os << "*" << f.caption << "*\n\n";
        }
    }
    if (!figures.rendered) {
        os << "\n";
    }
    return os.str();
}

std::string figuresJson(const Report& r, [[maybe_unused]] const std::string& outDir) {
    nlohmann::json figs = nlohmann::json::array();
    for (const auto& f : r.figures) {
        nlohmann::json series = nlohmann::json::array();
        for (const auto& s : f.series) {
            nlohmann::json j = {{"label", s.label}, {"style", s.style}};
            if (s.color >= 0) {
                j["color"] = s.color;
            }
            if (!s.inLegend) {
                j["legend"] = false;
            }
            if (s.runId > 0) {
                j["run"] = s.runId;
                j["metric"] = s.metric;
                j["with_history"] = s.withHistory;
            } else {
                nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
                for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
                    x.push_back(num(s.x[i]));
                    y.push_back(num(s.y[i]));
                }
                j["x"] = x;
                j["y"] = y;
            }
            series.push_back(j);
        }
        nlohmann::json refs = nlohmann::json::array();
        for (const auto& ref : f.references) {
            refs.push_back({{"y", num(ref.y)}, {"label", ref.label}});
        }
        // Relative to figures.json, so that the report directory can be moved and re-rendered elsewhere.
        nlohmann::json j = {{"out", f.file},       {"title", f.title},       {"x_label", f.xLabel},
                            {"y_label", f.yLabel}, {"x", f.xAxis},           {"log_x", f.logX},
                            {"log_y", f.logY},     {"width", 960},           {"height", 540},
                            {"series", series},    {"reference_lines", refs}};
        if (std::isfinite(f.xMin) && std::isfinite(f.xMax)) {
            j["x_range"] = {f.xMin, f.xMax};
        }
        if (std::isfinite(f.yMin) && std::isfinite(f.yMax)) {
            j["y_range"] = {f.yMin, f.yMax};
        }
        figs.push_back(j);
    }
    return nlohmann::json{{"db", r.dbPath}, {"figures", figs}}.dump(1) + "\n";
}

std::string reportJson(const Report& r, const FigureOutcome& figures, const std::string& outDir) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& run : r.runs) {
        nlohmann::json dom = nlohmann::json::object();
        for (size_t i = 0; i < run.domains.size(); ++i) {
            dom[run.domains[i]] = num(run.domainValLoss[i]);
        }
        runs.push_back({{"id", run.record.id},
                        {"name", run.record.name},
                        {"parent_id", run.record.parentId ? nlohmann::json(*run.record.parentId)
                                                          : nlohmann::json(nullptr)},
                        {"status", runStatusName(run.record.status)},
                        {"final_step", run.finalStep},
                        {"val_loss", num(run.valLoss)},
                        {"val_loss_domains", dom}});
    }
    nlohmann::json numbers = nlohmann::json::object();
    for (const auto& n : r.numbers) {
        numbers[n.key] = num(n.value);
    }
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : r.figures) {
        files.push_back((std::filesystem::path(outDir) / f.file).string());
    }
    return nlohmann::json{{"group", r.group},
                          {"analysis", r.analysis},
                          {"readme", (std::filesystem::path(outDir) / "README.md").string()},
                          {"figures", files},
                          {"figures_rendered", figures.rendered},
                          {"figures_note", figures.note},
                          {"runs", runs},
                          {"numbers", numbers},
                          {"warnings", r.warnings}}
        .dump();
}

double cleanOverNoisyAuc(const std::vector<SampleWeight>& samples) {
    std::vector<std::pair<float, bool>> v;
    v.reserve(samples.size());
    double nNoisy = 0, nClean = 0;
    for (const auto& s : samples) {
        if (!std::isfinite(s.weight)) {
            continue;
        }
        v.emplace_back(s.weight, s.noisy);
        (s.noisy ? nNoisy : nClean) += 1;
    }
    if (nNoisy == 0 || nClean == 0) {
        return kNaN;
    }
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // Mann-Whitney: sum over clean samples of (noisy below + half the noisy tied).
    double below = 0, sum = 0;
    for (size_t i = 0; i < v.size();) {
        size_t j = i;
        double tiedNoisy = 0, tiedClean = 0;
        while (j < v.size() && v[j].first == v[i].first) {
            (v[j].second ? tiedNoisy : tiedClean) += 1;
            ++j;
        }
        sum += tiedClean * (below + 0.5 * tiedNoisy);
        below += tiedNoisy;
        i = j;
    }
    return sum / (nClean * nNoisy);
}

}  // namespace anneal::report
