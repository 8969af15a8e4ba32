// SPDX-License-Identifier: GPL-3.0-or-later
// corpus prepare (anneal/corpus.h): per package, skip it when the manifest's files are all there
// with their sha256; else get its .deb (from --debs, or `apt-get download` into a temporary
// directory), extract it with `dpkg-deb -x`, copy or render the files it contributes into
// DIR/<domain>/<package>/ and rewrite DIR/manifest.json (after every package, so a cancelled or
// failed run keeps what it finished).
#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "anneal/corpus.h"
#include "anneal/error.h"
#include "anneal/sha256.h"
#include "data/corpus_packages.h"

namespace fs = std::filesystem;

namespace anneal {

namespace {

using data::CorpusRule;

/// A temporary directory removed with its contents when it goes out of scope.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "anneal-corpus-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) {
            throw Error(ErrorCode::Io,
                        "cannot create a temporary directory in " + fs::temp_directory_path().string());
        }
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

std::string lastLines(const std::string& s) {
    std::string t = s;
    while (!t.empty() && t.back() == '\n') {
        t.pop_back();
    }
    size_t at = t.size();
    for (int k = 0; k < 3 && at != std::string::npos && at > 0; ++k) {
        at = t.rfind('\n', at - 1);
    }
    return at == std::string::npos ? t : t.substr(at + 1);
}

std::string packageError(const CorpusRule& r, const std::string& what) {
    return "package \"" + r.info.package + "\" (domain " + r.info.domain + "): " + what;
}

nlohmann::json filesJson(const std::vector<CorpusFile>& files) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : files) {
        out.push_back({{"path", f.path},
                       {"domain", f.domain},
                       {"package", f.package},
                       {"version", f.version},
                       {"license", f.license},
                       {"sha256", f.sha256},
                       {"bytes", f.bytes}});
    }
    return out;
}

std::map<std::string, std::vector<CorpusFile>> readManifest(const fs::path& path) {
    std::map<std::string, std::vector<CorpusFile>> byPackage;
    std::ifstream in(path);
    if (!in) {
        return byPackage;
    }
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("files") || !j["files"].is_array()) {
        return byPackage;  // unreadable: every package is prepared again
    }
    for (const auto& f : j["files"]) {
        CorpusFile c;
        c.path = f.value("path", "");
        c.domain = f.value("domain", "");
        c.package = f.value("package", "");
        c.version = f.value("version", "");
        c.license = f.value("license", "");
        c.sha256 = f.value("sha256", "");
        c.bytes = f.value("bytes", std::int64_t{-1});
        byPackage[c.package].push_back(c);
    }
    return byPackage;
}

void writeManifest(const fs::path& dir, const std::map<std::string, std::vector<CorpusFile>>& byPackage) {
    std::vector<CorpusFile> all;
    for (const auto& [p, fl] : byPackage) {
        all.insert(all.end(), fl.begin(), fl.end());
    }
    std::sort(all.begin(), all.end(),
              [](const CorpusFile& a, const CorpusFile& b) { return a.path < b.path; });
    const nlohmann::json j{
        {"format", 1}, {"generator", "anneal-cli corpus prepare"}, {"files", filesJson(all)}};
    const fs::path tmp = dir / "manifest.json.tmp";
    {
        std::ofstream out(tmp);
        out << j.dump(1) << "\n";
        if (!out) {
            throw Error(ErrorCode::Io, "cannot write " + tmp.string() + " (is the disk full?)");
        }
    }
    fs::rename(tmp, dir / "manifest.json");
}

/// Whether every file the manifest lists for a package is there with its size and sha256.
bool upToDate(const fs::path& dir, const std::vector<CorpusFile>& files) {
    if (files.empty()) {
        return false;
    }
    for (const auto& f : files) {
        std::error_code ec;
        const fs::path p = dir / f.path;
        if (!fs::is_regular_file(p, ec) || static_cast<std::int64_t>(fs::file_size(p, ec)) != f.bytes ||
            sha256File(p.string()) != f.sha256) {
            return false;
        }
    }
    return true;
}

/// The .deb of a package: from debsDir (PACKAGE_*.deb, the newest name when there are several),
/// else downloaded with apt-get into `tmp`.
fs::path fetchDeb(const CorpusRule& r, const std::string& debsDir, const fs::path& tmp) {
    const std::string& pkg = r.info.package;
    if (!debsDir.empty()) {
        std::vector<fs::path> found;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(debsDir, ec)) {
            const std::string name = e.path().filename().string();
            if (name.rfind(pkg + "_", 0) == 0 && name.size() > 4 &&
                name.compare(name.size() - 4, 4, ".deb") == 0) {
                found.push_back(e.path());
            }
        }
        if (ec) {
            throw Error(ErrorCode::Io, "cannot list --debs directory " + debsDir + ": " + ec.message());
        }
        if (found.empty()) {
            throw Error(ErrorCode::InvalidInput,
                        packageError(r, "no " + pkg + "_*.deb in " + debsDir +
                                            ": put it there (apt-get download " + pkg +
                                            "), leave out --debs to download it, or leave out the domain "
                                            "with --domains"));
        }
        std::sort(found.begin(), found.end());
        return found.back();
    }
    if (!data::haveProgram("apt-get")) {
        throw Error(ErrorCode::Io, packageError(r,
                                                "apt-get is not installed: corpus prepare downloads Debian "
                                                "packages with it; on a system without apt, download " +
                                                    pkg + "_*.deb elsewhere and pass --debs DIR"));
    }
    const auto res = data::runShell("cd " + data::shellQuote(tmp.string()) + " && apt-get download " +
                                    data::shellQuote(pkg) + " 2>&1");
    for (const auto& e : fs::directory_iterator(tmp)) {
        if (e.path().extension() == ".deb") {
            return e.path();
        }
    }
    throw Error(ErrorCode::Io,
                packageError(r, "apt-get download failed (exit status " + std::to_string(res.status) +
                                    "): " + lastLines(res.output) +
                                    "\nCheck that apt can reach a Debian mirror (apt-get "
                                    "update), or download the .deb elsewhere and pass --debs DIR"));
}

std::string debField(const CorpusRule& r, const fs::path& deb, const std::string& field) {
    const auto res = data::runShell("dpkg-deb -f " + data::shellQuote(deb.string()) + " " + field + " 2>&1");
    if (res.status != 0) {
        throw Error(ErrorCode::Io,
                    packageError(r, deb.string() + " is not a Debian package dpkg-deb can read: " +
                                        lastLines(res.output)));
    }
    std::string v = res.output;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) {
        v.pop_back();
    }
    return v;
}

std::string flatName(const fs::path& rel) {
    std::string s;
    for (const auto& part : rel) {
        s += (s.empty() ? "" : "__") + part.string();
    }
    return s;
}

void checkCancel(const std::atomic<bool>* cancel) {
    if (cancel && cancel->load()) {
        throw Error(ErrorCode::Cancelled, "corpus prepare cancelled; the packages finished so far are kept");
    }
}

/// Extracts one package and writes its files into dir/<domain>/<package>/.
std::vector<CorpusFile> preparePackage(const CorpusRule& r, const fs::path& dir, const std::string& debsDir,
                                       const std::function<void(const std::string&)>& say,
                                       const std::atomic<bool>* cancel) {
    const TempDir tmp;
    say(debsDir.empty() ? "downloading with apt-get" : "reading the .deb from " + debsDir);
    const fs::path deb = fetchDeb(r, debsDir, tmp.path);
    if (debField(r, deb, "Package") != r.info.package) {
        throw Error(ErrorCode::InvalidInput,
                    packageError(r, deb.string() + " holds package \"" + debField(r, deb, "Package") + "\""));
    }
    const std::string version = debField(r, deb, "Version");
    const std::string installedKb = debField(r, deb, "Installed-Size");
    struct statvfs vfs {};
    if (::statvfs(dir.c_str(), &vfs) == 0) {
        const double freeBytes = static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize);
        const double need = std::atof(installedKb.c_str()) * 1024.0 * 2 + 16e6;  // the extract + the copies
        if (freeBytes < need) {
            throw Error(ErrorCode::Io,
                        packageError(r, "not enough space: it needs about " +
                                            std::to_string(static_cast<long long>(need / 1e6)) + " MB, " +
                                            dir.string() + " has " +
                                            std::to_string(static_cast<long long>(freeBytes / 1e6)) +
                                            " MB free; free some space or choose --out DIR"));
        }
    }
    const fs::path root = tmp.path / "root";
    say("extracting " + deb.filename().string());
    const auto x = data::runShell("dpkg-deb -x " + data::shellQuote(deb.string()) + " " +
                                  data::shellQuote(root.string()) + " 2>&1");
    if (x.status != 0) {
        throw Error(ErrorCode::Io, packageError(r, "dpkg-deb -x failed: " + lastLines(x.output) +
                                                       " (is dpkg installed and the disk not full?)"));
    }
    const fs::path rel = fs::path(r.info.domain) / r.info.package;
    fs::remove_all(dir / rel);
    fs::create_directories(dir / rel);
    const std::string copyPath = "copyright/" + r.info.package;
    const std::string license =
        data::packageLicense(root.string(), r.info.package, (dir / copyPath).string(), copyPath);
    std::vector<CorpusFile> out;
    for (const auto& take : r.takes) {
        std::vector<fs::path> files;
        const fs::path base = root / take.dir;
        std::error_code ec;
        auto consider = [&](const fs::directory_entry& e) {
            const std::string name = e.path().filename().string();
            if (e.is_symlink() || !e.is_regular_file()) {
                return;
            }
            const auto ends = [&](const std::string& s) {
                return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
            };
            if (ends(".dat") || ends(".u8") || (!take.suffix.empty() && !ends(take.suffix))) {
                return;
            }
            files.push_back(e.path());
        };
        if (take.recursive) {
            for (const auto& e : fs::recursive_directory_iterator(base, ec)) {
                consider(e);
            }
        } else {
            for (const auto& e : fs::directory_iterator(base, ec)) {
                consider(e);
            }
        }
        std::sort(files.begin(), files.end());
        size_t n = 0;
        for (const auto& f : files) {
            checkCancel(cancel);
            if (++n % 100 == 0) {
                say("file " + std::to_string(n) + " of " + std::to_string(files.size()));
            }
            std::string name = flatName(fs::relative(f, base));
            const fs::path target =
                dir / rel / (take.manPage ? name.substr(0, name.size() - 3) + ".txt" : name);
            if (take.manPage) {
                const std::string text = data::renderManPage(f.string());
                if (text.empty()) {
                    continue;
                }
                std::ofstream o(target, std::ios::binary);
                o << text;
                if (!o) {
                    throw Error(ErrorCode::Io,
                                packageError(r, "cannot write " + target.string() + " (is the disk full?)"));
                }
            } else {
                fs::copy_file(f, target, fs::copy_options::overwrite_existing);
            }
            CorpusFile c;
            c.path = fs::relative(target, dir).string();
            c.domain = r.info.domain;
            c.package = r.info.package;
            c.version = version;
            c.license = license;
            c.sha256 = sha256File(target.string());
            c.bytes = static_cast<std::int64_t>(fs::file_size(target));
            out.push_back(std::move(c));
        }
    }
    if (out.empty()) {
        throw Error(
            ErrorCode::InvalidInput,
            packageError(r, deb.filename().string() + " holds none of the files corpus prepare takes (" +
                                r.info.takes + ")"));
    }
    return out;
}

}  // namespace

CorpusPrepareResult prepareCorpus(const CorpusPrepareOptions& options, const CorpusProgressFn& progress,
                                  const std::atomic<bool>* cancel) {
    const std::vector<std::string> all = corpusDomainNames();
    std::vector<std::string> domains = options.domains.empty() ? all : options.domains;
    for (const auto& d : domains) {
        if (std::find(all.begin(), all.end(), d) == all.end()) {
            std::string allowed;
            for (const auto& a : all) {
                allowed += (allowed.empty() ? "" : ", ") + a;
            }
            throw Error(ErrorCode::InvalidInput, "unknown corpus domain \"" + d + "\"", "--domains", allowed);
        }
    }
    if (!data::haveProgram("dpkg-deb")) {
        throw Error(ErrorCode::Io,
                    "dpkg-deb is not installed: corpus prepare extracts Debian packages with it "
                    "(package dpkg)");
    }
    CorpusPrepareResult res;
    const fs::path dir = fs::absolute(options.outDir.empty() ? defaultCorpusDirectory() : options.outDir);
    fs::create_directories(dir);
    res.dir = dir.string();
    res.manifest = (dir / "manifest.json").string();
    auto byPackage = readManifest(dir / "manifest.json");
    std::vector<const CorpusRule*> rules;
    for (const auto& r : data::corpusRules()) {
        if (std::find(domains.begin(), domains.end(), r.info.domain) != domains.end()) {
            rules.push_back(&r);
        }
    }
    const int total = static_cast<int>(rules.size());
    for (int i = 0; i < total; ++i) {
        const CorpusRule& r = *rules[static_cast<size_t>(i)];
        checkCancel(cancel);
        auto say = [&](const std::string& message) {
            if (progress) {
                progress({i, total, r.info.package, message});
            }
        };
        if (upToDate(dir, byPackage[r.info.package])) {
            say("already prepared, skipped");
            ++res.skipped;
            continue;
        }
        byPackage[r.info.package] = preparePackage(r, dir, options.debsDir, say, cancel);
        writeManifest(dir, byPackage);
        ++res.prepared;
        say("done: " + std::to_string(byPackage[r.info.package].size()) + " files");
    }
    writeManifest(dir, byPackage);
    if (progress) {
        progress({total, total, "", "corpus ready in " + res.dir});
    }
    for (const auto& [p, files] : byPackage) {
        res.files.insert(res.files.end(), files.begin(), files.end());
    }
    std::set<std::string> chosen(domains.begin(), domains.end());
    for (const auto& f : res.files) {
        if (chosen.count(f.domain)) {
            res.domainBytes[f.domain] += f.bytes;
        }
    }
    const bool isDefault = fs::absolute(defaultCorpusDirectory()) == dir;
    const std::string root = isDefault ? "${ANNEAL_CORPUS}" : res.dir;
    for (const auto& d : all) {
        if (!chosen.count(d)) {
            continue;
        }
        const char* separator = nullptr;
        for (const auto& r : data::corpusRules()) {
            separator = r.info.domain == d ? r.separator : separator;
        }
        res.snippet += "[[data.domain]]\nname = \"" + d + "\"\nsource = \"text:" + root + "/" + d +
                       "/*/*\"\n" + "weight = 1.0\n[data.domain.params]\ninvalid_utf8 = \"replace\"\n" +
                       (separator ? "separator = \"" + std::string(separator) + "\"\n" : std::string()) +
                       "\n";
    }
    res.preset = "resources/experiments/real-text.toml";
    return res;
}

std::string corpusFilesJson(const std::vector<CorpusFile>& files) { return filesJson(files).dump(); }

}  // namespace anneal
