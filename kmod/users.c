// SPDX-License-Identifier: GPL-2.0
/*
 * Knock users: the set loaded by the last apply, their replay state shared
 * across applies by fingerprint, and the hint index that maps a datagram's
 * first 8 bytes to its user in O(1) for any number of users.
 */
#include <linux/log2.h>
#include <linux/slab.h>

#include "nfknock.h"

static void state_put(struct nfknock_user_state *st)
{
	if (st && refcount_dec_and_test(&st->ref))
		kfree(st);
}

/* Keys are wiped on every path that frees a user. */
void nfknock_user_free(struct nfknock_user *u)
{
	if (!u)
		return;
	state_put(u->state);
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
	kvfree(us);
}

void nfknock_userset_put(struct nfknock_userset *us)
{
	if (us)
		kref_put(&us->ref, userset_release);
}

static struct nfknock_user *find_fpr(const struct nfknock_userset *us,
					   const u8 *fpr)
{
	u32 i;

	for (i = 0; us && i < us->n; i++)
		if (!memcmp(us->users[i]->fpr, fpr, 8))
			return us->users[i];
	return NULL;
}

/*
 * Make the set from the staged list (emptied). Each user keeps the replay
 * state of the user with its fingerprint in @old; a new user's replay floor
 * is now, so datagrams captured before it existed cannot be replayed.
 */
struct nfknock_userset *nfknock_userset_build(struct list_head *staged, u32 n,
					      const struct nfknock_userset *old)
{
	struct nfknock_userset *us;
	struct nfknock_user *u, *tmp;
	u64 now = nfknock_unix_ms();
	u32 i = 0;

	us = kvzalloc(struct_size(us, users, n), GFP_KERNEL);
	if (!us)
		return NULL;
	kref_init(&us->ref);
	list_for_each_entry(u, staged, staged) {
		const struct nfknock_user *prev = find_fpr(old, u->fpr);

		if (prev) {
			refcount_inc(&prev->state->ref);
			u->state = prev->state;
			continue;
		}
		u->state = kzalloc(sizeof(*u->state), GFP_KERNEL);
		if (!u->state)
			goto err;
		refcount_set(&u->state->ref, 1);
		atomic64_set(&u->state->last_ts_ms, now);
	}
	list_for_each_entry_safe(u, tmp, staged, staged) {
		list_del(&u->staged);
		us->users[i++] = u;
	}
	us->n = i;
	return us;

err:
	list_for_each_entry(u, staged, staged) {
		state_put(u->state);
		u->state = NULL;
	}
	kvfree(us);
	return NULL;
}

bool nfknock_userset_has_fpr(const struct nfknock_userset *us, const u8 *fpr)
{
	return find_fpr(us, fpr);
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
 * Compute every user's hints for the windows around now and publish them.
 * Caller holds the namespace lock (writers of us->hints are serialised).
 */
int nfknock_hints_rebuild(struct nfknock_userset *us, u64 now_unix_ms)
{
	u64 w = nfk_spa_window(now_unix_ms);
	struct nfknock_hints *h, *old;
	u32 slots, i;
	int d;

	slots = roundup_pow_of_two(max_t(u32, 3 * us->n * 2, 8));
	h = kvzalloc(struct_size(h, slot, slots), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->center = w;
	h->mask = slots - 1;
	for (i = 0; i < us->n; i++)
		for (d = -1; d <= 1; d++)
			hint_insert(h, siphash_1u64(w + d, &us->users[i]->k_hint),
				    i);
	old = rcu_replace_pointer(us->hints, h, true);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/* Runs just after each window boundary while the namespace has users. */
void nfknock_hint_work(struct work_struct *work)
{
	struct nfknock_net *nn = container_of(to_delayed_work(work),
					      struct nfknock_net, hint_work);
	struct nfknock_cfg *cfg;
	u64 now = nfknock_unix_ms();
	u64 next_ms;

	mutex_lock(&nn->lock);
	cfg = rcu_dereference_protected(nn->cfg, lockdep_is_held(&nn->lock));
	if (cfg && cfg->users && cfg->users->n) {
		/* On failure the old hints stay: they still cover now. */
		nfknock_hints_rebuild(cfg->users, now);
		next_ms = NFK_SPA_WINDOW_S * 1000 -
			  now % (NFK_SPA_WINDOW_S * 1000) + 1000;
		queue_delayed_work(system_power_efficient_wq, &nn->hint_work,
				   msecs_to_jiffies(next_ms));
	}
	mutex_unlock(&nn->lock);
}
