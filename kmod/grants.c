// SPDX-License-Identifier: GPL-2.0
/*
 * The grant table of a namespace: an array of buckets sized by the grant cap
 * (nfk_grant_buckets(), resized when the cap changes), each with its own
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

static u64 key_hash(const struct nfknock_grants *t,
		    const struct nfk_grant_key *key)
{
	return siphash(key, sizeof(*key), &t->hash_key);
}

static struct nfknock_bucket *bucket_in(struct nfknock_gtable *tbl, u64 h)
{
	return &tbl->b[h & tbl->mask];
}

/*
 * The current table, and the one a resize is emptying (NULL when none).
 * A reader that sees the new table also sees the old one: the resize
 * publishes ->old before ->tbl. Under RCU or nn->lock.
 */
static struct nfknock_gtable *tables(struct nfknock_grants *t,
				     struct nfknock_gtable **old)
{
	struct nfknock_gtable *tbl = rcu_dereference_check(t->tbl, 1);

	smp_rmb();	/* pairs with the order of the two publications */
	*old = rcu_dereference_check(t->old, 1);
	if (*old == tbl)
		*old = NULL;
	return tbl;
}

static struct nfknock_grant *chain_find(struct nfknock_bucket *b,
					const struct nfk_grant_key *key)
{
	struct nfknock_grant *g;

	hlist_for_each_entry_rcu(g, &b->head, node, 1)
		if (nfk_grant_key_eq(&g->key, key))
			return g;
	return NULL;
}

/*
 * Lockless lookup (softirq, under RCU). An entry a resize is moving can be
 * missed by a walk that followed it into the new table; such a miss is
 * retried once the move of that bucket is over.
 */
static struct nfknock_grant *grant_find_rcu(struct nfknock_grants *t,
					    const struct nfk_grant_key *key)
{
	struct nfknock_gtable *tbl, *old;
	struct nfknock_grant *g;
	u64 h = key_hash(t, key);
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&t->moving);
		tbl = tables(t, &old);
		g = old ? chain_find(bucket_in(old, h), key) : NULL;
		if (!g)
			g = chain_find(bucket_in(tbl, h), key);
	} while (!g && read_seqcount_retry(&t->moving, seq));
	return g;
}

/*
 * Lock the bucket(s) where @key can live: its bucket in the table being
 * emptied (if a resize runs) and then in the current one, always in that
 * order (a resize locks the same way). Under RCU or nn->lock.
 */
struct key_buckets {
	struct nfknock_bucket *b, *ob;	/* current table; old table or NULL */
};

static void lock_key(struct nfknock_grants *t, const struct nfk_grant_key *key,
		     struct key_buckets *kb)
{
	struct nfknock_gtable *old, *tbl = tables(t, &old);
	u64 h = key_hash(t, key);

	kb->b = bucket_in(tbl, h);
	kb->ob = old ? bucket_in(old, h) : NULL;
	if (kb->ob) {
		spin_lock_bh(&kb->ob->lock);
		spin_lock_nested(&kb->b->lock, SINGLE_DEPTH_NESTING);
	} else {
		spin_lock_bh(&kb->b->lock);
	}
}

static void unlock_key(struct key_buckets *kb)
{
	if (kb->ob) {
		spin_unlock(&kb->b->lock);
		spin_unlock_bh(&kb->ob->lock);
	} else {
		spin_unlock_bh(&kb->b->lock);
	}
}

/* Caller holds the bucket lock; the entry is freed after a grace period. */
static void grant_unlink(struct nfknock_grants *t, struct nfknock_grant *g)
{
	WRITE_ONCE(g->home, NULL);
	hlist_del_rcu(&g->node);
	atomic_dec(&t->count);
	atomic_inc(&t->gen);
	if (g->owner)
		atomic_dec(&g->owner->grants);
	call_rcu(&g->rcu, grant_free_rcu);
}

/* An event about grant @g: its address, service and user's fingerprint. */
static void grant_event(struct nfknock_grants *t, const struct nfknock_grant *g,
			u8 type)
{
	static const u8 none[8];
	struct nfknock_ev ev = {
		.type = type,
		.gfamily = g->key.family,
		.addr = g->key.addr,
		.proto = g->key.proto,
		.port = g->key.port,
		.fpr = memcmp(g->fpr, none, sizeof(none)) ? g->fpr : NULL,
	};

	nfknock_event(container_of(t, struct nfknock_net, grants), &ev);
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
			grant_event(t, g, NFKNOCK_EVENT_GRANT_EXPIRED);
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

/* The current table of a writer that holds nn->lock (no resize runs). */
static struct nfknock_gtable *locked_table(struct nfknock_net *nn)
{
	return rcu_dereference_protected(nn->grants.tbl,
					 lockdep_is_held(&nn->lock));
}

static void grants_gc(struct work_struct *work)
{
	struct nfknock_grants *t = container_of(to_delayed_work(work),
						struct nfknock_grants, gc);
	struct nfknock_net *nn = container_of(t, struct nfknock_net, grants);
	u64 now = nfknock_now_ms();
	struct nfknock_gtable *tbl;
	unsigned int i, n = 0;

	/* nn->lock keeps the table in place (a resize or teardown runs under
	 * it, and teardown cancels this work holding it: try, come back).
	 */
	if (!mutex_trylock(&nn->lock)) {
		queue_delayed_work(system_power_efficient_wq, &t->gc, HZ / 10);
		return;
	}
	tbl = locked_table(nn);
	for (i = 0; tbl && i <= tbl->mask; i++) {
		struct nfknock_bucket *b = &tbl->b[i];

		if (hlist_empty(&b->head))
			continue;
		spin_lock_bh(&b->lock);
		n += reap_bucket(t, b, now);
		spin_unlock_bh(&b->lock);
		cond_resched();
	}
	mutex_unlock(&nn->lock);
	local_bh_disable();
	add_expired(nn, n);
	local_bh_enable();
	if (atomic_read(&t->count))
		queue_delayed_work(system_power_efficient_wq, &t->gc,
				   GC_INTERVAL);
}

static struct nfknock_gtable *gtable_alloc(u32 buckets)
{
	struct nfknock_gtable *tbl;
	u32 i;

	tbl = kvzalloc(struct_size(tbl, b, buckets), NFKNOCK_GFP);
	if (!tbl)
		return NULL;
	tbl->mask = buckets - 1;
	for (i = 0; i < buckets; i++) {
		spin_lock_init(&tbl->b[i].lock);
		INIT_HLIST_HEAD(&tbl->b[i].head);
	}
	return tbl;
}

/* Allocate the table on first configuration. Caller holds nn->lock. */
int nfknock_grants_setup(struct nfknock_net *nn)
{
	struct nfknock_grants *t = &nn->grants;
	struct nfknock_gtable *tbl;

	if (locked_table(nn))
		return 0;
	t->max = nfknock_grants_default(nn);
	tbl = gtable_alloc(nfk_grant_buckets(t->max));
	if (!tbl)
		return -ENOMEM;
	get_random_bytes(&t->hash_key, sizeof(t->hash_key));
	atomic_set(&t->count, 0);
	atomic_set(&t->gen, 1);
	seqcount_init(&t->moving);
	RCU_INIT_POINTER(t->old, NULL);
	INIT_DELAYED_WORK(&t->gc, grants_gc);
	rcu_assign_pointer(t->tbl, tbl);
	return 0;
}

/* Move every entry of @ob into @to. Caller holds nn->lock. */
static void move_bucket(struct nfknock_grants *t, struct nfknock_bucket *ob,
			struct nfknock_gtable *to)
{
	struct nfknock_grant *g;
	struct hlist_node *tmp;

	spin_lock_bh(&ob->lock);
	write_seqcount_begin(&t->moving);
	hlist_for_each_entry_safe(g, tmp, &ob->head, node) {
		struct nfknock_bucket *nb = bucket_in(to, key_hash(t, &g->key));

		spin_lock_nested(&nb->lock, SINGLE_DEPTH_NESTING);
		hlist_del_rcu(&g->node);
		hlist_add_head_rcu(&g->node, &nb->head);
		WRITE_ONCE(g->home, nb);
		spin_unlock(&nb->lock);
	}
	write_seqcount_end(&t->moving);
	spin_unlock_bh(&ob->lock);
}

/*
 * Size the table for a cap of @max grants (nfk_grant_buckets()), moving
 * the live grants while knocks and packets keep using them: readers look
 * in both tables until the move is over, one old bucket at a time with BHs
 * off, a reschedule point between buckets. Caller holds nn->lock; the cap
 * itself is set by the caller once its commit succeeded. 0 or -ENOMEM
 * (nothing changed).
 */
int nfknock_grants_fit(struct nfknock_net *nn, u32 max)
{
	struct nfknock_grants *t = &nn->grants;
	struct nfknock_gtable *cur, *next;
	u32 i, want = nfk_grant_buckets(max);
	int ret;

	ret = nfknock_grants_setup(nn);
	if (ret)
		return ret;
	cur = locked_table(nn);
	if (cur->mask + 1 == want)
		return 0;
	next = gtable_alloc(want);
	if (!next)
		return -ENOMEM;
	rcu_assign_pointer(t->old, cur);
	rcu_assign_pointer(t->tbl, next);	/* after ->old: see tables() */
	/* From here on every reader and writer looks in both tables. */
	synchronize_net();
	for (i = 0; i <= cur->mask; i++) {
		if (!hlist_empty(&cur->b[i].head))
			move_bucket(t, &cur->b[i], next);
		cond_resched();
	}
	rcu_assign_pointer(t->old, NULL);
	atomic_inc(&t->gen);	/* a dump's bucket cursor means nothing now */
	synchronize_net();
	kvfree(cur);
	return 0;
}

/* Buckets of the current table (0 while unconfigured). Under nn->lock. */
u32 nfknock_grants_buckets(struct nfknock_net *nn)
{
	struct nfknock_gtable *tbl = locked_table(nn);

	return tbl ? tbl->mask + 1 : 0;
}

/*
 * Remove every grant. Caller holds nn->lock and made sure no hook can add
 * one any more (hooks unregistered and waited for), so the collector,
 * once cancelled, stays cancelled.
 */
void nfknock_grants_flush(struct nfknock_net *nn)
{
	struct nfknock_grants *t = &nn->grants;
	struct nfknock_gtable *tbl = locked_table(nn);
	unsigned int i, n = 0;

	if (!tbl)
		return;
	cancel_delayed_work_sync(&t->gc);
	for (i = 0; i <= tbl->mask; i++) {
		struct nfknock_bucket *b = &tbl->b[i];
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
	struct nfknock_gtable *tbl = locked_table(nn);

	if (!tbl)
		return;
	nfknock_grants_flush(nn);
	/* No hook has run since .pre_exit's grace period and the collector
	 * is cancelled; the entries are freed by RCU callbacks that do not
	 * touch the bucket array.
	 */
	RCU_INIT_POINTER(nn->grants.tbl, NULL);
	kvfree(tbl);
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

/* Find @key in the bucket(s) of @kb, which the caller holds. */
static struct nfknock_grant *find_locked(struct key_buckets *kb,
					 const struct nfk_grant_key *key)
{
	struct nfknock_grant *g = chain_find(kb->b, key);

	return g || !kb->ob ? g : chain_find(kb->ob, key);
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
	struct nfknock_user_state *owner = u ? u->state : NULL;
	u64 now = nfknock_now_ms();
	struct nfk_grant_state st = {
		.expires_ms = now + timeout_ms,
		.flags = flags,
	};
	struct nfknock_grant *g, *fresh, *old = NULL;
	struct key_buckets kb;
	unsigned int reaped;
	int ret = 0;

	fresh = grant_alloc(nn, gfp);
	if (!fresh)
		return -ENOMEM;

	rcu_read_lock();	/* keeps a table a resize empties in place */
	lock_key(t, key, &kb);
	reaped = reap_bucket(t, kb.b, now);
	if (kb.ob)
		reaped += reap_bucket(t, kb.ob, now);
	g = find_locked(&kb, key);
	if (g && g->owner == owner) {
		/* Same owner: renew in place, nothing to count. */
		store_state(g, &st);
		unlock_key(&kb);
		rcu_read_unlock();
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
		/* The new entry replaces the old one for readers at once, in
		 * the bucket that held it.
		 */
		fresh->home = old->home;
		hlist_replace_rcu(&old->node, &fresh->node);
		WRITE_ONCE(old->home, NULL);
		if (old->owner)
			atomic_dec(&old->owner->grants);
		call_rcu(&old->rcu, grant_free_rcu);
	} else {
		fresh->home = kb.b;
		hlist_add_head_rcu(&fresh->node, &kb.b->head);
	}
	atomic_inc(&t->gen);
	unlock_key(&kb);
	rcu_read_unlock();
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
	unlock_key(&kb);
	rcu_read_unlock();
	kmem_cache_free(grant_cache, fresh);
	local_bh_disable();
	add_expired(nn, reaped);
	nfknock_count(nn, ret == -ENOSPC ? NFKNOCK_STAT_A_GRANTS_FULL :
					   NFKNOCK_STAT_A_GRANTS_USER_FULL);
	local_bh_enable();
	return ret;
}

/* Unlink the entries of @b with @key (or its address); returns how many. */
static unsigned int unlink_matching(struct nfknock_grants *t,
				    struct nfknock_bucket *b,
				    const struct nfk_grant_key *key,
				    bool any_service)
{
	struct nfknock_grant *g;
	struct hlist_node *tmp;
	unsigned int n = 0;

	hlist_for_each_entry_safe(g, tmp, &b->head, node) {
		if (any_service ? nfk_grant_key_same_addr(&g->key, key) :
				  nfk_grant_key_eq(&g->key, key)) {
			grant_event(t, g, NFKNOCK_EVENT_GRANT_REVOKED);
			grant_unlink(t, g);
			n++;
		}
	}
	return n;
}

/*
 * Delete the grant of @key (a knock's close, in softirq, or the
 * administrator), or with @any_service every grant of its address (the
 * administrator, under nn->lock: it spans buckets, so the whole table is
 * walked). 0 or -ENOENT.
 */
int nfknock_grant_del(struct nfknock_net *nn, const struct nfk_grant_key *key,
		      bool any_service)
{
	struct nfknock_grants *t = &nn->grants;
	struct nfknock_gtable *tbl;
	struct key_buckets kb;
	unsigned int i, n = 0;

	if (!any_service) {
		rcu_read_lock();
		lock_key(t, key, &kb);
		n = unlink_matching(t, kb.b, key, false);
		if (kb.ob)
			n += unlink_matching(t, kb.ob, key, false);
		unlock_key(&kb);
		rcu_read_unlock();
		return n ? 0 : -ENOENT;
	}
	tbl = locked_table(nn);
	for (i = 0; tbl && i <= tbl->mask; i++) {
		struct nfknock_bucket *b = &tbl->b[i];

		if (hlist_empty(&b->head))
			continue;
		spin_lock_bh(&b->lock);
		n += unlink_matching(t, b, key, true);
		spin_unlock_bh(&b->lock);
		cond_resched();
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
	struct nfknock_gtable *tbl = locked_table(nn);
	u64 now_s = nfknock_unix_ms() / 1000;
	unsigned int i;
	u32 n = 0;

	for (i = 0; us && i < us->n; i++)
		us->users[i]->state->kept = 0;
	for (i = 0; tbl && i <= tbl->mask; i++) {
		struct nfknock_bucket *b = &tbl->b[i];
		struct nfknock_grant *g;
		struct hlist_node *tmp;

		if (hlist_empty(&b->head))
			continue;
		spin_lock_bh(&b->lock);
		hlist_for_each_entry_safe(g, tmp, &b->head, node) {
			if (g->owner && !still_allowed(g, now_s)) {
				grant_event(t, g, NFKNOCK_EVENT_GRANT_REVOKED);
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
	struct nfknock_grant *found;
	struct nfknock_bucket *b;
	struct nfk_grant_state snap;
	u64 now = nfknock_now_ms();
	int tries;

	for (tries = 0;; tries++) {
		found = grant_find_rcu(t, key);
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
		/* Lock the bucket that links the entry now; a resize may have
		 * moved it, another CPU may have consumed or replaced it: then
		 * look again (a bounded number of times).
		 */
		b = READ_ONCE(found->home);
		if (b) {
			spin_lock_bh(&b->lock);
			if (found->home == b)
				break;
			spin_unlock_bh(&b->lock);
		}
		if (tries == 2) {
			nfk_decide(pkt, NULL, now, udp_idle_ms, d);
			return;
		}
	}
	snap = found->st;
	nfk_decide(pkt, &snap, now, udp_idle_ms, d);
	if (nfk_apply_update(&snap, pkt, d))
		store_state(found, &snap);
	spin_unlock_bh(&b->lock);
}
