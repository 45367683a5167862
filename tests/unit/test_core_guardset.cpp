// SPDX-License-Identifier: GPL-2.0 OR MIT
// Guard set and its port bitmaps (kmod/core/guardset.c).
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <vector>

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

TEST_CASE("guard bitmaps and the service rule agree", "[core][guard]")
{
	// The kernel classifies with the bitmaps; its overlap test and
	// knockctl's check use nfk_service_covers(): one answer for both.
	std::mt19937 rng(7);
	for (int round = 0; round < 50; round++) {
		auto gs = empty_set();
		std::vector<nfk_service> added;
		for (int i = 0; i < 20; i++) {
			u16 lo = u16(1 + rng() % 2000);
			nfk_service s{u8(rng() % 2 ? IPPROTO_TCP : IPPROTO_UDP), lo,
				      u16(lo + rng() % (i % 4 ? 3 : 300))};
			if (nfk_guardset_add(gs.get(), &s) == 0)
				added.push_back(s);
		}
		for (u8 proto : {u8(IPPROTO_TCP), u8(IPPROTO_UDP), u8(IPPROTO_ICMP)})
			for (u32 port = 1; port <= 2400; port++) {
				bool any = false;
				for (const nfk_service &s : added)
					any |= nfk_service_covers(&s, proto, u16(port));
				INFO("proto " << int(proto) << " port " << port);
				REQUIRE(nfk_guardset_covers(gs.get(), proto, u16(port)) == any);
			}
	}
}

TEST_CASE("services overlap when they share a protocol and a port", "[core][service]")
{
	const nfk_service a{IPPROTO_TCP, 8000, 8100}, inner{IPPROTO_TCP, 8050, 8050},
		left{IPPROTO_TCP, 7000, 8000}, right{IPPROTO_TCP, 8100, 9000},
		apart{IPPROTO_TCP, 8101, 9000}, udp{IPPROTO_UDP, 8000, 8100};

	for (const nfk_service *o : {&inner, &left, &right}) {
		REQUIRE(nfk_service_overlaps(&a, o));
		REQUIRE(nfk_service_overlaps(o, &a));
	}
	REQUIRE_FALSE(nfk_service_overlaps(&a, &apart));
	REQUIRE_FALSE(nfk_service_overlaps(&apart, &a));
	REQUIRE_FALSE(nfk_service_overlaps(&a, &udp));
	REQUIRE(nfk_service_covers(&a, IPPROTO_TCP, 8000));
	REQUIRE(nfk_service_covers(&a, IPPROTO_TCP, 8100));
	REQUIRE_FALSE(nfk_service_covers(&a, IPPROTO_TCP, 7999));
	REQUIRE_FALSE(nfk_service_covers(&a, IPPROTO_UDP, 8050));
}
