// SPDX-License-Identifier: GPL-2.0
/*
 * Single-packet knocks in softirq: hint lookup (no crypto for a datagram no
 * user's hint matches), XChaCha20-Poly1305 open through lib/crypto, then the
 * pure core's rules, the replay set and the grant.
 */
#include <crypto/chacha20poly1305.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "nfknock.h"

struct knock_scratch {
	u8 dgram[NFK_SPA_MAX_LEN];
	u8 pt[NFK_SPA_PT_MAX];
};

/* Per CPU, used with bottom halves disabled: keeps 450 bytes off the stack. */
static DEFINE_PER_CPU(struct knock_scratch, knock_scratch);

/* Everything one knock is checked against, and what it asked for. */
struct knock_ctx {
	struct nfknock_net *nn;
	const struct nfknock_cfg *cfg;
	u8 family;			/* of the observed source, 4 or 6 */
	const u8 *saddr;		/* observed source address */
	u64 now_ms;			/* unix ms */
	struct nfk_spa_frame f;
	u64 id;				/* datagram identity: its tag's start */
	u8 *pt;				/* plaintext scratch */
	const struct nfknock_user *who;	/* last user tried, for the log */
	struct nfk_spa_grant g;		/* valid when accepted */
};

static const int reject_stat[__NFKNOCK_REJ_LAST] = {
	[NFKNOCK_REJ_OK] = NFKNOCK_STAT_A_KNOCKS_ACCEPTED,
	[NFKNOCK_REJ_UNKNOWN] = NFKNOCK_STAT_A_KNOCKS_UNKNOWN,
	[NFKNOCK_REJ_BAD_AUTH] = NFKNOCK_STAT_A_KNOCKS_BAD_AUTH,
	[NFKNOCK_REJ_STALE] = NFKNOCK_STAT_A_KNOCKS_STALE,
	[NFKNOCK_REJ_REPLAY] = NFKNOCK_STAT_A_KNOCKS_REPLAY,
	[NFKNOCK_REJ_NOT_ALLOWED] = NFKNOCK_STAT_A_KNOCKS_NOT_ALLOWED,
	[NFKNOCK_REJ_MALFORMED] = NFKNOCK_STAT_A_KNOCKS_MALFORMED,
	[NFKNOCK_REJ_TABLE_FULL] = 0,	/* counted by the grant table */
	[NFKNOCK_REJ_UNBOUND] = NFKNOCK_STAT_A_KNOCKS_UNBOUND,
};

static u64 get_le64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Refuse a datagram seen before, else remember it: one step, one lock. */
static bool replay_claim(struct nfknock_user_state *st, u64 ts, u64 id)
{
	bool seen;

	spin_lock(&st->lock);
	seen = nfk_replay_seen(&st->replay, ts, id);
	if (!seen)
		nfk_replay_note(&st->replay, ts, id);
	spin_unlock(&st->lock);
	return !seen;
}

static int grant_from_knock(struct knock_ctx *c, const struct nfknock_user *u)
{
	const struct nfk_spa_grant *g = &c->g;
	struct nfk_grant_key key;

	nfk_grant_key_make(&key, g->addr, g->family == NFK_FAMILY_V4 ? 4 : 16,
			   g->proto, g->port);
	if (g->type == NFK_SPA_CLOSE) {
		nfknock_grant_del(c->nn, &key, false);	/* absent is fine */
		return NFKNOCK_REJ_OK;
	}
	if (nfknock_grant_add(c->nn, &key, g->duration_s * 1000,
			      g->once ? NFKNOCK_GRANT_F_ONCE : 0, u,
			      GFP_NOWAIT | __GFP_NOWARN))
		return NFKNOCK_REJ_TABLE_FULL;
	return NFKNOCK_REJ_OK;
}

/* Open the datagram as @u; NFKNOCK_REJ_BAD_AUTH when the tag is wrong. */
static int try_user(struct knock_ctx *c, const struct nfknock_user *u)
{
	struct nfk_spa_req req;
	int rej;

	c->who = u;
	if (!xchacha20poly1305_decrypt(c->pt, c->f.sealed, c->f.sealed_len,
				       c->f.hint, NFK_SPA_HINT_LEN, c->f.nonce,
				       u->k_aead))
		return NFKNOCK_REJ_BAD_AUTH;
	rej = nfk_spa_decode(c->pt, c->f.pt_len, &req);
	if (rej)
		return rej;
	rej = nfk_spa_check(&req, &u->pol, c->now_ms, c->cfg->skew_ms,
			    nfknock_instance_floor_ms(c->now_ms), c->family,
			    c->saddr, &c->g);
	if (rej)
		return rej;
	/* Another CPU may have accepted the same datagram meanwhile. */
	if (!replay_claim(u->state, req.timestamp_ms, c->id))
		return NFKNOCK_REJ_REPLAY;
	rej = grant_from_knock(c, u);
	if (!rej)
		atomic64_inc(&u->state->knocks);
	return rej;
}

/*
 * The knock's events: rejected (its source unverified: the datagram proved
 * nothing), or accepted and the grant it opened.
 */
static void report_knock(const struct knock_ctx *c, int rej)
{
	const struct nfk_spa_grant *g = &c->g;
	const struct nfknock_user *u = c->who;
	struct nfknock_ev ev = {
		.type = NFKNOCK_EVENT_KNOCK_REJECTED,
		.reason = rej,
		.family = c->family,
		.source = c->saddr,
		.unverified = true,
		.user = u ? u->name : NULL,
		.fpr = u ? u->fpr : NULL,
	};

	if (rej != NFKNOCK_REJ_OK) {
		nfknock_event(c->nn, &ev);
		return;
	}
	ev.type = NFKNOCK_EVENT_KNOCK_ACCEPTED;
	ev.unverified = false;
	ev.gfamily = g->family;
	ev.addr = g->addr;
	ev.proto = g->proto;
	ev.port = g->port;
	if (g->type == NFK_SPA_CLOSE)
		ev.flags |= NFKNOCK_EV_F_CLOSE;
	else
		ev.duration_s = g->duration_s;
	if (g->once)
		ev.flags |= NFKNOCK_EV_F_ONCE;
	if (g->capped)
		ev.flags |= NFKNOCK_EV_F_CAPPED;
	nfknock_event(c->nn, &ev);
	/* A close's grant_revoked comes from the grant table. */
	if (g->type == NFK_SPA_OPEN) {
		ev.type = NFKNOCK_EVENT_GRANT_OPENED;
		nfknock_event(c->nn, &ev);
	}
}

/*
 * The wall clock was stepped since the index was built: ask for a rebuild
 * now and, at most once a second per namespace (it costs a few hashes per
 * user), find the users by hashing every window within the skew, so the
 * first knock after the step is not lost.
 */
static int verify_stale(struct knock_ctx *c, const struct nfknock_userset *us,
			u64 hint, u64 w, u32 span)
{
	struct nfknock_net *nn = c->nn;
	unsigned long last = READ_ONCE(nn->stale_scan_at);
	int rej = NFKNOCK_REJ_UNKNOWN;
	u32 i;

	mod_delayed_work(system_power_efficient_wq, &nn->hint_work, 0);
	if (time_before(jiffies, last + HZ) ||
	    cmpxchg(&nn->stale_scan_at, last, jiffies) != last)
		return NFKNOCK_REJ_UNKNOWN;
	for (i = 0; i < us->n; i++) {
		if (!nfknock_user_has_hint(us->users[i], hint, w, span))
			continue;
		rej = try_user(c, us->users[i]);
		if (rej != NFKNOCK_REJ_BAD_AUTH)
			break;
	}
	return rej;
}

static int verify(struct knock_ctx *c, struct sk_buff *skb, unsigned int off,
		  unsigned int len)
{
	struct knock_scratch *s = this_cpu_ptr(&knock_scratch);
	const struct nfknock_userset *us = c->cfg->users;
	const struct nfknock_user *u;
	const struct nfknock_hints *h;
	u64 hint, w;
	u32 pos = NFKNOCK_HINT_START;
	int rej = NFKNOCK_REJ_UNKNOWN;

	if (!us || len > sizeof(s->dgram) ||
	    skb_copy_bits(skb, off, s->dgram, len))
		return NFKNOCK_REJ_UNKNOWN;
	if (!nfk_spa_split(s->dgram, len, &c->f))
		return NFKNOCK_REJ_UNKNOWN;
	h = rcu_dereference(us->hints);
	if (!h)
		return NFKNOCK_REJ_UNKNOWN;
	c->pt = s->pt;
	c->id = get_le64(c->f.sealed + c->f.pt_len);	/* the tag */
	hint = get_le64(c->f.hint);
	c->now_ms = nfknock_unix_ms();
	w = nfk_spa_window(c->now_ms);
	if (nfknock_hints_stale(h, w)) {
		rej = verify_stale(c, us, hint, w, h->span);
	} else {
		while ((u = nfknock_hint_next(us, h, hint, &pos))) {
			rej = try_user(c, u);
			if (rej != NFKNOCK_REJ_BAD_AUTH)
				break;
		}
	}
	memzero_explicit(s->pt, sizeof(s->pt));
	return rej;
}

/*
 * A UDP datagram to a knock port. @thoff is its UDP header, @pkt what
 * classification read of it. Returns the verdict for the datagram itself:
 * by default it continues exactly as if nfknock were absent.
 */
unsigned int nfknock_knock(struct nfknock_net *nn,
			   const struct nfknock_cfg *cfg, struct sk_buff *skb,
			   unsigned int thoff, const struct nfk_l4 *pkt,
			   u8 family, const u8 *saddr)
{
	struct knock_ctx c = {
		.nn = nn,
		.cfg = cfg,
		.family = family,
		.saddr = saddr,
	};
	int rej = NFKNOCK_REJ_UNKNOWN;

	/* The datagram is what the UDP header says, not what the skb holds
	 * (trailing bytes after it are not the knock's).
	 */
	if (pkt->udp_len > 8 && thoff + pkt->udp_len <= skb->len) {
		local_bh_disable();
		rej = verify(&c, skb, thoff + 8, pkt->udp_len - 8);
		local_bh_enable();
	}
	if (reject_stat[rej])
		nfknock_count(nn, reject_stat[rej]);
	report_knock(&c, rej);
	/* Counted toward a lockout, which only refuses sequence steps. */
	nfknock_lockout_fail(nn, cfg->lockouts, rej, family, saddr);
	return cfg->knock_packets == NFKNOCK_KNOCK_DROP ? NF_DROP : NF_ACCEPT;
}
