// SPDX-License-Identifier: GPL-2.0 OR MIT
// Guard verdict rules with a fake clock (kmod/core/verdict.c).
#include <catch2/catch.hpp>

#include "verdict.h"

namespace {

const u32 idle = 60000;

nfk_l4 syn(u16 sport = 40000, u8 flags = NFK_TCP_SYN, bool in_conn = false)
{
	return nfk_l4{IPPROTO_TCP, flags, sport, 22, 0, in_conn};
}

// A segment the glue found in TCP's established hash.
nfk_l4 conn(u8 flags, u16 sport = 40000)
{
	return syn(sport, flags, true);
}

nfk_l4 udp(u16 sport = 5000)
{
	return nfk_l4{IPPROTO_UDP, 0, sport, 53, 8, false};
}

nfk_decision decide(const nfk_l4 &p, const nfk_grant_state *g, u64 now)
{
	nfk_decision d{};
	nfk_decide(&p, g, now, idle, &d);
	return d;
}

} // namespace

TEST_CASE("TCP: only a SYN without ACK needs a grant", "[core][verdict]")
{
	SECTION("SYN without grant is refused") {
		REQUIRE(decide(syn(), nullptr, 1000).verdict == NFK_V_REFUSE);
	}
	SECTION("SYN with other flags (ECN, FIN, RST, PSH) still needs one") {
		for (int f : {0x40 | 0x80, NFK_TCP_FIN, NFK_TCP_RST, 0x08}) {
			u8 flags = (u8)(NFK_TCP_SYN | f);

			REQUIRE(decide(syn(1, flags), nullptr, 1).verdict ==
				NFK_V_REFUSE);
		}
	}
	SECTION("a SYN+ACK answering this host's own connection passes") {
		auto d = decide(conn(NFK_TCP_SYN | NFK_TCP_ACK), nullptr, 1);
		REQUIRE(d.verdict == NFK_V_PASS);
		REQUIRE(d.stateless);
		REQUIRE(nfk_tcp_is_syn(NFK_TCP_SYN));
		REQUIRE_FALSE(nfk_tcp_is_syn(NFK_TCP_SYN | NFK_TCP_ACK));
	}
	SECTION("segments of a connection pass statelessly without a grant") {
		for (int f : {NFK_TCP_ACK, NFK_TCP_FIN | NFK_TCP_ACK, NFK_TCP_FIN,
			      0}) {
			REQUIRE(nfk_tcp_may_belong((u8)f));
			auto d = decide(conn((u8)f), nullptr, 1000);
			REQUIRE(d.verdict == NFK_V_PASS);
			REQUIRE(d.stateless);
			REQUIRE(d.update == NFK_U_NONE);
		}
	}
	SECTION("a RST passes without a lookup: the stack answers none") {
		REQUIRE_FALSE(nfk_tcp_may_belong(NFK_TCP_RST));
		REQUIRE_FALSE(nfk_tcp_may_belong(NFK_TCP_RST | NFK_TCP_ACK));
		REQUIRE_FALSE(nfk_tcp_may_belong(NFK_TCP_SYN));
		auto d = decide(syn(1, NFK_TCP_RST), nullptr, 1000);
		REQUIRE(d.verdict == NFK_V_PASS);
		REQUIRE(d.stateless);
	}
	SECTION("stray segments (no connection) need a grant: scans see nothing") {
		// FIN, NULL, Xmas, ACK, Maimon (FIN+ACK), SYN+ACK
		for (int f : {NFK_TCP_FIN, 0, NFK_TCP_FIN | 0x08 | 0x20,
			      NFK_TCP_ACK, NFK_TCP_FIN | NFK_TCP_ACK,
			      NFK_TCP_SYN | NFK_TCP_ACK}) {
			REQUIRE(nfk_tcp_may_belong((u8)f));
			auto d = decide(syn(1, (u8)f), nullptr, 1000);
			REQUIRE(d.verdict == NFK_V_REFUSE);
			REQUIRE_FALSE(d.stateless);
		}
	}
	SECTION("a granted source's stray segment passes, nothing changes") {
		// The ACK ending a SYN-cookie handshake has no socket yet.
		nfk_grant_state g{5000, 0, 0};
		auto d = decide(syn(1, NFK_TCP_ACK), &g, 1000);
		REQUIRE(d.verdict == NFK_V_PASS);
		REQUIRE_FALSE(d.stateless);
		REQUIRE(d.update == NFK_U_NONE);
		REQUIRE(decide(syn(1, NFK_TCP_ACK), &g, 5000).verdict ==
			NFK_V_REFUSE);
	}
	SECTION("a one-shot grant: a stray segment neither consumes it nor "
		"passes after another flow did") {
		nfk_grant_state g{5000, NFKNOCK_GRANT_F_ONCE, 0};
		auto d = decide(syn(7, NFK_TCP_ACK), &g, 1000);
		REQUIRE(d.verdict == NFK_V_PASS);
		REQUIRE(d.update == NFK_U_NONE);
		g.flags |= NFKNOCK_GRANT_F_USED;
		g.bound_sport = 40000;
		REQUIRE(decide(syn(40000, NFK_TCP_ACK), &g, 1000).verdict ==
			NFK_V_PASS);
		REQUIRE(decide(syn(7, NFK_TCP_ACK), &g, 1000).verdict ==
			NFK_V_REFUSE);
	}
	SECTION("live grant passes SYN; expiry is exclusive") {
		nfk_grant_state g{5000, 0, 0};
		auto d = decide(syn(), &g, 4999);
		REQUIRE(d.verdict == NFK_V_PASS);
		REQUIRE_FALSE(d.stateless);
		REQUIRE(d.update == NFK_U_NONE);
		REQUIRE(decide(syn(), &g, 5000).verdict == NFK_V_REFUSE);
		REQUIRE(decide(syn(), &g, 9000).verdict == NFK_V_REFUSE);
	}
	SECTION("an established session outlives its grant") {
		nfk_grant_state g{5000, 0, 0};
		REQUIRE(decide(conn(NFK_TCP_ACK), &g, 99999).verdict ==
			NFK_V_PASS);
	}
}

TEST_CASE("one-shot grant allows exactly one connection", "[core][verdict]")
{
	nfk_grant_state g{100000, NFKNOCK_GRANT_F_ONCE, 0};
	auto first = syn(40000);
	auto d = decide(first, &g, 1000);

	REQUIRE(d.verdict == NFK_V_PASS);
	REQUIRE(d.update == NFK_U_CONSUME);
	REQUIRE(nfk_apply_update(&g, &first, &d));
	REQUIRE(g.flags == (NFKNOCK_GRANT_F_ONCE | NFKNOCK_GRANT_F_USED));
	REQUIRE(g.bound_sport == 40000);
	REQUIRE(g.expires_ms == 1000 + NFKNOCK_ONCE_LINGER_MS);

	SECTION("the first connection's SYN retransmits pass while lingering") {
		auto r = decide(first, &g, 3000);
		REQUIRE(r.verdict == NFK_V_PASS);
		REQUIRE(r.update == NFK_U_NONE);
		REQUIRE(decide(first, &g, 1000 + NFKNOCK_ONCE_LINGER_MS).verdict ==
			NFK_V_REFUSE);
	}
	SECTION("a second connection is refused") {
		REQUIRE(decide(syn(40001), &g, 1001).verdict == NFK_V_REFUSE);
	}
	SECTION("consuming twice is a no-op (two CPUs racing)") {
		REQUIRE_FALSE(nfk_apply_update(&g, &first, &d));
	}
	SECTION("an expired one-shot is refused before use") {
		nfk_grant_state old{500, NFKNOCK_GRANT_F_ONCE, 0};
		REQUIRE(decide(first, &old, 500).verdict == NFK_V_REFUSE);
	}
}

TEST_CASE("UDP: a grant is needed and activity refreshes it",
	  "[core][verdict]")
{
	SECTION("no grant: refused") {
		REQUIRE(decide(udp(), nullptr, 0).verdict == NFK_V_REFUSE);
	}
	SECTION("a datagram moves the expiry to now + idle") {
		nfk_grant_state g{10000, 0, 0};
		auto p = udp();
		auto d = decide(p, &g, 9000);
		REQUIRE(d.verdict == NFK_V_PASS);
		REQUIRE(d.update == NFK_U_REFRESH);
		REQUIRE(d.new_expires_ms == 9000 + idle);
		REQUIRE(nfk_apply_update(&g, &p, &d));
		REQUIRE(g.expires_ms == 9000 + idle);
	}
	SECTION("refresh is skipped when it would gain under the slack") {
		nfk_grant_state g{idle + 1000, 0, 0};
		auto d = decide(udp(), &g, 1000 + NFK_REFRESH_SLACK_MS - 1);
		REQUIRE(d.verdict == NFK_V_PASS);
		REQUIRE(d.update == NFK_U_NONE);
	}
	SECTION("refresh never shortens a long grant") {
		nfk_grant_state g{10 * idle, 0, 0};
		REQUIRE(decide(udp(), &g, 0).update == NFK_U_NONE);
	}
	SECTION("an idle flow closes") {
		nfk_grant_state g{10000, 0, 0};
		REQUIRE(decide(udp(), &g, 10000).verdict == NFK_V_REFUSE);
	}
	SECTION("one-shot UDP binds to the first flow's source port") {
		nfk_grant_state g{10000, NFKNOCK_GRANT_F_ONCE, 0};
		auto p = udp(7000);
		auto d = decide(p, &g, 1000);
		REQUIRE(d.update == NFK_U_CONSUME);
		REQUIRE(nfk_apply_update(&g, &p, &d));
		REQUIRE(decide(udp(7000), &g, 2000).verdict == NFK_V_PASS);
		REQUIRE(decide(udp(7001), &g, 2000).verdict == NFK_V_REFUSE);
	}
}
