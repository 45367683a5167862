// SPDX-License-Identifier: GPL-2.0 OR MIT
// Static port sequences (kmod/core/sseq.c): the rules of the list (what
// nfk_static_check() refuses) and one attempt's state machine: steps of
// mixed protocols in order, repeats, wrong order, foreign ports, timeouts.
#include <catch2/catch.hpp>

#include <initializer_list>

#include "sseq.h"

namespace {

nfk_static_seq core_static_seq(std::initializer_list<nfk_seq_port> steps,
			  nfk_seq_port opens = {22, IPPROTO_TCP},
			  u32 duration_s = 30)
{
	nfk_static_seq s{};
	for (const auto &p : steps)
		s.step[s.n++] = p;
	s.opens = opens;
	s.duration_s = duration_s;
	return s;
}

// nfk_static_check() of the list core_static_seq() makes.
int core_static_check(std::initializer_list<nfk_seq_port> steps,
		 nfk_seq_port opens = {22, IPPROTO_TCP}, u32 duration_s = 30)
{
	const nfk_static_seq s = core_static_seq(steps, opens, duration_s);
	return nfk_static_check(&s);
}

constexpr u8 S_TCP = IPPROTO_TCP, S_UDP = IPPROTO_UDP;

} // namespace

TEST_CASE("static sequence lists: what the core accepts")
{
	CHECK(core_static_check({{7000, S_TCP}, {8000, S_UDP}, {9000, S_TCP}}) == 0);
	// The same port with another protocol is another step.
	CHECK(core_static_check({{7000, S_TCP}, {7000, S_UDP}}) == 0);
	// A step may come back, just not right after itself.
	CHECK(core_static_check({{7000, S_TCP}, {8000, S_TCP}, {7000, S_TCP}}) == 0);

	CHECK(core_static_check({{7000, S_TCP}}) == -EINVAL);
	CHECK(core_static_check({{7000, S_TCP}, {7000, S_TCP}}) == -EINVAL);
	CHECK(core_static_check({{7000, S_TCP}, {0, S_TCP}}) == -EINVAL);
	CHECK(core_static_check({{7000, S_TCP}, {8000, 1}}) == -EINVAL);
	CHECK(core_static_check({{7000, S_TCP}, {8000, S_TCP}}, {0, S_TCP}) == -EINVAL);
	CHECK(core_static_check({{7000, S_TCP}, {8000, S_TCP}}, {22, 1}) == -EINVAL);
	CHECK(core_static_check({{7000, S_TCP}, {8000, S_TCP}}, {22, S_TCP}, 0) ==
	      -EINVAL);

	nfk_static_seq full{};
	for (u16 i = 0; i < NFK_STATIC_STEPS_MAX; i++)
		full.step[full.n++] = {u16(1000 + i), S_TCP};
	full.opens = {22, S_TCP};
	full.duration_s = 1;
	CHECK(nfk_static_check(&full) == 0);
	full.n = NFK_STATIC_STEPS_MAX + 1;
	CHECK(nfk_static_check(&full) == -EINVAL);
}

TEST_CASE("a static attempt: mixed protocols in order, repeats, wrong order")
{
	const nfk_static_seq s = core_static_seq({{7000, S_TCP}, {8000, S_UDP}, {9000, S_TCP}},
					    {2222, S_UDP});
	const u64 t = 1000000;
	const u32 timeout = 10000;
	nfk_seq_attempt a;

	nfk_static_begin(&a, &s, 3, t, timeout);
	CHECK(a.is_static == 1);
	CHECK(a.user == 3);
	CHECK(a.proto == S_UDP);
	CHECK(a.port == 2222);
	CHECK(a.next == 1);

	SECTION("in order, with retransmissions of each step")
	{
		CHECK(nfk_static_feed(&a, &s, S_TCP, 7000, t + 1, timeout) == NFK_SEQ_REPEAT);
		CHECK(nfk_static_feed(&a, &s, S_UDP, 8000, t + 2, timeout) == NFK_SEQ_PROGRESS);
		CHECK(nfk_static_feed(&a, &s, S_UDP, 8000, t + 3, timeout) == NFK_SEQ_REPEAT);
		CHECK(nfk_static_feed(&a, &s, S_TCP, 9000, t + 4, timeout) == NFK_SEQ_COMPLETE);
	}
	SECTION("the right port with the wrong protocol is not the step")
	{
		CHECK(nfk_static_feed(&a, &s, S_TCP, 8000, t + 1, timeout) == NFK_SEQ_OTHER);
		CHECK(nfk_static_feed(&a, &s, S_UDP, 7000, t + 1, timeout) == NFK_SEQ_OTHER);
	}
	SECTION("a step out of order ends it and changes nothing")
	{
		const nfk_seq_attempt before = a;
		CHECK(nfk_static_feed(&a, &s, S_TCP, 9000, t + 1, timeout) == NFK_SEQ_OTHER);
		CHECK(memcmp(&a, &before, sizeof(a)) == 0);
	}
	SECTION("each step within the timeout of the one before")
	{
		CHECK(nfk_static_feed(&a, &s, S_UDP, 8000, t + timeout - 1, timeout) ==
		      NFK_SEQ_PROGRESS);
		CHECK(nfk_static_feed(&a, &s, S_TCP, 9000, t + 2 * timeout - 1, timeout) ==
		      NFK_SEQ_OTHER);
		CHECK(nfk_static_feed(&a, &s, S_UDP, 8000, t + 2 * timeout, timeout) ==
		      NFK_SEQ_OTHER);
	}
}

TEST_CASE("a static sequence's own ports, and nothing else, belong to it")
{
	const nfk_static_seq s = core_static_seq({{7000, S_TCP}, {8000, S_UDP}, {9000, S_TCP}});

	CHECK(nfk_static_has(&s, S_TCP, 7000));
	CHECK(nfk_static_has(&s, S_UDP, 8000));
	CHECK(nfk_static_has(&s, S_TCP, 9000));
	CHECK_FALSE(nfk_static_has(&s, S_UDP, 7000));
	CHECK_FALSE(nfk_static_has(&s, S_TCP, 8000));
	CHECK_FALSE(nfk_static_has(&s, S_TCP, 22));
}

TEST_CASE("a static sequence that comes back to a step")
{
	// 7000 8000 7000 9000: the third step is the first one's port again.
	const nfk_static_seq s =
		core_static_seq({{7000, S_TCP}, {8000, S_TCP}, {7000, S_TCP}, {9000, S_TCP}});
	nfk_seq_attempt a;

	nfk_static_begin(&a, &s, 0, 0, 1000);
	CHECK(nfk_static_feed(&a, &s, S_TCP, 8000, 1, 1000) == NFK_SEQ_PROGRESS);
	CHECK(nfk_static_feed(&a, &s, S_TCP, 7000, 2, 1000) == NFK_SEQ_PROGRESS);
	CHECK(nfk_static_feed(&a, &s, S_TCP, 7000, 3, 1000) == NFK_SEQ_REPEAT);
	CHECK(nfk_static_feed(&a, &s, S_TCP, 9000, 4, 1000) == NFK_SEQ_COMPLETE);
}
