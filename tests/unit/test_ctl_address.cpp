// SPDX-License-Identifier: GPL-2.0 OR MIT
// Source address text for grant and revoke.
#include <catch2/catch.hpp>

#include <sys/socket.h>

#include <string>

#include "address.hpp"
#include "errors.hpp"

using namespace knockctl;

namespace {

std::string address_error(const std::string &text)
{
	try {
		parse_address(text);
	} catch (const UsageError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("IPv4 addresses parse to 4 bytes")
{
	const Address a = parse_address("10.0.0.2");

	REQUIRE(a.family == AF_INET);
	REQUIRE(a.size() == 4);
	REQUIRE(a.bytes[0] == 10);
	REQUIRE(a.bytes[3] == 2);
	REQUIRE(a.bytes[4] == 0);
	REQUIRE(format_address(a) == "10.0.0.2");
	REQUIRE(std::string(family_name(a)) == "inet");
}

TEST_CASE("IPv6 addresses parse to 16 bytes")
{
	SECTION("compressed") {
		const Address a = parse_address("2001:db8::1");

		REQUIRE(a.family == AF_INET6);
		REQUIRE(a.size() == 16);
		REQUIRE(a.bytes[0] == 0x20);
		REQUIRE(a.bytes[1] == 0x01);
		REQUIRE(a.bytes[15] == 1);
		REQUIRE(format_address(a) == "2001:db8::1");
		REQUIRE(std::string(family_name(a)) == "inet6");
	}
	SECTION("loopback") { REQUIRE(parse_address("::1").family == AF_INET6); }
	SECTION("unspecified") { REQUIRE(parse_address("::").family == AF_INET6); }
	SECTION("canonical output") {
		REQUIRE(format_address(parse_address("2001:0DB8:0:0:0:0:0:0001")) ==
			"2001:db8::1");
	}
}

TEST_CASE("IPv4-mapped IPv6 addresses become IPv4")
{
	SECTION("dotted tail") {
		REQUIRE(parse_address("::ffff:1.2.3.4") == parse_address("1.2.3.4"));
	}
	SECTION("hex tail") {
		REQUIRE(parse_address("::ffff:102:304") == parse_address("1.2.3.4"));
	}
	SECTION("IPv4-compatible (deprecated) stays IPv6") {
		REQUIRE(parse_address("::1.2.3.4").family == AF_INET6);
	}
}

TEST_CASE("bad addresses are refused with a message naming the input")
{
	const char *bad[] = {
		"", "10.0.0.256", "10.0.0", "10.0.0.2/24", "host.example",
		"2001:db8::1::2", "fe80::1%eth0", "[::1]", " 10.0.0.2",
		"10.0.0.2 ", "1.2.3.4.5", "::ffff:1.2.3.400",
	};

	for (const char *text : bad) {
		INFO(text);
		REQUIRE(address_error(text) ==
			std::string(text) + ": invalid address (expected IPv4 or IPv6)");
	}
	SECTION("embedded NUL") {
		const std::string text("10.0.0.2\0junk", 13);

		REQUIRE_THROWS_AS(parse_address(text), UsageError);
	}
}
