// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Factories of the built-in sources (one file each), used by makeSource().

#include <memory>
#include <string>

#include "anneal/data_source.h"

namespace anneal::data {

std::unique_ptr<DataSource> makeMarkov(const DomainSpec& d, const std::string& field);
std::unique_ptr<DataSource> makeNoise(const DomainSpec& d, const std::string& field);
std::unique_ptr<DataSource> makeArithmetic(const DomainSpec& d, const std::string& field);
std::unique_ptr<DataSource> makeBrackets(const DomainSpec& d, const std::string& field);

}  // namespace anneal::data
