// SPDX-License-Identifier: GPL-2.0 OR MIT
// Inside the codec: the policies and helpers the codec_*.cpp files share,
// as kmod/nl.h is inside the kernel's netlink layer. Not for other callers;
// they use codec.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec.hpp"

namespace knockctl {

// Parsing policies, all of them (set up in codec.cpp): the type gives the
// minimum length libnl checks; an attribute above the maximum type is
// skipped (forward compatibility).
struct Policies {
	std::array<nla_policy, NFKNOCK_A_MAX + 1> top{};
	std::array<nla_policy, NFKNOCK_SVC_A_MAX + 1> svc{};
	std::array<nla_policy, NFKNOCK_GRANT_A_MAX + 1> grant{};
	std::array<nla_policy, NFKNOCK_STAT_A_MAX + 1> stats{};
	std::array<nla_policy, NFKNOCK_USER_A_MAX + 1> user{};
	std::array<nla_policy, NFKNOCK_PREFIX_A_MAX + 1> prefix{};
	std::array<nla_policy, NFKNOCK_SEQ_A_MAX + 1> seq{};
	std::array<nla_policy, NFKNOCK_SSEQ_A_MAX + 1> sseq{};
	std::array<nla_policy, NFKNOCK_LOCK_A_MAX + 1> lock{};

	Policies();
};
const Policies &policies();

using TopTable = std::array<nlattr *, NFKNOCK_A_MAX + 1>;
// Top-level attributes of a genl message (ProtocolError if malformed).
void parse_top_attrs(const nlmsghdr *nlh, TopTable &tb);
// Nest of a known type, parsed with @policy; unknown types are skipped.
template <std::size_t N>
void parse_nest(nlattr *nest, std::array<nlattr *, N> &tb,
		const std::array<nla_policy, N> &policy, const char *name)
{
	if (nla_parse_nested(tb.data(), int(N - 1), nest,
			     const_cast<nla_policy *>(policy.data())) < 0)
		throw ProtocolError(std::string("bad attribute in ") + name);
}
// @attr, or ProtocolError "missing <name>".
nlattr *need(nlattr *attr, const char *name);
// The top-level attribute @type of a message, as need() has it: the one
// nest a guard, knock port, grant or user entry carries.
nlattr *need_top(const nlmsghdr *nlh, int type, const char *name);
// NFKNOCK_SVC_A_* of a SERVICE / KNOCK_PORT nest.
Service service_from_nest(nlattr *nest);
// The NFKNOCK_A_SERVICE nests of a list (a user's ALLOW, a static
// sequence's STEPS); other types are skipped.
std::vector<Service> services_from_list(nlattr *list);
// A string attribute's text, up to its NUL or its end (a user's or a
// static sequence's name).
std::string string_of(nlattr *attr);
// A binary address of 4 (IPv4) or 16 (IPv6) bytes (a grant's, a lockout's
// source), else ProtocolError "missing @what" or "@what of N bytes".
Address address_from_attr(nlattr *attr, const char *what);

// An optional attribute's value, @dflt when absent.
inline uint8_t get_u8(nlattr *a, uint8_t dflt = 0) { return a ? nla_get_u8(a) : dflt; }
inline uint32_t get_u32(nlattr *a, uint32_t dflt = 0) { return a ? nla_get_u32(a) : dflt; }
inline uint64_t get_u64(nlattr *a) { return a ? nla_get_u64(a) : 0; }

// nla_nest_start with NLA_F_NESTED (the kernel validates strictly).
nlattr *nest_start(nl_msg *msg, int type);
// A failed nla_put*: bad_alloc or Error naming @what.
void put_check(int err, const char *what);
// A request of @cmd whose attributes are @encode's of @value.
template <typename T>
MsgPtr build_encoded(int family, uint8_t cmd,
		     void (*encode)(nl_msg *, const T &), const T &value)
{
	MsgPtr msg = build_request(family, cmd);

	encode(msg.get(), value);
	return msg;
}

// codec_config.cpp: GUARD_ACTION / UDP_IDLE_MS / GRANTS_MAX, shared by
// SET_PARAMS and TXN_BEGIN: the ones @p sets, and back.
void encode_params(nl_msg *msg, const Params &p);
void params_from_attrs(const TopTable &tb, Params &p);

// codec_lockouts.cpp: LOCKOUT_THRESHOLD, LOCKOUT_WINDOW_MS,
// LOCKOUT_DURATION_MS and SOURCES_MAX of TXN_BEGIN, the ones @p sets, and
// back; the same four with LOCKED_COUNT in a status reply, and back
// (nothing from a module without lockout).
void encode_lockout_params(nl_msg *msg, const TxnParams &p);
void lockout_params_from_attrs(const TopTable &tb, TxnParams &p);
void encode_lockout_status(nl_msg *msg, const LockoutStatus &s);
std::optional<LockoutStatus> lockout_status_from_attrs(const TopTable &tb);

// codec_users.cpp: the user nest, read by GET_USERS and TXN_ADD; keys only
// when @keys is given (then they must be present).
User user_from_nest(nlattr *nest, UserKeys *keys);

// codec_static_seqs.cpp: the static sequence nest, read by GET_STATIC_SEQS
// and TXN_ADD.
StaticSequence static_seq_from_nest(nlattr *nest);

} // namespace knockctl
