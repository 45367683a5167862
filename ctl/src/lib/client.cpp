// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "client.hpp"

#include "codec.hpp"
#include "errors.hpp"

namespace knockctl {

namespace {

bool interrupted(const std::vector<MsgPtr> &replies)
{
	for (const MsgPtr &m : replies)
		if (nlmsg_hdr(m.get())->nlmsg_flags & NLM_F_DUMP_INTR)
			return true;
	return false;
}

} // namespace

std::vector<MsgPtr> Client::dump(MsgPtr (*build)(int family))
{
	for (int attempt = 1;; attempt++) {
		try {
			std::vector<MsgPtr> replies = t_.exchange(build(t_.family()).get());

			if (!interrupted(replies))
				return replies;
		} catch (const DumpInterrupted &) {
		}
		if (attempt == DUMP_ATTEMPTS)
			throw DumpInterrupted();
	}
}

Status Client::status()
{
	auto replies = t_.exchange(build_get_status(t_.family()).get());

	if (replies.empty())
		throw ProtocolError("no status reply");
	return parse_status(nlmsg_hdr(replies.front().get()));
}

void Client::set_params(const Params &params)
{
	t_.exchange(build_set_params(t_.family(), params).get());
}

void Client::add_guard(const Service &svc)
{
	t_.exchange(build_add_guard(t_.family(), svc).get());
}

void Client::del_guard(const Service &svc)
{
	t_.exchange(build_del_guard(t_.family(), svc).get());
}

std::vector<Service> Client::guards()
{
	return dump(build_get_guards, parse_guard);
}

void Client::add_grant(const Grant &grant)
{
	t_.exchange(build_add_grant(t_.family(), grant).get());
}

void Client::del_grant(const Revoke &revoke)
{
	t_.exchange(build_del_grant(t_.family(), revoke).get());
}

std::vector<Grant> Client::grants()
{
	return dump(build_get_grants, parse_grant);
}

void Client::flush()
{
	t_.exchange(build_flush(t_.family()).get());
}

void Client::txn_begin(const TxnParams &params)
{
	t_.exchange(build_txn_begin(t_.family(), params).get());
}

void Client::txn_add_guard(const Service &svc)
{
	t_.exchange(build_txn_add_guard(t_.family(), svc).get());
}

void Client::txn_add_knock_port(const Service &svc)
{
	t_.exchange(build_txn_add_knock_port(t_.family(), svc).get());
}

void Client::txn_add_user(const User &user, const UserKeys &keys)
{
	MsgPtr msg = build_txn_add_user(t_.family(), user, keys);
	nlmsghdr *h = nlmsg_hdr(msg.get());

	try {
		t_.exchange(msg.get());
	} catch (...) {
		sodium_memzero(nlmsg_data(h), std::size_t(nlmsg_datalen(h)));
		throw;
	}
	// The message carried the user's keys.
	sodium_memzero(nlmsg_data(h), std::size_t(nlmsg_datalen(h)));
}

void Client::txn_add_static_seq(const StaticSequence &seq)
{
	t_.exchange(build_txn_add_static_seq(t_.family(), seq).get());
}

uint32_t Client::txn_commit(std::optional<uint32_t> confirm_ms)
{
	auto replies = t_.exchange(build_txn_commit(t_.family(), confirm_ms).get());

	// Older modules answer with the ack alone.
	if (replies.empty())
		return 0;
	return parse_commit_reply(nlmsg_hdr(replies.front().get()));
}

void Client::txn_abort()
{
	t_.exchange(build_txn_abort(t_.family()).get());
}

uint32_t Client::confirm()
{
	auto replies = t_.exchange(build_confirm(t_.family()).get());

	// The ack alone still means confirmed: say so rather than fail.
	if (replies.empty())
		return 0;
	return parse_commit_reply(nlmsg_hdr(replies.front().get()));
}

std::vector<User> Client::users()
{
	return dump(build_get_users, parse_user);
}

std::vector<Service> Client::knock_ports()
{
	return dump(build_get_knock_ports, parse_knock_port);
}

std::vector<StaticSequence> Client::static_seqs()
{
	return dump(build_get_static_seqs, parse_static_seq);
}

std::vector<SourceLockout> Client::lockouts()
{
	return dump(build_get_lockouts, parse_lockout);
}

void Client::del_lockout(const Address &addr)
{
	t_.exchange(build_del_lockout(t_.family(), addr).get());
}

} // namespace knockctl
