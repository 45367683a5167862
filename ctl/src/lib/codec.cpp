// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "codec.hpp"

#include <netinet/in.h>

#include <array>
#include <cstring>
#include <new>
#include <string>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "errors.hpp"

namespace knockctl {

namespace {

// Parsing policies: the type gives the minimum length libnl checks; an
// attribute above the maximum type is skipped (forward compatibility).
// Only the ADDR policy is set in code (designated initialisers for arrays
// indexed by enum are C only).
struct Policies {
	std::array<nla_policy, NFKNOCK_A_MAX + 1> top{};
	std::array<nla_policy, NFKNOCK_SVC_A_MAX + 1> svc{};
	std::array<nla_policy, NFKNOCK_GRANT_A_MAX + 1> grant{};
	std::array<nla_policy, NFKNOCK_STAT_A_MAX + 1> stats{};

	Policies()
	{
		top[NFKNOCK_A_API_VERSION].type = NLA_U32;
		top[NFKNOCK_A_HOOKED].type = NLA_U8;
		top[NFKNOCK_A_GUARD_ACTION].type = NLA_U8;
		top[NFKNOCK_A_UDP_IDLE_MS].type = NLA_U32;
		top[NFKNOCK_A_GRANTS_MAX].type = NLA_U32;
		top[NFKNOCK_A_GRANTS_COUNT].type = NLA_U32;
		top[NFKNOCK_A_GUARDS_COUNT].type = NLA_U32;
		top[NFKNOCK_A_STATS].type = NLA_NESTED;
		top[NFKNOCK_A_SERVICE].type = NLA_NESTED;
		top[NFKNOCK_A_GRANT].type = NLA_NESTED;
		top[NFKNOCK_A_SKEW_MS].type = NLA_U32;
		top[NFKNOCK_A_KNOCK_PACKETS].type = NLA_U8;
		top[NFKNOCK_A_KNOCK_PORT].type = NLA_NESTED;
		top[NFKNOCK_A_USER].type = NLA_NESTED;
		top[NFKNOCK_A_USERS_COUNT].type = NLA_U32;
		top[NFKNOCK_A_KNOCK_PORTS_COUNT].type = NLA_U32;
		top[NFKNOCK_A_REVOKED].type = NLA_U32;
		top[NFKNOCK_A_LIMITED].type = NLA_U8;
		top[NFKNOCK_A_GRANT_BUCKETS].type = NLA_U32;

		svc[NFKNOCK_SVC_A_PROTO].type = NLA_U8;
		svc[NFKNOCK_SVC_A_PORT].type = NLA_U16;
		svc[NFKNOCK_SVC_A_PORT_END].type = NLA_U16;

		grant[NFKNOCK_GRANT_A_ADDR].type = NLA_UNSPEC;
		grant[NFKNOCK_GRANT_A_ADDR].minlen = 4;
		grant[NFKNOCK_GRANT_A_ADDR].maxlen = 16;
		grant[NFKNOCK_GRANT_A_PROTO].type = NLA_U8;
		grant[NFKNOCK_GRANT_A_PORT].type = NLA_U16;
		grant[NFKNOCK_GRANT_A_TIMEOUT_MS].type = NLA_U32;
		grant[NFKNOCK_GRANT_A_FLAGS].type = NLA_U32;
		grant[NFKNOCK_GRANT_A_USER_FPR].type = NLA_UNSPEC;
		grant[NFKNOCK_GRANT_A_USER_FPR].minlen = 8;
		grant[NFKNOCK_GRANT_A_USER_FPR].maxlen = 8;

		for (int i = NFKNOCK_STAT_A_GUARDED; i <= NFKNOCK_STAT_A_MAX; i++)
			stats[i].type = NLA_U64;
	}
};

const Policies &policies()
{
	static const Policies p;
	return p;
}

void check(int err, const char *what)
{
	if (err < 0) {
		if (err == -NLE_NOMEM)
			throw std::bad_alloc();
		throw Error(std::string("cannot build netlink message: ") + what);
	}
}

template <std::size_t N>
void parse_top_with(const nlmsghdr *nlh, std::array<nlattr *, N> &tb,
		    const std::array<nla_policy, N> &policy)
{
	auto *h = const_cast<nlmsghdr *>(nlh);	// libnl is not const-correct

	if (!genlmsg_valid_hdr(h, 0))
		throw ProtocolError("short generic netlink message");
	if (genlmsg_parse(h, 0, tb.data(), int(N - 1),
			  const_cast<nla_policy *>(policy.data())) < 0)
		throw ProtocolError("bad attribute");
}

uint8_t get_u8(nlattr *a, uint8_t dflt = 0) { return a ? nla_get_u8(a) : dflt; }
uint32_t get_u32(nlattr *a, uint32_t dflt = 0) { return a ? nla_get_u32(a) : dflt; }
uint64_t get_u64(nlattr *a) { return a ? nla_get_u64(a) : 0; }

void parse_top(const nlmsghdr *nlh, TopTable &tb)
{
	parse_top_with(nlh, tb, policies().top);
}

} // namespace

nlattr *need(nlattr *attr, const char *name)
{
	if (!attr)
		throw ProtocolError(std::string("missing ") + name);
	return attr;
}

void parse_top_attrs(const nlmsghdr *nlh, TopTable &tb)
{
	parse_top(nlh, tb);
}

Service service_from_nest(nlattr *nest)
{
	std::array<nlattr *, NFKNOCK_SVC_A_MAX + 1> tb{};
	Service svc;

	parse_nest(nest, tb, policies().svc, "service");
	svc.proto = nla_get_u8(need(tb[NFKNOCK_SVC_A_PROTO], "service protocol"));
	svc.port = nla_get_u16(need(tb[NFKNOCK_SVC_A_PORT], "service port"));
	svc.port_end = tb[NFKNOCK_SVC_A_PORT_END] ?
			       nla_get_u16(tb[NFKNOCK_SVC_A_PORT_END]) : svc.port;
	return svc;
}

namespace {

Address address_from_attr(nlattr *attr)
{
	Address addr;
	const int len = nla_len(attr);

	if (len == 4)
		addr.family = AF_INET;
	else if (len == 16)
		addr.family = AF_INET6;
	else
		throw ProtocolError("grant address of " + std::to_string(len) +
				    " bytes");
	std::memcpy(addr.bytes.data(), nla_data(attr), std::size_t(len));
	return addr;
}

using GrantTable = std::array<nlattr *, NFKNOCK_GRANT_A_MAX + 1>;

void grant_nest(const nlmsghdr *nlh, GrantTable &gtb)
{
	std::array<nlattr *, NFKNOCK_A_MAX + 1> tb{};

	parse_top(nlh, tb);
	parse_nest(need(tb[NFKNOCK_A_GRANT], "grant"), gtb, policies().grant,
		   "grant");
}

} // namespace

nlattr *nest_start(nl_msg *msg, int type)
{
	// The kernel's strict validation wants NLA_F_NESTED on nests.
	nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);

	if (!nest)
		throw std::bad_alloc();
	return nest;
}

void put_check(int err, const char *what)
{
	check(err, what);
}

MsgPtr build_request(int family, uint8_t cmd, bool dump)
{
	MsgPtr msg(nlmsg_alloc());

	if (!msg)
		throw std::bad_alloc();
	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : 0, cmd, NFKNOCK_GENL_VERSION))
		throw std::bad_alloc();
	return msg;
}

void encode_service(nl_msg *msg, const Service &svc)
{
	nlattr *nest = nest_start(msg, NFKNOCK_A_SERVICE);

	check(nla_put_u8(msg, NFKNOCK_SVC_A_PROTO, svc.proto), "service");
	check(nla_put_u16(msg, NFKNOCK_SVC_A_PORT, svc.port), "service");
	check(nla_put_u16(msg, NFKNOCK_SVC_A_PORT_END, svc.port_end), "service");
	nla_nest_end(msg, nest);
}

void encode_grant(nl_msg *msg, const Grant &g)
{
	nlattr *nest = nest_start(msg, NFKNOCK_A_GRANT);

	check(nla_put(msg, NFKNOCK_GRANT_A_ADDR, int(g.addr.size()),
		      g.addr.bytes.data()), "grant");
	check(nla_put_u8(msg, NFKNOCK_GRANT_A_PROTO, g.proto), "grant");
	check(nla_put_u16(msg, NFKNOCK_GRANT_A_PORT, g.port), "grant");
	check(nla_put_u32(msg, NFKNOCK_GRANT_A_TIMEOUT_MS, g.timeout_ms), "grant");
	if (g.flags)
		check(nla_put_u32(msg, NFKNOCK_GRANT_A_FLAGS, g.flags), "grant");
	// Output only; never in a request (a request's user_fpr is zero).
	if (g.user_fpr != decltype(g.user_fpr){})
		check(nla_put(msg, NFKNOCK_GRANT_A_USER_FPR, int(g.user_fpr.size()),
			      g.user_fpr.data()), "grant");
	nla_nest_end(msg, nest);
}

void encode_status(nl_msg *msg, const Status &s)
{
	check(nla_put_u32(msg, NFKNOCK_A_API_VERSION, s.api_version), "status");
	check(nla_put_u8(msg, NFKNOCK_A_HOOKED, s.hooked ? 1 : 0), "status");
	check(nla_put_u8(msg, NFKNOCK_A_GUARD_ACTION, s.guard_action), "status");
	check(nla_put_u32(msg, NFKNOCK_A_UDP_IDLE_MS, s.udp_idle_ms), "status");
	check(nla_put_u32(msg, NFKNOCK_A_GRANTS_MAX, s.grants_max), "status");
	check(nla_put_u32(msg, NFKNOCK_A_GRANTS_COUNT, s.grants_count), "status");
	check(nla_put_u32(msg, NFKNOCK_A_GUARDS_COUNT, s.guards_count), "status");
	check(nla_put_u32(msg, NFKNOCK_A_SKEW_MS, s.skew_ms), "status");
	check(nla_put_u8(msg, NFKNOCK_A_KNOCK_PACKETS, s.knock_packets), "status");
	check(nla_put_u32(msg, NFKNOCK_A_USERS_COUNT, s.users_count), "status");
	check(nla_put_u32(msg, NFKNOCK_A_KNOCK_PORTS_COUNT, s.knock_ports_count),
	      "status");
	check(nla_put_u8(msg, NFKNOCK_A_LIMITED, s.limited ? 1 : 0), "status");
	check(nla_put_u32(msg, NFKNOCK_A_GRANT_BUCKETS, s.grant_buckets),
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
	};
	for (const auto &[type, value] : counters)
		check(nla_put_u64(msg, type, value), "stats");
	nla_nest_end(msg, nest);
}

MsgPtr build_get_status(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_STATUS);
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
	MsgPtr msg = build_request(family, NFKNOCK_CMD_SET_PARAMS);

	encode_params(msg.get(), p);
	return msg;
}

MsgPtr build_add_guard(int family, const Service &svc)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_ADD_GUARD);

	encode_service(msg.get(), svc);
	return msg;
}

MsgPtr build_del_guard(int family, const Service &svc)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_DEL_GUARD);

	encode_service(msg.get(), svc);
	return msg;
}

MsgPtr build_get_guards(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_GUARDS, true);
}

MsgPtr build_add_grant(int family, const Grant &grant)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_ADD_GRANT);

	encode_grant(msg.get(), grant);
	return msg;
}

MsgPtr build_del_grant(int family, const Revoke &r)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_DEL_GRANT);
	nl_msg *m = msg.get();
	nlattr *nest = nest_start(m, NFKNOCK_A_GRANT);

	check(nla_put(m, NFKNOCK_GRANT_A_ADDR, int(r.addr.size()),
		      r.addr.bytes.data()), "revoke");
	if (r.service) {
		check(nla_put_u8(m, NFKNOCK_GRANT_A_PROTO, r.service->proto),
		      "revoke");
		check(nla_put_u16(m, NFKNOCK_GRANT_A_PORT, r.service->port),
		      "revoke");
	}
	nla_nest_end(m, nest);
	return msg;
}

MsgPtr build_get_grants(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_GRANTS, true);
}

MsgPtr build_flush(int family)
{
	return build_request(family, NFKNOCK_CMD_FLUSH);
}

uint8_t message_cmd(const nlmsghdr *nlh)
{
	auto *h = const_cast<nlmsghdr *>(nlh);

	if (!genlmsg_valid_hdr(h, 0))
		throw ProtocolError("short generic netlink message");
	return static_cast<const genlmsghdr *>(nlmsg_data(h))->cmd;
}

Status parse_status(const nlmsghdr *nlh)
{
	std::array<nlattr *, NFKNOCK_A_MAX + 1> tb{};
	Status s;

	parse_top(nlh, tb);
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
	}
	return s;
}

Params parse_set_params(const nlmsghdr *nlh)
{
	std::array<nlattr *, NFKNOCK_A_MAX + 1> tb{};
	Params p;

	parse_top(nlh, tb);
	params_from_attrs(tb, p);
	return p;
}

Service parse_guard(const nlmsghdr *nlh)
{
	std::array<nlattr *, NFKNOCK_A_MAX + 1> tb{};

	parse_top(nlh, tb);
	return service_from_nest(need(tb[NFKNOCK_A_SERVICE], "service"));
}

Grant parse_grant(const nlmsghdr *nlh)
{
	GrantTable gtb{};
	Grant g;

	grant_nest(nlh, gtb);
	g.addr = address_from_attr(need(gtb[NFKNOCK_GRANT_A_ADDR], "grant address"));
	g.proto = nla_get_u8(need(gtb[NFKNOCK_GRANT_A_PROTO], "grant protocol"));
	g.port = nla_get_u16(need(gtb[NFKNOCK_GRANT_A_PORT], "grant port"));
	g.timeout_ms = get_u32(gtb[NFKNOCK_GRANT_A_TIMEOUT_MS]);
	g.flags = get_u32(gtb[NFKNOCK_GRANT_A_FLAGS]);
	if (gtb[NFKNOCK_GRANT_A_USER_FPR])
		std::memcpy(g.user_fpr.data(), nla_data(gtb[NFKNOCK_GRANT_A_USER_FPR]),
			    g.user_fpr.size());
	return g;
}

Revoke parse_del_grant(const nlmsghdr *nlh)
{
	GrantTable gtb{};
	Revoke r;

	grant_nest(nlh, gtb);
	r.addr = address_from_attr(need(gtb[NFKNOCK_GRANT_A_ADDR], "grant address"));
	if (gtb[NFKNOCK_GRANT_A_PROTO] || gtb[NFKNOCK_GRANT_A_PORT]) {
		Service svc;

		svc.proto = nla_get_u8(need(gtb[NFKNOCK_GRANT_A_PROTO], "grant protocol"));
		svc.port = nla_get_u16(need(gtb[NFKNOCK_GRANT_A_PORT], "grant port"));
		svc.port_end = svc.port;
		r.service = svc;
	}
	return r;
}

} // namespace knockctl
