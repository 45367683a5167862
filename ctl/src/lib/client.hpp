// SPDX-License-Identifier: GPL-2.0 OR MIT
// One method per nfknock command: model in, model out. Uses the codec and
// a Transport; knows nothing about the command line.
#pragma once

#include <optional>
#include <vector>

#include "derive.hpp"
#include "model.hpp"
#include "transport.hpp"

namespace knockctl {

// A dump the kernel flags as interrupted (NLM_F_DUMP_INTR: its state
// changed between two rounds) is started over from the beginning, at most
// this many attempts in all; then DumpInterrupted is thrown.
inline constexpr int DUMP_ATTEMPTS = 5;

class Client {
public:
	explicit Client(Transport &t) : t_(t) {}

	Status status();
	void set_params(const Params &params);
	void add_guard(const Service &svc);
	void del_guard(const Service &svc);
	std::vector<Service> guards();
	void add_grant(const Grant &grant);
	void del_grant(const Revoke &revoke);
	std::vector<Grant> grants();
	void flush();

	// Staged apply; every call goes over the same transport (socket).
	void txn_begin(const TxnParams &params);
	void txn_add_guard(const Service &svc);
	void txn_add_knock_port(const Service &svc);
	void txn_add_user(const User &user, const UserKeys &keys);
	void txn_add_static_seq(const StaticSequence &seq);
	// Returns how many grants the kernel revoked because the new
	// configuration no longer allows them (0 from a module whose commit
	// answers with an ack only). With @confirm_ms the commit is on trial:
	// nothing is revoked yet, and the module rolls it back unless
	// confirm() comes within that time.
	uint32_t txn_commit(std::optional<uint32_t> confirm_ms = std::nullopt);
	void txn_abort();
	// Keep the configuration on trial; returns how many grants it revoked
	// then (ENOENT when none is on trial).
	uint32_t confirm();
	std::vector<User> users();
	std::vector<Service> knock_ports();
	std::vector<StaticSequence> static_seqs();
	std::vector<SourceLockout> lockouts();
	// Forget @addr's failures and lockout (an IPv6 address: its /64).
	void del_lockout(const Address &addr);

private:
	// Every message of a consistent dump of @build's request.
	std::vector<MsgPtr> dump(MsgPtr (*build)(int family));
	// The same, each message read by @parse.
	template <typename T>
	std::vector<T> dump(MsgPtr (*build)(int family), T (*parse)(const nlmsghdr *))
	{
		std::vector<T> out;

		for (const MsgPtr &m : dump(build))
			out.push_back(parse(nlmsg_hdr(m.get())));
		return out;
	}

	Transport &t_;
};

} // namespace knockctl
