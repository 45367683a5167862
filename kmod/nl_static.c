// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink side of static sequences: the NFKNOCK_A_STATIC_SEQ nest that
 * TXN_ADD stages, and its dump (NFKNOCK_CMD_GET_STATIC_SEQS). The rules of
 * the list are the core's (nfk_static_check()).
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "nfknock.h"
#include "nl.h"

/*
 * One port of a step or of the service opened: a single-port service.
 * -ERANGE (no message yet) for a range: the caller says which it was.
 */
static int one_port(struct nlattr *nest, struct nfk_seq_port *p,
		    struct netlink_ext_ack *extack)
{
	struct nfk_service svc;
	int ret;

	ret = nfknock_nl_service(nest, &svc, extack);
	if (ret)
		return ret;
	if (svc.port != svc.port_end)
		return -ERANGE;
	p->proto = svc.proto;
	p->port = svc.port;
	return 0;
}

static int parse_steps(struct nlattr *list, struct nfk_static_seq *s,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem, ret;

	nla_for_each_nested(a, list, rem) {
		if (nla_type(a) != NFKNOCK_A_SERVICE) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "STEPS holds SERVICE nests only");
			return -EINVAL;
		}
		if (s->n >= NFK_STATIC_STEPS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "a static sequence has at most 16 steps");
			return -EINVAL;
		}
		ret = one_port(a, &s->step[s->n], extack);
		if (ret == -ERANGE) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a step is one port");
			return -EINVAL;
		}
		if (ret)
			return ret;
		if (s->n && s->step[s->n].proto == s->step[s->n - 1].proto &&
		    s->step[s->n].port == s->step[s->n - 1].port) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "a step equal to the one before it would be taken for its retransmission");
			return -EINVAL;
		}
		s->n++;
	}
	if (s->n < NFK_STATIC_STEPS_MIN) {
		NL_SET_ERR_MSG_ATTR(extack, list,
				    "a static sequence has at least 2 steps");
		return -EINVAL;
	}
	return 0;
}

int nfknock_nl_static_parse(struct nlattr *nest, struct nfknock_static *st,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFKNOCK_SSEQ_A_MAX + 1];
	int ret;

	BUILD_BUG_ON(NFK_STATIC_STEPS_MIN != NFKNOCK_STATIC_STEPS_MIN ||
		     NFK_STATIC_STEPS_MAX != NFKNOCK_STATIC_STEPS_MAX);
	memset(st, 0, sizeof(*st));
	ret = nla_parse_nested(tb, NFKNOCK_SSEQ_A_MAX, nest,
			       nfknock_sseq_policy, extack);
	if (ret)
		return ret;
	if (NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SSEQ_A_NAME, "SSEQ_NAME") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SSEQ_A_STEPS,
			    "SSEQ_STEPS") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SSEQ_A_OPENS,
			    "SSEQ_OPENS") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SSEQ_A_DURATION_S,
			    "SSEQ_DURATION_S"))
		return -EINVAL;
	if (nla_strscpy(st->name, tb[NFKNOCK_SSEQ_A_NAME],
			sizeof(st->name)) <= 0 ||
	    !nfknock_nl_name_printable(st->name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFKNOCK_SSEQ_A_NAME],
				    "sequence name must be 1..32 bytes of printable ASCII without spaces (0x21-0x7e)");
		return -EINVAL;
	}
	ret = parse_steps(tb[NFKNOCK_SSEQ_A_STEPS], &st->s, extack);
	if (ret)
		return ret;
	ret = one_port(tb[NFKNOCK_SSEQ_A_OPENS], &st->s.opens, extack);
	if (ret == -ERANGE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFKNOCK_SSEQ_A_OPENS],
				    "a static sequence opens one port");
		return -EINVAL;
	}
	if (ret)
		return ret;
	st->s.duration_s = nla_get_u32(tb[NFKNOCK_SSEQ_A_DURATION_S]);
	if (WARN_ON_ONCE(nfk_static_check(&st->s)))
		return -EINVAL;		/* the checks above are the core's */
	return 0;
}

static int put_port(struct sk_buff *skb, int type, const struct nfk_seq_port *p)
{
	struct nfk_service svc = {
		.proto = p->proto, .port = p->port, .port_end = p->port,
	};

	return nfknock_nl_put_service(skb, type, &svc);
}

static int put_static(struct sk_buff *skb, const struct nfknock_static *st)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_A_STATIC_SEQ);
	struct nlattr *list;
	u8 i;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, NFKNOCK_SSEQ_A_NAME, st->name) ||
	    nla_put_u32(skb, NFKNOCK_SSEQ_A_DURATION_S, st->s.duration_s) ||
	    put_port(skb, NFKNOCK_SSEQ_A_OPENS, &st->s.opens))
		goto cancel;
	list = nla_nest_start(skb, NFKNOCK_SSEQ_A_STEPS);
	if (!list)
		goto cancel;
	for (i = 0; i < st->s.n; i++)
		if (put_port(skb, NFKNOCK_A_SERVICE, &st->s.step[i]))
			goto cancel;
	nla_nest_end(skb, list);
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int nfknock_nl_dump_statics(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfknock_net *nn = nfknock_pernet(sock_net(cb->skb->sk));
	const struct nfknock_userset *us;
	const struct nfknock_cfg *cfg;
	unsigned long i;
	void *hdr;

	rcu_read_lock();
	cfg = rcu_dereference(nn->cfg);
	cb->seq = READ_ONCE(nn->cfg_gen);
	us = cfg ? cfg->users : NULL;
	for (i = cb->args[0]; us && i < us->n_static; i++) {
		hdr = nfknock_nl_dump_hdr(skb, cb, NFKNOCK_CMD_GET_STATIC_SEQS);
		if (!hdr)
			break;
		if (put_static(skb, &us->statics[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}
