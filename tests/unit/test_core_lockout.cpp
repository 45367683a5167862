// SPDX-License-Identifier: GPL-2.0 OR MIT
// Brute-force lockout of one source (kmod/core/lockout.c): threshold within
// a window, a fixed duration that failures while locked do not extend, the
// kinds of failure that count, IPv6 sources by /64.
#include <catch2/catch.hpp>

#include <array>

#include "lockout.h"

namespace {

const u64 lock_t0 = 1764000000000ULL;

nfk_lockout_params lockout_params(u32 threshold = 3, u32 window = 60000,
				  u32 duration = 300000)
{
	return {threshold, window, duration};
}

} // namespace

TEST_CASE("lockout: threshold failures within the window lock the source")
{
	const nfk_lockout_params p = lockout_params();
	nfk_lockout l{};

	CHECK_FALSE(nfk_lockout_locked(&l, lock_t0));
	CHECK_FALSE(nfk_lockout_fail(&l, &p, lock_t0));
	CHECK_FALSE(nfk_lockout_fail(&l, &p, lock_t0 + 1000));
	CHECK_FALSE(nfk_lockout_locked(&l, lock_t0 + 1000));
	CHECK(nfk_lockout_fail(&l, &p, lock_t0 + 59999));	// third, inside
	CHECK(nfk_lockout_locked(&l, lock_t0 + 59999));
	CHECK(nfk_lockout_locked(&l, lock_t0 + 59999 + 299999));
	CHECK_FALSE(nfk_lockout_locked(&l, lock_t0 + 59999 + 300000));

	SECTION("failures while locked neither extend nor restart it")
	{
		for (int i = 0; i < 100; i++)
			CHECK_FALSE(nfk_lockout_fail(&l, &p, lock_t0 + 60000 + i * 1000));
		CHECK_FALSE(nfk_lockout_locked(&l, lock_t0 + 59999 + 300000));
		CHECK(l.failures == 0);
	}
	SECTION("after it ends, counting starts afresh")
	{
		const u64 t = lock_t0 + 59999 + 300000;
		CHECK(nfk_lockout_idle(&l, &p, t));
		CHECK_FALSE(nfk_lockout_fail(&l, &p, t));
		CHECK_FALSE(nfk_lockout_fail(&l, &p, t + 1));
		CHECK(nfk_lockout_fail(&l, &p, t + 2));
	}
}

TEST_CASE("lockout: failures spread wider than the window never lock")
{
	const nfk_lockout_params p = lockout_params();
	nfk_lockout l{};

	for (int i = 0; i < 50; i++)
		CHECK_FALSE(nfk_lockout_fail(&l, &p, lock_t0 + u64(i) * 30000));
	CHECK_FALSE(nfk_lockout_locked(&l, lock_t0 + 50 * 30000));
	// The window restarts at its first failure: two at its end and one
	// just after it do not lock either.
	nfk_lockout m{};
	CHECK_FALSE(nfk_lockout_fail(&m, &p, lock_t0));
	CHECK_FALSE(nfk_lockout_fail(&m, &p, lock_t0 + 59000));
	CHECK_FALSE(nfk_lockout_fail(&m, &p, lock_t0 + 60000));
	CHECK(m.failures == 1);
	CHECK_FALSE(nfk_lockout_idle(&m, &p, lock_t0 + 60001));
	CHECK(nfk_lockout_idle(&m, &p, lock_t0 + 120000));
}

TEST_CASE("lockout: threshold 0 is off, 1 locks at the first failure")
{
	nfk_lockout l{};
	const nfk_lockout_params off = lockout_params(0);
	for (int i = 0; i < 10; i++)
		CHECK_FALSE(nfk_lockout_fail(&l, &off, lock_t0 + i));
	CHECK_FALSE(nfk_lockout_locked(&l, lock_t0 + 10));

	const nfk_lockout_params one = lockout_params(1);
	CHECK(nfk_lockout_fail(&l, &one, lock_t0));
	CHECK(nfk_lockout_locked(&l, lock_t0));
}

TEST_CASE("lockout: a clock that goes back restarts the count")
{
	const nfk_lockout_params p = lockout_params();
	nfk_lockout l{};

	CHECK_FALSE(nfk_lockout_fail(&l, &p, lock_t0));
	CHECK_FALSE(nfk_lockout_fail(&l, &p, lock_t0 + 10));
	CHECK_FALSE(nfk_lockout_fail(&l, &p, lock_t0 - 5000));
	CHECK(l.failures == 1);
	CHECK(l.first_ms == lock_t0 - 5000);
}

TEST_CASE("lockout: which failures count")
{
	CHECK(nfk_lockout_counts(NFKNOCK_REJ_BAD_AUTH));
	CHECK(nfk_lockout_counts(NFKNOCK_REJ_STALE));
	CHECK(nfk_lockout_counts(NFKNOCK_REJ_NOT_ALLOWED));
	CHECK(nfk_lockout_counts(NFKNOCK_REJ_WRONG_STEP));
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_OK));
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_REPLAY));
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_UNKNOWN));
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_UNBOUND));
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_MALFORMED));
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_TABLE_FULL));
	// A step that came late is a slow client, not a guess.
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_TIMEOUT));
	CHECK_FALSE(nfk_lockout_counts(NFKNOCK_REJ_LOCKED_OUT));
}

TEST_CASE("lockout: IPv4 sources by address, IPv6 by /64")
{
	const std::array<u8, 16> a6 = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4,
				       5, 6, 7, 8, 9, 10, 11, 12};
	std::array<u8, 16> b6 = a6;
	b6[15] ^= 0xff;		// same /64
	std::array<u8, 16> c6 = a6;
	c6[7] ^= 1;		// another /64
	std::array<u8, 16> ka{}, kb{}, kc{};

	nfk_lockout_source(6, a6.data(), ka.data());
	nfk_lockout_source(6, b6.data(), kb.data());
	nfk_lockout_source(6, c6.data(), kc.data());
	CHECK(ka == kb);
	CHECK(ka != kc);
	for (int i = 8; i < 16; i++)
		CHECK(ka[i] == 0);

	const std::array<u8, 16> a4 = {192, 0, 2, 7, 0xee, 0xee, 0xee, 0xee};
	std::array<u8, 16> k4{};
	nfk_lockout_source(4, a4.data(), k4.data());
	CHECK(k4 == std::array<u8, 16>{192, 0, 2, 7});
}
