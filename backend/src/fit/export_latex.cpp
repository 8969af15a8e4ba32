// SPDX-License-Identifier: GPL-3.0-or-later
// LaTeX export: the law's equation, the same equation with the fitted values, and each parameter's value
// with its bootstrap percentile interval (or standard error) when available.
#include <sstream>

#include "anneal/fit/fit_export.h"
#include "export_format.h"

namespace anneal::fit {

namespace {

using detail::latexNumber;

std::string symbol(const std::string& name) {
    if (name == "alpha") {
        return "\\alpha";
    }
    if (name == "beta") {
        return "\\beta";
    }
    if (name == "gamma") {
        return "\\gamma";
    }
    if (name == "lambda") {
        return "\\lambda";
    }
    if (name == "alphaN") {
        return "\\alpha_N";
    }
    if (name == "alphaD") {
        return "\\alpha_D";
    }
    if (name == "Nc") {
        return "N_c";
    }
    if (name == "Dc") {
        return "D_c";
    }
    if (name == "L0") {
        return "L_0";
    }
    if (name == "c_lr") {
        return "c_{\\mathrm{lr}}";
    }
    if (name == "c_N") {
        return "c_N";
    }
    if (name == "c_D") {
        return "c_D";
    }
    if (name == "c_bs") {
        return "c_{\\mathrm{bs}}";
    }
    if (name == "c_bD") {
        return "c_{bD}";
    }
    return name;
}

// The equation with the symbols `s` substituted by strings (symbols or numbers).
std::string equation(const FitResult& fit, const std::vector<std::string>& s) {
    const std::string& law = fit.law;
    if (law == "chinchilla") {
        return "L(N, D) = " + s[0] + " + \\frac{" + s[1] + "}{N^{" + s[3] + "}} + \\frac{" + s[2] + "}{D^{" +
               s[4] + "}}";
    }
    if (law == "power") {
        const std::string& v = fit.options.variable;
        const std::string x = v == "x" ? "x" : v;
        return "L(" + x + ") = " + s[0] + " + " + s[1] + "\\, " + x + "^{-" + s[2] + "}";
    }
    if (law == "kaplan") {
        return "L(N, D) = \\left[\\left(\\frac{" + s[0] + "}{N}\\right)^{" + s[2] + "/" + s[3] +
               "} + \\frac{" + s[1] + "}{D}\\right]^{" + s[3] + "}";
    }
    if (law == "lr_annealing") {
        return "L(s) = " + s[0] + " + " + s[1] + "\\, S_1(s)^{-" + s[2] + "} - " + s[3] + "\\, S_2(s)";
    }
    if (law == "mpl") {
        return "L(t) = " + s[0] + " + " + s[1] + "\\, (S_1(t) + S_W)^{-" + s[2] + "} - " + s[3] +
               "\\sum_{k=1}^{t} (\\eta_{k-1} - \\eta_k) \\left[1 - \\left(" + s[4] + "\\, \\eta_k^{-" + s[6] +
               "} S_k(t) + 1\\right)^{-" + s[5] + "}\\right]";
    }
    return "\\eta_{\\mathrm{opt}}(N, D) = e^{" + s[0] + "} N^{" + s[1] + "} D^{" + s[2] +
           "}, \\quad B_{\\mathrm{opt}}(D) = e^{" + s[3] + "} D^{" + s[4] + "}";
}

}  // namespace

std::string fitToLatex(const FitResult& fit) {
    std::vector<std::string> symbols, values;
    for (const ParamEstimate& p : fit.params) {
        symbols.push_back(symbol(p.name));
        // Parenthesise negative values inside the formula (exponents and sums read wrongly otherwise).
        const std::string v = latexNumber(p.value);
        values.push_back(p.value < 0 ? "(" + v + ")" : v);
    }
    std::ostringstream out;
    out << "% Scaling-law fit exported by Anneal: law " << fit.law << ", " << fit.nPoints << " points";
    if (fit.nHeldOut) {
        out << " (+" << fit.nHeldOut << " held out)";
    }
    out << ", objective " << detail::exactNumber(fit.objective) << "\n";
    out << "\\begin{align}\n  " << equation(fit, symbols) << " \\\\\n  " << equation(fit, values)
        << "\n\\end{align}\n";
    if (fit.law == "lr_annealing") {
        out << "% S_1, S_2: forward and annealing areas of the LR schedule (Tissue et al., "
               "arXiv:2408.11029)\n";
    }
    if (fit.law == "mpl") {
        out << "% Multi-Power Law (Luo et al., arXiv:2503.12811): t counts updates after warmup, S_W is the "
               "LR sum "
               "of warmup,\n% S_1(t) = \\sum_{\\tau=1}^{t} \\eta_\\tau, S_k(t) = \\sum_{\\tau=k}^{t} "
               "\\eta_\\tau, "
               "\\eta_0 = peak LR\n";
    }
    const bool ci = fit.bootstrapResamples > 0;
    out << "where\n\\begin{itemize}\n";
    for (size_t j = 0; j < fit.params.size(); ++j) {
        const ParamEstimate& p = fit.params[j];
        out << "  \\item $" << symbols[j] << " = " << latexNumber(p.value, 6) << "$";
        if (p.fixed) {
            out << " (fixed)";
        } else if (ci && std::isfinite(p.ciLow)) {
            out << ", " << latexNumber(100.0 * fit.ciLevel, 3) << "\\,\\% CI $[" << latexNumber(p.ciLow)
                << ", " << latexNumber(p.ciHigh) << "]$";
        } else if (std::isfinite(p.seAsymptotic)) {
            out << ", asymptotic SE $" << latexNumber(p.seAsymptotic, 2) << "$";
        }
        out << "\n";
    }
    out << "\\end{itemize}\n";
    if (ci) {
        out << "% intervals: bootstrap percentile, " << fit.bootstrapResamples
            << " resamples of the fitted points\n";
    }
    return out.str();
}

}  // namespace anneal::fit
