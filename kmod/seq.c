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
		p = nfknock_seq_pidx(u->seqp.step_proto);
		us->n_seq++;
		us->seq_protos |= BIT(p);
		us->seq_lo[p] = min(us->seq_lo[p], u->seqp.lo);
		us->seq_hi[p] = max(us->seq_hi[p], u->seqp.hi);
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

/*
 * Compute the first steps of every user's sequences for the windows w-1,
 * w and w+1 around @now_unix_ms and publish them. Caller holds the
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
			firsts += nfknock_seq_services(&us->users[i]->pol);
	/* Three windows each; load factor at most one half. */
	slots = roundup_pow_of_two(max_t(u64, firsts * 3 * 2, 8));
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
	idx->turn_ms = turn;
	old = rcu_replace_pointer(us->seqidx, idx, true);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

static void entry_free(struct nfknock_progress *pt, struct nfknock_pentry *e)
{
	e->family = 0;
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
				entry_free(pt, &set->e[j]);
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
	const struct nfknock_user *user;	/* completed: opens this... */
	u8 proto;
	u16 port;		/* ...service */
};

/* Feed the packet to the source's attempts in @set. Set lock held. */
static void feed_attempts(struct nfknock_net *nn, const struct nfknock_userset *us,
			  struct nfknock_pset *set, u8 proto, u16 dport,
			  u8 family, const u8 *saddr, size_t alen, u64 now,
			  struct step_outcome *out)
{
	struct nfknock_progress *pt = us->progress;
	bool failed = false;
	int j;

	for (j = 0; j < NFK_PROGRESS_WAYS; j++) {
		struct nfknock_pentry *e = &set->e[j];
		const struct nfknock_user *u;
		struct nfk_seq_key k;

		if (!same_source(e, family, saddr, alen))
			continue;
		u = us->users[e->a.user];
		/* Traffic outside the user's steps is no step of its
		 * attempt: the client may use the host meanwhile.
		 */
		if (u->seqp.step_proto != proto || dport < u->seqp.lo ||
		    dport > u->seqp.hi)
			continue;
		seq_key(u, &k);
		switch (nfk_seq_feed(&e->a, &k, &u->seqp, dport, now,
				     NFK_SEQ_STEP_TIMEOUT_MS)) {
		case NFK_SEQ_REPEAT:
		case NFK_SEQ_PROGRESS:
			out->taken = true;
			e->touched_ms = now;
			break;
		case NFK_SEQ_COMPLETE:
			out->taken = true;
			if (!out->user) {
				out->user = u;
				out->proto = e->a.proto;
				out->port = e->a.port;
			}
			entry_free(pt, e);
			break;
		case NFK_SEQ_OTHER:
			if (now >= e->a.deadline_ms)
				nfknock_count(nn, NFKNOCK_STAT_A_SEQ_TIMEOUT);
			else
				failed = true;
			entry_free(pt, e);
			break;
		}
	}
	/* A wrong port for one candidate that is the right one for another
	 * (two users' sequences shared a first step) is no failure.
	 */
	if (failed && !out->taken)
		nfknock_count(nn, NFKNOCK_STAT_A_SEQ_FAILED);
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
		const struct nfknock_user *u;
		struct nfknock_pentry *e;
		struct nfk_seq_key k;
		u64 w;

		if (f->step != dport || f->step_proto != proto)
			continue;
		u = us->users[f->user];
		/* The index lags a turn by its worker's delay: the window
		 * itself decides, w-1..w+1 of now's.
		 */
		w = nfk_seq_window(&u->seqp, unix_s);
		if (f->window + 1 < w || f->window > w + 1)
			continue;
		seq_key(u, &k);
		e = entry_take(nn, us->progress, set, now);
		nfk_seq_begin(&e->a, &k, &u->seqp, f->window, f->user,
			      f->proto, f->port, dport, now,
			      NFK_SEQ_STEP_TIMEOUT_MS);
		e->touched_ms = now;
		e->family = family;
		memset(e->addr, 0, sizeof(e->addr));
		memcpy(e->addr, saddr, alen);
		out->taken = true;
		found++;
	}
}

/* A completed sequence: the user's policy, then the grant. */
static void open_service(struct nfknock_net *nn, const struct step_outcome *o,
			 u8 family, const u8 *saddr, size_t alen)
{
	const struct nfknock_user *u = o->user;
	struct nfk_grant_key key;
	u32 duration_s = u->pol.max_duration_s;

	if (!nfk_policy_admits(&u->pol, nfknock_unix_ms(), o->proto, o->port,
			       family, saddr)) {
		nfknock_count(nn, NFKNOCK_STAT_A_SEQ_NOT_ALLOWED);
		if (family == NFK_FAMILY_V4)
			pr_info_ratelimited("sequence refused: not_allowed from %pI4 user %s\n",
					    saddr, u->name);
		else
			pr_info_ratelimited("sequence refused: not_allowed from %pI6c user %s\n",
					    saddr, u->name);
		return;
	}
	nfk_grant_key_make(&key, saddr, alen, o->proto, o->port);
	if (nfknock_grant_add(nn, &key, duration_s * 1000, 0, u,
			      GFP_NOWAIT | __GFP_NOWARN))
		return;		/* counted by the grant table */
	nfknock_count(nn, NFKNOCK_STAT_A_SEQ_COMPLETED);
	atomic64_inc(&u->state->knocks);
	if (family == NFK_FAMILY_V4)
		pr_info_ratelimited("sequence accepted: user %s open %s/%u for %pI4 %us\n",
				    u->name, o->proto == IPPROTO_TCP ? "tcp" : "udp",
				    o->port, saddr, duration_s);
	else
		pr_info_ratelimited("sequence accepted: user %s open %s/%u for %pI6c %us\n",
				    u->name, o->proto == IPPROTO_TCP ? "tcp" : "udp",
				    o->port, saddr, duration_s);
}

/*
 * A packet nfknock_seq_maybe() let through: a TCP SYN or a UDP datagram of
 * @proto to @dport from @saddr, addressed to this host. Softirq, under
 * rcu_read_lock(). The packet itself is not touched.
 */
void nfknock_seq_step(struct nfknock_net *nn, const struct nfknock_userset *us,
		      u8 proto, u16 dport, u8 family, const u8 *saddr)
{
	struct nfknock_progress *pt = us->progress;
	size_t alen = family == NFK_FAMILY_V4 ? 4 : 16;
	struct step_outcome out = { };
	struct nfknock_pset *set;
	u64 now = nfknock_now_ms();

	set = &pt->set[siphash(saddr, alen, &pt->key) & pt->mask];
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
	if (out.user)
		open_service(nn, &out, family, saddr, alen);
}
