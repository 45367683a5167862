// SPDX-License-Identifier: GPL-2.0 OR MIT
// Netlink codec without a kernel: requests round-trip through build_* and
// parse_*; hand-built replies (as the module sends them) parse, unknown
// attributes are skipped, malformed ones are refused.
#include <catch2/catch.hpp>

#include <linux/genetlink.h>
#include <linux/nfknock.h>
#include <netinet/in.h>

#include <vector>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "address.hpp"
#include "codec.hpp"
#include "errors.hpp"

using namespace knockctl;

namespace {

constexpr int CODEC_FAMILY = 0x1d;

const nlmsghdr *hdr(const MsgPtr &m)
{
	return nlmsg_hdr(m.get());
}

const genlmsghdr *genl(const MsgPtr &m)
{
	return static_cast<const genlmsghdr *>(nlmsg_data(nlmsg_hdr(m.get())));
}

// Top-level attributes of a message as (type with flags, payload length).
std::vector<std::pair<int, int>> top_attrs(const MsgPtr &m)
{
	std::vector<std::pair<int, int>> out;
	nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(genl(m), 0),
			  genlmsg_attrlen(genl(m), 0), rem)
		out.emplace_back(a->nla_type, nla_len(a));
	return out;
}

// Attributes inside the first top-level attribute (a nest).
std::vector<std::pair<int, int>> nest_attrs(const MsgPtr &m)
{
	std::vector<std::pair<int, int>> out;
	nlattr *nest = genlmsg_attrdata(genl(m), 0);
	nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem)
		out.emplace_back(a->nla_type, nla_len(a));
	return out;
}

// A reply as the module would send it: genl header, no attributes yet.
MsgPtr reply(uint8_t cmd, int flags = 0)
{
	MsgPtr m(nlmsg_alloc());

	REQUIRE(m);
	REQUIRE(genlmsg_put(m.get(), 1234, 7, CODEC_FAMILY, 0, flags, cmd,
			    NFKNOCK_GENL_VERSION));
	return m;
}

Service svc(uint8_t proto, uint16_t port, uint16_t end)
{
	return Service{proto, port, end};
}

} // namespace

TEST_CASE("requests carry the family, the command and the API version")
{
	struct Case {
		MsgPtr msg;
		uint8_t cmd;
		bool dump;
	};
	Case cases[] = {
		{build_get_status(CODEC_FAMILY), NFKNOCK_CMD_GET_STATUS, false},
		{build_set_params(CODEC_FAMILY, Params{NFKNOCK_ACTION_RESET, {}, {}}),
		 NFKNOCK_CMD_SET_PARAMS, false},
		{build_add_guard(CODEC_FAMILY, svc(IPPROTO_TCP, 22, 22)), NFKNOCK_CMD_ADD_GUARD, false},
		{build_del_guard(CODEC_FAMILY, svc(IPPROTO_TCP, 22, 22)), NFKNOCK_CMD_DEL_GUARD, false},
		{build_get_guards(CODEC_FAMILY), NFKNOCK_CMD_GET_GUARDS, true},
		{build_add_grant(CODEC_FAMILY, Grant{parse_address("10.0.0.2"), IPPROTO_TCP, 22, 5000, 0}),
		 NFKNOCK_CMD_ADD_GRANT, false},
		{build_del_grant(CODEC_FAMILY, Revoke{parse_address("10.0.0.2"), {}}),
		 NFKNOCK_CMD_DEL_GRANT, false},
		{build_get_grants(CODEC_FAMILY), NFKNOCK_CMD_GET_GRANTS, true},
		{build_flush(CODEC_FAMILY), NFKNOCK_CMD_FLUSH, false},
	};

	for (const Case &c : cases) {
		INFO("cmd " << int(c.cmd));
		REQUIRE(hdr(c.msg)->nlmsg_type == CODEC_FAMILY);
		REQUIRE(message_cmd(hdr(c.msg)) == c.cmd);
		REQUIRE(genl(c.msg)->version == NFKNOCK_GENL_VERSION);
		REQUIRE(((hdr(c.msg)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) == c.dump);
	}
}

TEST_CASE("requests without arguments carry no attributes")
{
	REQUIRE(top_attrs(build_get_status(CODEC_FAMILY)).empty());
	REQUIRE(top_attrs(build_get_guards(CODEC_FAMILY)).empty());
	REQUIRE(top_attrs(build_get_grants(CODEC_FAMILY)).empty());
	REQUIRE(top_attrs(build_flush(CODEC_FAMILY)).empty());
}

TEST_CASE("SET_PARAMS round-trips and sends only the given parameters")
{
	Params p;
	std::vector<std::pair<int, int>> expect;

	SECTION("guard action") {
		p.guard_action = NFKNOCK_ACTION_RESET;
		expect = {{NFKNOCK_A_GUARD_ACTION, 1}};
	}
	SECTION("udp idle") {
		p.udp_idle_ms = 90000;
		expect = {{NFKNOCK_A_UDP_IDLE_MS, 4}};
	}
	SECTION("grants max") {
		p.grants_max = NFKNOCK_GRANTS_LIMIT;
		expect = {{NFKNOCK_A_GRANTS_MAX, 4}};
	}
	SECTION("all three") {
		p = Params{NFKNOCK_ACTION_DROP, 1, 1};
		expect = {{NFKNOCK_A_GUARD_ACTION, 1}, {NFKNOCK_A_UDP_IDLE_MS, 4},
			  {NFKNOCK_A_GRANTS_MAX, 4}};
	}

	MsgPtr m = build_set_params(CODEC_FAMILY, p);
	REQUIRE(top_attrs(m) == expect);
	REQUIRE(parse_set_params(hdr(m)) == p);
}

TEST_CASE("guard requests round-trip with a flagged service nest")
{
	Service s;

	SECTION("single tcp port") { s = svc(IPPROTO_TCP, 22, 22); }
	SECTION("udp") { s = svc(IPPROTO_UDP, 5353, 5353); }
	SECTION("range") { s = svc(IPPROTO_TCP, 8000, 8100); }
	SECTION("extremes") { s = svc(IPPROTO_UDP, 1, 65535); }

	const MsgPtr msgs[] = {build_add_guard(CODEC_FAMILY, s), build_del_guard(CODEC_FAMILY, s)};
	for (const MsgPtr &m : msgs) {
		REQUIRE(top_attrs(m) ==
			std::vector<std::pair<int, int>>{{NFKNOCK_A_SERVICE | NLA_F_NESTED, 24}});
		REQUIRE(nest_attrs(m) == std::vector<std::pair<int, int>>{
						 {NFKNOCK_SVC_A_PROTO, 1},
						 {NFKNOCK_SVC_A_PORT, 2},
						 {NFKNOCK_SVC_A_PORT_END, 2}});
		REQUIRE(parse_guard(hdr(m)) == s);
	}
}

TEST_CASE("ADD_GRANT round-trips")
{
	Grant g;
	g.proto = IPPROTO_TCP;
	g.port = 22;
	g.timeout_ms = 5000;

	SECTION("IPv4, 4 address bytes, no flags attribute") {
		g.addr = parse_address("10.0.0.2");
		MsgPtr m = build_add_grant(CODEC_FAMILY, g);

		REQUIRE(nest_attrs(m) == std::vector<std::pair<int, int>>{
						 {NFKNOCK_GRANT_A_ADDR, 4},
						 {NFKNOCK_GRANT_A_PROTO, 1},
						 {NFKNOCK_GRANT_A_PORT, 2},
						 {NFKNOCK_GRANT_A_TIMEOUT_MS, 4}});
		REQUIRE(parse_grant(hdr(m)) == g);
	}
	SECTION("IPv6, 16 address bytes, once flag") {
		g.addr = parse_address("2001:db8::7");
		g.proto = IPPROTO_UDP;
		g.port = 53;
		g.timeout_ms = NFKNOCK_TIMEOUT_MAX_MS;
		g.flags = NFKNOCK_GRANT_F_ONCE;
		MsgPtr m = build_add_grant(CODEC_FAMILY, g);

		REQUIRE(top_attrs(m).at(0).first == (NFKNOCK_A_GRANT | NLA_F_NESTED));
		REQUIRE(nest_attrs(m) == std::vector<std::pair<int, int>>{
						 {NFKNOCK_GRANT_A_ADDR, 16},
						 {NFKNOCK_GRANT_A_PROTO, 1},
						 {NFKNOCK_GRANT_A_PORT, 2},
						 {NFKNOCK_GRANT_A_TIMEOUT_MS, 4},
						 {NFKNOCK_GRANT_A_FLAGS, 4}});
		REQUIRE(parse_grant(hdr(m)) == g);
	}
}

TEST_CASE("DEL_GRANT round-trips with and without a service")
{
	Revoke r;

	SECTION("every grant of an address: ADDR only") {
		r.addr = parse_address("192.0.2.1");
		MsgPtr m = build_del_grant(CODEC_FAMILY, r);

		REQUIRE(nest_attrs(m) ==
			std::vector<std::pair<int, int>>{{NFKNOCK_GRANT_A_ADDR, 4}});
		REQUIRE(parse_del_grant(hdr(m)) == r);
	}
	SECTION("one service: ADDR, PROTO, PORT") {
		r.addr = parse_address("2001:db8::1");
		r.service = svc(IPPROTO_UDP, 5353, 5353);
		MsgPtr m = build_del_grant(CODEC_FAMILY, r);

		REQUIRE(nest_attrs(m) == std::vector<std::pair<int, int>>{
						 {NFKNOCK_GRANT_A_ADDR, 16},
						 {NFKNOCK_GRANT_A_PROTO, 1},
						 {NFKNOCK_GRANT_A_PORT, 2}});
		REQUIRE(parse_del_grant(hdr(m)) == r);
	}
}

TEST_CASE("a hand-built status reply parses, stats nest included")
{
	MsgPtr m = reply(NFKNOCK_CMD_GET_STATUS);
	nl_msg *msg = m.get();

	REQUIRE(nla_put_u32(msg, NFKNOCK_A_API_VERSION, 1) == 0);
	REQUIRE(nla_put_u8(msg, NFKNOCK_A_HOOKED, 1) == 0);
	REQUIRE(nla_put_u8(msg, NFKNOCK_A_GUARD_ACTION, NFKNOCK_ACTION_RESET) == 0);
	REQUIRE(nla_put_u32(msg, NFKNOCK_A_UDP_IDLE_MS, 60000) == 0);
	REQUIRE(nla_put_u32(msg, NFKNOCK_A_GRANTS_MAX, 65536) == 0);
	REQUIRE(nla_put_u32(msg, NFKNOCK_A_GRANTS_COUNT, 3) == 0);
	REQUIRE(nla_put_u32(msg, NFKNOCK_A_GUARDS_COUNT, 2) == 0);
	nlattr *nest = nla_nest_start(msg, NFKNOCK_A_STATS | NLA_F_NESTED);
	for (int t = NFKNOCK_STAT_A_GUARDED; t <= NFKNOCK_STAT_A_MAX; t++) {
		// The kernel pads u64s with an empty PAD attribute.
		REQUIRE(nla_put(msg, NFKNOCK_STAT_A_PAD, 0, nullptr) == 0);
		REQUIRE(nla_put_u64(msg, t, 1000000000000ULL + uint64_t(t)) == 0);
	}
	nla_nest_end(msg, nest);

	const Status s = parse_status(hdr(m));
	REQUIRE(s.api_version == 1);
	REQUIRE(s.hooked);
	REQUIRE(s.guard_action == NFKNOCK_ACTION_RESET);
	REQUIRE(s.udp_idle_ms == 60000);
	REQUIRE(s.grants_max == 65536);
	REQUIRE(s.grants_count == 3);
	REQUIRE(s.guards_count == 2);
	REQUIRE(s.stats.guarded == 1000000000000ULL + NFKNOCK_STAT_A_GUARDED);
	REQUIRE(s.stats.passed_grant == 1000000000000ULL + NFKNOCK_STAT_A_PASSED_GRANT);
	REQUIRE(s.stats.passed_stateless == 1000000000000ULL + NFKNOCK_STAT_A_PASSED_STATELESS);
	REQUIRE(s.stats.refused == 1000000000000ULL + NFKNOCK_STAT_A_REFUSED);
	REQUIRE(s.stats.truncated == 1000000000000ULL + NFKNOCK_STAT_A_TRUNCATED);
	REQUIRE(s.stats.grants_added == 1000000000000ULL + NFKNOCK_STAT_A_GRANTS_ADDED);
	REQUIRE(s.stats.grants_expired == 1000000000000ULL + NFKNOCK_STAT_A_GRANTS_EXPIRED);
	REQUIRE(s.stats.grants_full == 1000000000000ULL + NFKNOCK_STAT_A_GRANTS_FULL);
}

TEST_CASE("encode_status and parse_status round-trip")
{
	Status s;
	s.api_version = 1;
	s.hooked = true;
	s.guard_action = NFKNOCK_ACTION_DROP;
	s.udp_idle_ms = 61000;
	s.grants_max = 10;
	s.grants_count = 9;
	s.guards_count = 8;
	s.stats = Stats{1, 2, 3, 4, 5, 6, 7, UINT64_MAX};

	MsgPtr m = reply(NFKNOCK_CMD_GET_STATUS);
	encode_status(m.get(), s);
	REQUIRE(parse_status(hdr(m)) == s);
}

TEST_CASE("hand-built guard and grant dump entries parse")
{
	SECTION("guard entry") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_GUARDS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_SERVICE | NLA_F_NESTED);
		nla_put_u8(m.get(), NFKNOCK_SVC_A_PROTO, IPPROTO_UDP);
		nla_put_u16(m.get(), NFKNOCK_SVC_A_PORT, 8000);
		nla_put_u16(m.get(), NFKNOCK_SVC_A_PORT_END, 8100);
		nla_nest_end(m.get(), nest);

		REQUIRE(parse_guard(hdr(m)) == svc(IPPROTO_UDP, 8000, 8100));
	}
	SECTION("guard entry without PORT_END means one port") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_GUARDS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_SERVICE | NLA_F_NESTED);
		nla_put_u8(m.get(), NFKNOCK_SVC_A_PROTO, IPPROTO_TCP);
		nla_put_u16(m.get(), NFKNOCK_SVC_A_PORT, 22);
		nla_nest_end(m.get(), nest);

		REQUIRE(parse_guard(hdr(m)) == svc(IPPROTO_TCP, 22, 22));
	}
	SECTION("grant entry with ONCE and USED") {
		const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0x42};
		MsgPtr m = reply(NFKNOCK_CMD_GET_GRANTS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_GRANT | NLA_F_NESTED);
		nla_put(m.get(), NFKNOCK_GRANT_A_ADDR, 16, v6);
		nla_put_u8(m.get(), NFKNOCK_GRANT_A_PROTO, IPPROTO_TCP);
		nla_put_u16(m.get(), NFKNOCK_GRANT_A_PORT, 443);
		nla_put_u32(m.get(), NFKNOCK_GRANT_A_FLAGS,
			    NFKNOCK_GRANT_F_ONCE | NFKNOCK_GRANT_F_USED);
		nla_put_u32(m.get(), NFKNOCK_GRANT_A_TIMEOUT_MS, 12345);
		nla_nest_end(m.get(), nest);

		const Grant g = parse_grant(hdr(m));
		REQUIRE(format_address(g.addr) == "2001:db8::42");
		REQUIRE(g.proto == IPPROTO_TCP);
		REQUIRE(g.port == 443);
		REQUIRE(g.timeout_ms == 12345);
		REQUIRE(g.flags == (NFKNOCK_GRANT_F_ONCE | NFKNOCK_GRANT_F_USED));
	}
}

TEST_CASE("unknown attributes in replies are skipped")
{
	const uint8_t junk[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

	SECTION("status: top level and inside stats") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_STATUS);
		nla_put(m.get(), NFKNOCK_A_MAX + 1, sizeof(junk), junk);
		nla_put_u32(m.get(), NFKNOCK_A_API_VERSION, 2);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_STATS | NLA_F_NESTED);
		nla_put_u64(m.get(), NFKNOCK_STAT_A_MAX + 7, 99);
		nla_put_u64(m.get(), NFKNOCK_STAT_A_REFUSED, 5);
		nla_nest_end(m.get(), nest);
		nla_put_u8(m.get(), 200, 1);

		const Status s = parse_status(hdr(m));
		REQUIRE(s.api_version == 2);
		REQUIRE(s.stats.refused == 5);
		REQUIRE(s.stats.guarded == 0);
	}
	SECTION("guard entry: inside the service nest") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_GUARDS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_SERVICE | NLA_F_NESTED);
		nla_put(m.get(), NFKNOCK_SVC_A_MAX + 1, sizeof(junk), junk);
		nla_put_u8(m.get(), NFKNOCK_SVC_A_PROTO, IPPROTO_TCP);
		nla_put_u16(m.get(), NFKNOCK_SVC_A_PORT, 22);
		nla_put_u16(m.get(), NFKNOCK_SVC_A_PORT_END, 22);
		nla_nest_end(m.get(), nest);
		nla_put_u32(m.get(), NFKNOCK_A_MAX + 3, 7);

		REQUIRE(parse_guard(hdr(m)) == svc(IPPROTO_TCP, 22, 22));
	}
	SECTION("grant entry: inside the grant nest") {
		const uint8_t v4[4] = {10, 0, 0, 2};
		MsgPtr m = reply(NFKNOCK_CMD_GET_GRANTS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_GRANT | NLA_F_NESTED);
		nla_put(m.get(), NFKNOCK_GRANT_A_ADDR, 4, v4);
		nla_put(m.get(), NFKNOCK_GRANT_A_MAX + 1, sizeof(junk), junk);
		nla_put_u8(m.get(), NFKNOCK_GRANT_A_PROTO, IPPROTO_TCP);
		nla_put_u16(m.get(), NFKNOCK_GRANT_A_PORT, 22);
		nla_put_u32(m.get(), NFKNOCK_GRANT_A_TIMEOUT_MS, 1000);
		nla_nest_end(m.get(), nest);

		const Grant g = parse_grant(hdr(m));
		REQUIRE(format_address(g.addr) == "10.0.0.2");
		REQUIRE(g.port == 22);
		REQUIRE(g.flags == 0);
	}
}

TEST_CASE("malformed replies are refused")
{
	SECTION("status without API version") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_STATUS);
		nla_put_u8(m.get(), NFKNOCK_A_HOOKED, 1);
		REQUIRE_THROWS_AS(parse_status(hdr(m)), ProtocolError);
	}
	SECTION("u32 attribute too short") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_STATUS);
		nla_put_u16(m.get(), NFKNOCK_A_API_VERSION, 1);
		REQUIRE_THROWS_AS(parse_status(hdr(m)), ProtocolError);
	}
	SECTION("guard entry without service") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_GUARDS, NLM_F_MULTI);
		REQUIRE_THROWS_AS(parse_guard(hdr(m)), ProtocolError);
	}
	SECTION("guard entry without port") {
		MsgPtr m = reply(NFKNOCK_CMD_GET_GUARDS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_SERVICE | NLA_F_NESTED);
		nla_put_u8(m.get(), NFKNOCK_SVC_A_PROTO, IPPROTO_TCP);
		nla_nest_end(m.get(), nest);
		REQUIRE_THROWS_AS(parse_guard(hdr(m)), ProtocolError);
	}
	SECTION("grant address of 5 bytes") {
		const uint8_t five[5] = {1, 2, 3, 4, 5};
		MsgPtr m = reply(NFKNOCK_CMD_GET_GRANTS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_GRANT | NLA_F_NESTED);
		nla_put(m.get(), NFKNOCK_GRANT_A_ADDR, 5, five);
		nla_put_u8(m.get(), NFKNOCK_GRANT_A_PROTO, IPPROTO_TCP);
		nla_put_u16(m.get(), NFKNOCK_GRANT_A_PORT, 22);
		nla_nest_end(m.get(), nest);
		REQUIRE_THROWS_AS(parse_grant(hdr(m)), ProtocolError);
	}
	SECTION("grant address of 17 bytes") {
		const uint8_t big[17] = {};
		MsgPtr m = reply(NFKNOCK_CMD_GET_GRANTS, NLM_F_MULTI);
		nlattr *nest = nla_nest_start(m.get(), NFKNOCK_A_GRANT | NLA_F_NESTED);
		nla_put(m.get(), NFKNOCK_GRANT_A_ADDR, 17, big);
		nla_nest_end(m.get(), nest);
		REQUIRE_THROWS_AS(parse_grant(hdr(m)), ProtocolError);
	}
	SECTION("message shorter than a genl header") {
		MsgPtr m(nlmsg_alloc());
		REQUIRE(nlmsg_put(m.get(), 0, 0, CODEC_FAMILY, 0, 0));
		REQUIRE_THROWS_AS(message_cmd(hdr(m)), ProtocolError);
		REQUIRE_THROWS_AS(parse_status(hdr(m)), ProtocolError);
	}
}
