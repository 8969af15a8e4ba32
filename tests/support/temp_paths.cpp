// SPDX-License-Identifier: GPL-3.0-or-later
#include "temp_paths.h"

#include <QDir>
#include <QFile>
#include <QtGlobal>

#include "anneal/corpus.h"

namespace anneal::test {

TempDir::TempDir() : m_dir(std::make_unique<QTemporaryDir>(QDir::tempPath() + "/anneal-test-XXXXXX")) {
    if (qEnvironmentVariableIsSet("ANNEAL_KEEP_TEMP")) {
        m_dir->setAutoRemove(false);
    }
}

std::string TempDir::path(const std::string& name) const {
    return qpath(QString::fromStdString(name)).toStdString();
}

QString TempDir::qpath(const QString& name) const {
    return name.isEmpty() ? m_dir->path() : m_dir->filePath(name);
}

std::string dataFile(const std::string& name) { return std::string(kTestDataDir) + "/" + name; }
std::string sourceFile(const std::string& name) { return std::string(kSourceDir) + "/" + name; }

std::string tinyExperimentToml(int steps, unsigned seed) {
    return tinyExperimentWithoutLog(steps, seed) + "[log]\nevery = 1\n";
}

std::string tinyExperimentWithoutLog(int steps, unsigned seed) {
    return "name = \"tiny\"\nseed = " + std::to_string(seed) +
           "\ndevice = \"cpu\"\n"
           "[model]\nn_layer = 1\nd_model = 32\nn_head = 2\ncontext = 16\n"
           "[data]\nbatch_size = 4\nval_every = 10\nval_batches = 1\n"
           "[[data.domain]]\nname = \"markov\"\nsource = \"synthetic:markov\"\nweight = 0.7\n"
           "[data.domain.params]\norder = 1\nalphabet = 8\nentropy = 1.0\n"
           "[[data.domain]]\nname = \"noise\"\nsource = \"synthetic:noise\"\nweight = 0.3\n"
           "[train]\nsteps = " +
           std::to_string(steps) +
           "\nlr = 0.01\nthreads = 1\n"
           "[schedule]\nkind = \"cosine\"\nwarmup_steps = 2\n";
}

QString cliPath() {
    QString p = qEnvironmentVariable("ANNEAL_CLI");
    if (p.isEmpty()) {
        p = QString::fromUtf8(kBinaryDir) + "/bin/anneal-cli";
    }
    return p;
}

void writeStandInCorpus(const std::string& dir) {
    for (const auto& d : corpusDomainNames()) {
        QDir().mkpath(QString::fromStdString(dir + "/" + d + "/test"));
        // Real text (the licence texts of tests/data/text), enough for the preset's SentencePiece
        // tokenizer to train its 4096 pieces.
        for (const char* name : {"gpl-3.txt", "lgpl-3.txt"}) {
            QFile::copy(QString::fromStdString(dataFile(std::string("text/") + name)),
                        QString::fromStdString(dir + "/" + d + "/test/" + name));
        }
    }
    QFile m(QString::fromStdString(dir + "/manifest.json"));
    m.open(QIODevice::WriteOnly);
    m.write("{\"format\": 1, \"files\": []}\n");
}

}  // namespace anneal::test
