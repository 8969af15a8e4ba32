// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/error.h"

namespace anneal {

namespace {
std::string compose(const std::string& field, const std::string& message, const std::string& allowed) {
    std::string s;
    if (!field.empty()) {
        s += field + ": ";
    }
    s += message;
    if (!allowed.empty()) {
        s += " (allowed: " + allowed + ")";
    }
    return s;
}
}  // namespace

const char* errorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidConfig:
            return "invalid config";
        case ErrorCode::InvalidInput:
            return "invalid input";
        case ErrorCode::Io:
            return "i/o error";
        case ErrorCode::Storage:
            return "storage error";
        case ErrorCode::SchemaTooNew:
            return "database too new";
        case ErrorCode::NotFound:
            return "not found";
        case ErrorCode::Numerical:
            return "numerical error";
        case ErrorCode::Cancelled:
            return "cancelled";
        case ErrorCode::Unsupported:
            return "unsupported";
        case ErrorCode::Internal:
            return "internal error";
    }
    return "error";
}

Error::Error(ErrorCode code, const std::string& message, std::string field, std::string allowed)
    : std::runtime_error(compose(field, message, allowed)),
      m_code(code),
      m_field(std::move(field)),
      m_allowed(std::move(allowed)),
      m_detail(message) {}

void configError(const std::string& field, const std::string& message, const std::string& allowed) {
    throw Error(ErrorCode::InvalidConfig, message, field, allowed);
}

}  // namespace anneal
