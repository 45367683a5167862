// SPDX-License-Identifier: GPL-2.0
/*
 * Lockout of failing sources in the kernel. The rule (which failures
 * count, when a source is locked, that failures while locked extend
 * nothing) is the pure core's (core/lockout.c); here it is kept in a
 * preallocated set-associative table per namespace. A lockout refuses only
 * sequence steps (they carry no authentication): an SPA datagram with a
 * valid tag is never refused for its source, since anyone can make
 * failures under a victim's address.
 */
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "nfknock.h"

static bool same_params(const struct nfknock_lockouts *lo,
			const struct nfknock_cfg *cfg)
{
	return lo->max == cfg->sources_max &&
	       lo->p.threshold == cfg->lockout.threshold &&
	       lo->p.window_ms == cfg->lockout.window_ms &&
	       lo->p.duration_ms == cfg->lockout.duration_ms;
}

/*
 * The table @next will use, at apply (process context, namespace lock
 * held): the current one while the parameters stay the same (sources keep
 * their failures and lockouts), else an empty one charged to the
 * namespace's cgroup, or none with lockout off.
 */
int nfknock_lockouts_prepare(struct nfknock_net *nn, struct nfknock_cfg *next,
			     const struct nfknock_cfg *cur)
{
	struct nfknock_lockouts *lo;
	struct mem_cgroup *memcg;
	u32 sets, i;

	next->lockouts = NULL;
	if (!next->lockout.threshold)
		return 0;
	if (cur && cur->lockouts && same_params(cur->lockouts, next)) {
		kref_get(&cur->lockouts->ref);
		next->lockouts = cur->lockouts;
		return 0;
	}
	sets = roundup_pow_of_two(DIV_ROUND_UP(next->sources_max,
					       NFK_LOCKOUT_WAYS));
	memcg = nfknock_memcg_enter(nn);
	lo = kvzalloc(struct_size(lo, set, sets), NFKNOCK_GFP);
	nfknock_memcg_leave(memcg);
	if (!lo)
		return -ENOMEM;
	kref_init(&lo->ref);
	lo->p = next->lockout;
	lo->max = next->sources_max;
	get_random_bytes(&lo->key, sizeof(lo->key));
	atomic_set(&lo->locked, 0);
	lo->mask = sets - 1;
	for (i = 0; i < sets; i++)
		spin_lock_init(&lo->set[i].lock);
	next->lockouts = lo;
	return 0;
}

static void lockouts_release(struct kref *ref)
{
	kvfree(container_of(ref, struct nfknock_lockouts, ref));
}

/* From a configuration's free (after RCU: no reader left) or an error path. */
void nfknock_lockouts_put(struct nfknock_lockouts *lo)
{
	if (lo)
		kref_put(&lo->ref, lockouts_release);
}

u32 nfknock_lockouts_locked(const struct nfknock_lockouts *lo)
{
	return lo ? atomic_read(&lo->locked) : 0;
}

static struct nfknock_lset *set_of(struct nfknock_lockouts *lo, const u8 *key)
{
	return &lo->set[siphash(key, 16, &lo->key) & lo->mask];
}

static struct nfknock_lentry *find(struct nfknock_lset *set, u8 family,
				   const u8 *key)
{
	int j;

	for (j = 0; j < NFK_LOCKOUT_WAYS; j++)
		if (set->e[j].family == family &&
		    !memcmp(set->e[j].key, key, 16))
			return &set->e[j];
	return NULL;
}

/*
 * A way for a new source: a free one, else an idle one (not locked, window
 * over), else the one that failed longest ago, preferring one that is not
 * locked (counted as evicted). Set lock held.
 */
static struct nfknock_lentry *take(struct nfknock_net *nn,
				   struct nfknock_lockouts *lo,
				   struct nfknock_lset *set, u64 now)
{
	struct nfknock_lentry *victim = NULL;
	bool victim_locked = true;
	int j;

	for (j = 0; j < NFK_LOCKOUT_WAYS; j++) {
		struct nfknock_lentry *e = &set->e[j];
		bool locked;

		if (!e->family || nfk_lockout_idle(&e->l, &lo->p, now))
			goto reuse;
		locked = nfk_lockout_locked(&e->l, now);
		if (!victim || (victim_locked && !locked) ||
		    (victim_locked == locked &&
		     e->touched_ms < victim->touched_ms)) {
			victim = e;
			victim_locked = locked;
		}
	}
	nfknock_count(nn, NFKNOCK_STAT_A_LOCKOUT_EVICTED);
	j = victim - set->e;
reuse:
	if (set->e[j].reported)
		atomic_dec(&lo->locked);
	memset(&set->e[j], 0, sizeof(set->e[j]));
	return &set->e[j];
}

static void report(struct nfknock_net *nn, u8 type, u8 family,
		   const u8 *key, u32 duration_ms)
{
	struct nfknock_ev ev = {
		.type = type,
		.family = family,
		.source = key,
		.unverified = type == NFKNOCK_EVENT_LOCKOUT_STARTED,
		.duration_s = duration_ms / 1000,
	};

	nfknock_event(nn, &ev);
}

/*
 * A knock or step of kind @reason failed from @saddr (softirq). Counted
 * toward a lockout when the core says it counts; the start of a lockout
 * is reported, and its end will be by the namespace's worker.
 */
void nfknock_lockout_fail(struct nfknock_net *nn, struct nfknock_lockouts *lo,
			  int reason, u8 family, const u8 *saddr)
{
	u64 now = nfknock_now_ms();
	struct nfknock_lentry *e;
	struct nfknock_lset *set;
	u8 key[16];
	bool started;

	if (!lo || !nfk_lockout_counts(reason))
		return;
	nfk_lockout_source(family, saddr, key);
	set = set_of(lo, key);
	spin_lock_bh(&set->lock);
	e = find(set, family, key);
	if (!e) {
		e = take(nn, lo, set, now);
		e->family = family;
		memcpy(e->key, key, 16);
	}
	e->touched_ms = now;
	started = nfk_lockout_fail(&e->l, &lo->p, now);
	if (started && !e->reported) {
		e->reported = true;
		atomic_inc(&lo->locked);
	}
	spin_unlock_bh(&set->lock);
	if (!started)
		return;
	nfknock_count(nn, NFKNOCK_STAT_A_LOCKOUTS);
	report(nn, NFKNOCK_EVENT_LOCKOUT_STARTED, family, key,
	       lo->p.duration_ms);
	queue_delayed_work(system_power_efficient_wq, &nn->lockout_work,
			   msecs_to_jiffies(lo->p.duration_ms) + HZ);
}

/* Is @saddr locked out now? For sequence steps only (softirq). */
bool nfknock_lockout_refuses(struct nfknock_net *nn,
			     struct nfknock_lockouts *lo, u8 family,
			     const u8 *saddr)
{
	struct nfknock_lentry *e;
	struct nfknock_lset *set;
	u8 key[16];
	bool locked;

	if (!lo || !atomic_read(&lo->locked))
		return false;
	nfk_lockout_source(family, saddr, key);
	set = set_of(lo, key);
	spin_lock_bh(&set->lock);
	e = find(set, family, key);
	locked = e && nfk_lockout_locked(&e->l, nfknock_now_ms());
	spin_unlock_bh(&set->lock);
	if (locked)
		nfknock_count(nn, NFKNOCK_STAT_A_LOCKOUT_REFUSED);
	return locked;
}

/*
 * Report the lockouts that ended and come back at the next end. A walk of
 * the table; it runs once per lockout duration at most, while some source
 * is locked.
 */
void nfknock_lockout_work(struct work_struct *work)
{
	struct nfknock_net *nn = container_of(to_delayed_work(work),
					      struct nfknock_net,
					      lockout_work);
	u64 now = nfknock_now_ms(), next = U64_MAX;
	struct nfknock_lockouts *lo;
	struct nfknock_cfg *cfg;
	u32 i;
	int j;

	mutex_lock(&nn->lock);
	cfg = rcu_dereference_protected(nn->cfg, lockdep_is_held(&nn->lock));
	lo = cfg ? cfg->lockouts : NULL;
	for (i = 0; lo && atomic_read(&lo->locked) && i <= lo->mask; i++) {
		struct nfknock_lset *set = &lo->set[i];

		spin_lock_bh(&set->lock);
		for (j = 0; j < NFK_LOCKOUT_WAYS; j++) {
			struct nfknock_lentry *e = &set->e[j];

			if (!e->reported)
				continue;
			if (nfk_lockout_locked(&e->l, now)) {
				next = min(next, e->l.until_ms);
				continue;
			}
			e->reported = false;
			atomic_dec(&lo->locked);
			report(nn, NFKNOCK_EVENT_LOCKOUT_ENDED, e->family,
			       e->key, 0);
		}
		spin_unlock_bh(&set->lock);
		if (!(i & 63))
			cond_resched();
	}
	if (next != U64_MAX)
		queue_delayed_work(system_power_efficient_wq,
				   &nn->lockout_work,
				   msecs_to_jiffies(next - now) + HZ);
	mutex_unlock(&nn->lock);
}

/* knockctl unlock: forget @addr's source entry. 0 or -ENOENT. */
int nfknock_lockout_forget(struct nfknock_net *nn, struct nfknock_lockouts *lo,
			   u8 family, const u8 *addr)
{
	struct nfknock_lentry *e;
	struct nfknock_lset *set;
	bool was_locked = false;
	u8 key[16];

	if (!lo)
		return -ENOENT;
	nfk_lockout_source(family, addr, key);
	set = set_of(lo, key);
	spin_lock_bh(&set->lock);
	e = find(set, family, key);
	if (e) {
		if (e->reported) {
			was_locked = true;
			atomic_dec(&lo->locked);
		}
		memset(e, 0, sizeof(*e));
	}
	spin_unlock_bh(&set->lock);
	if (!e)
		return -ENOENT;
	if (was_locked)
		report(nn, NFKNOCK_EVENT_LOCKOUT_ENDED, family, key, 0);
	return 0;
}
