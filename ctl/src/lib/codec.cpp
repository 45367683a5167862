// SPDX-License-Identifier: GPL-2.0 OR MIT
// The codec's shared base: every parsing policy, the request header, the
// top-level and service parsers, the put helpers and the service nests that
// guards, users and transactions all carry.
#include "codec_internal.hpp"

#include <netinet/in.h>

#include <cstring>
#include <new>
#include <string>

#include <netlink/genl/genl.h>

namespace knockctl {

// Set in code: designated initialisers for arrays indexed by enum are C
// only. Entries with a length and no type (addresses, fingerprints, keys)
// stay NLA_UNSPEC, checked by minlen and maxlen alone.
Policies::Policies()
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
	top[NFKNOCK_A_PROGRESS_MAX].type = NLA_U32;
	top[NFKNOCK_A_PROGRESS_COUNT].type = NLA_U32;
	top[NFKNOCK_A_STATIC_SEQ].type = NLA_NESTED;
	top[NFKNOCK_A_STATIC_SEQS_COUNT].type = NLA_U32;
	top[NFKNOCK_A_LOCKOUT_THRESHOLD].type = NLA_U32;
	top[NFKNOCK_A_LOCKOUT_WINDOW_MS].type = NLA_U32;
	top[NFKNOCK_A_LOCKOUT_DURATION_MS].type = NLA_U32;
	top[NFKNOCK_A_SOURCES_MAX].type = NLA_U32;
	top[NFKNOCK_A_LOCKED_COUNT].type = NLA_U32;
	top[NFKNOCK_A_LOCKOUT].type = NLA_NESTED;
	top[NFKNOCK_A_CONFIRM_MS].type = NLA_U32;

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

	user[NFKNOCK_USER_A_NAME].type = NLA_STRING;
	user[NFKNOCK_USER_A_FPR].minlen = 8;
	user[NFKNOCK_USER_A_FPR].maxlen = 8;
	user[NFKNOCK_USER_A_K_AEAD].minlen = 32;
	user[NFKNOCK_USER_A_K_AEAD].maxlen = 32;
	user[NFKNOCK_USER_A_K_HINT].minlen = 16;
	user[NFKNOCK_USER_A_K_HINT].maxlen = 16;
	user[NFKNOCK_USER_A_K_SEQ].minlen = 16;
	user[NFKNOCK_USER_A_K_SEQ].maxlen = 16;
	user[NFKNOCK_USER_A_ALLOW].type = NLA_NESTED;
	user[NFKNOCK_USER_A_SOURCES].type = NLA_NESTED;
	user[NFKNOCK_USER_A_MAX_DURATION_S].type = NLA_U32;
	user[NFKNOCK_USER_A_EXPIRES_S].type = NLA_U64;
	user[NFKNOCK_USER_A_FLAGS].type = NLA_U32;
	user[NFKNOCK_USER_A_LAST_TS_MS].type = NLA_U64;
	user[NFKNOCK_USER_A_KNOCKS].type = NLA_U64;
	user[NFKNOCK_USER_A_MAX_GRANTS].type = NLA_U32;
	user[NFKNOCK_USER_A_GRANTS].type = NLA_U32;
	user[NFKNOCK_USER_A_SEQ].type = NLA_NESTED;

	prefix[NFKNOCK_PREFIX_A_ADDR].minlen = 4;
	prefix[NFKNOCK_PREFIX_A_ADDR].maxlen = 16;
	prefix[NFKNOCK_PREFIX_A_LEN].type = NLA_U8;

	seq[NFKNOCK_SEQ_A_LENGTH].type = NLA_U8;
	seq[NFKNOCK_SEQ_A_LO].type = NLA_U16;
	seq[NFKNOCK_SEQ_A_HI].type = NLA_U16;
	seq[NFKNOCK_SEQ_A_PROTO].type = NLA_U8;
	seq[NFKNOCK_SEQ_A_WINDOW_S].type = NLA_U32;

	sseq[NFKNOCK_SSEQ_A_NAME].type = NLA_STRING;
	sseq[NFKNOCK_SSEQ_A_STEPS].type = NLA_NESTED;
	sseq[NFKNOCK_SSEQ_A_OPENS].type = NLA_NESTED;
	sseq[NFKNOCK_SSEQ_A_DURATION_S].type = NLA_U32;

	lock[NFKNOCK_LOCK_A_ADDR].minlen = 4;
	lock[NFKNOCK_LOCK_A_ADDR].maxlen = 16;
	lock[NFKNOCK_LOCK_A_PREFIX_LEN].type = NLA_U8;
	lock[NFKNOCK_LOCK_A_FAILURES].type = NLA_U32;
	lock[NFKNOCK_LOCK_A_LOCKED_MS].type = NLA_U32;
}

const Policies &policies()
{
	static const Policies p;
	return p;
}

void put_check(int err, const char *what)
{
	if (err < 0) {
		if (err == -NLE_NOMEM)
			throw std::bad_alloc();
		throw Error(std::string("cannot build netlink message: ") + what);
	}
}

nlattr *nest_start(nl_msg *msg, int type)
{
	// The kernel's strict validation wants NLA_F_NESTED on nests.
	nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);

	if (!nest)
		throw std::bad_alloc();
	return nest;
}

nlattr *need(nlattr *attr, const char *name)
{
	if (!attr)
		throw ProtocolError(std::string("missing ") + name);
	return attr;
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

uint8_t message_cmd(const nlmsghdr *nlh)
{
	auto *h = const_cast<nlmsghdr *>(nlh);

	if (!genlmsg_valid_hdr(h, 0))
		throw ProtocolError("short generic netlink message");
	return static_cast<const genlmsghdr *>(nlmsg_data(h))->cmd;
}

void parse_top_attrs(const nlmsghdr *nlh, TopTable &tb)
{
	auto *h = const_cast<nlmsghdr *>(nlh);	// libnl is not const-correct

	if (!genlmsg_valid_hdr(h, 0))
		throw ProtocolError("short generic netlink message");
	if (genlmsg_parse(h, 0, tb.data(), NFKNOCK_A_MAX,
			  const_cast<nla_policy *>(policies().top.data())) < 0)
		throw ProtocolError("bad attribute");
}

nlattr *need_top(const nlmsghdr *nlh, int type, const char *name)
{
	TopTable tb{};

	parse_top_attrs(nlh, tb);
	return need(tb[type], name);
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

std::vector<Service> services_from_list(nlattr *list)
{
	std::vector<Service> out;
	nlattr *child;
	int rem;

	nla_for_each_nested(child, list, rem) {
		if (nla_type(child) == NFKNOCK_A_SERVICE)
			out.push_back(service_from_nest(child));
	}
	return out;
}

std::string string_of(nlattr *attr)
{
	const char *s = static_cast<const char *>(nla_data(attr));

	return std::string(s, strnlen(s, std::size_t(nla_len(attr))));
}

Address address_from_attr(nlattr *attr, const char *what)
{
	Address addr;
	const int len = nla_len(need(attr, what));

	if (len == 4)
		addr.family = AF_INET;
	else if (len == 16)
		addr.family = AF_INET6;
	else
		throw ProtocolError(std::string(what) + " of " + std::to_string(len) +
				    " bytes");
	std::memcpy(addr.bytes.data(), nla_data(attr), std::size_t(len));
	return addr;
}

namespace {

// A guard's SERVICE and a KNOCK_PORT are the same nest under two types.
void put_service(nl_msg *msg, int type, const Service &svc, const char *what)
{
	nlattr *nest = nest_start(msg, type);

	put_check(nla_put_u8(msg, NFKNOCK_SVC_A_PROTO, svc.proto), what);
	put_check(nla_put_u16(msg, NFKNOCK_SVC_A_PORT, svc.port), what);
	put_check(nla_put_u16(msg, NFKNOCK_SVC_A_PORT_END, svc.port_end), what);
	nla_nest_end(msg, nest);
}

} // namespace

void encode_service(nl_msg *msg, const Service &svc)
{
	put_service(msg, NFKNOCK_A_SERVICE, svc, "service");
}

void encode_knock_port(nl_msg *msg, const Service &svc)
{
	put_service(msg, NFKNOCK_A_KNOCK_PORT, svc, "knock port");
}

} // namespace knockctl
