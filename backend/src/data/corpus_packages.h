// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The parts of corpus prepare (anneal/corpus.h) that know Debian: which files each package
// contributes and how (copied, or a manual page rendered to text), the licence of a package from
// its copyright file, and running the Debian tools (apt-get, dpkg-deb, groff) as child processes.

#include <atomic>
#include <string>
#include <vector>

#include "anneal/corpus.h"

namespace anneal::data {

/// Files a package contributes: regular files (links are skipped) under `dir` of the extracted
/// package, recursively or not, whose names end in `suffix` ("" any; fortune .dat indexes and
/// .u8 links are never taken).
struct CorpusTake {
    std::string dir;
    bool recursive = false;
    std::string suffix;
    bool manPage = false;  ///< render with groff to UTF-8 text (name: man1__ls.1.txt)
};

struct CorpusRule {
    CorpusPackage info;
    std::vector<CorpusTake> takes;
    /// The `separator` the preset uses for the domain: "%" splits fortunes, "" paragraphs (the
    /// dictionaries), nullptr none (a file is a document: code).
    const char* separator = nullptr;
};

const std::vector<CorpusRule>& corpusRules();

/// `s` quoted for /bin/sh.
std::string shellQuote(const std::string& s);

struct ShellResult {
    int status = -1;     ///< the exit status, -1 when the shell could not run
    std::string output;  ///< stdout (and stderr when the command redirects it)
};
/// Runs `command` with /bin/sh and collects its stdout.
ShellResult runShell(const std::string& command);

/// Whether `program` is on PATH.
bool haveProgram(const std::string& program);

/// The licence of an extracted package: the distinct License: short names of a machine-readable
/// (DEP-5) copyright file, else "see <copyPath>" (where the copyright file is kept in the corpus),
/// else a note that the package ships none. Copies the copyright file to `copyTo` when there is one.
std::string packageLicense(const std::string& root, const std::string& package, const std::string& copyTo,
                           const std::string& copyPath);

/// The text of a manual page (gzip'd roff), rendered by groff for a UTF-8 terminal without
/// highlighting; "" when groff gives nothing (a page that only includes another, `.so`).
std::string renderManPage(const std::string& path);

}  // namespace anneal::data
