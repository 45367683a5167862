// SPDX-License-Identifier: GPL-2.0 OR MIT
// Service text codec of the pure core (kmod/core/service.c).
#include <catch2/catch.hpp>

#include <string>

#include "service.h"

static int parse(const std::string &s, nfk_service &out, bool single = false)
{
	return nfk_service_parse(s.data(), s.size(), single, &out);
}

TEST_CASE("service parses single ports and ranges", "[core][service]")
{
	nfk_service svc{};

	SECTION("tcp single") {
		REQUIRE(parse("tcp/22", svc) == NFK_SVC_OK);
		REQUIRE(svc.proto == IPPROTO_TCP);
		REQUIRE(svc.port == 22);
		REQUIRE(svc.port_end == 22);
	}
	SECTION("udp range") {
		REQUIRE(parse("udp/8000-8100", svc) == NFK_SVC_OK);
		REQUIRE(svc.proto == IPPROTO_UDP);
		REQUIRE(svc.port == 8000);
		REQUIRE(svc.port_end == 8100);
	}
	SECTION("edges 1 and 65535") {
		REQUIRE(parse("tcp/1-65535", svc) == NFK_SVC_OK);
		REQUIRE(svc.port == 1);
		REQUIRE(svc.port_end == 65535);
	}
	SECTION("leading zeros are plain decimal") {
		REQUIRE(parse("tcp/0022", svc) == NFK_SVC_OK);
		REQUIRE(svc.port == 22);
	}
}

TEST_CASE("service refuses bad text with a reason", "[core][service]")
{
	nfk_service svc{9, 9, 9};

	REQUIRE(parse("tcp/70000", svc) == NFK_SVC_E_RANGE);
	REQUIRE(parse("tcp/0", svc) == NFK_SVC_E_RANGE);
	REQUIRE(parse("tcp/65536", svc) == NFK_SVC_E_RANGE);
	REQUIRE(parse("tcp/99999999999", svc) == NFK_SVC_E_RANGE);
	REQUIRE(parse("sctp/1", svc) == NFK_SVC_E_PROTO);
	REQUIRE(parse("TCP/22", svc) == NFK_SVC_E_PROTO);
	REQUIRE(parse("tcp/abc", svc) == NFK_SVC_E_PORT);
	REQUIRE(parse("tcp/", svc) == NFK_SVC_E_PORT);
	REQUIRE(parse("tcp/22-", svc) == NFK_SVC_E_PORT);
	REQUIRE(parse("tcp/-22", svc) == NFK_SVC_E_PORT);
	REQUIRE(parse("tcp/ 22", svc) == NFK_SVC_E_PORT);
	REQUIRE(parse("tcp/10-5", svc) == NFK_SVC_E_ORDER);
	REQUIRE(parse("tcp22", svc) == NFK_SVC_E_FORMAT);
	REQUIRE(parse("", svc) == NFK_SVC_E_FORMAT);
	REQUIRE(parse("tcp/10-20", svc, true) == NFK_SVC_E_SINGLE);
	REQUIRE(parse("tcp/10-10", svc, true) == NFK_SVC_OK);
	REQUIRE(std::string(nfk_service_strerror(NFK_SVC_E_RANGE)) ==
		"port out of range");
}

TEST_CASE("service refusal leaves the output untouched", "[core][service]")
{
	nfk_service svc{1, 2, 3};

	REQUIRE(parse("tcp/10-5", svc) != NFK_SVC_OK);
	REQUIRE(svc.proto == 1);
	REQUIRE(svc.port == 2);
	REQUIRE(svc.port_end == 3);
}

TEST_CASE("service formats back to its text", "[core][service]")
{
	for (const char *text : {"tcp/22", "udp/8000-8100", "tcp/1-65535"}) {
		nfk_service svc{};
		char buf[NFK_SERVICE_STRLEN];

		REQUIRE(parse(text, svc) == NFK_SVC_OK);
		REQUIRE(nfk_service_format(&svc, buf, sizeof(buf)) ==
			std::string(text).size());
		REQUIRE(std::string(buf) == text);
	}
	SECTION("a short buffer is truncated and terminated") {
		nfk_service svc{IPPROTO_TCP, 8000, 8100};
		char buf[6];

		REQUIRE(nfk_service_format(&svc, buf, sizeof(buf)) == 13);
		REQUIRE(std::string(buf) == "tcp/8");
	}
}
