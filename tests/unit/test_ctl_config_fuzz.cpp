// SPDX-License-Identifier: GPL-2.0 OR MIT
// Inputs found by the libFuzzer targets tests/fuzz/fuzz_config.cpp and
// fuzz_profile.cpp. Both are toml++ 3.3.0 bugs (Debian 12), not knockctl's:
// a debug assertion in parse_key() on "[[[" headers (marzer/tomlplusplus
// #301) and __builtin_unreachable() in is_non_ascii_horizontal_whitespace()
// for some non-ASCII characters (#295). With the library knockctl links,
// each must be one ordinary "FILE:1: ..." parse error, never an abort.
#include <catch2/catch.hpp>

#include <string>

#include "config.hpp"
#include "config_errors.hpp"
#include "profile.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

std::string config_error(const std::string &text)
{
	return only_problem([&] { parse_config(text, "nfknock.conf"); });
}

std::string profile_error(const std::string &text)
{
	return only_problem([&] { parse_profile(text, "client.toml", "/h"); });
}

} // namespace

TEST_CASE("fuzzer finds: malformed array-of-tables headers are parse errors")
{
	for (const char *text : {"[[[1]]]\n", "[[[ ]user]]\n", "[[\n", "[[=\n", "[\n"}) {
		INFO(text);
		REQUIRE(config_error(text).rfind("nfknock.conf:1: Error while parsing", 0) == 0);
		REQUIRE(profile_error(text).rfind("client.toml:1: Error while parsing", 0) == 0);
	}
}

TEST_CASE("fuzzer finds: non-ASCII characters where whitespace may be are parse errors")
{
	// U+FEDF after a key and after a value, U+00A1 after a value.
	for (const char *text : {"a\xef\xbb\x9f= 1\n", "a = 1\xef\xbb\x9f\n",
				 "a = 1\xc2\xa1\n"}) {
		INFO(text);
		REQUIRE(config_error(text).rfind("nfknock.conf:", 0) == 0);
		REQUIRE(profile_error(text).rfind("client.toml:", 0) == 0);
	}
}
