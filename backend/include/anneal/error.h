// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file error.h
/// The one error type the backend's public API throws. It names what was wrong (a config key path,
/// a file line and column, a database), the value found and what is allowed, so the CLI and the GUI
/// can show a message a user can act on without knowing where in the backend it came from.

#include <stdexcept>
#include <string>

namespace anneal {

enum class ErrorCode {
    InvalidConfig,  ///< an experiment file, a --set override or a sweep plan is wrong
    InvalidInput,   ///< an import file or a CLI argument is wrong
    Io,             ///< a file could not be read or written
    Storage,        ///< the database is unusable (not SQLite, corrupt, locked, full, read-only)
    SchemaTooNew,   ///< the database was written by a newer Anneal
    NotFound,       ///< a run, fit, checkpoint or metric does not exist
    Numerical,      ///< NaN/Inf loss or gradients, a fit that did not converge
    Cancelled,      ///< the user cancelled a long operation
    Unsupported,    ///< the request is valid but this build cannot do it (e.g. CUDA without CUDA)
    Internal,       ///< a bug: an invariant of Anneal itself does not hold
};

/// Short lower-case name of a code, e.g. "invalid config".
const char* errorCodeName(ErrorCode code);

class Error : public std::runtime_error {
public:
    /// @param field   where: a key path ("data.domain[2].weight"), "file.csv:12:3", a run id...
    /// @param allowed what would have been accepted ("a number > 0", "cpu | cuda | auto")
    Error(ErrorCode code, const std::string& message, std::string field = {}, std::string allowed = {});

    ErrorCode code() const noexcept { return m_code; }
    const std::string& field() const noexcept { return m_field; }
    const std::string& allowed() const noexcept { return m_allowed; }
    /// The message alone, without the "field: " prefix and the allowed values that what() adds.
    const std::string& detail() const noexcept { return m_detail; }

private:
    ErrorCode m_code;
    std::string m_field;
    std::string m_allowed;
    std::string m_detail;
};

/// Throws an InvalidConfig error for a key path, e.g. configError("train.lr", "must be > 0, got -1", "> 0").
[[noreturn]] void configError(const std::string& field, const std::string& message,
                              const std::string& allowed = {});

}  // namespace anneal
