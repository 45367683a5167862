// SPDX-License-Identifier: GPL-2.0
/*
 * Single-packet knocks in softirq: hint lookup (no crypto for a datagram no
 * user's hint matches), XChaCha20-Poly1305 open through lib/crypto, then the
 * pure core's rules, the replay floor and the grant.
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

static const int reject_stat[__NFKNOCK_REJ_LAST] = {
	[NFKNOCK_REJ_OK] = NFKNOCK_STAT_A_KNOCKS_ACCEPTED,
	[NFKNOCK_REJ_UNKNOWN] = NFKNOCK_STAT_A_KNOCKS_UNKNOWN,
	[NFKNOCK_REJ_BAD_AUTH] = NFKNOCK_STAT_A_KNOCKS_BAD_AUTH,
	[NFKNOCK_REJ_STALE] = NFKNOCK_STAT_A_KNOCKS_STALE,
	[NFKNOCK_REJ_REPLAY] = NFKNOCK_STAT_A_KNOCKS_REPLAY,
	[NFKNOCK_REJ_NOT_ALLOWED] = NFKNOCK_STAT_A_KNOCKS_NOT_ALLOWED,
	[NFKNOCK_REJ_MALFORMED] = NFKNOCK_STAT_A_KNOCKS_MALFORMED,
	[NFKNOCK_REJ_TABLE_FULL] = 0,	/* counted by the grant table */
};

static const char *const reject_name[__NFKNOCK_REJ_LAST] = {
	[NFKNOCK_REJ_OK] = "ok",
	[NFKNOCK_REJ_UNKNOWN] = "unknown",
	[NFKNOCK_REJ_BAD_AUTH] = "bad_auth",
	[NFKNOCK_REJ_STALE] = "stale",
	[NFKNOCK_REJ_REPLAY] = "replay",
	[NFKNOCK_REJ_NOT_ALLOWED] = "not_allowed",
	[NFKNOCK_REJ_MALFORMED] = "malformed",
	[NFKNOCK_REJ_TABLE_FULL] = "table_full",
};

static u64 get_le64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Raise the user's replay floor to @ts unless it is already there. */
static bool advance_floor(struct nfknock_user_state *st, u64 ts)
{
	s64 old = atomic64_read(&st->last_ts_ms);

	do {
		if (ts <= (u64)old)
			return false;
	} while (!atomic64_try_cmpxchg(&st->last_ts_ms, &old, (s64)ts));
	return true;
}

static int grant_from_knock(struct nfknock_net *nn,
			    const struct nfknock_user *u,
			    const struct nfk_spa_grant *g)
{
	struct nfk_grant_key key;

	nfk_grant_key_make(&key, g->addr, g->family == 4 ? 4 : 16, g->proto,
			   g->port);
	if (g->type == NFK_SPA_CLOSE) {
		nfknock_grant_del(nn, &key, false);	/* absent is fine */
		return NFKNOCK_REJ_OK;
	}
	if (nfknock_grant_add(nn, &key, g->duration_s * 1000,
			      g->once ? NFKNOCK_GRANT_F_ONCE : 0, u->fpr,
			      GFP_ATOMIC))
		return NFKNOCK_REJ_TABLE_FULL;
	return NFKNOCK_REJ_OK;
}

/* Open the datagram as @u; NFKNOCK_REJ_BAD_AUTH when the tag is wrong. */
static int try_user(struct nfknock_net *nn, const struct nfknock_cfg *cfg,
		    const struct nfknock_user *u, const struct nfk_spa_frame *f,
		    u8 *pt, u8 family, const u8 *saddr, u64 now,
		    struct nfk_spa_grant *g)
{
	struct nfk_spa_req req;
	int rej;

	if (!xchacha20poly1305_decrypt(pt, f->sealed, f->sealed_len, f->hint,
				       NFK_SPA_HINT_LEN, f->nonce, u->k_aead))
		return NFKNOCK_REJ_BAD_AUTH;
	rej = nfk_spa_decode(pt, f->pt_len, &req);
	if (rej)
		return rej;
	rej = nfk_spa_check(&req, &u->pol, now, cfg->skew_ms,
			    atomic64_read(&u->state->last_ts_ms), family, saddr,
			    g);
	if (rej)
		return rej;
	/* Another CPU may have accepted the same datagram meanwhile. */
	if (!advance_floor(u->state, req.timestamp_ms))
		return NFKNOCK_REJ_REPLAY;
	rej = grant_from_knock(nn, u, g);
	if (!rej)
		atomic64_inc(&u->state->knocks);
	return rej;
}

static void log_knock(const struct nfknock_user *u, int rej, u8 family,
		      const u8 *saddr, const struct nfk_spa_grant *g)
{
	char svc[NFK_SERVICE_STRLEN];
	struct nfk_service s;

	if (rej != NFKNOCK_REJ_OK) {
		if (family == 4)
			pr_info_ratelimited("knock rejected: %s from %pI4 user %s\n",
					    reject_name[rej], saddr,
					    u ? u->name : "-");
		else
			pr_info_ratelimited("knock rejected: %s from %pI6c user %s\n",
					    reject_name[rej], saddr,
					    u ? u->name : "-");
		return;
	}
	s.proto = g->proto;
	s.port = g->port;
	s.port_end = g->port;
	nfk_service_format(&s, svc, sizeof(svc));
	if (g->family == 4)
		pr_info_ratelimited("knock accepted: user %s %s %s for %pI4 %us%s%s\n",
				    u->name,
				    g->type == NFK_SPA_OPEN ? "open" : "close",
				    svc, g->addr, g->duration_s,
				    g->once ? " once" : "",
				    g->capped ? " (capped)" : "");
	else
		pr_info_ratelimited("knock accepted: user %s %s %s for %pI6c %us%s%s\n",
				    u->name,
				    g->type == NFK_SPA_OPEN ? "open" : "close",
				    svc, g->addr, g->duration_s,
				    g->once ? " once" : "",
				    g->capped ? " (capped)" : "");
}

static int verify(struct nfknock_net *nn, const struct nfknock_cfg *cfg,
		  struct sk_buff *skb, unsigned int off, unsigned int len,
		  u8 family, const u8 *saddr, const struct nfknock_user **who,
		  struct nfk_spa_grant *g)
{
	struct knock_scratch *s = this_cpu_ptr(&knock_scratch);
	const struct nfknock_userset *us = cfg->users;
	const struct nfknock_hints *h;
	struct nfk_spa_frame f;
	u64 hint, now;
	u32 i;
	int rej = NFKNOCK_REJ_UNKNOWN;

	if (!us || len > sizeof(s->dgram) || skb_copy_bits(skb, off, s->dgram, len))
		return NFKNOCK_REJ_UNKNOWN;
	if (!nfk_spa_split(s->dgram, len, &f))
		return NFKNOCK_REJ_UNKNOWN;
	h = rcu_dereference(us->hints);
	if (!h)
		return NFKNOCK_REJ_UNKNOWN;
	hint = get_le64(f.hint);
	now = nfknock_unix_ms();
	for (i = (u32)hint & h->mask; h->slot[i].used; i = (i + 1) & h->mask) {
		const struct nfknock_user *u;

		if (h->slot[i].hint != hint)
			continue;
		u = us->users[h->slot[i].user];
		*who = u;
		rej = try_user(nn, cfg, u, &f, s->pt, family, saddr, now, g);
		if (rej != NFKNOCK_REJ_BAD_AUTH)
			break;
	}
	memzero_explicit(s->pt, sizeof(s->pt));
	return rej;
}

/*
 * A UDP datagram to a knock port. @thoff is its UDP header. Returns the
 * verdict for the datagram itself: by default it continues exactly as if
 * nfknock were absent.
 */
unsigned int nfknock_knock(struct nfknock_net *nn,
			   const struct nfknock_cfg *cfg, struct sk_buff *skb,
			   unsigned int thoff, u8 family, const u8 *saddr)
{
	const struct nfknock_user *who = NULL;
	struct nfk_spa_grant g;
	unsigned int off = thoff + 8;
	int rej = NFKNOCK_REJ_UNKNOWN;

	if (skb->len > off) {
		local_bh_disable();
		rej = verify(nn, cfg, skb, off, skb->len - off, family, saddr,
			     &who, &g);
		local_bh_enable();
	}
	if (reject_stat[rej])
		nfknock_count(nn, reject_stat[rej]);
	log_knock(who, rej, family, saddr, &g);
	return cfg->knock_packets == NFKNOCK_KNOCK_DROP ? NF_DROP : NF_ACCEPT;
}
