// SPDX-License-Identifier: GPL-2.0 OR MIT
// Events: NFKNOCK_CMD_EVENT messages built with libnl as kmod/nl_event.c
// builds them, read back strictly (parse_event), rendered as monitor's
// text line and JSON object and as --exec's environment; and the real
// socket joining a multicast group (nlctrl's, the one every kernel has).
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <netlink/attr.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "address.hpp"
#include "codec.hpp"
#include "errors.hpp"
#include "event_source.hpp"
#include "events.hpp"
#include "kernel_events.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace events_test {

Event parse(const MsgPtr &m)
{
	return parse_event(nlmsg_hdr(m.get()));
}

// @m with @extra bytes appended to its payload as they are (a raw
// attribute, or garbage).
MsgPtr with_raw(MsgPtr m, const std::vector<uint8_t> &extra)
{
	void *tail = nlmsg_reserve(m.get(), extra.size(), NLMSG_ALIGNTO);

	REQUIRE(tail);
	std::memcpy(tail, extra.data(), extra.size());
	return m;
}

struct Case {
	const char *what;
	KernelEv ev;
	const char *text;	// after the timestamp and a space
	const char *json;
	std::vector<std::string> env;	// after NFKNOCK_EVENT and NFKNOCK_TIME
};

// One or more of each event type, as the module sends them.
std::vector<Case> cases()
{
	using V = std::vector<std::string>;

	return {
		{"knock accepted, once, capped",
		 {.type = NFKNOCK_EVENT_KNOCK_ACCEPTED, .source = "10.0.0.2",
		  .user = "alice", .fpr = EV_FPR, .addr = "10.0.0.2",
		  .proto = IPPROTO_TCP, .port = 22, .duration_s = 30,
		  .flags = NFKNOCK_EV_F_ONCE | NFKNOCK_EV_F_CAPPED},
		 "knock_accepted user=alice fpr=0102030405060708 source=10.0.0.2 "
		 "service=tcp/22 address=10.0.0.2 duration=30s once=yes capped=yes",
		 "{%s\"event\":\"knock_accepted\",\"unverified\":false,\"user\":\"alice\","
		 "\"fingerprint\":\"0102030405060708\",\"source\":\"10.0.0.2\","
		 "\"service\":\"tcp/22\",\"proto\":\"tcp\",\"port\":22,"
		 "\"address\":\"10.0.0.2\",\"duration_s\":30,\"once\":true,"
		 "\"capped\":true,\"close\":false}",
		 V{"NFKNOCK_USER=alice", "NFKNOCK_FPR=0102030405060708",
		   "NFKNOCK_SOURCE=10.0.0.2", "NFKNOCK_UNVERIFIED=0",
		   "NFKNOCK_SERVICE=tcp/22", "NFKNOCK_ADDRESS=10.0.0.2",
		   "NFKNOCK_DURATION=30"}},
		{"knock accepted, a close, IPv6 for another address",
		 {.type = NFKNOCK_EVENT_KNOCK_ACCEPTED, .source = "2001:db8::2",
		  .user = "bob", .fpr = EV_FPR, .addr = "2001:db8::7",
		  .proto = IPPROTO_UDP, .port = 53, .flags = NFKNOCK_EV_F_CLOSE},
		 "knock_accepted user=bob fpr=0102030405060708 source=2001:db8::2 "
		 "service=udp/53 action=close address=2001:db8::7",
		 "{%s\"event\":\"knock_accepted\",\"unverified\":false,\"user\":\"bob\","
		 "\"fingerprint\":\"0102030405060708\",\"source\":\"2001:db8::2\","
		 "\"service\":\"udp/53\",\"proto\":\"udp\",\"port\":53,"
		 "\"address\":\"2001:db8::7\",\"once\":false,\"capped\":false,"
		 "\"close\":true}",
		 V{"NFKNOCK_USER=bob", "NFKNOCK_FPR=0102030405060708",
		   "NFKNOCK_SOURCE=2001:db8::2", "NFKNOCK_UNVERIFIED=0",
		   "NFKNOCK_SERVICE=udp/53", "NFKNOCK_ADDRESS=2001:db8::7"}},
		{"knock rejected, a user's",
		 {.type = NFKNOCK_EVENT_KNOCK_REJECTED, .reason = NFKNOCK_REJ_REPLAY,
		  .source = "203.0.113.9", .unverified = true, .user = "alice",
		  .fpr = EV_FPR},
		 "knock_rejected user=alice fpr=0102030405060708 source=203.0.113.9 "
		 "unverified=yes reason=replay",
		 "{%s\"event\":\"knock_rejected\",\"unverified\":true,\"user\":\"alice\","
		 "\"fingerprint\":\"0102030405060708\",\"source\":\"203.0.113.9\","
		 "\"reason\":\"replay\"}",
		 V{"NFKNOCK_USER=alice", "NFKNOCK_FPR=0102030405060708",
		   "NFKNOCK_SOURCE=203.0.113.9", "NFKNOCK_UNVERIFIED=1",
		   "NFKNOCK_REASON=replay"}},
		{"knock rejected, nobody's",
		 {.type = NFKNOCK_EVENT_KNOCK_REJECTED, .reason = NFKNOCK_REJ_UNKNOWN,
		  .source = "2001:db8::9", .unverified = true},
		 "knock_rejected source=2001:db8::9 unverified=yes reason=unknown",
		 "{%s\"event\":\"knock_rejected\",\"unverified\":true,"
		 "\"source\":\"2001:db8::9\",\"reason\":\"unknown\"}",
		 V{"NFKNOCK_SOURCE=2001:db8::9", "NFKNOCK_UNVERIFIED=1",
		   "NFKNOCK_REASON=unknown"}},
		{"grant opened by a static sequence",
		 {.type = NFKNOCK_EVENT_GRANT_OPENED, .source = "10.0.0.5",
		  .unverified = true, .sequence = "knockd-ssh", .addr = "10.0.0.5",
		  .proto = IPPROTO_TCP, .port = 22, .duration_s = 30},
		 "grant_opened sequence=knockd-ssh source=10.0.0.5 unverified=yes "
		 "service=tcp/22 address=10.0.0.5 duration=30s",
		 "{%s\"event\":\"grant_opened\",\"unverified\":true,"
		 "\"sequence\":\"knockd-ssh\",\"source\":\"10.0.0.5\","
		 "\"service\":\"tcp/22\",\"proto\":\"tcp\",\"port\":22,"
		 "\"address\":\"10.0.0.5\",\"duration_s\":30,\"once\":false,"
		 "\"capped\":false,\"close\":false}",
		 V{"NFKNOCK_SEQUENCE=knockd-ssh", "NFKNOCK_SOURCE=10.0.0.5",
		   "NFKNOCK_UNVERIFIED=1", "NFKNOCK_SERVICE=tcp/22",
		   "NFKNOCK_ADDRESS=10.0.0.5", "NFKNOCK_DURATION=30"}},
		{"grant used",
		 {.type = NFKNOCK_EVENT_GRANT_USED, .source = "10.0.0.2",
		  .addr = "10.0.0.2", .proto = IPPROTO_TCP, .port = 22},
		 "grant_used source=10.0.0.2 service=tcp/22 address=10.0.0.2",
		 "{%s\"event\":\"grant_used\",\"unverified\":false,"
		 "\"source\":\"10.0.0.2\",\"service\":\"tcp/22\",\"proto\":\"tcp\","
		 "\"port\":22,\"address\":\"10.0.0.2\",\"once\":false,"
		 "\"capped\":false,\"close\":false}",
		 V{"NFKNOCK_SOURCE=10.0.0.2", "NFKNOCK_UNVERIFIED=0",
		   "NFKNOCK_SERVICE=tcp/22", "NFKNOCK_ADDRESS=10.0.0.2"}},
		{"grant expired, a user's",
		 {.type = NFKNOCK_EVENT_GRANT_EXPIRED, .fpr = EV_FPR,
		  .addr = "10.0.0.2", .proto = IPPROTO_TCP, .port = 22},
		 "grant_expired fpr=0102030405060708 service=tcp/22 address=10.0.0.2",
		 "{%s\"event\":\"grant_expired\",\"unverified\":false,"
		 "\"fingerprint\":\"0102030405060708\",\"service\":\"tcp/22\","
		 "\"proto\":\"tcp\",\"port\":22,\"address\":\"10.0.0.2\","
		 "\"once\":false,\"capped\":false,\"close\":false}",
		 V{"NFKNOCK_FPR=0102030405060708", "NFKNOCK_UNVERIFIED=0",
		   "NFKNOCK_SERVICE=tcp/22", "NFKNOCK_ADDRESS=10.0.0.2"}},
		{"grant revoked, an administrator's",
		 {.type = NFKNOCK_EVENT_GRANT_REVOKED, .addr = "2001:db8::1",
		  .proto = IPPROTO_UDP, .port = 51820},
		 "grant_revoked service=udp/51820 address=2001:db8::1",
		 "{%s\"event\":\"grant_revoked\",\"unverified\":false,"
		 "\"service\":\"udp/51820\",\"proto\":\"udp\",\"port\":51820,"
		 "\"address\":\"2001:db8::1\",\"once\":false,\"capped\":false,"
		 "\"close\":false}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_SERVICE=udp/51820",
		   "NFKNOCK_ADDRESS=2001:db8::1"}},
		{"sequence progress",
		 {.type = NFKNOCK_EVENT_SEQ_PROGRESS, .source = "10.0.0.7",
		  .unverified = true, .proto = IPPROTO_TCP, .port = 41234,
		  .count = 2},
		 "sequence_progress source=10.0.0.7 unverified=yes service=tcp/41234 "
		 "count=2",
		 "{%s\"event\":\"sequence_progress\",\"unverified\":true,"
		 "\"source\":\"10.0.0.7\",\"service\":\"tcp/41234\",\"proto\":\"tcp\","
		 "\"port\":41234,\"once\":false,\"capped\":false,\"close\":false,"
		 "\"count\":2}",
		 V{"NFKNOCK_SOURCE=10.0.0.7", "NFKNOCK_UNVERIFIED=1",
		   "NFKNOCK_SERVICE=tcp/41234", "NFKNOCK_COUNT=2"}},
		{"sequence completed",
		 {.type = NFKNOCK_EVENT_SEQ_COMPLETED, .source = "10.0.0.7",
		  .unverified = true, .user = "alice", .fpr = EV_FPR,
		  .addr = "10.0.0.7", .proto = IPPROTO_TCP, .port = 22,
		  .duration_s = 60},
		 "sequence_completed user=alice fpr=0102030405060708 source=10.0.0.7 "
		 "unverified=yes service=tcp/22 address=10.0.0.7 duration=60s",
		 "{%s\"event\":\"sequence_completed\",\"unverified\":true,"
		 "\"user\":\"alice\",\"fingerprint\":\"0102030405060708\","
		 "\"source\":\"10.0.0.7\",\"service\":\"tcp/22\",\"proto\":\"tcp\","
		 "\"port\":22,\"address\":\"10.0.0.7\",\"duration_s\":60,"
		 "\"once\":false,\"capped\":false,\"close\":false}",
		 V{"NFKNOCK_USER=alice", "NFKNOCK_FPR=0102030405060708",
		   "NFKNOCK_SOURCE=10.0.0.7", "NFKNOCK_UNVERIFIED=1",
		   "NFKNOCK_SERVICE=tcp/22", "NFKNOCK_ADDRESS=10.0.0.7",
		   "NFKNOCK_DURATION=60"}},
		{"sequence failed",
		 {.type = NFKNOCK_EVENT_SEQ_FAILED, .reason = NFKNOCK_REJ_WRONG_STEP,
		  .source = "10.0.0.7", .unverified = true, .proto = IPPROTO_UDP,
		  .port = 8000},
		 "sequence_failed source=10.0.0.7 unverified=yes reason=wrong_step "
		 "service=udp/8000",
		 "{%s\"event\":\"sequence_failed\",\"unverified\":true,"
		 "\"source\":\"10.0.0.7\",\"reason\":\"wrong_step\","
		 "\"service\":\"udp/8000\",\"proto\":\"udp\",\"port\":8000,"
		 "\"once\":false,\"capped\":false,\"close\":false}",
		 V{"NFKNOCK_SOURCE=10.0.0.7", "NFKNOCK_UNVERIFIED=1",
		   "NFKNOCK_REASON=wrong_step", "NFKNOCK_SERVICE=udp/8000"}},
		{"lockout started",
		 {.type = NFKNOCK_EVENT_LOCKOUT_STARTED, .source = "198.51.100.7",
		  .unverified = true, .duration_s = 600},
		 "lockout_started source=198.51.100.7 unverified=yes duration=600s",
		 "{%s\"event\":\"lockout_started\",\"unverified\":true,"
		 "\"source\":\"198.51.100.7\",\"duration_s\":600}",
		 V{"NFKNOCK_SOURCE=198.51.100.7", "NFKNOCK_UNVERIFIED=1",
		   "NFKNOCK_DURATION=600"}},
		{"lockout ended",
		 {.type = NFKNOCK_EVENT_LOCKOUT_ENDED, .source = "198.51.100.7"},
		 "lockout_ended source=198.51.100.7",
		 "{%s\"event\":\"lockout_ended\",\"unverified\":false,"
		 "\"source\":\"198.51.100.7\"}",
		 V{"NFKNOCK_SOURCE=198.51.100.7", "NFKNOCK_UNVERIFIED=0"}},
		{"config applied, none revoked",
		 {.type = NFKNOCK_EVENT_CONFIG_APPLIED},
		 "config_applied revoked=0",
		 "{%s\"event\":\"config_applied\",\"unverified\":false,"
		 "\"trial\":false,\"count\":0}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_TRIAL=0", "NFKNOCK_COUNT=0"}},
		{"config applied on trial, 60 s to confirm",
		 {.type = NFKNOCK_EVENT_CONFIG_APPLIED, .duration_s = 60,
		  .flags = NFKNOCK_EV_F_TRIAL},
		 "config_applied trial=yes confirm=60s revoked=0",
		 "{%s\"event\":\"config_applied\",\"unverified\":false,"
		 "\"trial\":true,\"confirm_s\":60,\"count\":0}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_TRIAL=1", "NFKNOCK_CONFIRM=60",
		   "NFKNOCK_COUNT=0"}},
		{"config applied, two revoked",
		 {.type = NFKNOCK_EVENT_CONFIG_APPLIED, .count = 2},
		 "config_applied revoked=2",
		 "{%s\"event\":\"config_applied\",\"unverified\":false,"
		 "\"trial\":false,\"count\":2}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_TRIAL=0", "NFKNOCK_COUNT=2"}},
		{"config confirmed, none revoked (COUNT left out)",
		 {.type = NFKNOCK_EVENT_CONFIG_CONFIRMED},
		 "config_confirmed revoked=0",
		 "{%s\"event\":\"config_confirmed\",\"unverified\":false,\"count\":0}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_COUNT=0"}},
		{"config confirmed, four revoked",
		 {.type = NFKNOCK_EVENT_CONFIG_CONFIRMED, .count = 4},
		 "config_confirmed revoked=4",
		 "{%s\"event\":\"config_confirmed\",\"unverified\":false,\"count\":4}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_COUNT=4"}},
		{"config rolled back",
		 {.type = NFKNOCK_EVENT_CONFIG_ROLLED_BACK, .count = 3},
		 "config_rolled_back revoked=3",
		 "{%s\"event\":\"config_rolled_back\",\"unverified\":false,\"count\":3}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_COUNT=3"}},
		{"suppressed",
		 {.type = NFKNOCK_EVENT_SUPPRESSED, .count = 250},
		 "suppressed count=250",
		 "{%s\"event\":\"suppressed\",\"unverified\":false,\"count\":250}",
		 V{"NFKNOCK_UNVERIFIED=0", "NFKNOCK_COUNT=250"}},
	};
}

std::string json_of(const char *shape)
{
	const std::string t = "\"time_ms\":1796282401123,\"time\":\"2026-12-03T07:20:01.123Z\",";
	std::string s = shape;

	s.replace(s.find("%s"), 2, t);
	return s;
}


TEST_CASE("events of every type read back and render as text, JSON and environment")
{
	std::vector<uint8_t> seen;

	for (const Case &c : cases()) {
		INFO(c.what);
		const Event ev = parse(kernel_event(c.ev));

		REQUIRE(ev.type == c.ev.type);
		REQUIRE(ev.time_ms == EV_TIME);
		REQUIRE(event_text(ev) == std::string("2026-12-03T07:20:01.123Z ") + c.text);
		REQUIRE(event_json(ev).dump() == json_of(c.json));
		std::vector<std::string> env{"NFKNOCK_EVENT=" + event_name(c.ev.type),
					     "NFKNOCK_TIME=2026-12-03T07:20:01.123Z"};
		env.insert(env.end(), c.env.begin(), c.env.end());
		REQUIRE(event_env(ev) == env);
		seen.push_back(c.ev.type);
	}
	for (uint8_t t = NFKNOCK_EVENT_KNOCK_ACCEPTED; t < __NFKNOCK_EVENT_LAST; t++) {
		INFO(int(t));
		REQUIRE(std::find(seen.begin(), seen.end(), t) != seen.end());
	}
}

TEST_CASE("events: the model holds what the message said")
{
	KernelEv k{.type = NFKNOCK_EVENT_KNOCK_ACCEPTED, .source = "10.0.0.2",
		   .user = "alice", .fpr = EV_FPR, .sequence = "s1",
		   .addr = "2001:db8::7", .proto = IPPROTO_UDP, .port = 53,
		   .duration_s = 45, .flags = NFKNOCK_EV_F_ONCE, .count = 4};
	Event want;

	want.type = NFKNOCK_EVENT_KNOCK_ACCEPTED;
	want.time_ms = EV_TIME;
	want.source = parse_address("10.0.0.2");
	want.user = "alice";
	want.fpr = std::array<uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8};
	want.sequence = "s1";
	want.addr = parse_address("2001:db8::7");
	want.proto = IPPROTO_UDP;
	want.port = 53;
	want.duration_s = 45;
	want.flags = NFKNOCK_EV_F_ONCE;
	want.count = 4;
	REQUIRE(parse(kernel_event(k)) == want);

	// The bare minimum: type and time.
	Event bare;
	bare.type = NFKNOCK_EVENT_CONFIG_CONFIRMED;
	bare.time_ms = 1;
	REQUIRE(parse(kernel_event({.type = NFKNOCK_EVENT_CONFIG_CONFIRMED}, 1)) == bare);
}

TEST_CASE("events of a newer module: unknown types, reasons, flags and attributes")
{
	SECTION("type and reason by number") {
		KernelEv k{.type = 99, .source = "10.0.0.2", .unverified = true};
		MsgPtr m = kernel_event(k);
		REQUIRE(nla_put_u8(m.get(), NFKNOCK_EV_A_REASON, 42) == 0);
		const Event ev = parse(m);

		REQUIRE(event_name(ev.type) == "event_99");
		REQUIRE(event_text(ev) == "2026-12-03T07:20:01.123Z event_99 "
					  "source=10.0.0.2 unverified=yes reason=reason_42");
		REQUIRE(event_json(ev)["event"] == "event_99");
		REQUIRE(event_json(ev)["reason"] == "reason_42");
		REQUIRE(event_env(ev)[0] == "NFKNOCK_EVENT=event_99");
	}
	SECTION("every known name") {
		REQUIRE(event_name(0) == "event_0");
		REQUIRE(event_name(NFKNOCK_EVENT_SUPPRESSED) == "suppressed");
		REQUIRE(event_name(__NFKNOCK_EVENT_LAST) ==
			"event_" + std::to_string(__NFKNOCK_EVENT_LAST));
		const std::vector<std::string> reasons{
			"ok", "unknown", "bad_auth", "stale", "replay", "not_allowed",
			"malformed", "table_full", "unbound", "wrong_step", "timeout",
			"locked_out"};
		for (std::size_t i = 0; i < reasons.size(); i++)
			REQUIRE(reject_name(uint8_t(i)) == reasons[i]);
		REQUIRE(reject_name(__NFKNOCK_REJ_LAST) ==
			"reason_" + std::to_string(__NFKNOCK_REJ_LAST));
	}
	SECTION("an attribute above the known ones is skipped") {
		MsgPtr m = kernel_event({.type = NFKNOCK_EVENT_CONFIG_CONFIRMED});
		REQUIRE(nla_put_u32(m.get(), NFKNOCK_EV_A_MAX + 1, 7) == 0);
		REQUIRE(nla_put_string(m.get(), NFKNOCK_EV_A_MAX + 2, "x y") == 0);
		REQUIRE(event_text(parse(m)) ==
			"2026-12-03T07:20:01.123Z config_confirmed revoked=0");
	}
	SECTION("padding before the u64 (nla_put_u64_64bit) is skipped") {
		MsgPtr m = build_request(EV_FAMILY, NFKNOCK_CMD_EVENT);
		REQUIRE(nla_put_u8(m.get(), NFKNOCK_EV_A_TYPE, NFKNOCK_EVENT_SUPPRESSED) == 0);
		REQUIRE(nla_put(m.get(), NFKNOCK_EV_A_PAD, 0, nullptr) == 0);
		REQUIRE(nla_put_u64(m.get(), NFKNOCK_EV_A_TIME_MS, EV_TIME) == 0);
		REQUIRE(nla_put_u32(m.get(), NFKNOCK_EV_A_COUNT, 5) == 0);
		REQUIRE(event_text(parse(m)) == "2026-12-03T07:20:01.123Z suppressed count=5");
	}
	SECTION("flags it does not know leave the known ones") {
		KernelEv k{.type = NFKNOCK_EVENT_GRANT_OPENED, .addr = "10.0.0.2",
			   .proto = IPPROTO_TCP, .port = 22,
			   .flags = NFKNOCK_EV_F_ONCE | (1U << 20)};
		const auto j = event_json(parse(kernel_event(k)));
		REQUIRE(j["once"] == true);
		REQUIRE(j["capped"] == false);
		REQUIRE(j["close"] == false);
	}
	SECTION("an unknown protocol is named by number") {
		KernelEv k{.type = NFKNOCK_EVENT_GRANT_OPENED, .proto = 132, .port = 9};
		const Event ev = parse(kernel_event(k));
		REQUIRE(event_text(ev) == "2026-12-03T07:20:01.123Z grant_opened "
					  "service=proto-132/9");
		REQUIRE(event_json(ev)["proto"] == "proto-132");
	}
}

TEST_CASE("events: malformed messages are refused")
{
	auto refused = [](const MsgPtr &m) {
		try {
			parse(m);
		} catch (const ProtocolError &e) {
			return std::string(e.what());
		}
		FAIL("parsed");
		return std::string();
	};
	// An attribute as bytes (host order, as netlink has it), padded.
	auto attr = [](uint16_t type, const std::vector<uint8_t> &payload) {
		const uint16_t len = uint16_t(4 + payload.size());
		std::vector<uint8_t> raw{uint8_t(len), uint8_t(len >> 8), uint8_t(type),
					 uint8_t(type >> 8)};

		for (uint8_t b : payload)
			raw.push_back(b);
		while (raw.size() % 4)
			raw.push_back(0);
		return raw;
	};
	auto base = [] { return kernel_event({.type = NFKNOCK_EVENT_CONFIG_CONFIRMED}); };

	SECTION("another command") {
		MsgPtr m = build_request(EV_FAMILY, NFKNOCK_CMD_GET_STATUS);
		REQUIRE(refused(m).find("not an event (command 1)") != std::string::npos);
	}
	SECTION("no type, no time") {
		MsgPtr m = build_request(EV_FAMILY, NFKNOCK_CMD_EVENT);
		REQUIRE(nla_put_u8(m.get(), NFKNOCK_EV_A_TYPE, 1) == 0);
		REQUIRE(refused(m) == "malformed reply from the kernel: event without "
				      "its type or time");
		MsgPtr n = build_request(EV_FAMILY, NFKNOCK_CMD_EVENT);
		REQUIRE(nla_put_u64(n.get(), NFKNOCK_EV_A_TIME_MS, 1) == 0);
		REQUIRE(refused(n).find("without its type") != std::string::npos);
	}
	SECTION("sizes") {
		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_FPR, {1, 2, 3, 4, 5, 6, 7}))) ==
			"malformed reply from the kernel: event attribute 8: 7 bytes, "
			"expected 8");
		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_PORT, {0, 22, 0, 0})))
				.find("4 bytes, expected 2") != std::string::npos);
		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_UNVERIFIED, {1})))
				.find("1 bytes, expected 0") != std::string::npos);
		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_SOURCE, {10, 0, 0, 2, 0, 0})))
				.find("address of 6 bytes") != std::string::npos);
		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_ADDR, {})))
				.find("address of 0 bytes") != std::string::npos);
		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_COUNT, {1, 0})))
				.find("2 bytes, expected 4") != std::string::npos);
	}
	SECTION("names that could forge a field or a line") {
		for (const char *bad : {"a b", "a\nknock_accepted", "", "a=b\t",
					"0123456789012345678901234567890123"}) {
			INFO(bad);
			MsgPtr m = base();
			REQUIRE(nla_put_string(m.get(), NFKNOCK_EV_A_USER, bad) == 0);
			REQUIRE(refused(m).find("event attribute 7: invalid name") !=
				std::string::npos);
		}
		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_SEQUENCE, {'a', 'b'})))
				.find("attribute 9: name without its NUL") != std::string::npos);
		// A user name may be any printable character but a space.
		MsgPtr ok = base();
		REQUIRE(nla_put_string(ok.get(), NFKNOCK_EV_A_USER, "a=b\"c") == 0);
		REQUIRE(parse(ok).user == "a=b\"c");
	}
	SECTION("twice, alone, unexpected, trailing") {
		MsgPtr twice = base();
		REQUIRE(nla_put_u8(twice.get(), NFKNOCK_EV_A_TYPE, 2) == 0);
		REQUIRE(refused(twice).find("attribute 2: given twice") != std::string::npos);

		MsgPtr port = base();
		REQUIRE(nla_put_u16(port.get(), NFKNOCK_EV_A_PORT, 22) == 0);
		REQUIRE(refused(port).find("a protocol or a port alone") != std::string::npos);

		REQUIRE(refused(with_raw(base(), attr(NFKNOCK_EV_A_UNSPEC, {})))
				.find("attribute 0: unexpected") != std::string::npos);
		REQUIRE(refused(with_raw(base(), {8, 0, 0, 0}))
				.find("4 bytes after the last attribute") != std::string::npos);
	}
	SECTION("short message") {
		MsgPtr m(nlmsg_alloc_simple(EV_FAMILY, 0));
		REQUIRE(refused(m).find("short generic netlink message") != std::string::npos);
	}
}

TEST_CASE("events: an --exec command's environment")
{
	const Event ev = parse(kernel_event(
		{.type = NFKNOCK_EVENT_KNOCK_REJECTED, .reason = NFKNOCK_REJ_STALE,
		 .source = "10.0.0.9", .unverified = true}));
	const std::vector<std::string> inherited{
		"PATH=/usr/bin", "NFKNOCK_USER=mallory", "NFKNOCK_COUNT=7",
		"NFKNOCK_USERS=kept", "HOME=/root", "NFKNOCK_EVENT=x", "odd",
		"NFKNOCK_TRIAL=1", "NFKNOCK_CONFIRM=60"};

	REQUIRE(child_environment(inherited, event_env(ev)) ==
		std::vector<std::string>{
			"PATH=/usr/bin", "NFKNOCK_USERS=kept", "HOME=/root", "odd",
			"NFKNOCK_EVENT=knock_rejected",
			"NFKNOCK_TIME=2026-12-03T07:20:01.123Z",
			"NFKNOCK_SOURCE=10.0.0.9", "NFKNOCK_UNVERIFIED=1",
			"NFKNOCK_REASON=stale"});
}

TEST_CASE("events: the real socket joins a group and waits for it")
{
	SECTION("a family that does not resolve is a module not loaded") {
		try {
			open_event_source("nfknock-absent", "events");
			FAIL("opened");
		} catch (const ModuleMissing &e) {
			REQUIRE(e.exit_code() == 3);
		}
	}
	SECTION("a family without the group") {
		try {
			open_event_source("nlctrl", "events");
			FAIL("opened");
		} catch (const Error &e) {
			REQUIRE(std::string(e.what()) ==
				"this module sends no events (family nlctrl has no group "
				"\"events\"): update it");
			REQUIRE(e.exit_code() == 1);
		}
	}
	SECTION("nlctrl's notify group: joined, nothing comes, the wait ends") {
		auto src = open_event_source("nlctrl", "notify");
		const Received r = src->next(50);
		REQUIRE(r.kind == Received::TIMEOUT);
		REQUIRE(!r.msg);
	}
}

} // namespace events_test
