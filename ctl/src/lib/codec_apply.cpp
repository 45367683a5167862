// SPDX-License-Identifier: GPL-2.0 OR MIT
// Messages of whole-configuration replacement (knockctl apply), as
// kmod/nl_apply.c handles them: TXN_BEGIN, TXN_ADD (guard, knock port,
// user or static sequence), TXN_COMMIT (on trial with CONFIRM_MS) and its
// reply, TXN_ABORT; CONFIRM of a commit on trial.
#include "codec_internal.hpp"

namespace knockctl {

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
	if (p.progress_max)
		put_check(nla_put_u32(m, NFKNOCK_A_PROGRESS_MAX, *p.progress_max),
			  "params");
	encode_lockout_params(m, p);
	return msg;
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
	if (tb[NFKNOCK_A_PROGRESS_MAX])
		p.progress_max = nla_get_u32(tb[NFKNOCK_A_PROGRESS_MAX]);
	lockout_params_from_attrs(tb, p);
	return p;
}

MsgPtr build_txn_add_guard(int family, const Service &svc)
{
	return build_encoded(family, NFKNOCK_CMD_TXN_ADD, encode_service, svc);
}

MsgPtr build_txn_add_knock_port(int family, const Service &svc)
{
	return build_encoded(family, NFKNOCK_CMD_TXN_ADD, encode_knock_port, svc);
}

MsgPtr build_txn_add_user(int family, const User &user, const UserKeys &keys)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_TXN_ADD);

	encode_user(msg.get(), user, &keys);
	return msg;
}

MsgPtr build_txn_add_static_seq(int family, const StaticSequence &seq)
{
	return build_encoded(family, NFKNOCK_CMD_TXN_ADD, encode_static_seq, seq);
}

TxnItem parse_txn_add(const nlmsghdr *nlh)
{
	TopTable tb{};
	TxnItem item;

	parse_top_attrs(nlh, tb);
	const int n = !!tb[NFKNOCK_A_SERVICE] + !!tb[NFKNOCK_A_KNOCK_PORT] +
		      !!tb[NFKNOCK_A_USER] + !!tb[NFKNOCK_A_STATIC_SEQ];
	if (n != 1)
		throw ProtocolError("TXN_ADD needs exactly one of SERVICE, "
				    "KNOCK_PORT, USER, STATIC_SEQ");
	if (tb[NFKNOCK_A_SERVICE]) {
		item.kind = TxnItem::GUARD;
		item.service = service_from_nest(tb[NFKNOCK_A_SERVICE]);
	} else if (tb[NFKNOCK_A_KNOCK_PORT]) {
		item.kind = TxnItem::KNOCK_PORT;
		item.service = service_from_nest(tb[NFKNOCK_A_KNOCK_PORT]);
	} else if (tb[NFKNOCK_A_USER]) {
		item.kind = TxnItem::USER;
		item.user = user_from_nest(tb[NFKNOCK_A_USER], &item.keys);
	} else {
		item.kind = TxnItem::STATIC_SEQ;
		item.static_seq = static_seq_from_nest(tb[NFKNOCK_A_STATIC_SEQ]);
	}
	return item;
}

MsgPtr build_txn_commit(int family, std::optional<uint32_t> confirm_ms)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_TXN_COMMIT);

	if (confirm_ms)
		put_check(nla_put_u32(msg.get(), NFKNOCK_A_CONFIRM_MS, *confirm_ms),
			  "commit");
	return msg;
}

std::optional<uint32_t> parse_txn_commit(const nlmsghdr *nlh)
{
	TopTable tb{};

	parse_top_attrs(nlh, tb);
	if (!tb[NFKNOCK_A_CONFIRM_MS])
		return std::nullopt;
	return nla_get_u32(tb[NFKNOCK_A_CONFIRM_MS]);
}

MsgPtr build_confirm(int family)
{
	return build_request(family, NFKNOCK_CMD_CONFIRM);
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

} // namespace knockctl
