// SPDX-License-Identifier: GPL-2.0
/*
 * The grant table of a namespace: a fixed array of buckets, each with its own
 * lock; readers walk a bucket under RCU. Entries come from a dedicated
 * kmem_cache, the count is capped, and expired entries are reaped lazily on
 * insert and by a periodic collector.
 */
#include <linux/memcontrol.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "nfknock.h"

#define GC_INTERVAL (2 * HZ)

static struct kmem_cache *grant_cache __read_mostly;

int nfknock_grants_init(void)
{
	/* Charged to the memory cgroup of the namespace's owner. */
	grant_cache = KMEM_CACHE(nfknock_grant, SLAB_ACCOUNT);
	return grant_cache ? 0 : -ENOMEM;
}

void nfknock_grants_exit(void)
{
	rcu_barrier();	/* wait for grant_free_rcu() callbacks */
	kmem_cache_destroy(grant_cache);
}

static void grant_free(struct nfknock_grant *g)
{
	nfknock_user_state_put(g->owner);
	kmem_cache_free(grant_cache, g);
}

static void grant_free_rcu(struct rcu_head *head)
{
	grant_free(container_of(head, struct nfknock_grant, rcu));
}

/* Charged to the namespace's cgroup (softirq runs in no useful task). */
static struct nfknock_grant *grant_alloc(struct nfknock_net *nn, gfp_t gfp)
{
	struct mem_cgroup *old = nfknock_memcg_enter(nn);
	struct nfknock_grant *g = kmem_cache_zalloc(grant_cache, gfp);

	nfknock_memcg_leave(old);
	return g;
}

static struct nfknock_bucket *bucket_of(struct nfknock_grants *t,
					const struct nfk_grant_key *key)
{
	u64 h = siphash(key, sizeof(*key), &t->hash_key);

	return &t->buckets[h & (NFKNOCK_GRANT_BUCKETS - 1)];
}

/* Caller holds the bucket lock; the entry is freed after a grace period. */
static void grant_unlink(struct nfknock_grants *t, struct nfknock_grant *g)
{
	g->dead = true;
	hlist_del_rcu(&g->node);
	atomic_dec(&t->count);
	atomic_inc(&t->gen);
	if (g->owner)
		atomic_dec(&g->owner->grants);
	call_rcu(&g->rcu, grant_free_rcu);
}

/* Remove expired entries of @b; returns how many. Caller holds b->lock. */
static unsigned int reap_bucket(struct nfknock_grants *t,
				struct nfknock_bucket *b, u64 now)
{
	struct nfknock_grant *g;
	struct hlist_node *tmp;
	unsigned int n = 0;

	hlist_for_each_entry_safe(g, tmp, &b->head, node) {
		if (!nfk_grant_live(&g->st, now)) {
			grant_unlink(t, g);
			n++;
		}
	}
	return n;
}

static void add_expired(struct nfknock_net *nn, unsigned int n)
{
	if (n)
		this_cpu_add(nn->stats->c[NFKNOCK_STAT_A_GRANTS_EXPIRED], n);
}

static void grants_gc(struct work_struct *work)
{
	struct nfknock_grants *t = container_of(to_delayed_work(work),
						struct nfknock_grants, gc);
	struct nfknock_net *nn = container_of(t, struct nfknock_net, grants);
	u64 now = nfknock_now_ms();
	unsigned int i, n = 0;

	for (i = 0; i < NFKNOCK_GRANT_BUCKETS; i++) {
		struct nfknock_bucket *b = &t->buckets[i];

		if (hlist_empty(&b->head))
			continue;
		spin_lock_bh(&b->lock);
		n += reap_bucket(t, b, now);
		spin_unlock_bh(&b->lock);
		cond_resched();
	}
	local_bh_disable();
	add_expired(nn, n);
	local_bh_enable();
	if (atomic_read(&t->count))
		queue_delayed_work(system_power_efficient_wq, &t->gc,
				   GC_INTERVAL);
}

/* Allocate the buckets on first configuration. Caller holds nn->lock. */
int nfknock_grants_setup(struct nfknock_net *nn)
{
	struct nfknock_grants *t = &nn->grants;
	unsigned int i;

	if (t->buckets)
		return 0;
	t->buckets = kvcalloc(NFKNOCK_GRANT_BUCKETS, sizeof(*t->buckets),
			      NFKNOCK_GFP);
	if (!t->buckets)
		return -ENOMEM;
	for (i = 0; i < NFKNOCK_GRANT_BUCKETS; i++) {
		spin_lock_init(&t->buckets[i].lock);
		INIT_HLIST_HEAD(&t->buckets[i].head);
	}
	get_random_bytes(&t->hash_key, sizeof(t->hash_key));
	atomic_set(&t->count, 0);
	atomic_set(&t->gen, 1);
	t->max = nfknock_grants_default(nn);
	INIT_DELAYED_WORK(&t->gc, grants_gc);
	return 0;
}

/*
 * Remove every grant. Caller holds nn->lock and made sure no hook can add
 * one any more (hooks unregistered and waited for), so the collector,
 * once cancelled, stays cancelled.
 */
void nfknock_grants_flush(struct nfknock_net *nn)
{
	struct nfknock_grants *t = &nn->grants;
	unsigned int i, n = 0;

	if (!t->buckets)
		return;
	cancel_delayed_work_sync(&t->gc);
	for (i = 0; i < NFKNOCK_GRANT_BUCKETS; i++) {
		struct nfknock_bucket *b = &t->buckets[i];
		struct nfknock_grant *g;
		struct hlist_node *tmp;

		if (hlist_empty(&b->head))
			continue;
		spin_lock_bh(&b->lock);
		hlist_for_each_entry_safe(g, tmp, &b->head, node) {
			grant_unlink(t, g);
			n++;
		}
		spin_unlock_bh(&b->lock);
		cond_resched();
	}
	local_bh_disable();
	this_cpu_add(nn->stats->c[NFKNOCK_STAT_A_GRANTS_REVOKED], n);
	local_bh_enable();
	t->max = nfknock_grants_default(nn);
}

/* Free the table itself (namespace exit). Caller holds nn->lock. */
void nfknock_grants_teardown(struct nfknock_net *nn)
{
	struct nfknock_grants *t = &nn->grants;

	if (!t->buckets)
		return;
	nfknock_grants_flush(nn);
	/* No hook has run since .pre_exit's grace period and the collector
	 * is cancelled; the entries are freed by RCU callbacks that do not
	 * touch the bucket array.
	 */
	kvfree(t->buckets);
	t->buckets = NULL;
}

/*
 * Lockless readers load flags first: whoever sees a flag also sees the port
 * and expiry written with it. Caller holds the bucket lock.
 */
static void store_state(struct nfknock_grant *g,
			const struct nfk_grant_state *st)
{
	WRITE_ONCE(g->st.bound_sport, st->bound_sport);
	WRITE_ONCE(g->st.expires_ms, st->expires_ms);
	smp_wmb();
	WRITE_ONCE(g->st.flags, st->flags);
}

static struct nfknock_grant *find_locked(struct nfknock_bucket *b,
					 const struct nfk_grant_key *key)
{
	struct nfknock_grant *g;

	hlist_for_each_entry(g, &b->head, node)
		if (nfk_grant_key_eq(&g->key, key))
			return g;
	return NULL;
}

/* Make @g count against @owner (NULL: the administrator's grant). */
static void set_owner(struct nfknock_grant *g, struct nfknock_user_state *owner,
		      const u8 *fpr)
{
	if (owner)
		refcount_inc(&owner->ref);
	g->owner = owner;
	if (fpr)
		memcpy(g->fpr, fpr, sizeof(g->fpr));
	else
		memset(g->fpr, 0, sizeof(g->fpr));
}

/*
 * Add or replace the grant of @key. @u is the knock's user (NULL: made by
 * the administrator); a user's knocks hold at most u->max_grants grants.
 * Process context passes GFP_KERNEL, a knock GFP_NOWAIT: unlike
 * GFP_ATOMIC it may not dip into reserves, nor push the namespace's
 * memory cgroup past its limit (memcg lets __GFP_HIGH charges overshoot).
 * 0, -ENOMEM, -ENOSPC (table at its cap) or -EDQUOT (user at its cap).
 */
int nfknock_grant_add(struct nfknock_net *nn, const struct nfk_grant_key *key,
		      u32 timeout_ms, u32 flags, const struct nfknock_user *u,
		      gfp_t gfp)
{
	struct nfknock_grants *t = &nn->grants;
	struct nfknock_bucket *b = bucket_of(t, key);
	struct nfknock_user_state *owner = u ? u->state : NULL;
	u64 now = nfknock_now_ms();
	struct nfk_grant_state st = {
		.expires_ms = now + timeout_ms,
		.flags = flags,
	};
	struct nfknock_grant *g, *fresh, *old = NULL;
	unsigned int reaped;
	int ret = 0;

	fresh = grant_alloc(nn, gfp);
	if (!fresh)
		return -ENOMEM;

	spin_lock_bh(&b->lock);
	reaped = reap_bucket(t, b, now);
	g = find_locked(b, key);
	if (g && g->owner == owner) {
		/* Same owner: renew in place, nothing to count. */
		store_state(g, &st);
		spin_unlock_bh(&b->lock);
		kmem_cache_free(grant_cache, fresh);
		goto out;
	}
	if (owner && atomic_inc_return(&owner->grants) > u->max_grants) {
		atomic_dec(&owner->grants);
		ret = -EDQUOT;
		goto refuse;
	}
	if (g) {
		/* Another owner's grant for the same key: take it over. */
		old = g;
	} else if (atomic_inc_return(&t->count) > READ_ONCE(t->max)) {
		atomic_dec(&t->count);
		if (owner)
			atomic_dec(&owner->grants);
		ret = -ENOSPC;
		goto refuse;
	}
	fresh->key = *key;
	fresh->st = st;
	set_owner(fresh, owner, u ? u->fpr : NULL);
	if (old) {
		/* The new entry replaces the old one for readers at once. */
		hlist_replace_rcu(&old->node, &fresh->node);
		old->dead = true;
		if (old->owner)
			atomic_dec(&old->owner->grants);
		call_rcu(&old->rcu, grant_free_rcu);
	} else {
		hlist_add_head_rcu(&fresh->node, &b->head);
	}
	atomic_inc(&t->gen);
	spin_unlock_bh(&b->lock);
out:
	local_bh_disable();
	add_expired(nn, reaped);
	nfknock_count(nn, NFKNOCK_STAT_A_GRANTS_ADDED);
	local_bh_enable();
	if (!delayed_work_pending(&t->gc))
		queue_delayed_work(system_power_efficient_wq, &t->gc,
				   GC_INTERVAL);
	return 0;

refuse:
	spin_unlock_bh(&b->lock);
	kmem_cache_free(grant_cache, fresh);
	local_bh_disable();
	add_expired(nn, reaped);
	nfknock_count(nn, ret == -ENOSPC ? NFKNOCK_STAT_A_GRANTS_FULL :
					   NFKNOCK_STAT_A_GRANTS_USER_FULL);
	local_bh_enable();
	return ret;
}

/*
 * Delete the grant of @key, or with @any_service every grant of its address
 * (which spans buckets, so the whole table is walked). 0 or -ENOENT.
 */
int nfknock_grant_del(struct nfknock_net *nn, const struct nfk_grant_key *key,
		      bool any_service)
{
	struct nfknock_grants *t = &nn->grants;
	unsigned int i, lo = 0, hi = NFKNOCK_GRANT_BUCKETS, n = 0;

	if (!t->buckets)
		return -ENOENT;
	if (!any_service) {
		lo = bucket_of(t, key) - t->buckets;
		hi = lo + 1;
	}
	for (i = lo; i < hi; i++) {
		struct nfknock_bucket *b = &t->buckets[i];
		struct nfknock_grant *g;
		struct hlist_node *tmp;

		spin_lock_bh(&b->lock);
		hlist_for_each_entry_safe(g, tmp, &b->head, node) {
			if (any_service ? nfk_grant_key_same_addr(&g->key, key) :
					  nfk_grant_key_eq(&g->key, key)) {
				grant_unlink(t, g);
				n++;
			}
		}
		spin_unlock_bh(&b->lock);
	}
	return n ? 0 : -ENOENT;
}

/* Does the user's current policy still allow grant @g? Bounded work. */
static bool still_allowed(const struct nfknock_grant *g, u64 now_unix_s)
{
	struct nfknock_user_state *st = g->owner;
	const struct nfknock_user *u = st->user;
	const struct nfk_user_policy *pol;

	if (!u)
		return false;
	pol = &u->pol;
	if (pol->flags & NFKNOCK_USER_F_DISABLED)
		return false;
	if (pol->expires_unix_s && now_unix_s >= pol->expires_unix_s)
		return false;
	if (!nfk_policy_allows_service(pol, g->key.proto, g->key.port))
		return false;
	if (!nfk_policy_allows_source(pol, g->key.family, g->key.addr))
		return false;
	return st->kept++ < u->max_grants;
}

/*
 * After a commit (and a grace period, so no knock under the previous
 * configuration is still adding grants): revoke the grants of knock users
 * that are gone, disabled or expired, or whose new policy no longer allows
 * the grant's service, address or number. O(1) per grant (each grant
 * points at its user's state, whose ->user the commit just set), one
 * bucket at a time with a reschedule point between buckets. Caller holds
 * nn->lock. Returns how many grants were revoked.
 */
u32 nfknock_grants_revoke_disallowed(struct nfknock_net *nn,
				     const struct nfknock_userset *us)
{
	struct nfknock_grants *t = &nn->grants;
	u64 now_s = nfknock_unix_ms() / 1000;
	unsigned int i;
	u32 n = 0;

	for (i = 0; us && i < us->n; i++)
		us->users[i]->state->kept = 0;
	for (i = 0; t->buckets && i < NFKNOCK_GRANT_BUCKETS; i++) {
		struct nfknock_bucket *b = &t->buckets[i];
		struct nfknock_grant *g;
		struct hlist_node *tmp;

		if (hlist_empty(&b->head))
			continue;
		spin_lock_bh(&b->lock);
		hlist_for_each_entry_safe(g, tmp, &b->head, node) {
			if (g->owner && !still_allowed(g, now_s)) {
				grant_unlink(t, g);
				n++;
			}
		}
		spin_unlock_bh(&b->lock);
		cond_resched();
	}
	local_bh_disable();
	this_cpu_add(nn->stats->c[NFKNOCK_STAT_A_GRANTS_REVOKED], n);
	local_bh_enable();
	return n;
}

/*
 * Guard decision for a packet in softirq. The lookup is lockless; only a
 * state change (one-shot consumption, UDP refresh) takes the bucket lock and
 * decides again on the locked state, so two CPUs cannot both consume.
 */
void nfknock_grant_decide(struct nfknock_net *nn,
			  const struct nfk_grant_key *key,
			  const struct nfk_l4 *pkt, u32 udp_idle_ms,
			  struct nfk_decision *d)
{
	struct nfknock_grants *t = &nn->grants;
	struct nfknock_bucket *b;
	struct nfknock_grant *g, *found = NULL;
	struct nfk_grant_state snap;
	u64 now = nfknock_now_ms();

	if (pkt->proto == IPPROTO_TCP && !nfk_tcp_is_syn(pkt->tcp_flags)) {
		nfk_decide(pkt, NULL, now, udp_idle_ms, d);
		return;
	}
	b = bucket_of(t, key);
	hlist_for_each_entry_rcu(g, &b->head, node) {
		if (nfk_grant_key_eq(&g->key, key)) {
			found = g;
			break;
		}
	}
	if (found) {
		/* Pairs with the smp_wmb() in store_state(). */
		snap.flags = READ_ONCE(found->st.flags);
		smp_rmb();
		snap.bound_sport = READ_ONCE(found->st.bound_sport);
		snap.expires_ms = READ_ONCE(found->st.expires_ms);
	}
	nfk_decide(pkt, found ? &snap : NULL, now, udp_idle_ms, d);
	if (d->update == NFK_U_NONE)
		return;

	spin_lock_bh(&b->lock);
	if (found->dead) {
		spin_unlock_bh(&b->lock);
		nfk_decide(pkt, NULL, now, udp_idle_ms, d);
		return;
	}
	snap = found->st;
	nfk_decide(pkt, &snap, now, udp_idle_ms, d);
	if (nfk_apply_update(&snap, pkt, d))
		store_state(found, &snap);
	spin_unlock_bh(&b->lock);
}
