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
//
// Cut by object as the kernel's netlink layer is: codec.cpp the shared base
// (policies, helpers of codec_internal.hpp), then codec_config.cpp,
// codec_grants.cpp, codec_users.cpp, codec_static_seqs.cpp,
// codec_lockouts.cpp and codec_apply.cpp.
#pragma once

#include <cstdint>
#include <optional>

#include <linux/nfknock.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "derive.hpp"
#include "errors.hpp"
#include "model.hpp"
#include "netlink.hpp"

namespace knockctl {

// --- codec.cpp: the base ---

// Empty request with the genl header; @dump adds NLM_F_DUMP.
MsgPtr build_request(int family, uint8_t cmd, bool dump = false);
// genl command of a message (throws ProtocolError if too short).
uint8_t message_cmd(const nlmsghdr *nlh);

// NFKNOCK_A_SERVICE nest (PROTO, PORT, PORT_END).
void encode_service(nl_msg *msg, const Service &svc);
// NFKNOCK_A_KNOCK_PORT nest, shaped like NFKNOCK_A_SERVICE.
void encode_knock_port(nl_msg *msg, const Service &svc);

// --- codec_config.cpp: status, parameters, guards, knock ports, flush ---

MsgPtr build_get_status(int family);
MsgPtr build_set_params(int family, const Params &params);
MsgPtr build_add_guard(int family, const Service &svc);
MsgPtr build_del_guard(int family, const Service &svc);
MsgPtr build_get_guards(int family);
MsgPtr build_get_knock_ports(int family);
MsgPtr build_flush(int family);

// GET_STATUS reply attributes, stats nest included.
void encode_status(nl_msg *msg, const Status &status);

Status parse_status(const nlmsghdr *nlh);
Params parse_set_params(const nlmsghdr *nlh);
// ADD_GUARD / DEL_GUARD request or GET_GUARDS entry.
Service parse_guard(const nlmsghdr *nlh);
// A GET_KNOCK_PORTS entry.
Service parse_knock_port(const nlmsghdr *nlh);

// --- codec_grants.cpp: grants ---

MsgPtr build_add_grant(int family, const Grant &grant);
MsgPtr build_del_grant(int family, const Revoke &revoke);
MsgPtr build_get_grants(int family);

// NFKNOCK_A_GRANT nest (ADDR, PROTO, PORT, TIMEOUT_MS, FLAGS and USER_FPR
// if nonzero).
void encode_grant(nl_msg *msg, const Grant &grant);

// ADD_GRANT request or GET_GRANTS entry.
Grant parse_grant(const nlmsghdr *nlh);
Revoke parse_del_grant(const nlmsghdr *nlh);

// --- codec_users.cpp: the user nest, GET_USERS ---

MsgPtr build_get_users(int family);

// NFKNOCK_A_USER nest; with @keys the three key attributes (TXN_ADD), else
// LAST_TS_MS, KNOCKS and GRANTS if set (a GET_USERS entry, as the kernel
// sends it). The SEQ nest, all five attributes, when the user has
// sequences.
void encode_user(nl_msg *msg, const User &user, const UserKeys *keys);

// A GET_USERS entry (keys are never in it).
User parse_user(const nlmsghdr *nlh);

// --- codec_static_seqs.cpp: the static sequence nest, GET_STATIC_SEQS ---

MsgPtr build_get_static_seqs(int family);

// NFKNOCK_A_STATIC_SEQ nest: NAME, STEPS (a SERVICE nest per step), OPENS,
// DURATION_S; each port nest PROTO and PORT only (single ports). The same
// in a TXN_ADD and a GET_STATIC_SEQS entry.
void encode_static_seq(nl_msg *msg, const StaticSequence &seq);

// A GET_STATIC_SEQS entry.
StaticSequence parse_static_seq(const nlmsghdr *nlh);

// --- codec_lockouts.cpp: lockout of failing sources ---

MsgPtr build_get_lockouts(int family);
// DEL_LOCKOUT: the LOCKOUT nest with ADDR alone (4 or 16 bytes).
MsgPtr build_del_lockout(int family, const Address &addr);

// NFKNOCK_A_LOCKOUT nest of a GET_LOCKOUTS entry, as the kernel sends it
// (ADDR, PREFIX_LEN, FAILURES, LOCKED_MS).
void encode_lockout(nl_msg *msg, const SourceLockout &l);

// A GET_LOCKOUTS entry.
SourceLockout parse_lockout(const nlmsghdr *nlh);
// A DEL_LOCKOUT request's address.
Address parse_del_lockout(const nlmsghdr *nlh);

// --- codec_apply.cpp: whole-configuration replacement (TXN_*) ---

// The parameters @params sets, PROGRESS_MAX and the lockout's included.
MsgPtr build_txn_begin(int family, const TxnParams &params);
MsgPtr build_txn_add_guard(int family, const Service &svc);
MsgPtr build_txn_add_knock_port(int family, const Service &svc);
// NAME, FPR, K_AEAD, K_HINT, K_SEQ, ALLOW, SOURCES, MAX_DURATION_S,
// EXPIRES_S (if nonzero), FLAGS (if nonzero), MAX_GRANTS (if set), SEQ
// (if set).
MsgPtr build_txn_add_user(int family, const User &user, const UserKeys &keys);
MsgPtr build_txn_add_static_seq(int family, const StaticSequence &seq);
// With @confirm_ms, CONFIRM_MS: the commit is on trial, rolled back by
// the module unless CONFIRM comes within that time.
MsgPtr build_txn_commit(int family, std::optional<uint32_t> confirm_ms = std::nullopt);
// A TXN_COMMIT request's CONFIRM_MS, if it has one.
std::optional<uint32_t> parse_txn_commit(const nlmsghdr *nlh);
MsgPtr build_txn_abort(int family);
// CONFIRM: keep the configuration on trial (no attributes).
MsgPtr build_confirm(int family);

// The TXN_COMMIT or CONFIRM reply's NFKNOCK_A_REVOKED (what the kernel
// puts in it), and back: how many grants the new configuration revoked (0
// if absent).
void encode_commit_reply(nl_msg *msg, uint32_t revoked);
uint32_t parse_commit_reply(const nlmsghdr *nlh);

TxnParams parse_txn_begin(const nlmsghdr *nlh);

// What one TXN_ADD carries.
struct TxnItem {
	enum Kind { GUARD, KNOCK_PORT, USER, STATIC_SEQ } kind = GUARD;
	Service service;	// GUARD, KNOCK_PORT
	User user;		// USER
	UserKeys keys;		// USER
	StaticSequence static_seq;	// STATIC_SEQ
};
// Exactly one of SERVICE, KNOCK_PORT, USER, STATIC_SEQ, else ProtocolError.
TxnItem parse_txn_add(const nlmsghdr *nlh);

} // namespace knockctl
