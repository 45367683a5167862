// SPDX-License-Identifier: GPL-2.0 OR MIT
// Generic netlink messages of include/uapi/linux/nfknock.h <-> model structs.
//
// build_*  make a complete request (genl header + attributes) for a family id.
// parse_*  read a message back into the model: requests (round-trip tests,
//          fakes) and replies. Attributes unknown to this version are
//          skipped, so a newer module never breaks an older knockctl; every
//          known attribute's length is checked. Malformed: ProtocolError.
// encode_* put attributes into a message; used by build_* and by tests that
//          play the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <linux/nfknock.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "errors.hpp"
#include "model.hpp"
#include "netlink.hpp"

namespace knockctl {

// Empty request with the genl header; @dump adds NLM_F_DUMP.
MsgPtr build_request(int family, uint8_t cmd, bool dump = false);

MsgPtr build_get_status(int family);
MsgPtr build_set_params(int family, const Params &params);
MsgPtr build_add_guard(int family, const Service &svc);
MsgPtr build_del_guard(int family, const Service &svc);
MsgPtr build_get_guards(int family);
MsgPtr build_add_grant(int family, const Grant &grant);
MsgPtr build_del_grant(int family, const Revoke &revoke);
MsgPtr build_get_grants(int family);
MsgPtr build_flush(int family);

// NFKNOCK_A_SERVICE nest (PROTO, PORT, PORT_END).
void encode_service(nl_msg *msg, const Service &svc);
// NFKNOCK_A_GRANT nest (ADDR, PROTO, PORT, TIMEOUT_MS, FLAGS and USER_FPR
// if nonzero).
void encode_grant(nl_msg *msg, const Grant &grant);
// GET_STATUS reply attributes, stats nest included.
void encode_status(nl_msg *msg, const Status &status);

// genl command of a message (throws ProtocolError if too short).
uint8_t message_cmd(const nlmsghdr *nlh);

Status parse_status(const nlmsghdr *nlh);
Params parse_set_params(const nlmsghdr *nlh);
// ADD_GUARD / DEL_GUARD request or GET_GUARDS entry.
Service parse_guard(const nlmsghdr *nlh);
// ADD_GRANT request or GET_GRANTS entry.
Grant parse_grant(const nlmsghdr *nlh);
Revoke parse_del_grant(const nlmsghdr *nlh);

// Building blocks shared with txn_codec.cpp.
using TopTable = std::array<nlattr *, NFKNOCK_A_MAX + 1>;
// Top-level attributes of a genl message (ProtocolError if malformed).
void parse_top_attrs(const nlmsghdr *nlh, TopTable &tb);
// Nest of a known type, parsed with @policy; unknown types are skipped.
template <std::size_t N>
void parse_nest(nlattr *nest, std::array<nlattr *, N> &tb,
		const std::array<nla_policy, N> &policy, const char *name);
// @attr, or ProtocolError "missing <name>".
nlattr *need(nlattr *attr, const char *name);
// NFKNOCK_SVC_A_* of a SERVICE / KNOCK_PORT nest.
Service service_from_nest(nlattr *nest);
// nla_nest_start with NLA_F_NESTED (the kernel validates strictly).
nlattr *nest_start(nl_msg *msg, int type);
// A failed nla_put*: bad_alloc or Error naming @what.
void put_check(int err, const char *what);
// GUARD_ACTION / UDP_IDLE_MS / GRANTS_MAX, shared by SET_PARAMS and
// TXN_BEGIN: the ones @p sets, and back.
void encode_params(nl_msg *msg, const Params &p);
void params_from_attrs(const TopTable &tb, Params &p);

template <std::size_t N>
void parse_nest(nlattr *nest, std::array<nlattr *, N> &tb,
		const std::array<nla_policy, N> &policy, const char *name)
{
	if (nla_parse_nested(tb.data(), int(N - 1), nest,
			     const_cast<nla_policy *>(policy.data())) < 0)
		throw ProtocolError(std::string("bad attribute in ") + name);
}

} // namespace knockctl
