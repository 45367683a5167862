// SPDX-License-Identifier: GPL-2.0 OR MIT
// Messages of grants, as kmod/nl_grants.c handles them: add and delete by
// the administrator, the dump.
#include "codec_internal.hpp"

#include <netinet/in.h>

#include <cstring>
#include <string>

namespace knockctl {

namespace {

using GrantTable = std::array<nlattr *, NFKNOCK_GRANT_A_MAX + 1>;

void grant_nest(const nlmsghdr *nlh, GrantTable &gtb)
{
	parse_nest(need_top(nlh, NFKNOCK_A_GRANT, "grant"), gtb, policies().grant,
		   "grant");
}

} // namespace

void encode_grant(nl_msg *msg, const Grant &g)
{
	nlattr *nest = nest_start(msg, NFKNOCK_A_GRANT);

	put_check(nla_put(msg, NFKNOCK_GRANT_A_ADDR, int(g.addr.size()),
			  g.addr.bytes.data()), "grant");
	put_check(nla_put_u8(msg, NFKNOCK_GRANT_A_PROTO, g.proto), "grant");
	put_check(nla_put_u16(msg, NFKNOCK_GRANT_A_PORT, g.port), "grant");
	put_check(nla_put_u32(msg, NFKNOCK_GRANT_A_TIMEOUT_MS, g.timeout_ms), "grant");
	if (g.flags)
		put_check(nla_put_u32(msg, NFKNOCK_GRANT_A_FLAGS, g.flags), "grant");
	// Output only; never in a request (a request's user_fpr is zero).
	if (g.user_fpr != decltype(g.user_fpr){})
		put_check(nla_put(msg, NFKNOCK_GRANT_A_USER_FPR, int(g.user_fpr.size()),
				  g.user_fpr.data()), "grant");
	nla_nest_end(msg, nest);
}

MsgPtr build_add_grant(int family, const Grant &grant)
{
	return build_encoded(family, NFKNOCK_CMD_ADD_GRANT, encode_grant, grant);
}

MsgPtr build_del_grant(int family, const Revoke &r)
{
	MsgPtr msg = build_request(family, NFKNOCK_CMD_DEL_GRANT);
	nl_msg *m = msg.get();
	nlattr *nest = nest_start(m, NFKNOCK_A_GRANT);

	put_check(nla_put(m, NFKNOCK_GRANT_A_ADDR, int(r.addr.size()),
			  r.addr.bytes.data()), "revoke");
	if (r.service) {
		put_check(nla_put_u8(m, NFKNOCK_GRANT_A_PROTO, r.service->proto),
			  "revoke");
		put_check(nla_put_u16(m, NFKNOCK_GRANT_A_PORT, r.service->port),
			  "revoke");
	}
	nla_nest_end(m, nest);
	return msg;
}

MsgPtr build_get_grants(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_GRANTS, true);
}

Grant parse_grant(const nlmsghdr *nlh)
{
	GrantTable gtb{};
	Grant g;

	grant_nest(nlh, gtb);
	g.addr = address_from_attr(gtb[NFKNOCK_GRANT_A_ADDR], "grant address");
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
	r.addr = address_from_attr(gtb[NFKNOCK_GRANT_A_ADDR], "grant address");
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
