// SPDX-License-Identifier: GPL-2.0
/*
 * Does a TCP segment belong to a connection this host has? The question a
 * guard asks of every segment that is neither a SYN nor a RST: one that
 * belongs to none would reach the listener, which ignores a FIN, NULL or
 * Xmas probe where an unused port answers RST, and so show a scanner that
 * a service hides behind the guard.
 *
 * One lookup in TCP's established hash (established, request and
 * time-wait sockets), the same one early demux makes right after this
 * hook. Listeners are not looked at: a listener is what the guard hides.
 */
#include <linux/netfilter.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/l3mdev.h>
#include <net/sock.h>

#include "nfknock.h"
#include "core/classify.h"

bool nfknock_tcp_in_connection(const struct sk_buff *skb,
			       const struct nf_hook_state *st,
			       const struct nfk_l4 *pkt)
{
	struct inet_hashinfo *hinfo = st->net->ipv4.tcp_death_row.hashinfo;
	const struct net_device *in = st->in;
	__be16 sport = htons(pkt->sport);
	struct sock *sk;
	int dif, sdif = 0;

	if (!in)
		return false;
	/* As TCP's receive path sees it behind a VRF: the master is the
	 * input device, the enslaved one the secondary.
	 */
	dif = in->ifindex;
	if (netif_is_l3_slave(in)) {
		sdif = dif;
		dif = l3mdev_master_ifindex_rcu(in);
	}

	if (st->pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		sk = __inet_lookup_established(st->net, hinfo, iph->saddr,
					       sport, iph->daddr, pkt->dport,
					       dif, sdif);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		sk = __inet6_lookup_established(st->net, hinfo, &ip6h->saddr,
						sport, &ip6h->daddr,
						pkt->dport, dif, sdif);
	}
	if (!sk)
		return false;
	sock_gen_put(sk);
	return true;
}
