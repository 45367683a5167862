// SPDX-License-Identifier: GPL-2.0 OR MIT
// TXN_* requests, the user and prefix nests, and the GET_USERS /
// GET_KNOCK_PORTS / GET_GRANTS replies: build, parse back, compare.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <functional>
#include <set>
#include <utility>

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

TEST_CASE("a user's sequences: the SEQ nest, all five attributes")
{
	// The USER nest of a message, and an attribute inside one nest.
	const auto user_nest = [](const MsgPtr &m) {
		auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(m.get())));
		nlattr *nest = nla_find(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
					NFKNOCK_A_USER);
		REQUIRE(nest);
		return nest;
	};
	const auto inside = [](nlattr *nest, int type) {
		return nla_find(static_cast<nlattr *>(nla_data(nest)), nla_len(nest), type);
	};
	User u = sample_user();
	u.seq = Sequence{6, 20000, 40000, IPPROTO_UDP, 120};

	SECTION("TXN_ADD: the nest, flagged, with the uapi's sizes") {
		MsgPtr m = build_txn_add_user(TXN_FAMILY, u, sample_keys());
		const TxnItem it = parse_txn_add(hdr(m));
		REQUIRE(it.user == u);
		REQUIRE(it.user.seq == Sequence{6, 20000, 40000, IPPROTO_UDP, 120});

		nlattr *seq = inside(user_nest(m), NFKNOCK_USER_A_SEQ);
		REQUIRE(seq);
		REQUIRE((seq->nla_type & NLA_F_NESTED) != 0);
		const std::pair<int, int> sizes[] = {
			{NFKNOCK_SEQ_A_LENGTH, 1}, {NFKNOCK_SEQ_A_LO, 2},
			{NFKNOCK_SEQ_A_HI, 2}, {NFKNOCK_SEQ_A_PROTO, 1},
			{NFKNOCK_SEQ_A_WINDOW_S, 4}};
		for (const auto &[type, size] : sizes) {
			INFO("attribute " << type);
			nlattr *a = inside(seq, type);
			REQUIRE(a);
			REQUIRE(nla_len(a) == size);
		}
		REQUIRE(nla_get_u8(inside(seq, NFKNOCK_SEQ_A_LENGTH)) == 6);
		REQUIRE(nla_get_u16(inside(seq, NFKNOCK_SEQ_A_LO)) == 20000);
		REQUIRE(nla_get_u16(inside(seq, NFKNOCK_SEQ_A_HI)) == 40000);
		REQUIRE(nla_get_u8(inside(seq, NFKNOCK_SEQ_A_PROTO)) == IPPROTO_UDP);
		REQUIRE(nla_get_u32(inside(seq, NFKNOCK_SEQ_A_WINDOW_S)) == 120);
	}
	SECTION("the defaults are sent too, all five") {
		u.seq = Sequence{4, 10000, 65000, IPPROTO_TCP, 30};
		MsgPtr m = build_txn_add_user(TXN_FAMILY, u, sample_keys());
		nlattr *seq = inside(user_nest(m), NFKNOCK_USER_A_SEQ);
		REQUIRE(seq);
		int n = 0, rem;
		nlattr *a;
		nla_for_each_nested(a, seq, rem)
			n++;
		REQUIRE(n == 5);
		REQUIRE(parse_txn_add(hdr(m)).user.seq == u.seq);
	}
	SECTION("a user without sequences has no nest") {
		u.seq.reset();
		MsgPtr m = build_txn_add_user(TXN_FAMILY, u, sample_keys());
		REQUIRE_FALSE(inside(user_nest(m), NFKNOCK_USER_A_SEQ));
		REQUIRE_FALSE(parse_txn_add(hdr(m)).user.seq);
	}
	SECTION("a GET_USERS entry round-trips it") {
		u.knocks = 2;
		MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_USERS);
		encode_user(m.get(), u, nullptr);
		REQUIRE(parse_user(hdr(m)) == u);
	}
	// A GET_USERS entry of the required attributes, and a SEQ nest that
	// @fill writes, as a kernel might send it.
	const auto entry = [&u](const std::function<void(nl_msg *)> &fill) {
		MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_USERS);
		nl_msg *msg = m.get();
		nlattr *nest = nla_nest_start(msg, NFKNOCK_A_USER | NLA_F_NESTED);
		REQUIRE(nla_put_string(msg, NFKNOCK_USER_A_NAME, "a") == 0);
		REQUIRE(nla_put(msg, NFKNOCK_USER_A_FPR, 8, u.fpr.data()) == 0);
		// Empty lists: libnl drops an empty nest unless told to keep it.
		nlattr *list = nla_nest_start(msg, NFKNOCK_USER_A_ALLOW | NLA_F_NESTED);
		nla_nest_end_keep_empty(msg, list);
		list = nla_nest_start(msg, NFKNOCK_USER_A_SOURCES | NLA_F_NESTED);
		nla_nest_end_keep_empty(msg, list);
		REQUIRE(nla_put_u32(msg, NFKNOCK_USER_A_MAX_DURATION_S, 60) == 0);
		nlattr *seq = nla_nest_start(msg, NFKNOCK_USER_A_SEQ | NLA_F_NESTED);
		fill(msg);
		nla_nest_end(msg, seq);
		nla_nest_end(msg, nest);
		return m;
	};
	SECTION("an attribute the kernel leaves out is its default") {
		MsgPtr m = entry([](nl_msg *msg) {
			REQUIRE(nla_put_u8(msg, NFKNOCK_SEQ_A_LENGTH, 3) == 0);
		});
		REQUIRE(parse_user(hdr(m)).seq == Sequence{3, 10000, 65000, IPPROTO_TCP, 30});
	}
	SECTION("a short attribute is malformed") {
		MsgPtr m = entry([](nl_msg *msg) {
			REQUIRE(nla_put_u8(msg, NFKNOCK_SEQ_A_WINDOW_S, 30) == 0);
		});
		REQUIRE_THROWS_WITH(parse_user(hdr(m)),
				    "malformed reply from the kernel: bad attribute in sequence");
	}
}

TEST_CASE("TXN_BEGIN carries PROGRESS_MAX only when given")
{
	TxnParams p;
	p.progress_max = 65536;
	MsgPtr m = build_txn_begin(TXN_FAMILY, p);
	REQUIRE(parse_txn_begin(hdr(m)) == p);
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(m.get())));
	nlattr *a = nla_find(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			     NFKNOCK_A_PROGRESS_MAX);
	REQUIRE(a);
	REQUIRE(nla_len(a) == 4);
	REQUIRE(nla_get_u32(a) == 65536);

	MsgPtr none = build_txn_begin(TXN_FAMILY, TxnParams{});
	REQUIRE_FALSE(parse_txn_begin(hdr(none)).progress_max);
}

TEST_CASE("status: the progress table and the sequence counters round-trip")
{
	Status s;
	s.api_version = 1;
	s.progress_max = 4096;
	s.progress_count = 7;
	s.seq = SeqStats{1, 2, 3, 4, 5, 6};

	MsgPtr m = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_STATUS);
	encode_status(m.get(), s);
	const Status back = parse_status(hdr(m));
	REQUIRE(back == s);
	REQUIRE(back.seq.not_allowed == 6);

	SECTION("an older module sends neither") {
		MsgPtr a = build_request(TXN_FAMILY, NFKNOCK_CMD_GET_STATUS);
		REQUIRE(nla_put_u32(a.get(), NFKNOCK_A_API_VERSION, 1) == 0);
		const Status old = parse_status(hdr(a));
		REQUIRE_FALSE(old.progress_max);
		REQUIRE_FALSE(old.progress_count);
		REQUIRE(old.seq == SeqStats{});
	}
}
