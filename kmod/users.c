// SPDX-License-Identifier: GPL-2.0
/*
 * Knock users: the set loaded by the last apply (sorted by fingerprint),
 * their replay state shared across applies by fingerprint, and the hint
 * index that maps a datagram's first 8 bytes to its user in O(1) for any
 * number of users, with the probe that reads it.
 */
#include <linux/bsearch.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "nfknock.h"

void nfknock_user_state_put(struct nfknock_user_state *st)
{
	if (st && refcount_dec_and_test(&st->ref))
		kfree(st);
}

/* Keys are wiped on every path that frees a user. */
void nfknock_user_free(struct nfknock_user *u)
{
	if (!u)
		return;
	nfknock_user_state_put(u->state);
	kfree_sensitive(u);
}

/*
 * A user set is reachable only through configurations; the last reference
 * goes from a configuration's RCU callback (readers are done) or from an
 * error path before it was ever published, so it is freed at once.
 */
static void userset_release(struct kref *ref)
{
	struct nfknock_userset *us = container_of(ref, struct nfknock_userset,
						  ref);
	u32 i;

	for (i = 0; i < us->n; i++)
		nfknock_user_free(us->users[i]);
	kvfree(rcu_dereference_raw(us->hints));
	nfknock_seq_release(us);
	kvfree(us->statics);
	kvfree(us);
}

void nfknock_userset_put(struct nfknock_userset *us)
{
	if (us)
		kref_put(&us->ref, userset_release);
}

static int cmp_user_fpr(const void *a, const void *b)
{
	const struct nfknock_user *ua = *(const struct nfknock_user **)a;
	const struct nfknock_user *ub = *(const struct nfknock_user **)b;

	return memcmp(ua->fpr, ub->fpr, sizeof(ua->fpr));
}

static int cmp_user_name(const void *a, const void *b)
{
	const struct nfknock_user *ua = *(const struct nfknock_user **)a;
	const struct nfknock_user *ub = *(const struct nfknock_user **)b;

	return strcmp(ua->name, ub->name);
}

static int cmp_key_fpr(const void *key, const void *elt)
{
	const struct nfknock_user *u = *(const struct nfknock_user **)elt;

	return memcmp(key, u->fpr, sizeof(u->fpr));
}

/* The user of @us with fingerprint @fpr: O(log n). */
static struct nfknock_user *find_fpr(const struct nfknock_userset *us,
				     const u8 *fpr)
{
	struct nfknock_user **p;

	if (!us)
		return NULL;
	p = bsearch(fpr, us->users, us->n, sizeof(us->users[0]), cmp_key_fpr);
	return p ? *p : NULL;
}

/* Names are unique too: sort a scratch copy by name, compare neighbours. */
static int check_names(struct nfknock_userset *us,
		       struct netlink_ext_ack *extack)
{
	struct nfknock_user **by_name;
	int ret = 0;
	u32 i;

	if (us->n < 2)
		return 0;
	by_name = kvmalloc_array(us->n, sizeof(*by_name), NFKNOCK_GFP);
	if (!by_name)
		return -ENOMEM;
	memcpy(by_name, us->users, us->n * sizeof(*by_name));
	sort(by_name, us->n, sizeof(*by_name), cmp_user_name, NULL);
	for (i = 1; i < us->n; i++) {
		if (!strcmp(by_name[i - 1]->name, by_name[i]->name)) {
			NL_SET_ERR_MSG(extack, "duplicate user name");
			ret = -EEXIST;
			break;
		}
	}
	kvfree(by_name);
	return ret;
}

static struct nfknock_user_state *state_new(u64 floor_ms)
{
	struct nfknock_user_state *st = kzalloc(sizeof(*st),
						NFKNOCK_GFP);

	if (!st)
		return NULL;
	refcount_set(&st->ref, 1);
	spin_lock_init(&st->lock);
	nfk_replay_init(&st->replay, floor_ms);
	atomic64_set(&st->knocks, 0);
	atomic_set(&st->grants, 0);
	return st;
}

/*
 * Make a set of the @n users on @staged, sorted by fingerprint, refusing
 * duplicate fingerprints and names: O(n log n). The users stay on the
 * staged list (and owned by it) until nfknock_userset_adopt(), so a commit
 * that fails later can be retried. Each user keeps the replay state of the
 * user with its fingerprint in @old; a user new to the namespace starts
 * above every timestamp a removed user reached (it may reuse its key).
 */
struct nfknock_userset *nfknock_userset_build(struct nfknock_net *nn,
					      struct list_head *staged, u32 n,
					      const struct nfknock_static *statics,
					      u32 n_static,
					      const struct nfknock_userset *old,
					      struct netlink_ext_ack *extack)
{
	struct nfknock_userset *us;
	struct nfknock_user *u;
	u32 i = 0;
	int ret;

	us = kvzalloc(struct_size(us, users, n), NFKNOCK_GFP);
	if (!us)
		return ERR_PTR(-ENOMEM);
	kref_init(&us->ref);
	list_for_each_entry(u, staged, staged) {
		if (WARN_ON_ONCE(i >= n))
			break;
		us->users[i++] = u;
	}
	us->n = i;
	/* The staging keeps its own static sequences for a retry. */
	if (n_static) {
		us->statics = kvmalloc_array(n_static, sizeof(*statics),
					     NFKNOCK_GFP);
		if (!us->statics) {
			ret = -ENOMEM;
			goto err;
		}
		memcpy(us->statics, statics, n_static * sizeof(*statics));
		us->n_static = n_static;
	}
	sort(us->users, us->n, sizeof(us->users[0]), cmp_user_fpr, NULL);
	for (i = 1; i < us->n; i++) {
		if (!memcmp(us->users[i - 1]->fpr, us->users[i]->fpr, 8)) {
			NL_SET_ERR_MSG(extack,
				       "duplicate user public key (fingerprint)");
			ret = -EEXIST;
			goto err;
		}
	}
	ret = check_names(us, extack);
	if (ret)
		goto err;
	for (i = 0; i < us->n; i++) {
		const struct nfknock_user *prev;

		u = us->users[i];
		prev = find_fpr(old, u->fpr);
		if (prev) {
			refcount_inc(&prev->state->ref);
			u->state = prev->state;
		} else {
			u->state = state_new(nn->removed_floor_ms);
			if (!u->state) {
				ret = -ENOMEM;
				goto err;
			}
		}
		if (!(i & 1023))
			cond_resched();
	}
	return us;

err:
	nfknock_userset_unbuild(us);
	return ERR_PTR(ret);
}

/* Undo nfknock_userset_build(): the users stay staged. */
void nfknock_userset_unbuild(struct nfknock_userset *us)
{
	u32 i;

	for (i = 0; i < us->n; i++) {
		nfknock_user_state_put(us->users[i]->state);
		us->users[i]->state = NULL;
	}
	kvfree(rcu_dereference_raw(us->hints));
	nfknock_seq_release(us);
	kvfree(us->statics);
	kvfree(us);
}

/*
 * The configuration holding @next replaced the one holding @prev (either
 * may be NULL): each user's state now points at its current user object,
 * the states of removed users at nothing, and the namespace remembers the
 * highest timestamp a removed user reached. Caller holds nn->lock.
 */
void nfknock_userset_adopt(struct nfknock_net *nn,
			   const struct nfknock_userset *prev,
			   const struct nfknock_userset *next)
{
	u32 i;

	for (i = 0; next && i < next->n; i++)
		next->users[i]->state->user = next->users[i];
	for (i = 0; prev && i < prev->n; i++) {
		struct nfknock_user_state *st = prev->users[i]->state;
		u64 high;

		if (st->user != prev->users[i])
			continue;	/* carried over to @next */
		st->user = NULL;
		spin_lock_bh(&st->lock);
		high = nfk_replay_high(&st->replay);
		spin_unlock_bh(&st->lock);
		nn->removed_floor_ms = max(nn->removed_floor_ms, high);
	}
}

/*
 * Windows on each side of the centre the index covers: every window a
 * timestamp within @skew_ms of now can fall in, plus the rebuild's lag
 * after a window turns (NFK_HINT_LAG_MS).
 */
u32 nfknock_hint_span(u32 skew_ms)
{
	return DIV_ROUND_UP(skew_ms + NFK_HINT_LAG_MS,
			    NFK_SPA_WINDOW_S * 1000);
}

static void hint_insert(struct nfknock_hints *h, u64 hint, u32 user)
{
	u32 i = (u32)hint & h->mask;

	while (h->slot[i].used)
		i = (i + 1) & h->mask;
	h->slot[i].hint = hint;
	h->slot[i].user = user;
	h->slot[i].used = 1;
}

/*
 * Compute every user's hints for the windows within the skew of now and
 * publish them. Caller holds the namespace lock (writers of us->hints are
 * serialised); it may be a worker, so the namespace's cgroup is named
 * explicitly.
 */
int nfknock_hints_rebuild(struct nfknock_net *nn, struct nfknock_userset *us,
			  u64 now_unix_ms, u32 skew_ms)
{
	u64 w = nfk_spa_window(now_unix_ms);
	u32 span = nfknock_hint_span(skew_ms);
	struct nfknock_hints *h, *old;
	struct mem_cgroup *memcg;
	u64 want;
	u32 slots, i;
	int d;

	/* Load factor at most one half. */
	want = max_t(u64, (u64)us->n * (2 * span + 1) * 2, 8);
	slots = roundup_pow_of_two(want);
	memcg = nfknock_memcg_enter(nn);
	h = kvzalloc(struct_size(h, slot, slots), NFKNOCK_GFP);
	nfknock_memcg_leave(memcg);
	if (!h)
		return -ENOMEM;
	h->center = w;
	h->span = span;
	h->mask = slots - 1;
	for (i = 0; i < us->n; i++) {
		for (d = -(int)span; d <= (int)span; d++)
			hint_insert(h, siphash_1u64(w + d, &us->users[i]->k_hint),
				    i);
		if (!(i & 1023))
			cond_resched();
	}
	old = rcu_replace_pointer(us->hints, h, true);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/*
 * The index no longer covers @w: the wall clock was stepped (a boot with
 * a wrong RTC, then NTP) since the last rebuild. Normal drift leaves the
 * centre at most one window behind.
 */
bool nfknock_hints_stale(const struct nfknock_hints *h, u64 w)
{
	return w > h->center + 1 || w + 1 < h->center;
}

/*
 * Next user whose hint is @hint in the index @h of @us, from probe
 * position *@pos (start with *@pos = NFKNOCK_HINT_START). NULL when no
 * further user matches.
 */
const struct nfknock_user *nfknock_hint_next(const struct nfknock_userset *us,
					     const struct nfknock_hints *h,
					     u64 hint, u32 *pos)
{
	u32 i = *pos == NFKNOCK_HINT_START ? (u32)hint & h->mask : *pos;

	for (; h->slot[i].used; i = (i + 1) & h->mask) {
		if (h->slot[i].hint != hint)
			continue;
		*pos = (i + 1) & h->mask;
		return us->users[h->slot[i].user];
	}
	return NULL;
}

/*
 * Without a usable index (right after a wall-clock step): does @u have
 * @hint for a window within @span of @w? O(span) hashes.
 */
bool nfknock_user_has_hint(const struct nfknock_user *u, u64 hint, u64 w,
			   u32 span)
{
	int d;

	for (d = -(int)span; d <= (int)span; d++)
		if (siphash_1u64(w + d, &u->k_hint) == hint)
			return true;
	return false;
}

/*
 * Runs just after each window boundary (of SPA's window and of every
 * user's sequence window) while the namespace has users.
 */
void nfknock_hint_work(struct work_struct *work)
{
	struct nfknock_net *nn = container_of(to_delayed_work(work),
					      struct nfknock_net, hint_work);
	struct nfknock_cfg *cfg;
	u64 now = nfknock_unix_ms();
	u64 next_ms;

	mutex_lock(&nn->lock);
	cfg = rcu_dereference_protected(nn->cfg, lockdep_is_held(&nn->lock));
	if (cfg && cfg->users && (cfg->users->n || cfg->users->n_seq)) {
		struct nfknock_userset *us = cfg->users;
		const struct nfknock_seqidx *idx;

		/* On failure the old hints stay: they still cover now. */
		nfknock_hints_rebuild(nn, us, now, cfg->skew_ms);
		next_ms = NFK_SPA_WINDOW_S * 1000 -
			  now % (NFK_SPA_WINDOW_S * 1000) + 1000;
		/* Sequences turn with their own windows (10 s at least). */
		if (us->n_seq) {
			nfknock_seq_rebuild(nn, us, now);
			nfknock_seq_sweep(us);
			idx = rcu_dereference_protected(us->seqidx,
						lockdep_is_held(&nn->lock));
			if (idx && idx->turn_ms > now)
				next_ms = min_t(u64, next_ms,
						idx->turn_ms - now + 1000);
		}
		queue_delayed_work(system_power_efficient_wq, &nn->hint_work,
				   msecs_to_jiffies(next_ms));
	}
	mutex_unlock(&nn->lock);
}
