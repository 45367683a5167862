// SPDX-License-Identifier: GPL-2.0 OR MIT
// The per-namespace rate limit of events and dmesg lines
// (kmod/core/rate.c): a burst per interval, and the count of what it held
// back reported once, with the first admission after the gap.
#include <catch2/catch.hpp>

#include "rate.h"

TEST_CASE("rate limit: a burst per interval, then the gap is reported once")
{
	nfk_rate r{};
	u32 missed = 99;
	const u64 t = 1000000;

	for (int i = 0; i < 3; i++) {
		CHECK(nfk_rate_admit(&r, 5000, 3, t + i, &missed));
		CHECK(missed == 0);
	}
	CHECK_FALSE(nfk_rate_admit(&r, 5000, 3, t + 10, &missed));
	CHECK_FALSE(nfk_rate_admit(&r, 5000, 3, t + 4999, &missed));
	// The next interval admits again and reports the two held back.
	CHECK(nfk_rate_admit(&r, 5000, 3, t + 5000, &missed));
	CHECK(missed == 2);
	CHECK(nfk_rate_admit(&r, 5000, 3, t + 5001, &missed));
	CHECK(missed == 0);
}

TEST_CASE("rate limit: a quiet interval reports nothing, a clock step back restarts")
{
	nfk_rate r{};
	u32 missed;

	CHECK(nfk_rate_admit(&r, 1000, 1, 50000, &missed));
	CHECK(nfk_rate_admit(&r, 1000, 1, 60000, &missed));
	CHECK(missed == 0);
	CHECK_FALSE(nfk_rate_admit(&r, 1000, 1, 60001, &missed));
	// Time that went back starts a new interval rather than blocking.
	CHECK(nfk_rate_admit(&r, 1000, 1, 100, &missed));
	CHECK(missed == 1);
}

TEST_CASE("rate limit: the suppressed count saturates instead of wrapping")
{
	nfk_rate r{};
	u32 missed;

	r.start_ms = 10;
	r.used = 1;
	r.missed = 0xffffffffu;
	CHECK_FALSE(nfk_rate_admit(&r, 1000, 1, 20, &missed));
	CHECK(r.missed == 0xffffffffu);
	CHECK(nfk_rate_admit(&r, 1000, 1, 2000, &missed));
	CHECK(missed == 0xffffffffu);
}
