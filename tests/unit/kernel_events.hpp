// SPDX-License-Identifier: GPL-2.0 OR MIT
// NFKNOCK_CMD_EVENT messages as the module sends them (kmod/nl_event.c),
// for the tests of events (test_ctl_events.cpp) and of monitor
// (test_ctl_monitor_cli.cpp).
#pragma once

#include <catch2/catch.hpp>

#include <linux/nfknock.h>

#include <netlink/attr.h>

#include "address.hpp"
#include "codec.hpp"

namespace knockctl::test {

inline constexpr int EV_FAMILY = 0x1d;
// 2026-12-03T07:20:01.123Z
inline constexpr uint64_t EV_TIME = 1796282401123ULL;
inline const uint8_t EV_FPR[8] = {1, 2, 3, 4, 5, 6, 7, 8};

// struct nfknock_ev of kmod/nfknock.h, with addresses as text.
struct KernelEv {
	uint8_t type = 0;
	uint8_t reason = 0;
	const char *source = nullptr;
	bool unverified = false;
	const char *user = nullptr;
	const uint8_t *fpr = nullptr;
	const char *sequence = nullptr;
	const char *addr = nullptr;
	uint8_t proto = 0;
	uint16_t port = 0;
	uint32_t duration_s = 0;
	uint32_t flags = 0;
	uint32_t count = 0;
};

inline void put_event_addr(nl_msg *m, int type, const char *text)
{
	const Address a = parse_address(text);

	REQUIRE(nla_put(m, type, int(a.size()), a.bytes.data()) == 0);
}

// What kmod/nl_event.c's fill() puts into the message, attribute by
// attribute, in its order and on its conditions.
inline MsgPtr kernel_event(const KernelEv &ev, uint64_t time_ms = EV_TIME)
{
	MsgPtr msg = build_request(EV_FAMILY, NFKNOCK_CMD_EVENT);
	nl_msg *m = msg.get();

	REQUIRE(nla_put_u8(m, NFKNOCK_EV_A_TYPE, ev.type) == 0);
	REQUIRE(nla_put_u64(m, NFKNOCK_EV_A_TIME_MS, time_ms) == 0);
	if (ev.type == NFKNOCK_EVENT_KNOCK_REJECTED || ev.type == NFKNOCK_EVENT_SEQ_FAILED)
		REQUIRE(nla_put_u8(m, NFKNOCK_EV_A_REASON, ev.reason) == 0);
	if (ev.source)
		put_event_addr(m, NFKNOCK_EV_A_SOURCE, ev.source);
	if (ev.unverified)
		REQUIRE(nla_put_flag(m, NFKNOCK_EV_A_UNVERIFIED) == 0);
	if (ev.user)
		REQUIRE(nla_put_string(m, NFKNOCK_EV_A_USER, ev.user) == 0);
	if (ev.fpr)
		REQUIRE(nla_put(m, NFKNOCK_EV_A_FPR, 8, ev.fpr) == 0);
	if (ev.sequence)
		REQUIRE(nla_put_string(m, NFKNOCK_EV_A_SEQUENCE, ev.sequence) == 0);
	if (ev.addr)
		put_event_addr(m, NFKNOCK_EV_A_ADDR, ev.addr);
	if (ev.proto) {
		REQUIRE(nla_put_u8(m, NFKNOCK_EV_A_PROTO, ev.proto) == 0);
		REQUIRE(nla_put_u16(m, NFKNOCK_EV_A_PORT, ev.port) == 0);
	}
	if (ev.duration_s)
		REQUIRE(nla_put_u32(m, NFKNOCK_EV_A_DURATION_S, ev.duration_s) == 0);
	if (ev.flags)
		REQUIRE(nla_put_u32(m, NFKNOCK_EV_A_FLAGS, ev.flags) == 0);
	if (ev.count || ev.type == NFKNOCK_EVENT_CONFIG_APPLIED ||
	    ev.type == NFKNOCK_EVENT_SUPPRESSED)
		REQUIRE(nla_put_u32(m, NFKNOCK_EV_A_COUNT, ev.count) == 0);
	return msg;
}

} // namespace knockctl::test
