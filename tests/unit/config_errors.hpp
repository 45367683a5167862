// SPDX-License-Identifier: GPL-2.0 OR MIT
// The one problem a parser reports, and the shipped examples' text: shared
// by the config and profile tests.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "config.hpp"

namespace knockctl::test {

// Runs @parse, which must throw a ConfigError with exactly one problem, and
// returns that problem ("FILE:LINE: field: ...").
template <typename Parse>
std::string only_problem(Parse &&parse)
{
	try {
		parse();
	} catch (const ConfigError &e) {
		REQUIRE(e.problems().size() == 1);
		return e.problems()[0];
	}
	FAIL("no error");
	return {};
}

// The text of the file @name of docs/ (the shipped examples).
inline std::string docs_text(const std::string &name)
{
	std::ifstream in(std::string(NFKNOCK_DOCS_DIR) + "/" + name);
	std::ostringstream text;

	REQUIRE(in);
	text << in.rdbuf();
	return text.str();
}

} // namespace knockctl::test
