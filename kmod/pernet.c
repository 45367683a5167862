// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: configuration swapped under RCU, hooks registered only
 * while the namespace guards something, counters.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "nfknock.h"

unsigned int nfknock_net_id __read_mostly;

void nfknock_cfg_defaults(struct nfknock_cfg *cfg)
{
	cfg->guard_action = NFKNOCK_ACTION_DROP;
	cfg->knock_packets = NFKNOCK_KNOCK_PASS;
	cfg->udp_idle_ms = NFKNOCK_UDP_IDLE_DEFAULT_MS;
	cfg->skew_ms = NFKNOCK_SKEW_DEFAULT_MS;
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
	kvfree(cfg);
}

static void cfg_free_rcu(struct rcu_head *head)
{
	nfknock_cfg_free(container_of(head, struct nfknock_cfg, rcu));
}

/*
 * A private copy of the current configuration (or the defaults) for a writer
 * to modify and then hand to nfknock_cfg_commit(). Caller holds nn->lock.
 */
struct nfknock_cfg *nfknock_cfg_clone(struct nfknock_net *nn)
{
	struct nfknock_cfg *cur = rcu_dereference_protected(nn->cfg,
					lockdep_is_held(&nn->lock));
	struct nfknock_cfg *next = kvmalloc(sizeof(*next), GFP_KERNEL);

	if (!next)
		return NULL;
	if (cur) {
		memcpy(next, cur, sizeof(*next));
		if (next->users)
			kref_get(&next->users->ref);
	} else {
		nfknock_cfg_defaults(next);
	}
	return next;
}

/* Hooks follow the configuration: registered iff a port is guarded or is a
 * knock port.
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
 * Publish @next (consumed in every case). Caller holds nn->lock. On error
 * the previous configuration stays in force.
 */
int nfknock_cfg_commit(struct nfknock_net *nn, struct nfknock_cfg *next)
{
	struct nfknock_cfg *old;
	int ret;

	ret = nfknock_grants_setup(nn);
	if (ret)
		goto err_free;
	old = rcu_replace_pointer(nn->cfg, next, lockdep_is_held(&nn->lock));
	ret = sync_hooks(nn, next->guards.count || next->knocks.count);
	if (ret) {
		rcu_assign_pointer(nn->cfg, old);
		goto err_free_rcu;
	}
	if (old)
		call_rcu(&old->rcu, cfg_free_rcu);
	return 0;

err_free_rcu:
	synchronize_rcu();
err_free:
	nfknock_cfg_free(next);
	return ret;
}

/* Back to the unconfigured state. Caller holds nn->lock. */
void nfknock_flush(struct nfknock_net *nn)
{
	struct nfknock_cfg *old;

	sync_hooks(nn, false);
	nfknock_txn_abort(nn);
	/* A running rebuild finds no configuration and stops rescheduling. */
	cancel_delayed_work(&nn->hint_work);
	old = rcu_replace_pointer(nn->cfg, NULL, lockdep_is_held(&nn->lock));
	if (old)
		call_rcu(&old->rcu, cfg_free_rcu);
	nfknock_grants_flush(nn);
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
	nn->hooked = false;
	nn->txn = NULL;
	INIT_DELAYED_WORK(&nn->hint_work, nfknock_hint_work);
	nn->stats = alloc_percpu(struct nfknock_stats);
	if (!nn->stats)
		return -ENOMEM;
	return 0;
}

static void __net_exit nfknock_net_exit(struct net *net)
{
	struct nfknock_net *nn = nfknock_pernet(net);

	cancel_delayed_work_sync(&nn->hint_work);	/* it takes nn->lock */
	mutex_lock(&nn->lock);
	nfknock_flush(nn);
	nfknock_grants_teardown(nn);
	mutex_unlock(&nn->lock);
	/* Counters may still be bumped by a hook that finished its grace
	 * period only now; the hooks are gone after nfknock_flush().
	 */
	free_percpu(nn->stats);
}

static struct pernet_operations nfknock_net_ops = {
	.init = nfknock_net_init,
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
