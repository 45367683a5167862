// SPDX-License-Identifier: GPL-2.0 OR MIT
// The one problem a parser reports, and the shipped examples' text: shared
// by the config and profile tests.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config.hpp"

namespace knockctl::test {

// Runs @parse, which must throw a ConfigError, and returns its problems
// ("FILE:LINE: field: ...").
template <typename Parse>
std::vector<std::string> all_problems(Parse &&parse)
{
	try {
		parse();
	} catch (const ConfigError &e) {
		return e.problems();
	}
	FAIL("no error");
	return {};
}

// The same when there must be exactly one problem: that problem.
template <typename Parse>
std::string only_problem(Parse &&parse)
{
	const std::vector<std::string> p = all_problems(parse);

	REQUIRE(p.size() == 1);
	return p[0];
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
