// SPDX-License-Identifier: GPL-2.0
/*
 * PRE_ROUTING hooks: right after defragmentation, before raw and conntrack,
 * so a refused SYN never allocates conntrack state (nfknock never needs it).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "nfknock.h"
#include "core/classify.h"

/*
 * Where a packet to a guarded port is going, as far as guards care.
 * Guards are about this host's visitors. A packet the host sent to itself
 * comes back over loopback (to 127.0.0.1, ::1 or any of its addresses), and
 * one whose destination is none of its addresses is only forwarded: no
 * guard applies to either, as every firewall's first rules say. A lookup
 * in the local table, paid only by packets that would need a grant.
 * Broadcast and multicast destinations are this host's too, but the stack
 * answers none of them, so neither does a guard.
 */
enum dest_scope {
	DEST_OUT_OF_SCOPE,
	DEST_HERE,		/* one of this host's unicast addresses */
	DEST_HERE_GROUP,	/* broadcast or multicast */
};

static enum dest_scope dest_scope(const struct sk_buff *skb,
				  const struct nf_hook_state *st)
{
	if (!st->in || (st->in->flags & IFF_LOOPBACK))
		return DEST_OUT_OF_SCOPE;
	if (st->pf == NFPROTO_IPV4) {
		switch (inet_addr_type_dev_table(st->net, st->in,
						 ip_hdr(skb)->daddr)) {
		case RTN_LOCAL:
			return DEST_HERE;
		case RTN_BROADCAST:
		case RTN_MULTICAST:
			return DEST_HERE_GROUP;
		default:
			return DEST_OUT_OF_SCOPE;
		}
	}
	if (ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr))
		return DEST_HERE_GROUP;
	return ipv6_chk_addr(st->net, &ipv6_hdr(skb)->daddr, NULL, 0) ?
	       DEST_HERE : DEST_OUT_OF_SCOPE;
}

static unsigned int refuse(struct nfknock_net *nn, const struct nfknock_cfg *cfg,
			   struct sk_buff *skb, const struct nf_hook_state *st,
			   const struct nfk_l4 *pkt, unsigned int thoff,
			   enum dest_scope scope)
{
	nfknock_count(nn, NFKNOCK_STAT_A_REFUSED);
	if (pkt->proto == IPPROTO_TCP && !nfk_tcp_is_syn(pkt->tcp_flags))
		nfknock_count(nn, NFKNOCK_STAT_A_REFUSED_STRAY);
	if (cfg->guard_action == NFKNOCK_ACTION_RESET && scope == DEST_HERE)
		nfknock_answer(skb, st, pkt->proto, thoff);
	return NF_DROP;
}

/*
 * Find the L4 protocol, its offset and the source address bytes.
 * Returns false for packets nfknock never looks at (non-first fragments,
 * unparsable extension headers).
 */
static bool locate_l4(struct sk_buff *skb, u8 pf, u8 *proto,
		      unsigned int *thoff, const u8 **saddr, size_t *alen)
{
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		/* Defrag ran before us, so fragments are rare here (defrag
		 * off for this packet's path): only one with a non-zero
		 * offset lacks the L4 header. A first fragment is classified
		 * like a whole packet; a knock in it is judged by its UDP
		 * length, which then exceeds what the packet holds.
		 */
		if (iph->frag_off & htons(IP_OFFSET))
			return false;
		*proto = iph->protocol;
		*thoff = ip_hdrlen(skb);
		*saddr = (const u8 *)&iph->saddr;
		*alen = 4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off = 0;
		u8 nexthdr = ip6h->nexthdr;
		int off;

		off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0 || (frag_off & htons(~0x7)))
			return false;
		*proto = nexthdr;
		*thoff = off;
		*saddr = ip6h->saddr.s6_addr;
		*alen = 16;
	}
	return true;
}

/*
 * With users that have derived sequences, a TCP SYN or a UDP datagram may
 * be a step: a bitmap test, or for a later step a look at the source's
 * attempts, decides whether to look (nfknock_seq_maybe()), and only
 * packets addressed to this host count. The packet then goes on
 * as if nfknock had not seen it.
 */
static void observe_step(struct nfknock_net *nn,
			 const struct nfknock_cfg *cfg, struct sk_buff *skb,
			 const struct nf_hook_state *st, u8 proto,
			 const u8 *l4, unsigned int len, const u8 *saddr,
			 size_t alen)
{
	struct nfknock_pset *set;
	u16 dport;

	if (!nfk_seq_candidate(proto, l4, len, &dport))
		return;
	set = nfknock_seq_maybe(cfg->users, proto, dport, saddr, alen);
	if (!set || dest_scope(skb, st) != DEST_HERE)
		return;
	nfknock_seq_step(nn, cfg, set, proto, dport,
			 alen == 4 ? NFK_FAMILY_V4 : NFK_FAMILY_V6, saddr);
}

/*
 * A grant let a new connection in (a TCP SYN: segments of connections
 * passed before; or a one-shot's first datagram). Not every UDP datagram
 * a grant passes: that would be an event per packet.
 */
static void report_used(struct nfknock_net *nn, const struct nfk_grant_key *key)
{
	struct nfknock_ev ev = {
		.type = NFKNOCK_EVENT_GRANT_USED,
		.family = key->family,
		.source = key->addr,
		.gfamily = key->family,
		.addr = key->addr,
		.proto = key->proto,
		.port = key->port,
	};

	nfknock_event(nn, &ev);
}

static unsigned int nfknock_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *st)
{
	struct nfknock_net *nn = nfknock_pernet(st->net);
	const struct nfknock_cfg *cfg = rcu_dereference(nn->cfg);
	u8 buf[NFK_L4_PEEK];
	const u8 *l4, *saddr;
	struct nfk_grant_key key;
	enum dest_scope scope;
	struct nfk_decision d;
	struct nfk_l4 pkt;
	unsigned int thoff, len;
	size_t alen;
	u8 proto;

	if (!cfg || !locate_l4(skb, st->pf, &proto, &thoff, &saddr, &alen))
		return NF_ACCEPT;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NF_ACCEPT;
	if (thoff >= skb->len)
		return NF_ACCEPT;
	len = min_t(unsigned int, skb->len - thoff, sizeof(buf));
	l4 = skb_header_pointer(skb, thoff, len, buf);
	if (!l4)
		return NF_ACCEPT;

	if (unlikely(cfg->users && cfg->users->n_seq))
		observe_step(nn, cfg, skb, st, proto, l4, len, saddr,
			     alen);

	switch (nfk_classify(&cfg->guards, &cfg->knocks, proto, l4, len, &pkt)) {
	case NFK_PKT_IGNORE:
		return NF_ACCEPT;
	case NFK_PKT_KNOCK:
		return nfknock_knock(nn, cfg, skb, thoff, &pkt,
				     alen == 4 ? NFK_FAMILY_V4 : NFK_FAMILY_V6,
				     saddr);
	case NFK_PKT_TRUNCATED:
		nfknock_count(nn, NFKNOCK_STAT_A_GUARDED);
		nfknock_count(nn, NFKNOCK_STAT_A_TRUNCATED);
		return NF_DROP;
	case NFK_PKT_GUARDED:
		break;
	}
	nfknock_count(nn, NFKNOCK_STAT_A_GUARDED);
	/* A segment of one of the host's connections passes on the cheapest
	 * path (one established-hash lookup, no grant, no scope); only what
	 * needs a grant pays for the scope's local-address lookup.
	 */
	if (pkt.proto == IPPROTO_TCP && nfk_tcp_may_belong(pkt.tcp_flags))
		pkt.in_conn = nfknock_tcp_in_connection(skb, st, &pkt);
	if (nfk_passes_stateless(&pkt)) {
		nfknock_count(nn, NFKNOCK_STAT_A_PASSED_STATELESS);
		return NF_ACCEPT;
	}
	scope = dest_scope(skb, st);
	if (scope == DEST_OUT_OF_SCOPE) {
		nfknock_count(nn, NFKNOCK_STAT_A_PASSED_SCOPE);
		return NF_ACCEPT;
	}

	nfk_grant_key_make(&key, saddr, alen, pkt.proto, pkt.dport);
	nfknock_grant_decide(nn, &key, &pkt, cfg->udp_idle_ms, &d);
	if (d.verdict == NFK_V_REFUSE)
		return refuse(nn, cfg, skb, st, &pkt, thoff, scope);
	nfknock_count(nn, NFKNOCK_STAT_A_PASSED_GRANT);
	if (pkt.proto == IPPROTO_TCP || d.update == NFK_U_CONSUME)
		report_used(nn, &key);
	return NF_ACCEPT;
}

static const struct nf_hook_ops nfknock_hook_ops[] = {
	{
		.hook = nfknock_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook = nfknock_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
};

int nfknock_hooks_register(struct net *net)
{
	int ret;

	ret = nf_defrag_ipv4_enable(net);
	if (ret)
		return ret;
	ret = nf_defrag_ipv6_enable(net);
	if (ret)
		goto err_defrag4;
	ret = nf_register_net_hooks(net, nfknock_hook_ops,
				    ARRAY_SIZE(nfknock_hook_ops));
	if (ret)
		goto err_defrag6;
	return 0;

err_defrag6:
	nf_defrag_ipv6_disable(net);
err_defrag4:
	nf_defrag_ipv4_disable(net);
	return ret;
}

void nfknock_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, nfknock_hook_ops,
				ARRAY_SIZE(nfknock_hook_ops));
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
}
