// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-render: draws figure descriptions (JSON, see figure_renderer.h) to PNG with the app's plot
// code, offscreen. anneal-cli report runs it; it is a separate program so that anneal-cli stays Qt-free.
#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "figure_renderer.h"

int main(int argc, char** argv) {
    const bool help = argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0);
    const bool withDb = argc == 4 && std::strcmp(argv[2], "--db") == 0;
    if (help || (argc != 2 && !withDb)) {
        std::fprintf(
            help ? stdout : stderr,
            "Usage: anneal-render FIGURES.json [--db FILE]\n"
            "Draws each figure of the file (written by anneal-cli report) to its PNG with Anneal's "
            "plot code,\n"
            "offscreen (QT_QPA_PLATFORM=offscreen unless set). Exit 0: every figure written; 1: "
            "some failed.\n"
            "Relative paths in the file are relative to its directory; --db reads another copy of the "
            "database.\n");
        return help ? 0 : 2;
    }
    if (!std::getenv("QT_QPA_PLATFORM")) {
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    }
    QApplication app(argc, argv);
    QFile f(QString::fromLocal8Bit(argv[1]));
    if (!f.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "anneal-render: error: cannot read %s\n", argv[1]);
        return 1;
    }
    const anneal::render::RenderOutcome o =
        anneal::render::renderDocument(f.readAll(), QFileInfo(f.fileName()).absolutePath(),
                                       withDb ? QString::fromLocal8Bit(argv[3]) : QString());
    for (const QString& e : o.errors) {
        std::fprintf(stderr, "anneal-render: error: %s\n", qPrintable(e));
    }
    for (const QString& w : o.written) {
        std::printf("%s\n", qPrintable(w));
    }
    return o.errors.isEmpty() ? 0 : 1;
}
