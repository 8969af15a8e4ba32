// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Factories of the built-in sources (one file each), used by makeSource(); check* validate a real
// source's params and glob without reading its files (checkSource()).

#include <memory>
#include <string>

#include "anneal/data_source.h"
#include "data/window_source.h"

namespace anneal::data {

std::unique_ptr<DataSource> makeMarkov(const DomainSpec& d, const std::string& field);
std::unique_ptr<DataSource> makeNoise(const DomainSpec& d, const std::string& field);
std::unique_ptr<DataSource> makeArithmetic(const DomainSpec& d, const std::string& field);
std::unique_ptr<DataSource> makeBrackets(const DomainSpec& d, const std::string& field);

std::unique_ptr<DataSource> makeText(const DomainSpec& d, const std::string& field);
void checkText(const DomainSpec& d, const std::string& field);
std::unique_ptr<DataSource> makeJsonl(const DomainSpec& d, const std::string& field);
void checkJsonl(const DomainSpec& d, const std::string& field);
/// The documents of a text: / jsonl: domain, for a subword tokenizer (data/tokenized_sources.h).
DocumentSet loadText(const DomainSpec& d, const std::string& field);
DocumentSet loadJsonl(const DomainSpec& d, const std::string& field);
/// `vocabulary`: ids at or above it are refused (256 with the byte tokenizer).
/// `vocabulary` bounds the ids; `endOfDocument` follows each Megatron document (the tokenizer's).
std::unique_ptr<DataSource> makeTokens(const DomainSpec& d, const std::string& field, int vocabulary = 256,
                                       Token endOfDocument = kEndOfDocumentByte);
void checkTokens(const DomainSpec& d, const std::string& field);

}  // namespace anneal::data
