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

#include <cstdint>

#include <linux/nfknock.h>
#include <netlink/msg.h>

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
// NFKNOCK_A_GRANT nest (ADDR, PROTO, PORT, TIMEOUT_MS, FLAGS if nonzero).
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

} // namespace knockctl
