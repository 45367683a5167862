// SPDX-License-Identifier: GPL-2.0
/*
 * The answer to a refused packet in `reset` mode: exactly what this host's
 * stack sends for the same packet to one of its unused ports, so a scanner
 * cannot tell a guarded port from an unused one (docs/kernel.md, "Stealth").
 *
 *   TCP  the RST of tcp_v4_send_reset() / tcp_v6_send_reset() without a
 *        socket: TOS / traffic class copied from the segment minus its ECN
 *        bits, the stack's IPv6 flow label (hashed from the reply's flow,
 *        or reflected when net.ipv6.flowlabel_reflect says so), TTL / hop
 *        limit of the reply's route, DF and IP ID 0, window 0, no options.
 *        Nothing for a RST or a segment with a bad checksum.
 *   UDP  ICMP / ICMPv6 port unreachable through icmp_send() /
 *        icmpv6_send(), the stack's own senders: same rate limits, same
 *        source address choice, same TOS.
 *
 * nf_send_reset() builds its RST with TOS 0 and nf_send_reset6() with
 * traffic class and flow label 0, which is what the stack never does: one
 * SYN with TOS 0xb8 told a guarded port from an unused one. So the RST is
 * built here from nf_reject's header helpers, and the IPv4 packet is
 * routed as input first, as ip_rcv_finish() would, so that both answers
 * start from the route the stack's would.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/xfrm.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "nfknock.h"

static void reset4(struct net *net, struct sk_buff *oldskb, int hook)
{
	const struct iphdr *oiph = ip_hdr(oldskb);
	const struct tcphdr *oth;
	struct sk_buff *nskb;
	struct tcphdr _oth;
	struct iphdr *niph;

	/* NULL for a RST, a bad checksum or a short header: the stack
	 * answers none of them either.
	 */
	oth = nf_reject_ip_tcphdr_get(oldskb, &_oth, hook);
	if (!oth)
		return;

	nskb = alloc_skb(sizeof(struct iphdr) + sizeof(struct tcphdr) +
			 LL_MAX_HEADER, GFP_ATOMIC);
	if (!nskb)
		return;
	/* ip_route_me_harder() reads the device of the current route. */
	skb_dst_set_noref(nskb, skb_dst(oldskb));
	nskb->mark = IP4_REPLY_MARK(net, oldskb->mark);
	skb_reserve(nskb, LL_MAX_HEADER);
	niph = nf_reject_iphdr_put(nskb, oldskb, IPPROTO_TCP, 0);
	niph->tos = oiph->tos & ~INET_ECN_MASK;
	nf_reject_ip_tcphdr_put(nskb, oldskb, oth);

	/* The reply's own output route, chosen with its TOS like the
	 * stack's; its TTL then comes from that route.
	 */
	if (ip_route_me_harder(net, NULL, nskb, RTN_LOCAL))
		goto free;
	niph = ip_hdr(nskb);
	niph->ttl = ip4_dst_hoplimit(skb_dst(nskb));
	if (nskb->len > dst_mtu(skb_dst(nskb)))
		goto free;
	/* ip_local_out() sets the length and the header checksum. */
	ip_local_out(net, NULL, nskb);
	return;
free:
	kfree_skb(nskb);
}

static void unreach4(struct sk_buff *skb, unsigned int thoff, int hook)
{
	/* The stack checks the UDP checksum before it answers. */
	if (nf_ip_checksum(skb, hook, thoff, IPPROTO_UDP))
		return;
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
}

static void reset6(struct net *net, struct sk_buff *oldskb,
		   const struct net_device *in, int hook)
{
	const struct ipv6hdr *oip6h = ipv6_hdr(oldskb);
	const struct tcphdr *oth;
	struct dst_entry *dst;
	struct sk_buff *nskb;
	unsigned int otcplen;
	struct tcphdr _oth;
	struct flowi6 fl6;
	__be32 label = 0;

	oth = nf_reject_ip6_tcphdr_get(oldskb, &_oth, &otcplen, hook);
	if (!oth)
		return;

	/* The flow tcp_v6_send_response() routes and hashes. */
	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_proto = IPPROTO_TCP;
	fl6.saddr = oip6h->daddr;
	fl6.daddr = oip6h->saddr;
	fl6.fl6_sport = oth->dest;
	fl6.fl6_dport = oth->source;
	fl6.flowi6_mark = IP6_REPLY_MARK(net, oldskb->mark);
	if (rt6_need_strict(&fl6.daddr))
		fl6.flowi6_oif = in->ifindex;
	if (net->ipv6.sysctl.flowlabel_reflect & FLOWLABEL_REFLECT_TCP_RESET)
		label = ip6_flowlabel(oip6h);
	fl6.flowlabel = label;
	security_skb_classify_flow(oldskb, flowi6_to_flowi_common(&fl6));

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return;
	}
	dst = xfrm_lookup(net, dst, flowi6_to_flowi(&fl6), NULL, 0);
	if (IS_ERR(dst))
		return;

	nskb = alloc_skb(LL_MAX_HEADER + sizeof(struct ipv6hdr) +
			 sizeof(struct tcphdr) + dst->trailer_len, GFP_ATOMIC);
	if (!nskb) {
		dst_release(dst);
		return;
	}
	skb_dst_set(nskb, dst);
	nskb->mark = fl6.flowi6_mark;
	skb_reserve(nskb, LL_MAX_HEADER);
	nf_reject_ip6hdr_put(nskb, oldskb, IPPROTO_TCP, ip6_dst_hoplimit(dst));
	nf_reject_ip6_tcphdr_put(nskb, oldskb, oth, otcplen);
	/* As ip6_xmit() writes it for the stack's control socket. */
	label = ip6_make_flowlabel(net, nskb, label,
				   ip6_default_np_autolabel(net), &fl6);
	ip6_flow_hdr(ipv6_hdr(nskb), ipv6_get_dsfield(oip6h) & ~INET_ECN_MASK,
		     label);
	ip6_local_out(net, NULL, nskb);
}

static void unreach6(struct sk_buff *skb, unsigned int thoff, int hook)
{
	if (nf_ip6_checksum(skb, hook, thoff, IPPROTO_UDP))
		return;
	icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
}

/* For a packet to one of this host's unicast addresses (the hook's scope
 * check found it local).
 */
void nfknock_answer(struct sk_buff *skb, const struct nf_hook_state *st,
		    u8 proto, unsigned int thoff)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	/* Bridged traffic needs the MAC juggling nf_reject does. */
	if (nf_bridge_info_exists(skb)) {
		if (st->pf == NFPROTO_IPV4 && proto == IPPROTO_TCP)
			nf_send_reset(st->net, NULL, skb, st->hook);
		else if (st->pf == NFPROTO_IPV4)
			nf_send_unreach(skb, ICMP_PORT_UNREACH, st->hook);
		else if (proto == IPPROTO_TCP)
			nf_send_reset6(st->net, NULL, skb, st->hook);
		else
			nf_send_unreach6(st->net, skb, ICMPV6_PORT_UNREACH,
					 st->hook);
		return;
	}
#endif
	/* tcp_v4_rcv() and tcp_v6_rcv() discard what was not sent to this
	 * host's link address.
	 */
	if (proto == IPPROTO_TCP && skb->pkt_type != PACKET_HOST)
		return;
	if (st->pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		/* The input route ip_rcv_finish() would take: the answers
		 * start from it like the stack's (source address, checks).
		 */
		if (!skb_dst(skb) &&
		    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
					 st->in))
			return;
		if (proto == IPPROTO_TCP)
			reset4(st->net, skb, st->hook);
		else
			unreach4(skb, thoff, st->hook);
	} else {
		if (proto == IPPROTO_TCP)
			reset6(st->net, skb, st->in, st->hook);
		else
			unreach6(skb, thoff, st->hook);
	}
}
