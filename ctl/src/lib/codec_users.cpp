// SPDX-License-Identifier: GPL-2.0 OR MIT
// The user codec, as kmod/nl_users.c has it: the USER nest (with its keys in
// a TXN_ADD, with its counters in a GET_USERS entry) and the users dump.
#include "codec_internal.hpp"

#include <netinet/in.h>

#include <cstring>
#include <string>

#include "sequence.hpp"

namespace knockctl {

namespace {

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

	parse_nest(nest, tb, policies().prefix, "prefix");
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

// All five attributes, always: the kernel's defaults for absent ones are
// the core's, but a user's parameters are then plain in every message.
void encode_seq(nl_msg *msg, const Sequence &s)
{
	nlattr *nest = nest_start(msg, NFKNOCK_USER_A_SEQ);

	put_check(nla_put_u8(msg, NFKNOCK_SEQ_A_LENGTH, s.length), "sequence");
	put_check(nla_put_u16(msg, NFKNOCK_SEQ_A_LO, s.lo), "sequence");
	put_check(nla_put_u16(msg, NFKNOCK_SEQ_A_HI, s.hi), "sequence");
	put_check(nla_put_u8(msg, NFKNOCK_SEQ_A_PROTO, s.proto), "sequence");
	put_check(nla_put_u32(msg, NFKNOCK_SEQ_A_WINDOW_S, s.window_s), "sequence");
	nla_nest_end(msg, nest);
}

// An attribute left out is the default, as the kernel takes it (uapi).
Sequence seq_from_nest(nlattr *nest)
{
	std::array<nlattr *, NFKNOCK_SEQ_A_MAX + 1> tb{};
	const Sequence d = default_sequence();
	Sequence s;

	parse_nest(nest, tb, policies().seq, "sequence");
	s.length = get_u8(tb[NFKNOCK_SEQ_A_LENGTH], d.length);
	s.lo = tb[NFKNOCK_SEQ_A_LO] ? nla_get_u16(tb[NFKNOCK_SEQ_A_LO]) : d.lo;
	s.hi = tb[NFKNOCK_SEQ_A_HI] ? nla_get_u16(tb[NFKNOCK_SEQ_A_HI]) : d.hi;
	s.proto = get_u8(tb[NFKNOCK_SEQ_A_PROTO], d.proto);
	s.window_s = get_u32(tb[NFKNOCK_SEQ_A_WINDOW_S], d.window_s);
	return s;
}

} // namespace

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
	if (u.seq)
		encode_seq(msg, *u.seq);
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

User user_from_nest(nlattr *nest, UserKeys *keys)
{
	std::array<nlattr *, NFKNOCK_USER_A_MAX + 1> tb{};
	User u;
	nlattr *child;
	int rem;

	parse_nest(nest, tb, policies().user, "user");
	u.name = string_of(need(tb[NFKNOCK_USER_A_NAME], "user name"));
	copy_exact(need(tb[NFKNOCK_USER_A_FPR], "user fingerprint"), u.fpr);
	u.allow = services_from_list(need(tb[NFKNOCK_USER_A_ALLOW], "user allow"));
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
	if (tb[NFKNOCK_USER_A_SEQ])
		u.seq = seq_from_nest(tb[NFKNOCK_USER_A_SEQ]);
	if (keys) {
		copy_exact(need(tb[NFKNOCK_USER_A_K_AEAD], "user k_aead"), keys->k_aead);
		copy_exact(need(tb[NFKNOCK_USER_A_K_HINT], "user k_hint"), keys->k_hint);
		copy_exact(need(tb[NFKNOCK_USER_A_K_SEQ], "user k_seq"), keys->k_seq);
	}
	return u;
}

MsgPtr build_get_users(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_USERS, true);
}

User parse_user(const nlmsghdr *nlh)
{
	return user_from_nest(need_top(nlh, NFKNOCK_A_USER, "user"), nullptr);
}

} // namespace knockctl
