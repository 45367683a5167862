// SPDX-License-Identifier: GPL-2.0
/*
 * Derived port-sequence knocks in the kernel. The derivation and the rules
 * of one attempt are the pure core's (core/seq.c); here they are kept in
 * tables: the first steps of every user's sequences for the windows around
 * now (rebuilt at each window turn, as the SPA hint index is), and the
 * progress table of attempts in flight, preallocated at apply. A step packet
 * is only observed: the hook goes on with it as if nfknock were absent.
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "nfknock.h"

static u64 seq_hash(const void *key, const u8 *msg, size_t len)
{
	return siphash(msg, len, key);
}

static void seq_key(const struct nfknock_user *u, struct nfk_seq_key *k)
{
	k->hash = seq_hash;
	k->key = &u->k_seq;
}

/* A single-port service of the allow list is a sequence service. */
static bool seq_service(const struct nfk_service *s)
{
	return s->port == s->port_end;
}

u32 nfknock_seq_services(const struct nfk_user_policy *pol)
{
	u32 i, n = 0;

	for (i = 0; i < pol->n_services; i++)
		n += seq_service(&pol->services[i]);
	return n;
}

/* Ports lo..hi of @proto may be steps: the fast path's range test. */
static void seq_span(struct nfknock_userset *us, u8 proto, u16 lo, u16 hi)
{
	int p = nfknock_seq_pidx(proto);

	us->seq_protos |= BIT(p);
	us->seq_lo[p] = min(us->seq_lo[p], lo);
	us->seq_hi[p] = max(us->seq_hi[p], hi);
}

/*
 * Once per apply, process context, namespace lock held: the per-protocol
 * ranges the fast path tests while attempts are in flight, and the
 * progress table, charged to the namespace's cgroup.
 */
int nfknock_seq_prepare(struct nfknock_net *nn, struct nfknock_userset *us,
			u32 progress_max)
{
	struct nfknock_progress *pt;
	struct mem_cgroup *memcg;
	u32 sets, i;
	int p;

	us->n_seq = 0;
	us->seq_protos = 0;
	for (p = 0; p < 2; p++) {
		us->seq_lo[p] = U16_MAX;
		us->seq_hi[p] = 0;
	}
	for (i = 0; i < us->n; i++) {
		const struct nfknock_user *u = us->users[i];

		if (!u->seq)
			continue;
		us->n_seq++;
		seq_span(us, u->seqp.step_proto, u->seqp.lo, u->seqp.hi);
	}
	for (i = 0; i < us->n_static; i++) {
		const struct nfk_static_seq *st = &us->statics[i].s;
		u8 j;

		us->n_seq++;
		for (j = 0; j < st->n; j++)
			seq_span(us, st->step[j].proto, st->step[j].port,
				 st->step[j].port);
	}
	if (!us->n_seq)
		return 0;
	sets = roundup_pow_of_two(DIV_ROUND_UP(progress_max, NFK_PROGRESS_WAYS));
	memcg = nfknock_memcg_enter(nn);
	pt = kvzalloc(struct_size(pt, set, sets), NFKNOCK_GFP);
	nfknock_memcg_leave(memcg);
	if (!pt)
		return -ENOMEM;
	get_random_bytes(&pt->key, sizeof(pt->key));
	atomic_set(&pt->live, 0);
	pt->mask = sets - 1;
	for (i = 0; i < sets; i++)
		spin_lock_init(&pt->set[i].lock);
	us->progress = pt;
	return 0;
}

/* The user set is unreachable (its last reference went after RCU). */
void nfknock_seq_release(struct nfknock_userset *us)
{
	kvfree(rcu_dereference_raw(us->seqidx));
	kvfree(us->progress);
	us->progress = NULL;
}

static u32 first_slot(u8 step_proto, u16 step, u32 mask)
{
	return hash_32((u32)step << 1 | nfknock_seq_pidx(step_proto), 31) &
	       mask;
}

static void first_insert(struct nfknock_seqidx *idx,
			 const struct nfknock_seq_first *f)
{
	u32 i = first_slot(f->step_proto, f->step, idx->mask);

	while (idx->slot[i].used)
		i = (i + 1) & idx->mask;
	idx->slot[i] = *f;
	idx->slot[i].used = 1;
	__set_bit(f->step, idx->first[nfknock_seq_pidx(f->step_proto)]);
}

static void index_user(struct nfknock_seqidx *idx, const struct nfknock_user *u,
		       u32 user, u64 now_unix_ms, u64 *turn_ms)
{
	const struct nfk_seq_params *p = &u->seqp;
	u64 w = nfk_seq_window(p, now_unix_ms / 1000);
	struct nfknock_seq_first f = { .user = user,
				       .step_proto = p->step_proto };
	struct nfk_seq_key k;
	u32 s;
	int d;

	seq_key(u, &k);
	*turn_ms = min(*turn_ms, (w + 1) * p->window_s * 1000);
	for (s = 0; s < u->pol.n_services; s++) {
		const struct nfk_service *svc = &u->pol.services[s];

		if (!seq_service(svc))
			continue;
		f.proto = svc->proto;
		f.port = svc->port;
		for (d = -1; d <= 1; d++) {
			f.window = w + d;
			f.step = nfk_seq_step(&k, p, f.window, f.proto, f.port,
					      0, 0);
			first_insert(idx, &f);
		}
	}
}

static void index_static(struct nfknock_seqidx *idx,
			 const struct nfknock_static *st, u32 id)
{
	struct nfknock_seq_first f = {
		.user = id,
		.is_static = 1,
		.step_proto = st->s.step[0].proto,
		.step = st->s.step[0].port,
		.proto = st->s.opens.proto,
		.port = st->s.opens.port,
	};

	first_insert(idx, &f);
}

/*
 * Compute the first steps of every user's sequences for the windows w-1,
 * w and w+1 around @now_unix_ms, and of the static sequences, and publish
 * them. Caller holds the
 * namespace lock (it may be a worker, so the cgroup is named explicitly).
 * On failure the old index stays.
 */
int nfknock_seq_rebuild(struct nfknock_net *nn, struct nfknock_userset *us,
			u64 now_unix_ms)
{
	struct nfknock_seqidx *idx, *old;
	struct mem_cgroup *memcg;
	u64 firsts = 0, turn = U64_MAX;
	u32 slots, i;

	if (!us->n_seq)
		return 0;
	for (i = 0; i < us->n; i++)
		if (us->users[i]->seq)
			firsts += 3 * nfknock_seq_services(&us->users[i]->pol);
	firsts += us->n_static;
	/* Three windows per derived service; load factor at most one half. */
	slots = roundup_pow_of_two(max_t(u64, firsts * 2, 8));
	memcg = nfknock_memcg_enter(nn);
	idx = kvzalloc(struct_size(idx, slot, slots), NFKNOCK_GFP);
	nfknock_memcg_leave(memcg);
	if (!idx)
		return -ENOMEM;
	idx->mask = slots - 1;
	for (i = 0; i < us->n; i++) {
		if (us->users[i]->seq)
			index_user(idx, us->users[i], i, now_unix_ms, &turn);
		if (!(i & 255))
			cond_resched();
	}
	for (i = 0; i < us->n_static; i++)
		index_static(idx, &us->statics[i], i);
	idx->turn_ms = turn;
	old = rcu_replace_pointer(us->seqidx, idx, true);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/* Set lock held. */
static void entry_free(struct nfknock_progress *pt, struct nfknock_pset *set,
		       struct nfknock_pentry *e)
{
	e->family = 0;
	WRITE_ONCE(set->used, set->used - 1);
	atomic_dec(&pt->live);
}

/*
 * Forget attempts whose next step is overdue, so that with none in flight
 * the fast path is one bitmap test again. From the index's worker, at each
 * window turn.
 */
void nfknock_seq_sweep(struct nfknock_userset *us)
{
	struct nfknock_progress *pt = us->progress;
	u64 now = nfknock_now_ms();
	u32 i;
	int j;

	if (!pt)
		return;
	for (i = 0; i <= pt->mask; i++) {
		struct nfknock_pset *set = &pt->set[i];

		spin_lock_bh(&set->lock);
		for (j = 0; j < NFK_PROGRESS_WAYS; j++)
			if (set->e[j].family && now >= set->e[j].a.deadline_ms)
				entry_free(pt, set, &set->e[j]);
		spin_unlock_bh(&set->lock);
		if (!(i & 63))
			cond_resched();
	}
}

u32 nfknock_seq_live(const struct nfknock_userset *us)
{
	return us && us->progress ? atomic_read(&us->progress->live) : 0;
}

/*
 * A free entry of @set, else one whose attempt is overdue, else the one
 * touched longest ago (counted as evicted). Set lock held.
 */
static struct nfknock_pentry *entry_take(struct nfknock_net *nn,
					 struct nfknock_progress *pt,
					 struct nfknock_pset *set, u64 now)
{
	struct nfknock_pentry *oldest = &set->e[0];
	int j;

	for (j = 0; j < NFK_PROGRESS_WAYS; j++) {
		struct nfknock_pentry *e = &set->e[j];

		if (!e->family) {
			WRITE_ONCE(set->used, set->used + 1);
			atomic_inc(&pt->live);
			return e;
		}
		if (now >= e->a.deadline_ms)
			return e;
		if (e->touched_ms < oldest->touched_ms)
			oldest = e;
	}
	nfknock_count(nn, NFKNOCK_STAT_A_SEQ_EVICTED);
	return oldest;
}

static bool same_source(const struct nfknock_pentry *e, u8 family,
			const u8 *saddr, size_t alen)
{
	return e->family == family && !memcmp(e->addr, saddr, alen);
}

/* What one step packet did to a source's attempts. */
struct step_outcome {
	bool taken;		/* a step (first, next or repeat) of some attempt */
	bool done;		/* an attempt completed: it opens... */
	const struct nfknock_user *user;	/* ...for this user, */
	const struct nfknock_static *stat;	/* or as this static one, */
	u8 proto;
	u16 port;		/* ...this service */
	u8 failed;		/* an attempt ended: NFKNOCK_REJ_WRONG_STEP or
				 * NFKNOCK_REJ_TIMEOUT; 0: none
				 */
	u8 steps;		/* most steps done by an attempt it moved */
};

/*
 * Feed a step to attempt @e of a derived or static sequence; NFK_SEQ_OTHER
 * also for a packet that is no step of its sequence at all (outside the
 * user's range and protocol, not one of the static sequence's ports), which
 * leaves the attempt alone: the client may use the host meanwhile.
 */
static enum nfk_seq_result feed_one(const struct nfknock_userset *us,
				    struct nfknock_pentry *e, u8 proto,
				    u16 dport, u64 now, bool *foreign)
{
	const struct nfknock_user *u;
	struct nfk_seq_key k;

	*foreign = false;
	if (e->a.is_static) {
		const struct nfk_static_seq *st = &us->statics[e->a.user].s;

		if (!nfk_static_has(st, proto, dport)) {
			*foreign = true;
			return NFK_SEQ_OTHER;
		}
		return nfk_static_feed(&e->a, st, proto, dport, now,
				       NFK_SEQ_STEP_TIMEOUT_MS);
	}
	u = us->users[e->a.user];
	if (u->seqp.step_proto != proto || dport < u->seqp.lo ||
	    dport > u->seqp.hi) {
		*foreign = true;
		return NFK_SEQ_OTHER;
	}
	seq_key(u, &k);
	return nfk_seq_feed(&e->a, &k, &u->seqp, dport, now,
			    NFK_SEQ_STEP_TIMEOUT_MS);
}

/* Feed the packet to the source's attempts in @set. Set lock held. */
static void feed_attempts(struct nfknock_net *nn, const struct nfknock_userset *us,
			  struct nfknock_pset *set, u8 proto, u16 dport,
			  u8 family, const u8 *saddr, size_t alen, u64 now,
			  struct step_outcome *out)
{
	struct nfknock_progress *pt = us->progress;
	bool failed = false, foreign;
	int j;

	for (j = 0; j < NFK_PROGRESS_WAYS; j++) {
		struct nfknock_pentry *e = &set->e[j];

		if (!same_source(e, family, saddr, alen))
			continue;
		switch (feed_one(us, e, proto, dport, now, &foreign)) {
		case NFK_SEQ_REPEAT:
		case NFK_SEQ_PROGRESS:
			out->taken = true;
			out->steps = max_t(u8, out->steps, e->a.next);
			e->touched_ms = now;
			break;
		case NFK_SEQ_COMPLETE:
			out->taken = true;
			if (!out->done) {
				out->done = true;
				if (e->a.is_static)
					out->stat = &us->statics[e->a.user];
				else
					out->user = us->users[e->a.user];
				out->proto = e->a.proto;
				out->port = e->a.port;
			}
			entry_free(pt, set, e);
			break;
		case NFK_SEQ_OTHER:
			if (foreign)
				break;
			if (now >= e->a.deadline_ms) {
				nfknock_count(nn, NFKNOCK_STAT_A_SEQ_TIMEOUT);
				out->failed = NFKNOCK_REJ_TIMEOUT;
			} else {
				failed = true;
			}
			entry_free(pt, set, e);
			break;
		}
	}
	/* A wrong port for one candidate that is the right one for another
	 * (two sequences shared a first step) is no failure.
	 */
	if (failed && !out->taken) {
		nfknock_count(nn, NFKNOCK_STAT_A_SEQ_FAILED);
		out->failed = NFKNOCK_REJ_WRONG_STEP;
	}
}

/* Start the attempt of index entry @f in a way of @set. */
static void begin_one(struct nfknock_net *nn, const struct nfknock_userset *us,
		      struct nfknock_pset *set,
		      const struct nfknock_seq_first *f, u16 dport, u8 family,
		      const u8 *saddr, size_t alen, u64 now)
{
	struct nfknock_pentry *e = entry_take(nn, us->progress, set, now);

	if (f->is_static) {
		nfk_static_begin(&e->a, &us->statics[f->user].s, f->user, now,
				 NFK_SEQ_STEP_TIMEOUT_MS);
	} else {
		const struct nfknock_user *u = us->users[f->user];
		struct nfk_seq_key k;

		seq_key(u, &k);
		nfk_seq_begin(&e->a, &k, &u->seqp, f->window, f->user,
			      f->proto, f->port, dport, now,
			      NFK_SEQ_STEP_TIMEOUT_MS);
	}
	e->touched_ms = now;
	e->family = family;
	memset(e->addr, 0, sizeof(e->addr));
	memcpy(e->addr, saddr, alen);
}

/* Start an attempt for each sequence whose first step is @dport. */
static void begin_attempts(struct nfknock_net *nn,
			   const struct nfknock_userset *us,
			   struct nfknock_pset *set, u8 proto, u16 dport,
			   u8 family, const u8 *saddr, size_t alen, u64 now,
			   struct step_outcome *out)
{
	const struct nfknock_seqidx *idx = rcu_dereference(us->seqidx);
	u64 unix_s;
	int found = 0;
	u32 i;

	if (!idx || !test_bit(dport, idx->first[nfknock_seq_pidx(proto)]))
		return;
	unix_s = nfknock_unix_ms() / 1000;
	for (i = first_slot(proto, dport, idx->mask); idx->slot[i].used &&
	     found < NFK_SEQ_CANDIDATES_MAX; i = (i + 1) & idx->mask) {
		const struct nfknock_seq_first *f = &idx->slot[i];

		if (f->step != dport || f->step_proto != proto)
			continue;
		/* The index lags a turn by its worker's delay: the window
		 * itself decides, w-1..w+1 of now's.
		 */
		if (!f->is_static) {
			u64 w = nfk_seq_window(&us->users[f->user]->seqp,
					       unix_s);

			if (f->window + 1 < w || f->window > w + 1)
				continue;
		}
		begin_one(nn, us, set, f, dport, family, saddr, alen, now);
		out->taken = true;
		out->steps = max_t(u8, out->steps, 1);
		found++;
	}
}

/*
 * A completed sequence: for a user's, its policy, then the grant; a static
 * one's grant belongs to no user (as an administrator's). Its events say
 * the source is unverified: a SYN or a datagram proves nothing about it.
 * False when the policy refused it (a failure toward a lockout).
 */
static bool open_service(struct nfknock_net *nn, const struct step_outcome *o,
			 u8 family, const u8 *saddr, size_t alen)
{
	const struct nfknock_user *u = o->user;
	struct nfk_grant_key key;
	u32 duration_s = u ? u->pol.max_duration_s : o->stat->s.duration_s;
	struct nfknock_ev ev = {
		.type = NFKNOCK_EVENT_SEQ_FAILED,
		.reason = NFKNOCK_REJ_NOT_ALLOWED,
		.family = family,
		.source = saddr,
		.unverified = true,
		.user = u ? u->name : NULL,
		.fpr = u ? u->fpr : NULL,
		.sequence = u ? NULL : o->stat->name,
		.proto = o->proto,
		.port = o->port,
	};

	if (u && !nfk_policy_admits(&u->pol, nfknock_unix_ms(), o->proto,
				    o->port, family, saddr)) {
		nfknock_count(nn, NFKNOCK_STAT_A_SEQ_NOT_ALLOWED);
		nfknock_event(nn, &ev);
		return false;
	}
	nfk_grant_key_make(&key, saddr, alen, o->proto, o->port);
	if (nfknock_grant_add(nn, &key, duration_s * 1000,
			      u ? 0 : NFKNOCK_GRANT_F_STATIC, u,
			      GFP_NOWAIT | __GFP_NOWARN)) {
		/* Counted by the grant table. */
		ev.reason = NFKNOCK_REJ_TABLE_FULL;
		nfknock_event(nn, &ev);
		return true;	/* no failure of the sender's */
	}
	nfknock_count(nn, NFKNOCK_STAT_A_SEQ_COMPLETED);
	if (u)
		atomic64_inc(&u->state->knocks);
	ev.type = NFKNOCK_EVENT_SEQ_COMPLETED;
	ev.reason = 0;
	ev.gfamily = family;
	ev.addr = saddr;
	ev.duration_s = duration_s;
	nfknock_event(nn, &ev);
	ev.type = NFKNOCK_EVENT_GRANT_OPENED;
	nfknock_event(nn, &ev);
	return true;
}

/* A step of a locked-out source, refused: an event (not logged). */
static void report_locked(struct nfknock_net *nn, u8 family, const u8 *saddr,
			  u8 proto, u16 dport)
{
	struct nfknock_ev ev = {
		.type = NFKNOCK_EVENT_SEQ_FAILED,
		.reason = NFKNOCK_REJ_LOCKED_OUT,
		.family = family,
		.source = saddr,
		.unverified = true,
		.proto = proto,
		.port = dport,
	};

	nfknock_event(nn, &ev);
}

/* Steps that moved or ended attempts, as events (not logged). */
static void report_step(struct nfknock_net *nn, const struct step_outcome *o,
			u8 family, const u8 *saddr, u8 proto, u16 dport)
{
	struct nfknock_ev ev = {
		.family = family,
		.source = saddr,
		.unverified = true,
		.proto = proto,
		.port = dport,
	};

	if (o->failed) {
		ev.type = NFKNOCK_EVENT_SEQ_FAILED;
		ev.reason = o->failed;
		nfknock_event(nn, &ev);
	}
	if (o->taken && !o->done) {
		ev.type = NFKNOCK_EVENT_SEQ_PROGRESS;
		ev.reason = 0;
		ev.count = o->steps;
		nfknock_event(nn, &ev);
	}
}

/*
 * A packet nfknock_seq_maybe() let through: a TCP SYN or a UDP datagram of
 * @proto to @dport from @saddr, addressed to this host; @set is the
 * source's progress set it returned. Softirq, under
 * rcu_read_lock(). The packet itself is not touched.
 */
void nfknock_seq_step(struct nfknock_net *nn, const struct nfknock_cfg *cfg,
		      struct nfknock_pset *set, u8 proto, u16 dport, u8 family,
		      const u8 *saddr)
{
	const struct nfknock_userset *us = cfg->users;
	struct nfknock_progress *pt = us->progress;
	size_t alen = family == NFK_FAMILY_V4 ? 4 : 16;
	struct step_outcome out = { };
	u64 now = nfknock_now_ms();

	/* A locked-out source's steps are not looked at: its attempts time
	 * out, and it starts none.
	 */
	if (nfknock_lockout_refuses(nn, cfg->lockouts, family, saddr)) {
		report_locked(nn, family, saddr, proto, dport);
		return;
	}
	spin_lock_bh(&set->lock);
	if (atomic_read(&pt->live))
		feed_attempts(nn, us, set, proto, dport, family, saddr, alen,
			      now, &out);
	if (!out.taken)
		begin_attempts(nn, us, set, proto, dport, family, saddr, alen,
			       now, &out);
	spin_unlock_bh(&set->lock);
	if (out.taken)
		nfknock_count(nn, NFKNOCK_STAT_A_SEQ_STEPS);
	report_step(nn, &out, family, saddr, proto, dport);
	if (out.failed == NFKNOCK_REJ_WRONG_STEP)
		nfknock_lockout_fail(nn, cfg->lockouts, out.failed, family,
				     saddr);
	if (out.done && !open_service(nn, &out, family, saddr, alen))
		nfknock_lockout_fail(nn, cfg->lockouts,
				     NFKNOCK_REJ_NOT_ALLOWED, family, saddr);
}
