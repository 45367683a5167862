// SPDX-License-Identifier: GPL-2.0 OR MIT
// Guard set and its port bitmaps (kmod/core/guardset.c).
#include <catch2/catch.hpp>

#include <memory>

#include "guardset.h"

static std::unique_ptr<nfk_guardset> empty_set()
{
	auto gs = std::make_unique<nfk_guardset>();
	nfk_guardset_init(gs.get());
	return gs;
}

TEST_CASE("guard set adds, refuses duplicates and deletes", "[core][guard]")
{
	auto gs = empty_set();
	nfk_service ssh{IPPROTO_TCP, 22, 22};
	nfk_service web{IPPROTO_TCP, 8000, 8100};
	nfk_service dns{IPPROTO_UDP, 53, 53};

	REQUIRE(nfk_guardset_add(gs.get(), &ssh) == 0);
	REQUIRE(nfk_guardset_add(gs.get(), &web) == 0);
	REQUIRE(nfk_guardset_add(gs.get(), &dns) == 0);
	REQUIRE(nfk_guardset_add(gs.get(), &ssh) == -EEXIST);
	REQUIRE(gs->count == 3);

	REQUIRE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 22));
	REQUIRE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 8000));
	REQUIRE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 8100));
	REQUIRE_FALSE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 8101));
	REQUIRE_FALSE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 53));
	REQUIRE(nfk_guardset_covers(gs.get(), IPPROTO_UDP, 53));
	REQUIRE_FALSE(nfk_guardset_covers(gs.get(), IPPROTO_UDP, 22));
	REQUIRE_FALSE(nfk_guardset_covers(gs.get(), IPPROTO_ICMP, 22));

	SECTION("delete needs the identical service") {
		nfk_service part{IPPROTO_TCP, 8000, 8050};

		REQUIRE(nfk_guardset_del(gs.get(), &part) == -ENOENT);
		REQUIRE(nfk_guardset_del(gs.get(), &web) == 0);
		REQUIRE_FALSE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 8050));
		REQUIRE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 22));
		REQUIRE(gs->count == 2);
	}
	SECTION("overlapping ranges: removing one keeps the other's ports") {
		nfk_service wide{IPPROTO_TCP, 1, 1000};

		REQUIRE(nfk_guardset_add(gs.get(), &wide) == 0);
		REQUIRE(nfk_guardset_del(gs.get(), &ssh) == 0);
		REQUIRE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 22));
		REQUIRE(nfk_guardset_del(gs.get(), &wide) == 0);
		REQUIRE_FALSE(nfk_guardset_covers(gs.get(), IPPROTO_TCP, 22));
	}
}

TEST_CASE("guard set refuses invalid services and overflow", "[core][guard]")
{
	auto gs = empty_set();
	nfk_service bad_proto{IPPROTO_ICMP, 1, 1};
	nfk_service port0{IPPROTO_TCP, 0, 0};
	nfk_service reversed{IPPROTO_TCP, 10, 5};

	REQUIRE(nfk_guardset_add(gs.get(), &bad_proto) == -EINVAL);
	REQUIRE(nfk_guardset_add(gs.get(), &port0) == -EINVAL);
	REQUIRE(nfk_guardset_add(gs.get(), &reversed) == -EINVAL);
	REQUIRE(gs->count == 0);

	for (unsigned int i = 0; i < NFKNOCK_GUARDS_MAX; i++) {
		nfk_service s{IPPROTO_UDP, (u16)(1000 + i), (u16)(1000 + i)};
		REQUIRE(nfk_guardset_add(gs.get(), &s) == 0);
	}
	nfk_service one_more{IPPROTO_UDP, 2000, 2000};
	REQUIRE(nfk_guardset_add(gs.get(), &one_more) == -ENOSPC);
	REQUIRE_FALSE(nfk_guardset_covers(gs.get(), IPPROTO_UDP, 2000));
}
