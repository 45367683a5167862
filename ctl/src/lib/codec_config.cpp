// SPDX-License-Identifier: GPL-2.0 OR MIT
// Messages of the configuration one piece at a time, as kmod/nl_config.c
// handles them: status, parameters, guards, the guard and knock-port dumps,
// flush.
#include "codec_internal.hpp"

#include <utility>

namespace knockctl {

void encode_status(nl_msg *msg, const Status &s)
{
	put_check(nla_put_u32(msg, NFKNOCK_A_API_VERSION, s.api_version), "status");
	put_check(nla_put_u8(msg, NFKNOCK_A_HOOKED, s.hooked ? 1 : 0), "status");
	put_check(nla_put_u8(msg, NFKNOCK_A_GUARD_ACTION, s.guard_action), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_UDP_IDLE_MS, s.udp_idle_ms), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_GRANTS_MAX, s.grants_max), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_GRANTS_COUNT, s.grants_count), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_GUARDS_COUNT, s.guards_count), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_SKEW_MS, s.skew_ms), "status");
	put_check(nla_put_u8(msg, NFKNOCK_A_KNOCK_PACKETS, s.knock_packets), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_USERS_COUNT, s.users_count), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_KNOCK_PORTS_COUNT, s.knock_ports_count),
		  "status");
	put_check(nla_put_u8(msg, NFKNOCK_A_LIMITED, s.limited ? 1 : 0), "status");
	put_check(nla_put_u32(msg, NFKNOCK_A_GRANT_BUCKETS, s.grant_buckets),
		  "status");
	if (s.progress_max)
		put_check(nla_put_u32(msg, NFKNOCK_A_PROGRESS_MAX, *s.progress_max),
			  "status");
	if (s.progress_count)
		put_check(nla_put_u32(msg, NFKNOCK_A_PROGRESS_COUNT, *s.progress_count),
			  "status");
	if (s.static_seqs_count)
		put_check(nla_put_u32(msg, NFKNOCK_A_STATIC_SEQS_COUNT,
				      *s.static_seqs_count), "status");
	if (s.lockout)
		encode_lockout_status(msg, *s.lockout);
	if (s.confirm_left_ms)
		put_check(nla_put_u32(msg, NFKNOCK_A_CONFIRM_MS, *s.confirm_left_ms),
			  "status");

	nlattr *nest = nest_start(msg, NFKNOCK_A_STATS);
	const std::pair<int, uint64_t> counters[] = {
		{NFKNOCK_STAT_A_GUARDED, s.stats.guarded},
		{NFKNOCK_STAT_A_PASSED_GRANT, s.stats.passed_grant},
		{NFKNOCK_STAT_A_PASSED_STATELESS, s.stats.passed_stateless},
		{NFKNOCK_STAT_A_REFUSED, s.stats.refused},
		{NFKNOCK_STAT_A_TRUNCATED, s.stats.truncated},
		{NFKNOCK_STAT_A_GRANTS_ADDED, s.stats.grants_added},
		{NFKNOCK_STAT_A_GRANTS_EXPIRED, s.stats.grants_expired},
		{NFKNOCK_STAT_A_GRANTS_FULL, s.stats.grants_full},
		{NFKNOCK_STAT_A_KNOCKS_ACCEPTED, s.knocks.accepted},
		{NFKNOCK_STAT_A_KNOCKS_UNKNOWN, s.knocks.unknown},
		{NFKNOCK_STAT_A_KNOCKS_BAD_AUTH, s.knocks.bad_auth},
		{NFKNOCK_STAT_A_KNOCKS_STALE, s.knocks.stale},
		{NFKNOCK_STAT_A_KNOCKS_REPLAY, s.knocks.replay},
		{NFKNOCK_STAT_A_KNOCKS_NOT_ALLOWED, s.knocks.not_allowed},
		{NFKNOCK_STAT_A_KNOCKS_MALFORMED, s.knocks.malformed},
		{NFKNOCK_STAT_A_GRANTS_USER_FULL, s.stats.grants_user_full},
		{NFKNOCK_STAT_A_GRANTS_REVOKED, s.stats.grants_revoked},
		{NFKNOCK_STAT_A_PASSED_SCOPE, s.stats.passed_scope},
		{NFKNOCK_STAT_A_REFUSED_STRAY, s.stats.refused_stray},
		{NFKNOCK_STAT_A_KNOCKS_UNBOUND, s.knocks.unbound},
		{NFKNOCK_STAT_A_SEQ_STEPS, s.seq.steps},
		{NFKNOCK_STAT_A_SEQ_COMPLETED, s.seq.completed},
		{NFKNOCK_STAT_A_SEQ_FAILED, s.seq.failed},
		{NFKNOCK_STAT_A_SEQ_TIMEOUT, s.seq.timeout},
		{NFKNOCK_STAT_A_SEQ_EVICTED, s.seq.evicted},
		{NFKNOCK_STAT_A_SEQ_NOT_ALLOWED, s.seq.not_allowed},
		{NFKNOCK_STAT_A_LOCKOUTS, s.lockouts.started},
		{NFKNOCK_STAT_A_LOCKOUT_REFUSED, s.lockouts.refused},
		{NFKNOCK_STAT_A_LOCKOUT_EVICTED, s.lockouts.evicted},
	};
	for (const auto &[type, value] : counters)
		put_check(nla_put_u64(msg, type, value), "stats");
	nla_nest_end(msg, nest);
}

MsgPtr build_get_status(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_STATUS);
}

Status parse_status(const nlmsghdr *nlh)
{
	TopTable tb{};
	Status s;

	parse_top_attrs(nlh, tb);
	s.api_version = get_u32(need(tb[NFKNOCK_A_API_VERSION], "api version"));
	s.hooked = get_u8(tb[NFKNOCK_A_HOOKED]) != 0;
	s.guard_action = get_u8(tb[NFKNOCK_A_GUARD_ACTION]);
	s.udp_idle_ms = get_u32(tb[NFKNOCK_A_UDP_IDLE_MS]);
	s.grants_max = get_u32(tb[NFKNOCK_A_GRANTS_MAX]);
	s.grants_count = get_u32(tb[NFKNOCK_A_GRANTS_COUNT]);
	s.guards_count = get_u32(tb[NFKNOCK_A_GUARDS_COUNT]);
	s.skew_ms = get_u32(tb[NFKNOCK_A_SKEW_MS]);
	s.knock_packets = get_u8(tb[NFKNOCK_A_KNOCK_PACKETS]);
	s.users_count = get_u32(tb[NFKNOCK_A_USERS_COUNT]);
	s.knock_ports_count = get_u32(tb[NFKNOCK_A_KNOCK_PORTS_COUNT]);
	s.limited = get_u8(tb[NFKNOCK_A_LIMITED]) != 0;
	s.grant_buckets = get_u32(tb[NFKNOCK_A_GRANT_BUCKETS]);
	if (tb[NFKNOCK_A_PROGRESS_MAX])
		s.progress_max = nla_get_u32(tb[NFKNOCK_A_PROGRESS_MAX]);
	if (tb[NFKNOCK_A_PROGRESS_COUNT])
		s.progress_count = nla_get_u32(tb[NFKNOCK_A_PROGRESS_COUNT]);
	if (tb[NFKNOCK_A_STATIC_SEQS_COUNT])
		s.static_seqs_count = nla_get_u32(tb[NFKNOCK_A_STATIC_SEQS_COUNT]);
	s.lockout = lockout_status_from_attrs(tb);
	if (tb[NFKNOCK_A_CONFIRM_MS])
		s.confirm_left_ms = nla_get_u32(tb[NFKNOCK_A_CONFIRM_MS]);

	if (tb[NFKNOCK_A_STATS]) {
		std::array<nlattr *, NFKNOCK_STAT_A_MAX + 1> st{};

		parse_nest(tb[NFKNOCK_A_STATS], st, policies().stats, "stats");
		s.stats.guarded = get_u64(st[NFKNOCK_STAT_A_GUARDED]);
		s.stats.passed_grant = get_u64(st[NFKNOCK_STAT_A_PASSED_GRANT]);
		s.stats.passed_stateless = get_u64(st[NFKNOCK_STAT_A_PASSED_STATELESS]);
		s.stats.refused = get_u64(st[NFKNOCK_STAT_A_REFUSED]);
		s.stats.truncated = get_u64(st[NFKNOCK_STAT_A_TRUNCATED]);
		s.stats.grants_added = get_u64(st[NFKNOCK_STAT_A_GRANTS_ADDED]);
		s.stats.grants_expired = get_u64(st[NFKNOCK_STAT_A_GRANTS_EXPIRED]);
		s.stats.grants_full = get_u64(st[NFKNOCK_STAT_A_GRANTS_FULL]);
		s.knocks.accepted = get_u64(st[NFKNOCK_STAT_A_KNOCKS_ACCEPTED]);
		s.knocks.unknown = get_u64(st[NFKNOCK_STAT_A_KNOCKS_UNKNOWN]);
		s.knocks.bad_auth = get_u64(st[NFKNOCK_STAT_A_KNOCKS_BAD_AUTH]);
		s.knocks.stale = get_u64(st[NFKNOCK_STAT_A_KNOCKS_STALE]);
		s.knocks.replay = get_u64(st[NFKNOCK_STAT_A_KNOCKS_REPLAY]);
		s.knocks.not_allowed = get_u64(st[NFKNOCK_STAT_A_KNOCKS_NOT_ALLOWED]);
		s.knocks.malformed = get_u64(st[NFKNOCK_STAT_A_KNOCKS_MALFORMED]);
		s.stats.grants_user_full = get_u64(st[NFKNOCK_STAT_A_GRANTS_USER_FULL]);
		s.stats.grants_revoked = get_u64(st[NFKNOCK_STAT_A_GRANTS_REVOKED]);
		s.stats.passed_scope = get_u64(st[NFKNOCK_STAT_A_PASSED_SCOPE]);
		s.stats.refused_stray = get_u64(st[NFKNOCK_STAT_A_REFUSED_STRAY]);
		s.knocks.unbound = get_u64(st[NFKNOCK_STAT_A_KNOCKS_UNBOUND]);
		s.seq.steps = get_u64(st[NFKNOCK_STAT_A_SEQ_STEPS]);
		s.seq.completed = get_u64(st[NFKNOCK_STAT_A_SEQ_COMPLETED]);
		s.seq.failed = get_u64(st[NFKNOCK_STAT_A_SEQ_FAILED]);
		s.seq.timeout = get_u64(st[NFKNOCK_STAT_A_SEQ_TIMEOUT]);
		s.seq.evicted = get_u64(st[NFKNOCK_STAT_A_SEQ_EVICTED]);
		s.seq.not_allowed = get_u64(st[NFKNOCK_STAT_A_SEQ_NOT_ALLOWED]);
		s.lockouts.started = get_u64(st[NFKNOCK_STAT_A_LOCKOUTS]);
		s.lockouts.refused = get_u64(st[NFKNOCK_STAT_A_LOCKOUT_REFUSED]);
		s.lockouts.evicted = get_u64(st[NFKNOCK_STAT_A_LOCKOUT_EVICTED]);
	}
	return s;
}

void encode_params(nl_msg *msg, const Params &p)
{
	if (p.guard_action)
		put_check(nla_put_u8(msg, NFKNOCK_A_GUARD_ACTION, *p.guard_action), "params");
	if (p.udp_idle_ms)
		put_check(nla_put_u32(msg, NFKNOCK_A_UDP_IDLE_MS, *p.udp_idle_ms), "params");
	if (p.grants_max)
		put_check(nla_put_u32(msg, NFKNOCK_A_GRANTS_MAX, *p.grants_max), "params");
}

void params_from_attrs(const TopTable &tb, Params &p)
{
	if (tb[NFKNOCK_A_GUARD_ACTION])
		p.guard_action = nla_get_u8(tb[NFKNOCK_A_GUARD_ACTION]);
	if (tb[NFKNOCK_A_UDP_IDLE_MS])
		p.udp_idle_ms = nla_get_u32(tb[NFKNOCK_A_UDP_IDLE_MS]);
	if (tb[NFKNOCK_A_GRANTS_MAX])
		p.grants_max = nla_get_u32(tb[NFKNOCK_A_GRANTS_MAX]);
}

MsgPtr build_set_params(int family, const Params &p)
{
	return build_encoded(family, NFKNOCK_CMD_SET_PARAMS, encode_params, p);
}

Params parse_set_params(const nlmsghdr *nlh)
{
	TopTable tb{};
	Params p;

	parse_top_attrs(nlh, tb);
	params_from_attrs(tb, p);
	return p;
}

MsgPtr build_add_guard(int family, const Service &svc)
{
	return build_encoded(family, NFKNOCK_CMD_ADD_GUARD, encode_service, svc);
}

MsgPtr build_del_guard(int family, const Service &svc)
{
	return build_encoded(family, NFKNOCK_CMD_DEL_GUARD, encode_service, svc);
}

MsgPtr build_get_guards(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_GUARDS, true);
}

Service parse_guard(const nlmsghdr *nlh)
{
	return service_from_nest(need_top(nlh, NFKNOCK_A_SERVICE, "service"));
}

MsgPtr build_get_knock_ports(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_KNOCK_PORTS, true);
}

Service parse_knock_port(const nlmsghdr *nlh)
{
	return service_from_nest(need_top(nlh, NFKNOCK_A_KNOCK_PORT, "knock port"));
}

MsgPtr build_flush(int family)
{
	return build_request(family, NFKNOCK_CMD_FLUSH);
}

} // namespace knockctl
