// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The token cache: text tokenised by a subword tokenizer is kept on disk so that every run on the
// same documents with the same tokenizer (a resume, a branch, a sweep) reads it instead of
// tokenising again. docs/DATA.md#the-token-cache describes it for users.
//
//   <cache>/tokens/<key>.tok       the tokens of one domain's documents, by document
//   <cache>/tokenizers/<key>.model a SentencePiece model trained for an experiment
//   <cache>/spm/<sha256>.model     the model file spm_encode reads (by its content's hash)
//
// <cache> is $ANNEAL_CACHE_DIR, else $XDG_CACHE_HOME/anneal, else $HOME/.cache/anneal. A key is a
// SHA-256 of what the entry depends on (the tokenizer's identity and the documents' bytes), so a
// changed file or tokenizer makes a new entry and nothing is ever invalidated in place. Entries are
// written to a temporary file and renamed, and carry their size and a checksum: a truncated or
// corrupt entry is detected on reading and rebuilt, never used.

#include <string>
#include <vector>

#include "anneal/data_source.h"

namespace anneal::data {

/// The cache directory (not created).
std::string cacheDirectory();

/// The tokens of entry `path` when it is complete and holds `documents` documents; false when it is
/// missing, truncated or corrupt.
bool readTokenEntry(const std::string& path, size_t documents, std::vector<std::vector<Token>>& ids);
/// Writes an entry atomically (temporary file, then rename), creating directories. Throws Io.
void writeTokenEntry(const std::string& path, const std::vector<std::vector<Token>>& ids);

/// A cached file (a trained model) written by writeCachedFile; false when it is missing, truncated
/// or corrupt.
bool readCachedFile(const std::string& path, std::string& bytes);
/// Writes a file atomically, creating directories. Throws Io.
void writeFileAtomically(const std::string& path, const std::string& bytes);
/// Writes a cached file (bytes, checksum, magic) atomically, creating directories. Throws Io.
void writeCachedFile(const std::string& path, const std::string& bytes);

}  // namespace anneal::data
