// SPDX-License-Identifier: GPL-3.0-or-later
#include "async_read.h"

#include <exception>

namespace anneal::ui {

QString currentErrorText() {
    try {
        throw;
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    } catch (...) {
        return QStringLiteral("unknown error");
    }
}

}  // namespace anneal::ui
