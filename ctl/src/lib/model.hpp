// SPDX-License-Identifier: GPL-2.0 OR MIT
// Plain values knockctl works with. Nothing here knows about netlink; the
// numbers (protocols, flags, actions) are those of the uapi contract.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <sys/socket.h>

namespace knockctl {

// A protocol and an inclusive port range; single port when port == port_end.
struct Service {
	uint8_t proto = 0;	// IPPROTO_TCP or IPPROTO_UDP
	uint16_t port = 0;
	uint16_t port_end = 0;

	bool operator==(const Service &) const = default;
};

// An IPv4 (4 bytes used) or IPv6 (16 bytes) address in network order.
struct Address {
	int family = 0;		// AF_INET or AF_INET6
	std::array<uint8_t, 16> bytes{};

	std::size_t size() const { return family == AF_INET6 ? 16 : 4; }
	bool operator==(const Address &) const = default;
};

struct Stats {
	uint64_t guarded = 0;
	uint64_t passed_grant = 0;
	uint64_t passed_stateless = 0;
	uint64_t refused = 0;
	uint64_t truncated = 0;
	uint64_t grants_added = 0;
	uint64_t grants_expired = 0;
	uint64_t grants_full = 0;
	uint64_t grants_user_full = 0;	// refused: the user was at its cap
	uint64_t grants_revoked = 0;	// by an apply or a flush
	// To a guarded port, but the host's own traffic (loopback) or traffic
	// it forwards: guards are about visitors of this host.
	uint64_t passed_scope = 0;
	uint64_t refused_stray = 0;

	bool operator==(const Stats &) const = default;
};

// Knock verdicts (NFKNOCK_STAT_A_KNOCKS_*).
struct KnockStats {
	uint64_t accepted = 0;
	uint64_t unknown = 0;
	uint64_t bad_auth = 0;
	uint64_t stale = 0;
	uint64_t replay = 0;
	uint64_t not_allowed = 0;
	uint64_t malformed = 0;
	uint64_t unbound = 0;	// not from the address the datagram names

	bool operator==(const KnockStats &) const = default;
};

// Derived port sequences (NFKNOCK_STAT_A_SEQ_*).
struct SeqStats {
	uint64_t steps = 0;		// packets taken as a step
	uint64_t completed = 0;		// completed and granted
	uint64_t failed = 0;		// ended by a wrong port
	uint64_t timeout = 0;		// next step too late
	uint64_t evicted = 0;		// pushed out of a full progress table
	uint64_t not_allowed = 0;	// completed, refused by the user's policy

	bool operator==(const SeqStats &) const = default;
};

// Lockout of failing sources (NFKNOCK_STAT_A_LOCKOUT*).
struct LockoutStats {
	uint64_t started = 0;		// lockouts started
	uint64_t refused = 0;		// sequence steps refused: source locked
	uint64_t evicted = 0;		// source entries pushed out, table full

	bool operator==(const LockoutStats &) const = default;
};

// The lockout in force (GET_STATUS): @threshold failures of a source
// within @window_ms lock it out for @duration_ms.
struct LockoutStatus {
	uint32_t threshold = 0;		// 0: off
	uint32_t window_ms = 0;
	uint32_t duration_ms = 0;
	uint32_t sources_max = 0;	// the source table; 0 while it has none
	uint32_t locked = 0;		// sources locked out now

	bool operator==(const LockoutStatus &) const = default;
};

// A GET_LOCKOUTS entry: a source with failures in its window or locked
// out. IPv6 sources are /64s (the rest of the address zero).
struct SourceLockout {
	Address addr;
	uint8_t prefix_len = 0;		// 32 or 64
	uint32_t failures = 0;		// in the current window
	uint32_t locked_ms = 0;		// left of its lockout; 0: not locked

	bool operator==(const SourceLockout &) const = default;
};

struct Status {
	uint32_t api_version = 0;
	bool hooked = false;
	uint8_t guard_action = 0;	// enum nfknock_guard_action
	uint32_t udp_idle_ms = 0;
	uint32_t grants_max = 0;
	uint32_t grants_count = 0;
	uint32_t guards_count = 0;
	uint32_t skew_ms = 0;
	uint8_t knock_packets = 0;	// enum nfknock_knock_packets
	uint32_t users_count = 0;
	uint32_t knock_ports_count = 0;
	// A namespace of a non-initial user namespace (unprivileged
	// container): the module applies lower ceilings. Absent: false.
	bool limited = false;
	// Buckets of the grant table: the module sizes it by the cap (about
	// four grants per bucket when full); 0 before the first configuration.
	uint32_t grant_buckets = 0;
	// The sequence progress table: its size and the attempts in it. Absent
	// from a module without sequences.
	std::optional<uint32_t> progress_max;
	std::optional<uint32_t> progress_count;
	// Static sequences loaded. Absent from a module without them.
	std::optional<uint32_t> static_seqs_count;
	// The lockout's parameters and table. Absent from a module without.
	std::optional<LockoutStatus> lockout;
	// Milliseconds left to confirm the configuration on trial (apply
	// --confirm) before the module rolls it back; absent when none is.
	std::optional<uint32_t> confirm_left_ms;
	Stats stats;
	KnockStats knocks;
	SeqStats seq;
	LockoutStats lockouts;

	bool operator==(const Status &) const = default;
};

// SET_PARAMS: only the fields that are set are sent.
struct Params {
	std::optional<uint8_t> guard_action;
	std::optional<uint32_t> udp_idle_ms;
	std::optional<uint32_t> grants_max;

	bool empty() const { return !guard_action && !udp_idle_ms && !grants_max; }
	bool operator==(const Params &) const = default;
};

// A grant: request for ADD_GRANT (timeout = duration) and dump entry of
// GET_GRANTS (timeout = milliseconds left, flags may carry USED).
struct Grant {
	Address addr;
	uint8_t proto = 0;
	uint16_t port = 0;
	uint32_t timeout_ms = 0;
	uint32_t flags = 0;	// NFKNOCK_GRANT_F_*
	// GET_GRANTS only: fingerprint of the user whose knock made the grant;
	// all zero for a grant made by an administrator.
	std::array<uint8_t, 8> user_fpr{};

	bool operator==(const Grant &) const = default;
};

// DEL_GRANT: every grant of addr, or only the one for proto/port.
struct Revoke {
	Address addr;
	std::optional<Service> service;	// single port (port_end == port)

	bool operator==(const Revoke &) const = default;
};

// A source prefix of a knock user: address with no host bits, length.
struct Prefix {
	Address addr;
	uint8_t len = 0;

	bool operator==(const Prefix &) const = default;
};

// A user's derived port sequences (NFKNOCK_USER_A_SEQ): the value of the
// core's struct nfk_seq_params (kmod/core/seq.h; sequence.hpp converts and
// gives the defaults).
struct Sequence {
	uint8_t length = 0;		// steps
	uint16_t lo = 0;		// port range of the steps
	uint16_t hi = 0;
	uint8_t proto = 0;		// of the steps: IPPROTO_TCP (SYN) or UDP
	uint32_t window_s = 0;

	bool operator==(const Sequence &) const = default;
};

// A knock user as loaded (TXN_ADD) and dumped (GET_USERS). Keys are not
// here: they are write-only (see derive.hpp UserKeys).
struct User {
	std::string name;
	std::array<uint8_t, 8> fpr{};
	std::vector<Service> allow;
	std::vector<Prefix> sources;
	uint32_t max_duration_s = 0;
	uint64_t expires_s = 0;		// unix seconds, 0 = never
	uint32_t flags = 0;		// NFKNOCK_USER_F_*
	// Live grants the user's knocks may hold at once; sent when set
	// (apply always sets it). Unset in a dump of an older module.
	std::optional<uint32_t> max_grants;
	// Sequences for each single-port service of allow; none when unset.
	std::optional<Sequence> seq;
	uint64_t last_ts_ms = 0;	// GET_USERS only
	uint64_t knocks = 0;		// GET_USERS only
	std::optional<uint32_t> grants;	// GET_USERS only: live grants

	bool operator==(const User &) const = default;
};

// A static port sequence (NFKNOCK_A_STATIC_SEQ, [[sequence]] in the
// server configuration): whoever sends @steps in order gets a grant for
// @opens, from the address the steps came from, for @duration_s.
struct StaticSequence {
	std::string name;
	std::vector<Service> steps;	// single ports
	Service opens;			// single port
	uint32_t duration_s = 0;

	bool operator==(const StaticSequence &) const = default;
};

// TXN_BEGIN parameters: only the fields that are set are sent.
struct TxnParams : Params {
	std::optional<uint32_t> skew_ms;
	std::optional<uint8_t> knock_packets;
	// Entries of the sequence progress table (limits.progress).
	std::optional<uint32_t> progress_max;
	// The lockout of failing sources ([lockout]) and the source table's
	// entries (limits.sources).
	std::optional<uint32_t> lockout_threshold;
	std::optional<uint32_t> lockout_window_ms;
	std::optional<uint32_t> lockout_duration_ms;
	std::optional<uint32_t> sources_max;

	bool operator==(const TxnParams &) const = default;
};

} // namespace knockctl
