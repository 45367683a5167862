// SPDX-License-Identifier: GPL-2.0 OR MIT
// Messages of the lockout of failing sources, as kmod/lockout.c handles
// them: its parameters (TXN_BEGIN) and state (GET_STATUS), the dump of
// failing and locked sources, and forgetting one.
#include "codec_internal.hpp"

#include <utility>

namespace knockctl {

namespace {

using LockTable = std::array<nlattr *, NFKNOCK_LOCK_A_MAX + 1>;

void lockout_nest(const nlmsghdr *nlh, LockTable &ltb)
{
	parse_nest(need_top(nlh, NFKNOCK_A_LOCKOUT, "lockout"), ltb,
		   policies().lock, "lockout");
}

void put_u32(nl_msg *msg, int type, uint32_t value, const char *what)
{
	put_check(nla_put_u32(msg, type, value), what);
}

// The lockout's attributes of TXN_BEGIN and the fields that carry them.
constexpr std::pair<int, std::optional<uint32_t> TxnParams::*> LOCKOUT_PARAMS[] = {
	{NFKNOCK_A_LOCKOUT_THRESHOLD, &TxnParams::lockout_threshold},
	{NFKNOCK_A_LOCKOUT_WINDOW_MS, &TxnParams::lockout_window_ms},
	{NFKNOCK_A_LOCKOUT_DURATION_MS, &TxnParams::lockout_duration_ms},
	{NFKNOCK_A_SOURCES_MAX, &TxnParams::sources_max},
};

} // namespace

void encode_lockout_params(nl_msg *msg, const TxnParams &p)
{
	for (const auto &[type, field] : LOCKOUT_PARAMS)
		if (p.*field)
			put_u32(msg, type, *(p.*field), "params");
}

void lockout_params_from_attrs(const TopTable &tb, TxnParams &p)
{
	for (const auto &[type, field] : LOCKOUT_PARAMS)
		if (tb[type])
			p.*field = nla_get_u32(tb[type]);
}

void encode_lockout_status(nl_msg *msg, const LockoutStatus &s)
{
	put_u32(msg, NFKNOCK_A_LOCKOUT_THRESHOLD, s.threshold, "status");
	put_u32(msg, NFKNOCK_A_LOCKOUT_WINDOW_MS, s.window_ms, "status");
	put_u32(msg, NFKNOCK_A_LOCKOUT_DURATION_MS, s.duration_ms, "status");
	put_u32(msg, NFKNOCK_A_SOURCES_MAX, s.sources_max, "status");
	put_u32(msg, NFKNOCK_A_LOCKED_COUNT, s.locked, "status");
}

std::optional<LockoutStatus> lockout_status_from_attrs(const TopTable &tb)
{
	LockoutStatus s;

	// The module sends all five or, without lockout, none.
	if (!tb[NFKNOCK_A_LOCKOUT_THRESHOLD])
		return std::nullopt;
	s.threshold = nla_get_u32(tb[NFKNOCK_A_LOCKOUT_THRESHOLD]);
	s.window_ms = get_u32(tb[NFKNOCK_A_LOCKOUT_WINDOW_MS]);
	s.duration_ms = get_u32(tb[NFKNOCK_A_LOCKOUT_DURATION_MS]);
	s.sources_max = get_u32(tb[NFKNOCK_A_SOURCES_MAX]);
	s.locked = get_u32(tb[NFKNOCK_A_LOCKED_COUNT]);
	return s;
}

MsgPtr build_get_lockouts(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_LOCKOUTS, true);
}

MsgPtr build_del_lockout(int family, const Address &addr)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_DEL_LOCKOUT);
	nlattr *nest = nest_start(msg.get(), NFKNOCK_A_LOCKOUT);

	put_check(nla_put(msg.get(), NFKNOCK_LOCK_A_ADDR, int(addr.size()),
			  addr.bytes.data()), "unlock");
	nla_nest_end(msg.get(), nest);
	return msg;
}

void encode_lockout(nl_msg *msg, const SourceLockout &l)
{
	nlattr *nest = nest_start(msg, NFKNOCK_A_LOCKOUT);

	put_check(nla_put(msg, NFKNOCK_LOCK_A_ADDR, int(l.addr.size()),
			  l.addr.bytes.data()), "lockout");
	put_check(nla_put_u8(msg, NFKNOCK_LOCK_A_PREFIX_LEN, l.prefix_len), "lockout");
	put_u32(msg, NFKNOCK_LOCK_A_FAILURES, l.failures, "lockout");
	put_u32(msg, NFKNOCK_LOCK_A_LOCKED_MS, l.locked_ms, "lockout");
	nla_nest_end(msg, nest);
}

SourceLockout parse_lockout(const nlmsghdr *nlh)
{
	LockTable ltb{};
	SourceLockout l;

	lockout_nest(nlh, ltb);
	l.addr = address_from_attr(ltb[NFKNOCK_LOCK_A_ADDR], "lockout address");
	// A module that leaves it out: the whole address.
	l.prefix_len = get_u8(ltb[NFKNOCK_LOCK_A_PREFIX_LEN],
			      uint8_t(l.addr.size() * 8));
	l.failures = get_u32(ltb[NFKNOCK_LOCK_A_FAILURES]);
	l.locked_ms = get_u32(ltb[NFKNOCK_LOCK_A_LOCKED_MS]);
	return l;
}

Address parse_del_lockout(const nlmsghdr *nlh)
{
	LockTable ltb{};

	lockout_nest(nlh, ltb);
	return address_from_attr(ltb[NFKNOCK_LOCK_A_ADDR], "lockout address");
}

} // namespace knockctl
