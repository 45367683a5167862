// SPDX-License-Identifier: GPL-2.0 OR MIT
// TXN_* requests, the user and prefix nests, and the GET_USERS /
// GET_KNOCK_PORTS / GET_GRANTS replies: build, parse back, compare.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <set>

#include "address.hpp"
#include "codec.hpp"
#include "config.hpp"

using namespace knockctl;

namespace {

constexpr int TXN_FAMILY = 0x1d;

const nlmsghdr *hdr(const MsgPtr &m)
{
	return nlmsg_hdr(m.get());
}

User sample_user()
{
	User u;

	u.name = "alice";
	u.fpr = {1, 2, 3, 4, 5, 6, 7, 8};
	u.allow = {{IPPROTO_TCP, 22, 22}, {IPPROTO_TCP, 8000, 8100}};
	u.sources = {parse_prefix("192.0.2.0/24"), parse_prefix("2001:db8::/32")};
	u.max_duration_s = 300;
	u.expires_s = 1798761600;
	u.flags = NFKNOCK_USER_F_DISABLED | NFKNOCK_USER_F_REQUIRE_ADDRESS;
	u.max_grants = 8;
	return u;
}

UserKeys sample_keys()
{
	UserKeys k;

	for (int i = 0; i < 32; i++)
		k.k_aead[i] = uint8_t(i);
	for (int i = 0; i < 16; i++) {
		k.k_hint[i] = uint8_t(0x40 + i);
		k.k_seq[i] = uint8_t(0x80 + i);
	}
	return k;
}

// Every nest of a TXN_ADD user carries NLA_F_NESTED (the kernel's strict
// validation refuses a nest without it): USER, ALLOW, SOURCES and each
// SERVICE / PREFIX inside them.
void require_nested_flags(nl_msg *msg)
{
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(msg)));
	const nlattr *user = nla_find(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
				      NFKNOCK_A_USER);
	const nlattr *a, *child;
	int rem, rem2, lists = 0, children = 0;

	REQUIRE(user);
	REQUIRE((user->nla_type & NLA_F_NESTED) != 0);
	nla_for_each_nested(a, user, rem) {
		const int type = a->nla_type & NLA_TYPE_MASK;

		if (type != NFKNOCK_USER_A_ALLOW && type != NFKNOCK_USER_A_SOURCES)
			continue;
		lists++;
		REQUIRE((a->nla_type & NLA_F_NESTED) != 0);
		nla_for_each_nested(child, a, rem2) {
			children++;
			REQUIRE((child->nla_type & NLA_F_NESTED) != 0);
		}
	}
	REQUIRE(lists == 2);
	REQUIRE(children == 4);
}

} // namespace

TEST_CASE("TXN_BEGIN round-trips and sends only the given parameters")
{
	TxnParams p;
	p.guard_action = NFKNOCK_ACTION_RESET;
	p.udp_idle_ms = 120000;
	p.grants_max = 1000;
	p.skew_ms = 10000;
	p.knock_packets = NFKNOCK_KNOCK_DROP;

	MsgPtr m = build_txn_begin(TXN_FAMILY, p);
	REQUIRE(message_cmd(hdr(m)) == NFKNOCK_CMD_TXN_BEGIN);
	REQUIRE(parse_txn_begin(hdr(m)) == p);

	TxnParams some;
	some.skew_ms = 5;
	REQUIRE(parse_txn_begin(hdr(build_txn_begin(TXN_FAMILY, some))) == some);
	REQUIRE(genlmsg_attrlen(static_cast<genlmsghdr *>(nlmsg_data(
					const_cast<nlmsghdr *>(hdr(build_txn_begin(TXN_FAMILY, {}))))),
				0) == 0);
}

TEST_CASE("TXN_ADD carries exactly one guard, knock port or user")
{
	SECTION("guard") {
		MsgPtr m = build_txn_add_guard(TXN_FAMILY, {IPPROTO_TCP, 8000, 8100});
		REQUIRE(message_cmd(hdr(m)) == NFKNOCK_CMD_TXN_ADD);
		const TxnItem it = parse_txn_add(hdr(m));
		REQUIRE(it.kind == TxnItem::GUARD);
		REQUIRE(it.service == Service{IPPROTO_TCP, 8000, 8100});
	}
	SECTION("knock port") {
		MsgPtr m = build_txn_add_knock_port(TXN_FAMILY, {IPPROTO_UDP, 62201, 62201});
		const TxnItem it = parse_txn_add(hdr(m));
		REQUIRE(it.kind == TxnItem::KNOCK_PORT);
		REQUIRE(it.service == Service{IPPROTO_UDP, 62201, 62201});
		REQUIRE(parse_knock_port(hdr(m)) == it.service);
	}
	SECTION("user, keys and nests") {
		const User u = sample_user();
		const UserKeys k = sample_keys();
		MsgPtr m = build_txn_add_user(TXN_FAMILY, u, k);
		const TxnItem it = parse_txn_add(hdr(m));

		REQUIRE(it.kind == TxnItem::USER);
		REQUIRE(it.user == u);
		REQUIRE(it.keys.k_aead == k.k_aead);
		REQUIRE(it.keys.k_hint == k.k_hint);
		REQUIRE(it.keys.k_seq == k.k_seq);

		require_nested_flags(m.get());
	}
	SECTION("a user without expiry or flags omits them") {
		User u = sample_user();
		u.expires_s = 0;
		u.flags = 0;
		MsgPtr m = build_txn_add_user(TXN_FAMILY, u, sample_keys());
		REQUIRE(parse_txn_add(hdr(m)).user == u);
	}
	SECTION("commit, abort and the dumps carry no attributes") {
		REQUIRE(message_cmd(hdr(build_txn_commit(TXN_FAMILY))) == NFKNOCK_CMD_TXN_COMMIT);
		REQUIRE(message_cmd(hdr(build_txn_abort(TXN_FAMILY))) == NFKNOCK_CMD_TXN_ABORT);
		MsgPtr users = build_get_users(TXN_FAMILY);
		REQUIRE(message_cmd(hdr(users)) == NFKNOCK_CMD_GET_USERS);
		REQUIRE((hdr(users)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
		MsgPtr kp = build_get_knock_ports(TXN_FAMILY);
		REQUIRE(message_cmd(hdr(kp)) == NFKNOCK_CMD_GET_KNOCK_PORTS);
		REQUIRE((hdr(kp)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
	}
	SECTION("two items are refused") {
		MsgPtr m = build_txn_add_guard(TXN_FAMILY, {IPPROTO_TCP, 22, 22});
		encode_knock_port(m.get(), {IPPROTO_UDP, 1, 1});
		REQUIRE_THROWS_AS(parse_txn_add(hdr(m)), ProtocolError);
	}
}

TEST_CASE("a GET_USERS entry parses, counters included, keys absent")
{
	User u = sample_user();
	u.last_ts_ms = 1767225600123ULL;
	u.knocks = 42;

	MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_USERS);
	encode_user(m.get(), u, nullptr);
	REQUIRE(parse_user(hdr(m)) == u);

	SECTION("an IPv4 prefix is 4 bytes on the wire") {
		REQUIRE(u.sources[0].addr.size() == 4);
		REQUIRE(u.sources[1].addr.size() == 16);
	}
}

TEST_CASE("status and grants carry the knock fields")
{
	Status s;
	s.api_version = 1;
	s.skew_ms = 30000;
	s.knock_packets = NFKNOCK_KNOCK_DROP;
	s.users_count = 3;
	s.knock_ports_count = 2;
	s.knocks = KnockStats{1, 2, 3, 4, 5, 6, 7};

	MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_STATUS);
	encode_status(m.get(), s);
	REQUIRE(parse_status(hdr(m)) == s);

	Grant g;
	g.addr = parse_address("192.0.2.1");
	g.proto = IPPROTO_TCP;
	g.port = 22;
	g.timeout_ms = 1000;
	g.user_fpr = {9, 8, 7, 6, 5, 4, 3, 2};
	MsgPtr gm = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_GRANTS);
	encode_grant(gm.get(), g);
	REQUIRE(parse_grant(hdr(gm)) == g);
}

TEST_CASE("a user's grant cap: sent in TXN_ADD, live grants only in dumps")
{
	SECTION("TXN_ADD carries MAX_GRANTS as a u32, never GRANTS") {
		User u = sample_user();
		u.max_grants = NFKNOCK_USER_GRANTS_LIMIT;
		u.grants = 3;	// output only: must not be sent
		MsgPtr m = build_txn_add_user(TXN_FAMILY, u, sample_keys());
		const TxnItem it = parse_txn_add(hdr(m));

		REQUIRE(it.user.max_grants == uint32_t(NFKNOCK_USER_GRANTS_LIMIT));
		REQUIRE_FALSE(it.user.grants);

		auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(m.get())));
		nlattr *nest = nla_find(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
					NFKNOCK_A_USER);
		REQUIRE(nest);
		nlattr *max = nla_find(static_cast<nlattr *>(nla_data(nest)), nla_len(nest),
				       NFKNOCK_USER_A_MAX_GRANTS);
		REQUIRE(max);
		REQUIRE(nla_len(max) == 4);
		REQUIRE(nla_get_u32(max) == NFKNOCK_USER_GRANTS_LIMIT);
		REQUIRE_FALSE(nla_find(static_cast<nlattr *>(nla_data(nest)), nla_len(nest),
				       NFKNOCK_USER_A_GRANTS));
	}
	SECTION("a GET_USERS entry round-trips cap and live grants") {
		User u = sample_user();
		u.max_grants = 16;
		u.grants = 5;
		u.knocks = 9;
		MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_USERS);
		encode_user(m.get(), u, nullptr);
		const User back = parse_user(hdr(m));
		REQUIRE(back == u);
		REQUIRE(back.max_grants == 16u);
		REQUIRE(back.grants == 5u);
	}
	SECTION("an older module's entry has neither") {
		User u = sample_user();
		u.max_grants.reset();
		MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_USERS);
		encode_user(m.get(), u, nullptr);
		const User back = parse_user(hdr(m));
		REQUIRE_FALSE(back.max_grants);
		REQUIRE_FALSE(back.grants);
	}
}

TEST_CASE("the TXN_COMMIT reply carries the number of revoked grants")
{
	MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_TXN_COMMIT);
	encode_commit_reply(m.get(), 42);
	REQUIRE(message_cmd(hdr(m)) == NFKNOCK_CMD_TXN_COMMIT);
	REQUIRE(parse_commit_reply(hdr(m)) == 42);

	MsgPtr zero = build_request(TXN_FAMILY, NFKNOCK_CMD_TXN_COMMIT);
	encode_commit_reply(zero.get(), 0);
	REQUIRE(parse_commit_reply(hdr(zero)) == 0);

	// A reply without the attribute (or an empty one) means none.
	REQUIRE(parse_commit_reply(hdr(build_request(TXN_FAMILY, NFKNOCK_CMD_TXN_COMMIT))) == 0);
}

TEST_CASE("status: the limited flag and the new counters round-trip")
{
	Status s;
	s.api_version = 1;
	s.limited = true;
	s.stats.grants_user_full = 11;
	s.stats.grants_revoked = 12;
	s.stats.passed_scope = 14;
	s.stats.refused_stray = 16;

	MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_STATUS);
	encode_status(m.get(), s);
	REQUIRE(parse_status(hdr(m)) == s);

	s.limited = false;
	MsgPtr f = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_STATUS);
	encode_status(f.get(), s);
	REQUIRE(parse_status(hdr(f)).limited == false);

	SECTION("absent means not limited") {
		MsgPtr a = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_STATUS);
		REQUIRE(nla_put_u32(a.get(), NFKNOCK_A_API_VERSION, 1) == 0);
		REQUIRE(parse_status(hdr(a)).limited == false);
	}
	SECTION("a value other than 0 is true") {
		MsgPtr a = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_STATUS);
		REQUIRE(nla_put_u32(a.get(), NFKNOCK_A_API_VERSION, 1) == 0);
		REQUIRE(nla_put_u8(a.get(), NFKNOCK_A_LIMITED, 1) == 0);
		REQUIRE(parse_status(hdr(a)).limited == true);
	}
}
