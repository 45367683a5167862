// SPDX-License-Identifier: GPL-2.0 OR MIT
// Duration text on the command line and in output.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>

#include <string>

#include "duration.hpp"
#include "errors.hpp"

using namespace knockctl;

namespace {

std::string duration_error(const std::string &text)
{
	try {
		parse_duration_ms(text);
	} catch (const UsageError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("durations parse with every unit")
{
	SECTION("milliseconds") { REQUIRE(parse_duration_ms("500ms") == 500); }
	SECTION("seconds") { REQUIRE(parse_duration_ms("30s") == 30000); }
	SECTION("minutes") { REQUIRE(parse_duration_ms("5m") == 300000); }
	SECTION("hours") { REQUIRE(parse_duration_ms("2h") == 7200000); }
	SECTION("days") { REQUIRE(parse_duration_ms("1d") == 86400000); }
	SECTION("bare number is seconds") { REQUIRE(parse_duration_ms("45") == 45000); }
	SECTION("leading zeros") { REQUIRE(parse_duration_ms("007s") == 7000); }
	SECTION("smallest") { REQUIRE(parse_duration_ms("1ms") == 1); }
}

TEST_CASE("durations accept exactly the maximum")
{
	REQUIRE(parse_duration_ms("7d") == NFKNOCK_TIMEOUT_MAX_MS);
	REQUIRE(parse_duration_ms("168h") == NFKNOCK_TIMEOUT_MAX_MS);
	REQUIRE(parse_duration_ms("604800000ms") == NFKNOCK_TIMEOUT_MAX_MS);
}

TEST_CASE("bad durations are refused with a message naming the input")
{
	SECTION("unknown unit") { REQUIRE(duration_error("9x") == "9x: invalid duration"); }
	SECTION("empty") { REQUIRE(duration_error("") == ": invalid duration"); }
	SECTION("unit only") { REQUIRE(duration_error("s") == "s: invalid duration"); }
	SECTION("negative") { REQUIRE(duration_error("-5s") == "-5s: invalid duration"); }
	SECTION("plus sign") { REQUIRE(duration_error("+5s") == "+5s: invalid duration"); }
	SECTION("fraction") { REQUIRE(duration_error("1.5s") == "1.5s: invalid duration"); }
	SECTION("space") { REQUIRE(duration_error("5 s") == "5 s: invalid duration"); }
	SECTION("upper case") { REQUIRE(duration_error("5S") == "5S: invalid duration"); }
	SECTION("two units") { REQUIRE(duration_error("1h30m") == "1h30m: invalid duration"); }
	SECTION("trailing garbage after huge number") {
		REQUIRE(duration_error("99999999999999999999x") ==
			"99999999999999999999x: invalid duration");
	}
}

TEST_CASE("durations must be positive and at most 7 days")
{
	SECTION("zero") {
		REQUIRE(duration_error("0") == "0: duration must be greater than zero");
		REQUIRE(duration_error("0ms") == "0ms: duration must be greater than zero");
	}
	SECTION("one ms too long") {
		REQUIRE(duration_error("604800001ms") ==
			"604800001ms: duration too long (at most 7d)");
	}
	SECTION("8 days") { REQUIRE(duration_error("8d") == "8d: duration too long (at most 7d)"); }
	SECTION("overflowing digits") {
		REQUIRE(duration_error("99999999999999999999999s") ==
			"99999999999999999999999s: duration too long (at most 7d)");
	}
}

TEST_CASE("durations format compactly, rounding seconds up")
{
	REQUIRE(format_duration_ms(0) == "0ms");
	REQUIRE(format_duration_ms(500) == "500ms");
	REQUIRE(format_duration_ms(1000) == "1s");
	REQUIRE(format_duration_ms(1001) == "2s");
	REQUIRE(format_duration_ms(60000) == "1m");
	REQUIRE(format_duration_ms(90000) == "1m30s");
	REQUIRE(format_duration_ms(3600000 + 5000) == "1h5s");
	REQUIRE(format_duration_ms(NFKNOCK_TIMEOUT_MAX_MS) == "7d");
	REQUIRE(format_duration_ms(86400000ULL + 3 * 3600000ULL) == "1d3h");
}
