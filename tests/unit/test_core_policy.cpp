// SPDX-License-Identifier: GPL-2.0 OR MIT
// Source prefixes (kmod/core/policy.c).
#include <catch2/catch.hpp>

#include "policy.h"

TEST_CASE("prefix validity and containment", "[core][policy]")
{
	nfk_prefix any4{4, 0, {}};
	nfk_prefix net10{4, 8, {10}};
	nfk_prefix odd{4, 12, {10, 0x10}};
	nfk_prefix v6{6, 64, {0xfd, 0, 0, 0, 0, 0, 0, 1}};
	const u8 a[4] = {10, 1, 2, 3};
	const u8 b[4] = {10, 0x1f, 0, 1};
	const u8 c[4] = {10, 0x20, 0, 1};

	REQUIRE(nfk_prefix_valid(&any4));
	REQUIRE(nfk_prefix_valid(&net10));
	REQUIRE(nfk_prefix_valid(&odd));
	REQUIRE(nfk_prefix_valid(&v6));
	REQUIRE(nfk_prefix_contains(&any4, 4, a));
	REQUIRE(nfk_prefix_contains(&net10, 4, a));
	REQUIRE(nfk_prefix_contains(&odd, 4, b));
	REQUIRE_FALSE(nfk_prefix_contains(&odd, 4, c));
	REQUIRE_FALSE(nfk_prefix_contains(&net10, 6, a));

	SECTION("host bits, lengths and families are checked") {
		nfk_prefix host{4, 8, {10, 1}};
		nfk_prefix long4{4, 33, {}};
		nfk_prefix long6{6, 129, {}};
		nfk_prefix fam{5, 0, {}};
		nfk_prefix tail{4, 32, {1, 2, 3, 4, 5}};
		REQUIRE_FALSE(nfk_prefix_valid(&host));
		REQUIRE_FALSE(nfk_prefix_valid(&long4));
		REQUIRE_FALSE(nfk_prefix_valid(&long6));
		REQUIRE_FALSE(nfk_prefix_valid(&fam));
		REQUIRE_FALSE(nfk_prefix_valid(&tail));
		nfk_prefix full6{6, 128, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
		REQUIRE(nfk_prefix_valid(&full6));
	}
	SECTION("an invalid length never matches (found by fuzzing)") {
		nfk_prefix huge{4, 200, {10}};
		REQUIRE_FALSE(nfk_prefix_contains(&huge, 4, a));
	}
}

// What every knock kind meets before its grant (SPA and sequences alike).
TEST_CASE("policy admits: enabled, not expired, service, source", "[core][policy]")
{
	nfk_user_policy pol{};
	const u8 in[4] = {10, 0, 0, 7};
	const u8 out[4] = {192, 0, 2, 1};
	const u64 now_ms = 1700000000000ULL;

	pol.n_services = 1;
	pol.services[0] = {IPPROTO_TCP, 22, 22};
	pol.n_prefixes = 1;
	pol.prefixes[0] = {4, 8, {10}};
	pol.max_duration_s = 60;

	REQUIRE(nfk_policy_admits(&pol, now_ms, IPPROTO_TCP, 22, 4, in));
	REQUIRE_FALSE(nfk_policy_admits(&pol, now_ms, IPPROTO_TCP, 23, 4, in));
	REQUIRE_FALSE(nfk_policy_admits(&pol, now_ms, IPPROTO_UDP, 22, 4, in));
	REQUIRE_FALSE(nfk_policy_admits(&pol, now_ms, IPPROTO_TCP, 22, 4, out));

	SECTION("disabled") {
		pol.flags = NFKNOCK_USER_F_DISABLED;
		REQUIRE_FALSE(nfk_policy_admits(&pol, now_ms, IPPROTO_TCP, 22, 4, in));
	}
	SECTION("expiry: refused from its second on") {
		pol.expires_unix_s = now_ms / 1000 + 1;
		REQUIRE(nfk_policy_admits(&pol, now_ms + 999, IPPROTO_TCP, 22, 4, in));
		REQUIRE_FALSE(nfk_policy_admits(&pol, now_ms + 1000, IPPROTO_TCP, 22, 4, in));
	}
}
