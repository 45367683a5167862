// SPDX-License-Identifier: GPL-2.0 OR MIT
// Messages of whole-configuration replacement (TXN_BEGIN, TXN_ADD,
// TXN_COMMIT, TXN_ABORT) and of the dumps of what it loaded (GET_USERS,
// GET_KNOCK_PORTS). Same conventions as codec.hpp.
#pragma once

#include <cstdint>

#include "codec.hpp"
#include "derive.hpp"

namespace knockctl {

MsgPtr build_txn_begin(int family, const TxnParams &params);
MsgPtr build_txn_add_guard(int family, const Service &svc);
MsgPtr build_txn_add_knock_port(int family, const Service &svc);
// NAME, FPR, K_AEAD, K_HINT, K_SEQ, ALLOW, SOURCES, MAX_DURATION_S,
// EXPIRES_S (if nonzero), FLAGS (if nonzero), MAX_GRANTS (if set).
MsgPtr build_txn_add_user(int family, const User &user, const UserKeys &keys);
MsgPtr build_txn_commit(int family);
MsgPtr build_txn_abort(int family);
MsgPtr build_get_users(int family);
MsgPtr build_get_knock_ports(int family);

// NFKNOCK_A_USER nest; with @keys the three key attributes (TXN_ADD), else
// LAST_TS_MS, KNOCKS and GRANTS if set (a GET_USERS entry, as the kernel
// sends it).
void encode_user(nl_msg *msg, const User &user, const UserKeys *keys);
// NFKNOCK_A_KNOCK_PORT nest, shaped like NFKNOCK_A_SERVICE.
void encode_knock_port(nl_msg *msg, const Service &svc);

// The TXN_COMMIT reply's NFKNOCK_A_REVOKED (what the kernel puts in it),
// and back: how many grants the new configuration revoked (0 if absent).
void encode_commit_reply(nl_msg *msg, uint32_t revoked);
uint32_t parse_commit_reply(const nlmsghdr *nlh);

TxnParams parse_txn_begin(const nlmsghdr *nlh);

// What one TXN_ADD carries.
struct TxnItem {
	enum Kind { GUARD, KNOCK_PORT, USER } kind = GUARD;
	Service service;	// GUARD, KNOCK_PORT
	User user;		// USER
	UserKeys keys;		// USER
};
// Exactly one of SERVICE, KNOCK_PORT, USER, else ProtocolError.
TxnItem parse_txn_add(const nlmsghdr *nlh);

// A GET_USERS entry (keys are never in it).
User parse_user(const nlmsghdr *nlh);
// A GET_KNOCK_PORTS entry.
Service parse_knock_port(const nlmsghdr *nlh);

} // namespace knockctl
