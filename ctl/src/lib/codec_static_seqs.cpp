// SPDX-License-Identifier: GPL-2.0 OR MIT
// The static sequence codec: the STATIC_SEQ nest (in a TXN_ADD and in a
// GET_STATIC_SEQS entry, the same attributes) and its dump.
#include "codec_internal.hpp"

namespace knockctl {

namespace {

// A single port: PROTO and PORT, no PORT_END (uapi: "each single port").
void put_port(nl_msg *msg, int type, const Service &svc)
{
	nlattr *nest = nest_start(msg, type);

	put_check(nla_put_u8(msg, NFKNOCK_SVC_A_PROTO, svc.proto), "static sequence");
	put_check(nla_put_u16(msg, NFKNOCK_SVC_A_PORT, svc.port), "static sequence");
	nla_nest_end(msg, nest);
}

} // namespace

void encode_static_seq(nl_msg *msg, const StaticSequence &s)
{
	nlattr *nest = nest_start(msg, NFKNOCK_A_STATIC_SEQ);

	put_check(nla_put_string(msg, NFKNOCK_SSEQ_A_NAME, s.name.c_str()),
		  "static sequence");
	nlattr *steps = nest_start(msg, NFKNOCK_SSEQ_A_STEPS);
	for (const Service &step : s.steps)
		put_port(msg, NFKNOCK_A_SERVICE, step);
	nla_nest_end(msg, steps);
	put_port(msg, NFKNOCK_SSEQ_A_OPENS, s.opens);
	put_check(nla_put_u32(msg, NFKNOCK_SSEQ_A_DURATION_S, s.duration_s),
		  "static sequence");
	nla_nest_end(msg, nest);
}

StaticSequence static_seq_from_nest(nlattr *nest)
{
	std::array<nlattr *, NFKNOCK_SSEQ_A_MAX + 1> tb{};
	StaticSequence s;

	parse_nest(nest, tb, policies().sseq, "static sequence");
	s.name = string_of(need(tb[NFKNOCK_SSEQ_A_NAME], "static sequence name"));
	s.steps = services_from_list(need(tb[NFKNOCK_SSEQ_A_STEPS],
					  "static sequence steps"));
	s.opens = service_from_nest(need(tb[NFKNOCK_SSEQ_A_OPENS],
					 "static sequence opens"));
	s.duration_s = nla_get_u32(need(tb[NFKNOCK_SSEQ_A_DURATION_S],
					"static sequence duration"));
	return s;
}

MsgPtr build_get_static_seqs(int family)
{
	return build_request(family, NFKNOCK_CMD_GET_STATIC_SEQS, true);
}

StaticSequence parse_static_seq(const nlmsghdr *nlh)
{
	return static_seq_from_nest(need_top(nlh, NFKNOCK_A_STATIC_SEQ,
					     "static sequence"));
}

} // namespace knockctl
