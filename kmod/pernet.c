// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: configuration swapped under RCU, hooks registered only
 * while the namespace guards something, counters.
 */
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "nfknock.h"

unsigned int nfknock_net_id __read_mostly;

void nfknock_cfg_defaults(struct nfknock_cfg *cfg)
{
	/* The stack answers on an unused port; so does a guarded one. */
	cfg->guard_action = NFKNOCK_ACTION_RESET;
	cfg->knock_packets = NFKNOCK_KNOCK_PASS;
	cfg->udp_idle_ms = NFKNOCK_UDP_IDLE_DEFAULT_MS;
	cfg->skew_ms = NFKNOCK_SKEW_DEFAULT_MS;
	cfg->progress_max = NFKNOCK_PROGRESS_DEFAULT;
	nfk_lockout_params_default(&cfg->lockout);
	cfg->sources_max = NFKNOCK_SOURCES_DEFAULT;
	cfg->lockouts = NULL;
	cfg->users = NULL;
	nfk_guardset_init(&cfg->guards);
	nfk_guardset_init(&cfg->knocks);
}

/* Free a configuration nobody can reach any more. */
void nfknock_cfg_free(struct nfknock_cfg *cfg)
{
	if (!cfg)
		return;
	nfknock_userset_put(cfg->users);
	nfknock_lockouts_put(cfg->lockouts);
	kvfree(cfg);
}

static void cfg_free_rcu(struct rcu_head *head)
{
	nfknock_cfg_free(container_of(head, struct nfknock_cfg, rcu));
}

/* Free a configuration that readers may still see, after them. */
void nfknock_cfg_put_rcu(struct nfknock_cfg *cfg)
{
	if (cfg)
		call_rcu(&cfg->rcu, cfg_free_rcu);
}

/*
 * A private copy of the current configuration (or the defaults) for a writer
 * to modify and then hand to nfknock_cfg_commit(). Caller holds nn->lock.
 */
struct nfknock_cfg *nfknock_cfg_clone(struct nfknock_net *nn)
{
	struct nfknock_cfg *cur = rcu_dereference_protected(nn->cfg,
					lockdep_is_held(&nn->lock));
	struct nfknock_cfg *next = kvmalloc(sizeof(*next), NFKNOCK_GFP);

	if (!next)
		return NULL;
	if (cur) {
		memcpy(next, cur, sizeof(*next));
		if (next->users)
			kref_get(&next->users->ref);
		if (next->lockouts)
			kref_get(&next->lockouts->ref);
	} else {
		nfknock_cfg_defaults(next);
	}
	return next;
}

/*
 * Hooks follow the configuration: registered iff a port is guarded or is a
 * knock port. nf_unregister_net_hooks() does not wait for hooks still
 * running on other CPUs: callers that free what hooks read wait for them
 * (synchronize_net()) after unregistering.
 */
static int sync_hooks(struct nfknock_net *nn, bool want)
{
	int ret;

	if (want == nn->hooked)
		return 0;
	if (want) {
		if (!try_module_get(THIS_MODULE))
			return -ENODEV;
		ret = nfknock_hooks_register(nn->net);
		if (ret) {
			module_put(THIS_MODULE);
			return ret;
		}
	} else {
		nfknock_hooks_unregister(nn->net);
		module_put(THIS_MODULE);
	}
	nn->hooked = want;
	return 0;
}

/*
 * Publish @next. Caller holds nn->lock. On success @next belongs to the
 * namespace; on error the previous configuration stays in force, no reader
 * can still see @next, and it is the caller's again (to free or retry).
 * The configuration it replaces is freed after a grace period, or, with
 * @keep, handed to the caller (NULL if there was none; a commit on trial
 * keeps it to put it back).
 */
int nfknock_cfg_replace(struct nfknock_net *nn, struct nfknock_cfg *next,
			struct nfknock_cfg **keep)
{
	struct nfknock_cfg *old;
	int ret;

	ret = nfknock_grants_setup(nn);
	if (ret)
		return ret;
	old = rcu_replace_pointer(nn->cfg, next, lockdep_is_held(&nn->lock));
	ret = sync_hooks(nn, next->guards.count || next->knocks.count ||
			     (next->users && next->users->n_seq));
	if (ret) {
		rcu_assign_pointer(nn->cfg, old);
		synchronize_net();
		return ret;
	}
	nn->cfg_gen++;
	/* Each user's knock state now belongs to @next's user object (or to
	 * none); @old is still whole here, freed only after a grace period.
	 */
	if (!old || old->users != next->users)
		nfknock_userset_adopt(nn, old ? old->users : NULL, next->users);
	if (keep)
		*keep = old;
	else
		nfknock_cfg_put_rcu(old);
	return 0;
}

int nfknock_cfg_commit(struct nfknock_net *nn, struct nfknock_cfg *next)
{
	return nfknock_cfg_replace(nn, next, NULL);
}

/* nfknock_cfg_commit() that frees @next on error (single-step changes). */
int nfknock_cfg_commit_or_free(struct nfknock_net *nn,
			       struct nfknock_cfg *next)
{
	int ret = nfknock_cfg_commit(nn, next);

	if (ret)
		nfknock_cfg_free(next);
	return ret;
}

/*
 * First configuration of the namespace: remember whose memory cgroup pays
 * for what softirq and workers allocate later on its behalf (they run in
 * no useful task's context), and whether the namespace is unprivileged.
 * Caller holds nn->lock, in the configuring task's context.
 */
void nfknock_pernet_adopt(struct nfknock_net *nn)
{
	if (!nn->memcg && current->mm)
		nn->memcg = get_mem_cgroup_from_mm(current->mm);
}

/* Back to the unconfigured state. Caller holds nn->lock. */
void nfknock_flush(struct nfknock_net *nn)
{
	struct nfknock_cfg *old;

	if (nn->hooked) {
		sync_hooks(nn, false);
		/* A knock still in a hook could add a grant (and queue the
		 * grant collector) after the flush below: wait for every
		 * hook to finish.
		 */
		synchronize_net();
	}
	nfknock_txn_abort(nn);
	nfknock_trial_drop(nn);		/* nothing to put back any more */
	/* A running rebuild finds no configuration and stops rescheduling;
	 * so does the lockout worker.
	 */
	cancel_delayed_work(&nn->hint_work);
	cancel_delayed_work(&nn->lockout_work);
	old = rcu_replace_pointer(nn->cfg, NULL, lockdep_is_held(&nn->lock));
	if (old) {
		nfknock_userset_adopt(nn, old->users, NULL);
		nfknock_cfg_put_rcu(old);
	}
	nn->cfg_gen++;
	nfknock_grants_flush(nn);
}

/* Grant cap of a namespace that never set one. */
u32 nfknock_grants_default(const struct nfknock_net *nn)
{
	return nn->limited ? NFKNOCK_USERNS_GRANTS_LIMIT : NFKNOCK_GRANTS_DEFAULT;
}

/* The grant cap in force: the default until a table was first made. */
u32 nfknock_grants_cap(struct nfknock_net *nn)
{
	return nfknock_grants_buckets(nn) ? nn->grants.max :
					    nfknock_grants_default(nn);
}

u64 nfknock_stat_sum(struct nfknock_net *nn, int stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(nn->stats, cpu)->c[stat];
	return sum;
}

static int __net_init nfknock_net_init(struct net *net)
{
	struct nfknock_net *nn = nfknock_pernet(net);

	nn->net = net;
	mutex_init(&nn->lock);
	RCU_INIT_POINTER(nn->cfg, NULL);
	nn->cfg_gen = 1;
	nn->hooked = false;
	nn->limited = net->user_ns != &init_user_ns;
	nn->memcg = NULL;
	nn->removed_floor_ms = 0;
	nn->stale_scan_at = jiffies - HZ;
	nn->txn = NULL;
	INIT_DELAYED_WORK(&nn->hint_work, nfknock_hint_work);
	INIT_DELAYED_WORK(&nn->lockout_work, nfknock_lockout_work);
	nn->trial.prev = NULL;
	INIT_DELAYED_WORK(&nn->trial.work, nfknock_trial_work);
	nfknock_limiter_init(&nn->ev_limit);
	nfknock_limiter_init(&nn->log_limit);
	/* Runs in the task creating the namespace: charged to its cgroup. */
	nn->stats = alloc_percpu_gfp(struct nfknock_stats, NFKNOCK_GFP);
	if (!nn->stats)
		return -ENOMEM;
	return 0;
}

/*
 * Namespace teardown, step one: unregister the hooks. The core waits for
 * an RCU grace period between .pre_exit and .exit, so by .exit no hook of
 * this namespace runs any more (a packet in flight from a veth peer in
 * another namespace can still enter them until then).
 */
static void __net_exit nfknock_net_pre_exit(struct net *net)
{
	struct nfknock_net *nn = nfknock_pernet(net);

	/* A rollback would register the hooks again: none may run now. */
	cancel_delayed_work_sync(&nn->trial.work);
	mutex_lock(&nn->lock);
	nfknock_trial_drop(nn);
	sync_hooks(nn, false);
	mutex_unlock(&nn->lock);
}

/*
 * Step two: no hook runs and no netlink socket of the namespace exists,
 * so nothing can add a grant or queue a worker any more. Stop the workers,
 * then free.
 */
static void __net_exit nfknock_net_exit(struct net *net)
{
	struct nfknock_net *nn = nfknock_pernet(net);

	/* Both take nn->lock (the rollback work stopped in .pre_exit). */
	cancel_delayed_work_sync(&nn->hint_work);
	cancel_delayed_work_sync(&nn->lockout_work);
	mutex_lock(&nn->lock);
	nfknock_flush(nn);
	nfknock_grants_teardown(nn);	/* stops the grant collector */
	mutex_unlock(&nn->lock);
	free_percpu(nn->stats);
	mem_cgroup_put(nn->memcg);
}

static struct pernet_operations nfknock_net_ops = {
	.init = nfknock_net_init,
	.pre_exit = nfknock_net_pre_exit,
	.exit = nfknock_net_exit,
	.id = &nfknock_net_id,
	.size = sizeof(struct nfknock_net),
};

int nfknock_pernet_init(void)
{
	return register_pernet_subsys(&nfknock_net_ops);
}

void nfknock_pernet_exit(void)
{
	unregister_pernet_subsys(&nfknock_net_ops);
	rcu_barrier();	/* cfg_free_rcu() is module code */
}
