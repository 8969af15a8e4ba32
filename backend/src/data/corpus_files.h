// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading the files of a real-data domain: glob expansion (sorted, so runs do not depend on the
// directory's order), whole-file reads with transparent gzip/dictzip (zlib) and zstd
// decompression (chosen by the file's magic bytes, not its name), and UTF-8 validation.

#include <cstdint>
#include <string>
#include <vector>

namespace anneal::data {

/// The files matching a shell glob (*, ?, [...] in any path component; no **), sorted bytewise.
/// Directories are skipped. A leading ${ANNEAL_CORPUS} is the corpus directory (anneal/corpus.h).
/// Throws InvalidConfig at `field` (".source") when nothing matches.
std::vector<std::string> expandGlob(const std::string& pattern, const std::string& field);

/// The decompressed bytes of a file. Throws Io naming the file (missing, unreadable, corrupt
/// compressed stream).
std::string readDecompressed(const std::string& path);

/// Offset of the first byte that does not belong to a well-formed UTF-8 sequence (overlong forms,
/// surrogates and code points above U+10FFFF are ill-formed), or -1 when all of `s` is valid.
std::int64_t firstInvalidUtf8(const std::string& s);

/// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string replaceInvalidUtf8(const std::string& s);

/// Whether zstd-compressed files can be read (the build found libzstd).
bool haveZstd();

}  // namespace anneal::data
