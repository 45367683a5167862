// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "txn_codec.hpp"

#include <netinet/in.h>

#include <cstring>

#include <netlink/genl/genl.h>

#include "errors.hpp"

namespace knockctl {

namespace {

struct UserPolicies {
	std::array<nla_policy, NFKNOCK_USER_A_MAX + 1> user{};
	std::array<nla_policy, NFKNOCK_PREFIX_A_MAX + 1> prefix{};

	UserPolicies()
	{
		user[NFKNOCK_USER_A_NAME].type = NLA_STRING;
		user[NFKNOCK_USER_A_FPR].minlen = 8;
		user[NFKNOCK_USER_A_FPR].maxlen = 8;
		user[NFKNOCK_USER_A_K_AEAD].minlen = 32;
		user[NFKNOCK_USER_A_K_AEAD].maxlen = 32;
		user[NFKNOCK_USER_A_K_HINT].minlen = 16;
		user[NFKNOCK_USER_A_K_HINT].maxlen = 16;
		user[NFKNOCK_USER_A_K_SEQ].minlen = 16;
		user[NFKNOCK_USER_A_K_SEQ].maxlen = 16;
		user[NFKNOCK_USER_A_ALLOW].type = NLA_NESTED;
		user[NFKNOCK_USER_A_SOURCES].type = NLA_NESTED;
		user[NFKNOCK_USER_A_MAX_DURATION_S].type = NLA_U32;
		user[NFKNOCK_USER_A_EXPIRES_S].type = NLA_U64;
		user[NFKNOCK_USER_A_FLAGS].type = NLA_U32;
		user[NFKNOCK_USER_A_LAST_TS_MS].type = NLA_U64;
		user[NFKNOCK_USER_A_KNOCKS].type = NLA_U64;
		user[NFKNOCK_USER_A_MAX_GRANTS].type = NLA_U32;
		user[NFKNOCK_USER_A_GRANTS].type = NLA_U32;

		prefix[NFKNOCK_PREFIX_A_ADDR].minlen = 4;
		prefix[NFKNOCK_PREFIX_A_ADDR].maxlen = 16;
		prefix[NFKNOCK_PREFIX_A_LEN].type = NLA_U8;
	}
};

const UserPolicies &user_policies()
{
	static const UserPolicies p;
	return p;
}

template <std::size_t N>
void copy_exact(nlattr *a, std::array<uint8_t, N> &out)
{
	std::memcpy(out.data(), nla_data(a), N);
}

template <std::size_t N>
void copy_exact(nlattr *a, Secret<N> &out)
{
	std::memcpy(out.data(), nla_data(a), N);
}

void encode_prefix(nl_msg *msg, const Prefix &p)
{
	nlattr *nest = nest_start(msg, NFKNOCK_USER_A_PREFIX);

	put_check(nla_put(msg, NFKNOCK_PREFIX_A_ADDR, int(p.addr.size()),
			  p.addr.bytes.data()), "prefix");
	put_check(nla_put_u8(msg, NFKNOCK_PREFIX_A_LEN, p.len), "prefix");
	nla_nest_end(msg, nest);
}

Prefix prefix_from_nest(nlattr *nest)
{
	std::array<nlattr *, NFKNOCK_PREFIX_A_MAX + 1> tb{};
	Prefix p;

	parse_nest(nest, tb, user_policies().prefix, "prefix");
	nlattr *a = need(tb[NFKNOCK_PREFIX_A_ADDR], "prefix address");
	const int len = nla_len(a);
	if (len != 4 && len != 16)
		throw ProtocolError("prefix address of " + std::to_string(len) +
				    " bytes");
	p.addr.family = len == 4 ? AF_INET : AF_INET6;
	std::memcpy(p.addr.bytes.data(), nla_data(a), std::size_t(len));
	p.len = nla_get_u8(need(tb[NFKNOCK_PREFIX_A_LEN], "prefix length"));
	return p;
}

// Parse the user nest; keys only when @keys is given and they are present.
User user_from_nest(nlattr *nest, UserKeys *keys)
{
	std::array<nlattr *, NFKNOCK_USER_A_MAX + 1> tb{};
	User u;
	nlattr *child;
	int rem;

	parse_nest(nest, tb, user_policies().user, "user");
	nlattr *name = need(tb[NFKNOCK_USER_A_NAME], "user name");
	const char *s = static_cast<const char *>(nla_data(name));
	u.name.assign(s, strnlen(s, std::size_t(nla_len(name))));
	copy_exact(need(tb[NFKNOCK_USER_A_FPR], "user fingerprint"), u.fpr);

	nla_for_each_nested(child, need(tb[NFKNOCK_USER_A_ALLOW], "user allow"), rem) {
		if (nla_type(child) == NFKNOCK_A_SERVICE)
			u.allow.push_back(service_from_nest(child));
	}
	nla_for_each_nested(child, need(tb[NFKNOCK_USER_A_SOURCES], "user sources"),
			    rem) {
		if (nla_type(child) == NFKNOCK_USER_A_PREFIX)
			u.sources.push_back(prefix_from_nest(child));
	}
	u.max_duration_s = nla_get_u32(need(tb[NFKNOCK_USER_A_MAX_DURATION_S],
					    "user max duration"));
	if (tb[NFKNOCK_USER_A_EXPIRES_S])
		u.expires_s = nla_get_u64(tb[NFKNOCK_USER_A_EXPIRES_S]);
	if (tb[NFKNOCK_USER_A_FLAGS])
		u.flags = nla_get_u32(tb[NFKNOCK_USER_A_FLAGS]);
	if (tb[NFKNOCK_USER_A_LAST_TS_MS])
		u.last_ts_ms = nla_get_u64(tb[NFKNOCK_USER_A_LAST_TS_MS]);
	if (tb[NFKNOCK_USER_A_KNOCKS])
		u.knocks = nla_get_u64(tb[NFKNOCK_USER_A_KNOCKS]);
	if (tb[NFKNOCK_USER_A_MAX_GRANTS])
		u.max_grants = nla_get_u32(tb[NFKNOCK_USER_A_MAX_GRANTS]);
	if (tb[NFKNOCK_USER_A_GRANTS])
		u.grants = nla_get_u32(tb[NFKNOCK_USER_A_GRANTS]);
	if (keys) {
		copy_exact(need(tb[NFKNOCK_USER_A_K_AEAD], "user k_aead"), keys->k_aead);
		copy_exact(need(tb[NFKNOCK_USER_A_K_HINT], "user k_hint"), keys->k_hint);
		copy_exact(need(tb[NFKNOCK_USER_A_K_SEQ], "user k_seq"), keys->k_seq);
	}
	return u;
}

} // namespace

MsgPtr build_txn_begin(int family, const TxnParams &p)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_TXN_BEGIN);
	nl_msg *m = msg.get();

	encode_params(m, p);
	if (p.skew_ms)
		put_check(nla_put_u32(m, NFKNOCK_A_SKEW_MS, *p.skew_ms), "params");
	if (p.knock_packets)
		put_check(nla_put_u8(m, NFKNOCK_A_KNOCK_PACKETS, *p.knock_packets),
			  "params");
	return msg;
}

MsgPtr build_txn_add_guard(int family, const Service &svc)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_TXN_ADD);

	encode_service(msg.get(), svc);
	return msg;
}

void encode_knock_port(nl_msg *msg, const Service &svc)
{
	nlattr *nest = nest_start(msg, NFKNOCK_A_KNOCK_PORT);

	put_check(nla_put_u8(msg, NFKNOCK_SVC_A_PROTO, svc.proto), "knock port");
	put_check(nla_put_u16(msg, NFKNOCK_SVC_A_PORT, svc.port), "knock port");
	put_check(nla_put_u16(msg, NFKNOCK_SVC_A_PORT_END, svc.port_end),
		  "knock port");
	nla_nest_end(msg, nest);
}

MsgPtr build_txn_add_knock_port(int family, const Service &svc)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_TXN_ADD);

	encode_knock_port(msg.get(), svc);
	return msg;
}

void encode_user(nl_msg *msg, const User &u, const UserKeys *keys)
{
	nlattr *nest = nest_start(msg, NFKNOCK_A_USER);

	put_check(nla_put_string(msg, NFKNOCK_USER_A_NAME, u.name.c_str()), "user");
	put_check(nla_put(msg, NFKNOCK_USER_A_FPR, int(u.fpr.size()), u.fpr.data()),
		  "user");
	if (keys) {
		put_check(nla_put(msg, NFKNOCK_USER_A_K_AEAD, int(keys->k_aead.size()),
				  keys->k_aead.data()), "user");
		put_check(nla_put(msg, NFKNOCK_USER_A_K_HINT, int(keys->k_hint.size()),
				  keys->k_hint.data()), "user");
		put_check(nla_put(msg, NFKNOCK_USER_A_K_SEQ, int(keys->k_seq.size()),
				  keys->k_seq.data()), "user");
	}

	nlattr *list = nest_start(msg, NFKNOCK_USER_A_ALLOW);
	for (const Service &svc : u.allow)
		encode_service(msg, svc);
	nla_nest_end(msg, list);

	list = nest_start(msg, NFKNOCK_USER_A_SOURCES);
	for (const Prefix &p : u.sources)
		encode_prefix(msg, p);
	nla_nest_end(msg, list);

	put_check(nla_put_u32(msg, NFKNOCK_USER_A_MAX_DURATION_S, u.max_duration_s),
		  "user");
	if (u.expires_s || !keys)
		put_check(nla_put_u64(msg, NFKNOCK_USER_A_EXPIRES_S, u.expires_s), "user");
	if (u.flags || !keys)
		put_check(nla_put_u32(msg, NFKNOCK_USER_A_FLAGS, u.flags), "user");
	if (u.max_grants)
		put_check(nla_put_u32(msg, NFKNOCK_USER_A_MAX_GRANTS, *u.max_grants),
			  "user");
	if (!keys) {
		put_check(nla_put_u64(msg, NFKNOCK_USER_A_LAST_TS_MS, u.last_ts_ms), "user");
		put_check(nla_put_u64(msg, NFKNOCK_USER_A_KNOCKS, u.knocks), "user");
		// Output only: never in a TXN_ADD.
		if (u.grants)
			put_check(nla_put_u32(msg, NFKNOCK_USER_A_GRANTS, *u.grants),
				  "user");
	}
	nla_nest_end(msg, nest);
}

MsgPtr build_txn_add_user(int family, const User &user, const UserKeys &keys)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_TXN_ADD);

	encode_user(msg.get(), user, &keys);
	return msg;
}

MsgPtr build_txn_commit(int family)
{
	return build_request(family, NFKNOCK_CMD_TXN_COMMIT);
}

void encode_commit_reply(nl_msg *msg, uint32_t revoked)
{
	put_check(nla_put_u32(msg, NFKNOCK_A_REVOKED, revoked), "commit reply");
}

uint32_t parse_commit_reply(const nlmsghdr *nlh)
{
	TopTable tb{};

	parse_top_attrs(nlh, tb);
	return tb[NFKNOCK_A_REVOKED] ? nla_get_u32(tb[NFKNOCK_A_REVOKED]) : 0;
}

MsgPtr build_txn_abort(int family)
{
	return build_request(family, NFKNOCK_CMD_TXN_ABORT);
}

MsgPtr build_get_users(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_USERS, true);
}

MsgPtr build_get_knock_ports(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_KNOCK_PORTS, true);
}

TxnParams parse_txn_begin(const nlmsghdr *nlh)
{
	TopTable tb{};
	TxnParams p;

	parse_top_attrs(nlh, tb);
	params_from_attrs(tb, p);
	if (tb[NFKNOCK_A_SKEW_MS])
		p.skew_ms = nla_get_u32(tb[NFKNOCK_A_SKEW_MS]);
	if (tb[NFKNOCK_A_KNOCK_PACKETS])
		p.knock_packets = nla_get_u8(tb[NFKNOCK_A_KNOCK_PACKETS]);
	return p;
}

TxnItem parse_txn_add(const nlmsghdr *nlh)
{
	TopTable tb{};
	TxnItem item;

	parse_top_attrs(nlh, tb);
	const int n = !!tb[NFKNOCK_A_SERVICE] + !!tb[NFKNOCK_A_KNOCK_PORT] +
		      !!tb[NFKNOCK_A_USER];
	if (n != 1)
		throw ProtocolError("TXN_ADD needs exactly one of SERVICE, "
				    "KNOCK_PORT, USER");
	if (tb[NFKNOCK_A_SERVICE]) {
		item.kind = TxnItem::GUARD;
		item.service = service_from_nest(tb[NFKNOCK_A_SERVICE]);
	} else if (tb[NFKNOCK_A_KNOCK_PORT]) {
		item.kind = TxnItem::KNOCK_PORT;
		item.service = service_from_nest(tb[NFKNOCK_A_KNOCK_PORT]);
	} else {
		item.kind = TxnItem::USER;
		item.user = user_from_nest(tb[NFKNOCK_A_USER], &item.keys);
	}
	return item;
}

User parse_user(const nlmsghdr *nlh)
{
	TopTable tb{};

	parse_top_attrs(nlh, tb);
	return user_from_nest(need(tb[NFKNOCK_A_USER], "user"), nullptr);
}

Service parse_knock_port(const nlmsghdr *nlh)
{
	TopTable tb{};

	parse_top_attrs(nlh, tb);
	return service_from_nest(need(tb[NFKNOCK_A_KNOCK_PORT], "knock port"));
}

} // namespace knockctl
