// SPDX-License-Identifier: GPL-2.0 OR MIT
// Fast-path classification from raw L4 bytes (kmod/core/classify.c).
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "classify.h"

static std::unique_ptr<nfk_guardset> guards()
{
	auto gs = std::make_unique<nfk_guardset>();
	nfk_service ssh{IPPROTO_TCP, 22, 22};
	nfk_service dns{IPPROTO_UDP, 53, 53};

	nfk_guardset_init(gs.get());
	nfk_guardset_add(gs.get(), &ssh);
	nfk_guardset_add(gs.get(), &dns);
	return gs;
}

static std::unique_ptr<nfk_guardset> knock_ports()
{
	auto ks = std::make_unique<nfk_guardset>();
	nfk_service knock{IPPROTO_UDP, 62201, 62201};

	nfk_guardset_init(ks.get());
	nfk_guardset_add(ks.get(), &knock);
	return ks;
}

static std::vector<u8> tcp_hdr(u16 sport, u16 dport, u8 flags)
{
	std::vector<u8> h(20, 0);
	h[0] = sport >> 8;
	h[1] = sport & 0xff;
	h[2] = dport >> 8;
	h[3] = dport & 0xff;
	h[12] = 5 << 4;
	h[13] = flags;
	return h;
}

TEST_CASE("classify ignores unguarded and short packets", "[core][classify]")
{
	auto gs = guards();
	auto knocks = knock_ports();
	nfk_l4 pkt{};
	auto h = tcp_hdr(40000, 80, NFK_TCP_SYN);

	REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_TCP, h.data(), h.size(), &pkt) ==
		NFK_PKT_IGNORE);
	SECTION("port 22 over UDP is not guarded") {
		auto u = tcp_hdr(40000, 22, 0);
		REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_UDP, u.data(), 8, &pkt) ==
			NFK_PKT_IGNORE);
	}
	SECTION("fewer than 4 bytes: port unknown, ignored") {
		auto g = tcp_hdr(40000, 22, NFK_TCP_SYN);
		REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_TCP, g.data(), 3, &pkt) ==
			NFK_PKT_IGNORE);
	}
}

TEST_CASE("classify reads ports and flags of guarded packets",
	  "[core][classify]")
{
	auto gs = guards();
	auto knocks = knock_ports();
	nfk_l4 pkt{};
	auto h = tcp_hdr(40000, 22, NFK_TCP_SYN | NFK_TCP_ACK);

	REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_TCP, h.data(), NFK_L4_PEEK,
			     &pkt) == NFK_PKT_GUARDED);
	REQUIRE(pkt.proto == IPPROTO_TCP);
	REQUIRE(pkt.sport == 40000);
	REQUIRE(pkt.dport == 22);
	REQUIRE(pkt.tcp_flags == (NFK_TCP_SYN | NFK_TCP_ACK));

	SECTION("UDP needs its 8-byte header") {
		auto u = tcp_hdr(5353, 53, 0);
		REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_UDP, u.data(), 8, &pkt) ==
			NFK_PKT_GUARDED);
		REQUIRE(pkt.tcp_flags == 0);
		REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_UDP, u.data(), 7, &pkt) ==
			NFK_PKT_TRUNCATED);
	}
	SECTION("TCP cut before its flags is truncated") {
		for (size_t len = 4; len < NFK_L4_PEEK; len++)
			REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_TCP, h.data(), len,
					     &pkt) == NFK_PKT_TRUNCATED);
	}
}

TEST_CASE("classify finds knocks: UDP to a knock port only",
	  "[core][classify]")
{
	auto gs = guards();
	auto knocks = knock_ports();
	nfk_l4 pkt{};
	auto u = tcp_hdr(40000, 62201, 0);

	REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_UDP, u.data(), 8,
			     &pkt) == NFK_PKT_KNOCK);
	REQUIRE(pkt.dport == 62201);
	REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_TCP, u.data(),
			     NFK_L4_PEEK, &pkt) == NFK_PKT_IGNORE);
	REQUIRE(nfk_classify(gs.get(), knocks.get(), IPPROTO_UDP, u.data(), 7,
			     &pkt) == NFK_PKT_IGNORE);
}

TEST_CASE("sequence step candidates: TCP SYN without ACK, any UDP", "[core][classify]")
{
	u8 syn[NFK_L4_PEEK] = {0x30, 0x39, 0x27, 0x10};
	u8 udp[8] = {0x30, 0x39, 0x9c, 0x40, 0, 8, 0, 0};
	u16 dport = 0;

	syn[13] = NFK_TCP_SYN;
	REQUIRE(nfk_seq_candidate(IPPROTO_TCP, syn, sizeof(syn), &dport));
	REQUIRE(dport == 10000);
	REQUIRE(nfk_seq_candidate(IPPROTO_UDP, udp, sizeof(udp), &dport));
	REQUIRE(dport == 40000);
	syn[13] = NFK_TCP_SYN | NFK_TCP_ACK;
	REQUIRE_FALSE(nfk_seq_candidate(IPPROTO_TCP, syn, sizeof(syn), &dport));
	syn[13] = NFK_TCP_SYN;
	REQUIRE_FALSE(nfk_seq_candidate(IPPROTO_TCP, syn, NFK_L4_PEEK - 1, &dport));
	REQUIRE_FALSE(nfk_seq_candidate(IPPROTO_UDP, udp, 3, &dport));
}
