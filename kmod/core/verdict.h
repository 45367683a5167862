/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The guard verdict (docs/kernel.md, "Packet path") as a pure function of the packet, the state
 * of the matching grant (if any) and the time, so that every rule is tested
 * with a fake clock. The caller applies the returned update under its lock.
 */
#ifndef NFK_VERDICT_H
#define NFK_VERDICT_H

#include "nfk_types.h"
#include "classify.h"

NFK_BEGIN_DECLS

/* Refreshing a UDP grant's idle expiry by less than this is skipped, so a
 * busy flow takes the grant's lock at most about once per this interval.
 */
#define NFK_REFRESH_SLACK_MS 1000

struct nfk_grant_state {
	u64 expires_ms;		/* monotonic; expired when now >= expires */
	u32 flags;		/* NFKNOCK_GRANT_F_ONCE, NFKNOCK_GRANT_F_USED */
	u16 bound_sport;	/* source port that consumed a one-shot */
};

enum nfk_verdict {
	NFK_V_PASS,
	NFK_V_REFUSE,
};

enum nfk_update {
	NFK_U_NONE,
	NFK_U_CONSUME,	/* one-shot: mark used, bind sport, linger */
	NFK_U_REFRESH,	/* UDP: move expiry to new_expires_ms */
};

struct nfk_decision {
	enum nfk_verdict verdict;
	enum nfk_update update;
	bool stateless;		/* passed without needing a grant */
	u64 new_expires_ms;	/* for CONSUME and REFRESH */
};

static inline bool nfk_grant_live(const struct nfk_grant_state *g, u64 now)
{
	return g && now < g->expires_ms;
}

/*
 * Passes without a grant: a RST (the stack answers none, with or without
 * a listener) and a segment of a connection this host has, so sessions
 * outlive their grant and a SYN+ACK answering the host's own connection
 * gets through.
 */
static inline bool nfk_passes_stateless(const struct nfk_l4 *pkt)
{
	return pkt->proto == IPPROTO_TCP && !nfk_tcp_is_syn(pkt->tcp_flags) &&
	       (pkt->in_conn || (pkt->tcp_flags & NFK_TCP_RST));
}

/*
 * Decide for a guarded packet @pkt given the grant @g for its source address
 * and service (NULL when there is none).
 */
void nfk_decide(const struct nfk_l4 *pkt, const struct nfk_grant_state *g,
		u64 now_ms, u32 udp_idle_ms, struct nfk_decision *d);

/* Apply d->update to @g; returns true when @g changed. */
bool nfk_apply_update(struct nfk_grant_state *g, const struct nfk_l4 *pkt,
		      const struct nfk_decision *d);

NFK_END_DECLS

#endif /* NFK_VERDICT_H */
