// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Guard verdict rules: TCP by SYN or stray segment, UDP flow-refreshed. */
#include "verdict.h"

static void pass(struct nfk_decision *d)
{
	d->verdict = NFK_V_PASS;
}

void nfk_decide(const struct nfk_l4 *pkt, const struct nfk_grant_state *g,
		u64 now_ms, u32 udp_idle_ms, struct nfk_decision *d)
{
	bool once, used;

	d->verdict = NFK_V_REFUSE;
	d->update = NFK_U_NONE;
	d->stateless = false;
	d->new_expires_ms = 0;

	if (nfk_passes_stateless(pkt)) {
		d->stateless = true;
		pass(d);
		return;
	}
	if (!nfk_grant_live(g, now_ms))
		return;
	once = g->flags & NFKNOCK_GRANT_F_ONCE;
	used = once && (g->flags & NFKNOCK_GRANT_F_USED);

	/* Consumed: only the consuming flow passes (its retransmits, the
	 * ACK that ends its SYN-cookie handshake).
	 */
	if (used && pkt->sport != g->bound_sport)
		return;
	pass(d);
	/* A stray segment (no connection: a probe, or that ACK) neither
	 * consumes nor refreshes the grant.
	 */
	if (pkt->proto == IPPROTO_TCP && !nfk_tcp_is_syn(pkt->tcp_flags))
		return;
	if (once && !used) {
		d->update = NFK_U_CONSUME;
		d->new_expires_ms = now_ms + NFKNOCK_ONCE_LINGER_MS;
		if (pkt->proto == IPPROTO_UDP)
			d->new_expires_ms = now_ms + udp_idle_ms;
		return;
	}

	if (pkt->proto == IPPROTO_UDP &&
	    now_ms + udp_idle_ms >= g->expires_ms + NFK_REFRESH_SLACK_MS) {
		d->update = NFK_U_REFRESH;
		d->new_expires_ms = now_ms + udp_idle_ms;
	}
}

bool nfk_apply_update(struct nfk_grant_state *g, const struct nfk_l4 *pkt,
		      const struct nfk_decision *d)
{
	switch (d->update) {
	case NFK_U_CONSUME:
		if (g->flags & NFKNOCK_GRANT_F_USED)
			return false;	/* another CPU consumed it first */
		g->flags |= NFKNOCK_GRANT_F_USED;
		g->bound_sport = pkt->sport;
		g->expires_ms = d->new_expires_ms;
		return true;
	case NFK_U_REFRESH:
		if (d->new_expires_ms <= g->expires_ms)
			return false;
		g->expires_ms = d->new_expires_ms;
		return true;
	case NFK_U_NONE:
	default:
		return false;
	}
}
