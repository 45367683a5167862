// SPDX-License-Identifier: GPL-2.0 OR MIT
// Grant keys are compared and hashed as bytes (kmod/core/grant_key.c).
#include <catch2/catch.hpp>

#include <cstring>

#include <linux/nfknock.h>

#include "grant_key.h"

TEST_CASE("grant keys are fully defined bytes", "[core][key]")
{
	const u8 v4[4] = {10, 0, 0, 2};
	u8 v6[16] = {0xfd, 0};
	nfk_grant_key a, b;

	v6[15] = 2;
	memset(&a, 0xaa, sizeof(a));
	memset(&b, 0x55, sizeof(b));
	REQUIRE(nfk_grant_key_make(&a, v4, 4, IPPROTO_TCP, 22));
	REQUIRE(nfk_grant_key_make(&b, v4, 4, IPPROTO_TCP, 22));
	REQUIRE(nfk_grant_key_eq(&a, &b));
	REQUIRE(sizeof(nfk_grant_key) == 20);
	REQUIRE(a.family == NFK_FAMILY_V4);
	REQUIRE(nfk_grant_key_addrlen(&a) == 4);

	SECTION("service, protocol and family all distinguish keys") {
		REQUIRE(nfk_grant_key_make(&b, v4, 4, IPPROTO_TCP, 23));
		REQUIRE_FALSE(nfk_grant_key_eq(&a, &b));
		REQUIRE(nfk_grant_key_same_addr(&a, &b));
		REQUIRE(nfk_grant_key_make(&b, v4, 4, IPPROTO_UDP, 22));
		REQUIRE_FALSE(nfk_grant_key_eq(&a, &b));
		u8 v4in16[16] = {10, 0, 0, 2};
		REQUIRE(nfk_grant_key_make(&b, v4in16, 16, IPPROTO_TCP, 22));
		REQUIRE_FALSE(nfk_grant_key_eq(&a, &b));
		REQUIRE_FALSE(nfk_grant_key_same_addr(&a, &b));
	}
	SECTION("IPv6") {
		REQUIRE(nfk_grant_key_make(&b, v6, 16, IPPROTO_TCP, 22));
		REQUIRE(b.family == NFK_FAMILY_V6);
		REQUIRE(nfk_grant_key_addrlen(&b) == 16);
	}
	SECTION("other address lengths are refused") {
		for (size_t len : {0, 3, 5, 15, 17})
			REQUIRE_FALSE(nfk_grant_key_make(&b, v6, len, 6, 22));
	}
}

TEST_CASE("grant table buckets follow the cap", "[core][key]")
{
	// Full table: at most NFK_GRANT_LOAD entries per bucket on average.
	for (u32 max : {1u, 4u, 255u, 256u, 257u, 4096u, 65536u, 100000u,
			1048576u}) {
		u32 n = nfk_grant_buckets(max);
		INFO("max " << max << " buckets " << n);
		REQUIRE((n & (n - 1)) == 0);
		REQUIRE(n >= NFK_GRANT_BUCKETS_MIN);
		REQUIRE(n <= NFK_GRANT_BUCKETS_MAX);
		REQUIRE(u64(n) * NFK_GRANT_LOAD >= max);
		// The smallest such power of two (or the floor).
		REQUIRE((n == NFK_GRANT_BUCKETS_MIN ||
			 u64(n / 2) * NFK_GRANT_LOAD < max));
	}
	REQUIRE(nfk_grant_buckets(65536) == 16384);
	REQUIRE(nfk_grant_buckets(1048576) == NFK_GRANT_BUCKETS_MAX);
	REQUIRE(u64(NFK_GRANT_BUCKETS_MAX) * NFK_GRANT_LOAD ==
		NFKNOCK_GRANTS_LIMIT);
}
