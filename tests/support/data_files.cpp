// SPDX-License-Identifier: GPL-3.0-or-later
#include "data_files.h"

#include <fstream>
#include <iterator>

#include "anneal/data_source.h"
#include "anneal/error.h"
#include "anneal_test_paths.h"

namespace anneal::test {

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << bytes;
}

std::string readAll(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

ExperimentSpec dataSpec(const DomainSpec& d, int context, unsigned seed) {
    ExperimentSpec s;
    s.seed = seed;
    s.model.context = context;
    s.data.domains = {d};
    return s;
}

std::string sourceError(const DomainSpec& d) {
    try {
        makeSource(d, "data.domain[0]");
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

ProcessResult runTestTool(const QString& script, const QStringList& args) {
    return runProcess(QStringLiteral("/usr/bin/python3"),
                      QStringList{QString::fromUtf8(kSourceDir) + "/tests/tools/" + script} + args);
}

}  // namespace anneal::test
