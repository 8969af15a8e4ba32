// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file sha256.h
/// SHA-256 (FIPS 180-4) for the provenance of imported files. Our own small implementation: no crypto
/// library is linked into the backend. Not for security purposes, only for identifying data.
/// Thread-safe; sha256File() throws Error(Io) when the file cannot be read.

#include <cstddef>
#include <cstdint>
#include <string>

namespace anneal {

/// Lower-case hex digest of the bytes.
std::string sha256Hex(const std::string& bytes);
std::string sha256Hex(const void* data, size_t size);
/// Lower-case hex digest of a file's content.
std::string sha256File(const std::string& path);

}  // namespace anneal
