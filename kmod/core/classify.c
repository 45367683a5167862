// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Fast-path classification: two bitmap tests, nothing else. */
#include "classify.h"

static u16 get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

bool nfk_seq_candidate(u8 proto, const u8 *l4, size_t len, u16 *dport)
{
	if (len < 4)
		return false;
	if (proto == IPPROTO_TCP &&
	    (len < NFK_L4_PEEK || !nfk_tcp_is_syn(l4[13])))
		return false;
	*dport = get_be16(l4 + 2);
	return true;
}

enum nfk_class nfk_classify(const struct nfk_guardset *gs,
			    const struct nfk_guardset *knocks, u8 proto,
			    const u8 *l4, size_t len, struct nfk_l4 *pkt)
{
	u16 dport;

	if (len < 4)
		return NFK_PKT_IGNORE;
	dport = get_be16(l4 + 2);
	if (!nfk_guardset_covers(gs, proto, dport)) {
		if (proto != IPPROTO_UDP || len < 8 ||
		    !nfk_guardset_covers(knocks, proto, dport))
			return NFK_PKT_IGNORE;
		pkt->proto = proto;
		pkt->sport = get_be16(l4);
		pkt->dport = dport;
		pkt->tcp_flags = 0;
		pkt->udp_len = get_be16(l4 + 4);
		pkt->in_conn = false;
		return NFK_PKT_KNOCK;
	}

	pkt->proto = proto;
	pkt->sport = get_be16(l4);
	pkt->dport = dport;
	pkt->tcp_flags = 0;
	pkt->udp_len = proto == IPPROTO_UDP && len >= 8 ? get_be16(l4 + 4) : 0;
	pkt->in_conn = false;
	if (proto == IPPROTO_TCP) {
		if (len < NFK_L4_PEEK)
			return NFK_PKT_TRUNCATED;
		pkt->tcp_flags = l4[13];
	} else if (len < 8) {
		return NFK_PKT_TRUNCATED;
	}
	return NFK_PKT_GUARDED;
}
