// SPDX-License-Identifier: GPL-2.0
/*
 * NFKNOCK_CMD_EVENT messages to the "events" group of one namespace. Built
 * only while the group has members there; GFP_ATOMIC because most events
 * come from softirq, and a message that cannot be allocated is dropped
 * (the counters still say what happened).
 */
#include <net/genetlink.h>

#include "nfknock.h"
#include "netlink.h"
#include "nl.h"

bool nfknock_nl_event_listeners(struct net *net)
{
	return genl_has_listeners(&nfknock_family, net, NFKNOCK_NLGRP_EVENTS);
}

static int put_addr(struct sk_buff *skb, int type, u8 family, const u8 *a)
{
	return nla_put(skb, type, family == NFK_FAMILY_V4 ? 4 : 16, a);
}

static int fill(struct sk_buff *skb, const struct nfknock_ev *ev)
{
	if (nla_put_u8(skb, NFKNOCK_EV_A_TYPE, ev->type) ||
	    nla_put_u64_64bit(skb, NFKNOCK_EV_A_TIME_MS, nfknock_unix_ms(),
			      NFKNOCK_EV_A_PAD))
		return -EMSGSIZE;
	if ((ev->type == NFKNOCK_EVENT_KNOCK_REJECTED ||
	     ev->type == NFKNOCK_EVENT_SEQ_FAILED) &&
	    nla_put_u8(skb, NFKNOCK_EV_A_REASON, ev->reason))
		return -EMSGSIZE;
	if (ev->family &&
	    put_addr(skb, NFKNOCK_EV_A_SOURCE, ev->family, ev->source))
		return -EMSGSIZE;
	if (ev->unverified && nla_put_flag(skb, NFKNOCK_EV_A_UNVERIFIED))
		return -EMSGSIZE;
	if (ev->user && nla_put_string(skb, NFKNOCK_EV_A_USER, ev->user))
		return -EMSGSIZE;
	if (ev->fpr && nla_put(skb, NFKNOCK_EV_A_FPR, 8, ev->fpr))
		return -EMSGSIZE;
	if (ev->sequence &&
	    nla_put_string(skb, NFKNOCK_EV_A_SEQUENCE, ev->sequence))
		return -EMSGSIZE;
	if (ev->gfamily && put_addr(skb, NFKNOCK_EV_A_ADDR, ev->gfamily, ev->addr))
		return -EMSGSIZE;
	if (ev->proto && (nla_put_u8(skb, NFKNOCK_EV_A_PROTO, ev->proto) ||
			  nla_put_u16(skb, NFKNOCK_EV_A_PORT, ev->port)))
		return -EMSGSIZE;
	if (ev->duration_s &&
	    nla_put_u32(skb, NFKNOCK_EV_A_DURATION_S, ev->duration_s))
		return -EMSGSIZE;
	if (ev->flags && nla_put_u32(skb, NFKNOCK_EV_A_FLAGS, ev->flags))
		return -EMSGSIZE;
	if ((ev->count || ev->type == NFKNOCK_EVENT_CONFIG_APPLIED ||
	     ev->type == NFKNOCK_EVENT_CONFIG_CONFIRMED ||
	     ev->type == NFKNOCK_EVENT_CONFIG_ROLLED_BACK ||
	     ev->type == NFKNOCK_EVENT_SUPPRESSED) &&
	    nla_put_u32(skb, NFKNOCK_EV_A_COUNT, ev->count))
		return -EMSGSIZE;
	return 0;
}

void nfknock_nl_event_send(struct net *net, const struct nfknock_ev *ev)
{
	struct sk_buff *skb = genlmsg_new(384,
					  GFP_ATOMIC | __GFP_NOWARN);
	void *hdr;

	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &nfknock_family, 0, NFKNOCK_CMD_EVENT);
	if (!hdr || fill(skb, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&nfknock_family, net, skb, 0,
				NFKNOCK_NLGRP_EVENTS, GFP_ATOMIC);
}
