// SPDX-License-Identifier: GPL-2.0 OR MIT
// Replay set of one knock user (kmod/core/replay.c): refused iff at or below
// the floor or remembered; the floor rises only on eviction.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <utility>
#include <vector>

#include "replay.h"

namespace {

const u64 t0 = 1764000000000ULL;	// unix ms
const u32 slots = NFK_REPLAY_SLOTS;

nfk_replay fresh(u64 floor = t0)
{
	nfk_replay r;
	nfk_replay_init(&r, floor);
	return r;
}

// Accept as the kernel does: check, then note under the same lock.
bool knock(nfk_replay &r, u64 ts, u64 id)
{
	if (nfk_replay_seen(&r, ts, id))
		return false;
	nfk_replay_note(&r, ts, id);
	return true;
}

// e[0..n-1] in use, all above the floor, no duplicates, the rest zero.
void require_invariants(const nfk_replay &r)
{
	REQUIRE(r.n <= slots);
	for (u32 i = 0; i < r.n; i++) {
		REQUIRE(r.e[i].ts > r.floor);
		REQUIRE(r.e[i].ts <= r.newest);
		for (u32 j = i + 1; j < r.n; j++)
			REQUIRE_FALSE((r.e[i].ts == r.e[j].ts &&
				       r.e[i].id == r.e[j].id));
	}
	for (u32 i = r.n; i < slots; i++) {
		REQUIRE(r.e[i].ts == 0);
		REQUIRE(r.e[i].id == 0);
	}
}

} // namespace

TEST_CASE("replay: a fresh state refuses only at or below its floor",
	  "[core][replay]")
{
	nfk_replay r = fresh();

	SECTION("init leaves an empty set at the floor") {
		REQUIRE(r.floor == t0);
		REQUIRE(r.newest == 0);
		REQUIRE(r.n == 0);
		require_invariants(r);
	}
	SECTION("anything above the floor is accepted") {
		REQUIRE_FALSE(nfk_replay_seen(&r, t0 + 1, 1));
		REQUIRE_FALSE(nfk_replay_seen(&r, t0 + 1, 0));
		REQUIRE_FALSE(nfk_replay_seen(&r, ~0ULL, 42));
	}
	SECTION("the floor itself and below are refused, whatever the id") {
		REQUIRE(nfk_replay_seen(&r, t0, 1));
		REQUIRE(nfk_replay_seen(&r, t0 - 1, 2));
		REQUIRE(nfk_replay_seen(&r, 0, 3));
	}
	SECTION("floor 0 refuses only timestamp 0") {
		nfk_replay z = fresh(0);
		REQUIRE(nfk_replay_seen(&z, 0, 1));
		REQUIRE_FALSE(nfk_replay_seen(&z, 1, 1));
	}
	SECTION("a check without a note changes nothing") {
		nfk_replay before = fresh();
		(void)nfk_replay_seen(&r, t0 + 5, 5);
		REQUIRE(r.floor == before.floor);
		REQUIRE(r.newest == before.newest);
		REQUIRE(r.n == before.n);
		REQUIRE_FALSE(nfk_replay_seen(&r, t0 + 5, 5));
	}
}

TEST_CASE("replay: a noted datagram is refused forever", "[core][replay]")
{
	nfk_replay r = fresh();

	SECTION("right after the note") {
		REQUIRE(knock(r, t0 + 1000, 0xabc));
		REQUIRE(nfk_replay_seen(&r, t0 + 1000, 0xabc));
		REQUIRE_FALSE(knock(r, t0 + 1000, 0xabc));
		REQUIRE(r.n == 1);
	}
	SECTION("after 100 later notes that evict it") {
		REQUIRE(knock(r, t0 + 1000, 0xabc));
		for (u64 i = 1; i <= 100; i++) {
			REQUIRE(knock(r, t0 + 1000 + i * 10, 0x1000 + i));
			REQUIRE(nfk_replay_seen(&r, t0 + 1000, 0xabc));
			require_invariants(r);
		}
		REQUIRE(r.floor >= t0 + 1000);
	}
	SECTION("a noted id with another timestamp is another datagram") {
		REQUIRE(knock(r, t0 + 1000, 7));
		REQUIRE_FALSE(nfk_replay_seen(&r, t0 + 1001, 7));
		REQUIRE_FALSE(nfk_replay_seen(&r, t0 + 999, 7));
	}
	SECTION("noting a refused datagram again stores nothing") {
		REQUIRE(knock(r, t0 + 1000, 7));
		nfk_replay_note(&r, t0 + 1000, 7);
		nfk_replay_note(&r, t0, 8);
		REQUIRE(r.n == 1);
		REQUIRE(r.newest == t0 + 1000);
		require_invariants(r);
	}
}

TEST_CASE("replay: property: every noted datagram stays refused",
	  "[core][replay]")
{
	// Several devices with skewed clocks knocking at random, a few replays
	// and duplicates mixed in, fixed seeds so a failure reproduces.
	for (u64 seed : {1ULL, 2ULL, 3ULL, 0x5eedULL, 20251124ULL}) {
		CAPTURE(seed);
		std::mt19937_64 rng(seed);
		nfk_replay r = fresh();
		std::vector<std::pair<u64, u64>> noted;
		u64 now = t0 + 60000;
		u64 prev_floor = r.floor;

		for (int step = 0; step < 2000; step++) {
			now += rng() % 5000;
			u64 skew = rng() % 30000;	// device clock behind
			u64 ts = now - skew;
			u64 id = rng() % 4 == 0 ? rng() % 16 : rng();

			if (!noted.empty() && rng() % 8 == 0) {
				auto &old = noted[rng() % noted.size()];
				ts = old.first;
				id = old.second;
			}
			bool was_full = r.n == slots;
			bool seen = nfk_replay_seen(&r, ts, id);
			if (!seen) {
				nfk_replay_note(&r, ts, id);
				noted.emplace_back(ts, id);
			}
			require_invariants(r);
			REQUIRE(r.floor >= prev_floor);
			if (r.floor != prev_floor)
				REQUIRE(was_full);
			prev_floor = r.floor;
		}
		for (auto &d : noted)
			REQUIRE(nfk_replay_seen(&r, d.first, d.second));
		REQUIRE(noted.size() > 1000);
	}
}

TEST_CASE("replay: an older timestamp with a new id is accepted",
	  "[core][replay]")
{
	nfk_replay r = fresh();

	SECTION("device A runs 20 s fast, then device B with a correct clock") {
		u64 now = t0 + 100000;
		REQUIRE(knock(r, now + 20000, 0xa1));
		REQUIRE(knock(r, now + 1000 + 20000, 0xa2));
		REQUIRE(r.newest == now + 21000);
		REQUIRE(knock(r, now + 2000, 0xb1));
		REQUIRE(r.newest == now + 21000);
		REQUIRE(r.floor == t0);
	}
	SECTION("below the newest but above the floor, after evictions") {
		for (u64 i = 1; i <= slots + 3; i++)
			REQUIRE(knock(r, t0 + i * 1000, i));
		REQUIRE(r.floor == t0 + 3000);
		REQUIRE(r.newest == t0 + (slots + 3) * 1000);
		REQUIRE(knock(r, t0 + 3001, 0xb0b));
		REQUIRE_FALSE(knock(r, t0 + 3000, 0xb0c));
	}
}

TEST_CASE("replay: same timestamp, different ids", "[core][replay]")
{
	nfk_replay r = fresh();

	SECTION("both are accepted, each refused afterwards") {
		REQUIRE(knock(r, t0 + 500, 1));
		REQUIRE(knock(r, t0 + 500, 2));
		REQUIRE(r.n == 2);
		REQUIRE_FALSE(knock(r, t0 + 500, 1));
		REQUIRE_FALSE(knock(r, t0 + 500, 2));
		REQUIRE(knock(r, t0 + 500, 3));
	}
	SECTION("evicting one of them floors them all") {
		for (u64 id = 1; id <= slots; id++)
			REQUIRE(knock(r, t0 + 500, id));
		REQUIRE(r.n == slots);
		REQUIRE(knock(r, t0 + 600, 100));
		REQUIRE(r.floor == t0 + 500);
		REQUIRE(r.n == 1);
		REQUIRE(r.e[0].ts == t0 + 600);
		REQUIRE(r.e[0].id == 100);
		for (u64 id = 1; id <= slots + 10; id++)
			REQUIRE(nfk_replay_seen(&r, t0 + 500, id));
		require_invariants(r);
	}
}

TEST_CASE("replay: the floor rises only on eviction, never falls",
	  "[core][replay]")
{
	nfk_replay r = fresh();

	SECTION("filling the set leaves the floor alone") {
		for (u64 i = 1; i <= slots; i++) {
			REQUIRE(knock(r, t0 + i * 1000, i));
			REQUIRE(r.floor == t0);
			REQUIRE(r.n == i);
		}
	}
	SECTION("eviction raises the floor to the oldest timestamp") {
		// Out of order: the oldest is not the first noted.
		for (u64 i = 1; i <= slots; i++)
			REQUIRE(knock(r, t0 + (i == 3 ? 500 : i * 1000), i));
		REQUIRE(knock(r, t0 + 50000, 99));
		REQUIRE(r.floor == t0 + 500);
		REQUIRE(r.n == slots);
		REQUIRE(nfk_replay_seen(&r, t0 + 500, 3));
		REQUIRE(nfk_replay_seen(&r, t0 + 50000, 99));
		// Older than every remembered one: it is the one forgotten.
		REQUIRE(knock(r, t0 + 501, 100));
		REQUIRE(r.floor == t0 + 501);
		require_invariants(r);
	}
	SECTION("a new datagram older than all remembered is the one forgotten") {
		for (u64 i = 1; i <= slots; i++)
			REQUIRE(knock(r, t0 + 10000 + i, i));
		REQUIRE(knock(r, t0 + 5000, 77));
		REQUIRE(r.floor == t0 + 5000);
		REQUIRE(r.n == slots);
		// A knock between it and the remembered ones is still accepted.
		REQUIRE(knock(r, t0 + 7000, 78));
		REQUIRE(nfk_replay_seen(&r, t0 + 5000, 77));
		REQUIRE(r.newest == t0 + 10000 + slots);
		require_invariants(r);
	}
	SECTION("the floor never falls over a long run") {
		u64 prev = r.floor;
		for (u64 i = 1; i <= 200; i++) {
			// Alternating ahead and behind, always above the floor.
			u64 ts = t0 + i * 1000 + (i % 2 ? 20000 : 0);
			if (nfk_replay_seen(&r, ts, i))
				continue;
			nfk_replay_note(&r, ts, i);
			REQUIRE(r.floor >= prev);
			prev = r.floor;
		}
		REQUIRE(r.floor > t0);
	}
}

TEST_CASE("replay: nfk_replay_high is max(floor, newest)", "[core][replay]")
{
	SECTION("fresh: the floor") {
		nfk_replay r = fresh();
		REQUIRE(nfk_replay_high(&r) == t0);
		nfk_replay z = fresh(0);
		REQUIRE(nfk_replay_high(&z) == 0);
	}
	SECTION("after notes: the newest accepted timestamp") {
		nfk_replay r = fresh();
		REQUIRE(knock(r, t0 + 9000, 1));
		REQUIRE(knock(r, t0 + 4000, 2));
		REQUIRE(nfk_replay_high(&r) == t0 + 9000);
	}
	SECTION("everything up to high is refused once carried as a floor") {
		nfk_replay r = fresh();
		for (u64 i = 1; i <= 20; i++)
			REQUIRE(knock(r, t0 + i * 100, i));
		nfk_replay next = fresh(nfk_replay_high(&r));
		for (u64 i = 1; i <= 20; i++)
			REQUIRE(nfk_replay_seen(&next, t0 + i * 100, i));
		REQUIRE_FALSE(nfk_replay_seen(&next, t0 + 2001, 1));
	}
}
