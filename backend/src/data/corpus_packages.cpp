// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/corpus_packages.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "anneal/error.h"
#include "core/user_dirs.h"

namespace fs = std::filesystem;

namespace anneal::data {

const std::vector<CorpusRule>& corpusRules() {
    const CorpusTake fortunes{"usr/share/games/fortunes", false, "", false};
    static const std::vector<CorpusRule> rules = {
        // English prose. bible-kjv-text is not used: it ships the text in a compressed binary
        // format (usr/lib/bible.data) that only its `bible` program reads.
        {{"prose", "fortunes-min", "usr/share/games/fortunes/* (the fortune files, not their .dat indexes)"},
         {fortunes},
         "%"},
        {{"prose", "fortunes", "usr/share/games/fortunes/*"}, {fortunes}, "%"},
        {{"prose", "python3.11-doc",
          "usr/share/doc/python3.11/html/_sources/**/*.rst.txt (reStructuredText)"},
         {{"usr/share/doc/python3.11/html/_sources", true, ".rst.txt", false}},
         "%"},
        {{"code", "libpython3.11-stdlib", "usr/lib/python3.11/**/*.py"},
         {{"usr/lib/python3.11", true, ".py", false}},
         nullptr},
        {{"code", "linux-libc-dev", "usr/include/**/*.h (the kernel's uapi headers)"},
         {{"usr/include", true, ".h", false}},
         nullptr},
        {{"reference", "dict-gcide", "usr/share/dictd/*.dict.dz (dictzip)"},
         {{"usr/share/dictd", false, ".dict.dz", false}},
         ""},
        {{"reference", "dict-foldoc", "usr/share/dictd/*.dict.dz"},
         {{"usr/share/dictd", false, ".dict.dz", false}},
         ""},
        {{"reference", "dict-jargon", "usr/share/dictd/*.dict.dz"},
         {{"usr/share/dictd", false, ".dict.dz", false}},
         ""},
        {{"german", "fortunes-de", "usr/share/games/fortunes/de/*"},
         {{"usr/share/games/fortunes/de", false, "", false}},
         "%"},
        {{"german", "manpages-de", "usr/share/man/de/**/*.gz, rendered to text with groff"},
         {{"usr/share/man/de", true, ".gz", true}},
         "%"},
        {{"russian", "fortunes-ru", "usr/share/games/fortunes/ru/*"},
         {{"usr/share/games/fortunes/ru", false, "", false}},
         "%"},
        {{"chinese", "fortunes-zh", "usr/share/games/fortunes/*"}, {fortunes}, "%"},
    };
    return rules;
}

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

ShellResult runShell(const std::string& command) {
    ShellResult r;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) {
        return r;
    }
    char buf[1 << 16];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
        r.output.append(buf, n);
    }
    const int status = ::pclose(p);
    r.status = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

bool haveProgram(const std::string& program) {
    return runShell("command -v " + shellQuote(program) + " >/dev/null 2>&1").status == 0;
}

std::string packageLicense(const std::string& root, const std::string& package, const std::string& copyTo,
                           const std::string& copyPath) {
    const fs::path docDir = fs::path(root) / "usr/share/doc" / package;
    std::error_code ec;
    if (fs::is_symlink(docDir, ec)) {
        const fs::path target = fs::read_symlink(docDir, ec);
        return "see /usr/share/doc/" + target.filename().string() + "/copyright (this package's doc " +
               "directory is a link to it; the file is not in this package)";
    }
    const fs::path copyright = docDir / "copyright";
    if (!fs::is_regular_file(copyright, ec)) {
        return "unknown (the package ships no /usr/share/doc/" + package + "/copyright)";
    }
    fs::create_directories(fs::path(copyTo).parent_path(), ec);
    fs::copy_file(copyright, copyTo, fs::copy_options::overwrite_existing, ec);
    std::ifstream in(copyright);
    std::string line;
    bool dep5 = false;
    std::vector<std::string> names;
    std::set<std::string> seen;
    while (std::getline(in, line)) {
        if (line.rfind("Format:", 0) == 0 && line.find("copyright-format") != std::string::npos) {
            dep5 = true;
        }
        if (line.rfind("License:", 0) == 0) {
            std::string name = line.substr(8);
            name.erase(0, name.find_first_not_of(" \t"));
            name.erase(name.find_last_not_of(" \t\r") + 1);
            if (!name.empty() && seen.insert(name).second) {
                names.push_back(name);
            }
        }
    }
    if (!dep5 || names.empty()) {
        return "see " + copyPath;
    }
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

std::string renderManPage(const std::string& path) {
    // -k -K utf8: preconv reads the page as UTF-8; -P-cbou: plain text, no bold or underline.
    const ShellResult r =
        runShell("gzip -dc " + shellQuote(path) + " | groff -k -K utf8 -Tutf8 -mandoc -P-cbou 2>/dev/null");
    if (r.output.find_first_not_of(" \n") == std::string::npos) {
        return {};
    }
    return r.output;
}

}  // namespace anneal::data

namespace anneal {

std::string defaultCorpusDirectory() {
    return userPath("ANNEAL_CORPUS", XdgBase::Data, "corpus",
                    (fs::temp_directory_path() / "anneal" / "corpus").string());
}

const std::vector<CorpusPackage>& corpusPackages() {
    static const std::vector<CorpusPackage> list = [] {
        std::vector<CorpusPackage> v;
        for (const auto& r : data::corpusRules()) {
            v.push_back(r.info);
        }
        return v;
    }();
    return list;
}

std::vector<std::string> corpusDomainNames() {
    std::vector<std::string> names;
    for (const auto& p : corpusPackages()) {
        if (std::find(names.begin(), names.end(), p.domain) == names.end()) {
            names.push_back(p.domain);
        }
    }
    return names;
}

std::string resolveCorpusPath(const std::string& path, const std::string& field) {
    static const std::string kVar = "${ANNEAL_CORPUS}";
    if (path.rfind(kVar, 0) != 0) {
        return path;
    }
    const std::string dir = defaultCorpusDirectory();
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(dir) / "manifest.json", ec)) {
        configError(field,
                    "the corpus is not prepared: " + dir +
                        "/manifest.json does not exist; run `anneal-cli corpus prepare` (or File > Prepare "
                        "real-text corpus in the app), or set ANNEAL_CORPUS to a prepared corpus directory");
    }
    return dir + path.substr(kVar.size());
}

}  // namespace anneal
