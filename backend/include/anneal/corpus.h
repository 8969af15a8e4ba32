// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file corpus.h
/// `anneal-cli corpus prepare` and the app's File ▸ Prepare real-text corpus: a multi-domain corpus
/// of real text (English prose, code, reference, German, Russian, Chinese) built from Debian packages
/// without a daemon or root — `apt-get download` into a temporary directory, `dpkg-deb -x`, then
/// the package's files copied (manual pages rendered to text with groff) into
/// DIR/<domain>/<package>/, one directory level per package so a `text:` glob reaches them.
/// DIR/manifest.json records every file: domain, package, version, licence, sha256, bytes.
/// Experiment files name the directory as `${ANNEAL_CORPUS}` in a source's glob (docs/DATA.md).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace anneal {

/// The corpus directory: $ANNEAL_CORPUS, else $XDG_DATA_HOME/anneal/corpus, else
/// ~/.local/share/anneal/corpus (beside the default database).
std::string defaultCorpusDirectory();

/// One package of a corpus domain and what is taken from it.
struct CorpusPackage {
    std::string domain;   ///< "prose"
    std::string package;  ///< "fortunes"
    std::string takes;    ///< "usr/share/games/fortunes/* (not .dat)", for --help and the docs
};

/// Every package, in the order they are prepared.
const std::vector<CorpusPackage>& corpusPackages();
/// The domain names, in order: prose, code, reference, german, russian, chinese.
std::vector<std::string> corpusDomainNames();

struct CorpusPrepareOptions {
    std::string outDir;                ///< empty: defaultCorpusDirectory()
    std::vector<std::string> domains;  ///< empty: all
    std::string debsDir;               ///< non-empty: take PACKAGE_*.deb from here, download nothing
};

struct CorpusFile {
    std::string path;  ///< relative to the corpus directory: "prose/fortunes/art"
    std::string domain, package, version, license, sha256;
    std::int64_t bytes = 0;
};

/// Files as the manifest lists them: a JSON array of {path, domain, package, version, license, sha256,
/// bytes} (`anneal-cli corpus prepare --json` prints the same).
std::string corpusFilesJson(const std::vector<CorpusFile>& files);

struct CorpusPrepareResult {
    std::string dir;                                  ///< the corpus directory (absolute)
    std::string manifest;                             ///< DIR/manifest.json
    std::vector<CorpusFile> files;                    ///< every file of the manifest
    std::map<std::string, std::int64_t> domainBytes;  ///< bytes per domain (the chosen ones)
    int prepared = 0;                                 ///< packages extracted by this call
    int skipped = 0;                                  ///< packages already there, matching the manifest
    std::string preset;   ///< the preset that reads the corpus (resources/experiments/real-text.toml)
    std::string snippet;  ///< `[[data.domain]]` tables for the prepared domains
};

/// A progress line: `done` of `total` packages finished; `message` says what happens now.
struct CorpusProgress {
    int done = 0;
    int total = 0;
    std::string package;
    std::string message;
};
using CorpusProgressFn = std::function<void(const CorpusProgress&)>;

/// Builds (or completes) the corpus. Idempotent: a package whose files are all present with the
/// manifest's sha256 is skipped without downloading. Throws Error naming the package and what to
/// do: InvalidInput (unknown domain, no .deb for a package in debsDir), Io (apt-get or dpkg-deb
/// missing or failing, no space left), Cancelled when `cancel` becomes true (checked between
/// files; the manifest keeps the packages finished so far).
CorpusPrepareResult prepareCorpus(const CorpusPrepareOptions& options, const CorpusProgressFn& progress = {},
                                  const std::atomic<bool>* cancel = nullptr);

/// Replaces a leading `${ANNEAL_CORPUS}` in a source's path with defaultCorpusDirectory(). Throws
/// InvalidConfig at `field` when the corpus has no manifest.json yet, saying to run
/// `anneal-cli corpus prepare`. Other paths are returned as they are.
std::string resolveCorpusPath(const std::string& path, const std::string& field);

}  // namespace anneal
