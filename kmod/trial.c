// SPDX-License-Identifier: GPL-2.0
/*
 * Commit on trial (knockctl apply --confirm): the configuration a commit
 * replaced is kept, and a worker puts it back at the deadline unless
 * NFKNOCK_CMD_CONFIRM arrives first. No daemon takes part: an
 * administrator whom a bad apply cut off gets the previous rules back from
 * the kernel alone.
 *
 * Grants are revoked once the outcome is known, not at the commit:
 * CONFIRM revokes what the new configuration forbids, a rollback what the
 * restored one forbids (grants that the trial's users got), so the grants
 * of the previous configuration's users survive a rollback.
 *
 * Everything here runs under nn->lock.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "nfknock.h"

/* Writers that would change a configuration on trial wait for its end. */
int nfknock_trial_busy(struct nfknock_net *nn, struct netlink_ext_ack *extack)
{
	if (!nn->trial.prev)
		return 0;
	NL_SET_ERR_MSG(extack,
		       "a configuration applied with a confirm deadline is on trial: confirm it (knockctl confirm) or wait for its rollback");
	return -EBUSY;
}

/*
 * Before a commit on trial: what to put back. The current configuration,
 * or, on a namespace never configured, an empty one (no guards: the
 * rollback unhooks). Returns NULL without memory.
 */
struct nfknock_cfg *nfknock_trial_fallback(struct nfknock_net *nn)
{
	struct nfknock_cfg *cfg;

	if (rcu_access_pointer(nn->cfg))
		return NULL;
	cfg = kvmalloc(sizeof(*cfg), NFKNOCK_GFP);
	if (cfg)
		nfknock_cfg_defaults(cfg);
	return cfg;
}

/* After the commit swapped @prev out: keep it and start the clock. */
void nfknock_trial_start(struct nfknock_net *nn, struct nfknock_cfg *prev,
			 u32 grants_max, u32 confirm_ms)
{
	unsigned long delay = msecs_to_jiffies(confirm_ms);

	nn->trial.prev = prev;
	nn->trial.grants_max = grants_max;
	nn->trial.deadline = jiffies + delay;
	queue_delayed_work(system_power_efficient_wq, &nn->trial.work, delay);
}

/* Milliseconds left to confirm, 0 when nothing is on trial. */
u32 nfknock_trial_left_ms(const struct nfknock_net *nn)
{
	unsigned long now = jiffies;

	if (!nn->trial.prev)
		return 0;
	if (time_after_eq(now, nn->trial.deadline))
		return 1;	/* the rollback is due: still on trial */
	return jiffies_to_msecs(nn->trial.deadline - now);
}

/*
 * End the trial without putting anything back (CONFIRM, flush). The
 * worker may still run: it finds nothing on trial and stops.
 */
void nfknock_trial_drop(struct nfknock_net *nn)
{
	struct nfknock_cfg *prev = nn->trial.prev;

	if (!prev)
		return;
	nn->trial.prev = NULL;
	cancel_delayed_work(&nn->trial.work);
	/* Readers saw it until the trial's commit: free after them. */
	nfknock_cfg_put_rcu(prev);
}

int nfknock_trial_confirm(struct nfknock_net *nn, u32 *revoked,
			  struct netlink_ext_ack *extack)
{
	const struct nfknock_cfg *cur;

	if (!nn->trial.prev) {
		NL_SET_ERR_MSG(extack, "nothing to confirm: no configuration is on trial");
		return -ENOENT;
	}
	nfknock_trial_drop(nn);
	cur = rcu_dereference_protected(nn->cfg, lockdep_is_held(&nn->lock));
	/* A knock verified under the configuration before the trial (a
	 * confirm can follow its commit at once) could still add a grant.
	 */
	synchronize_net();
	*revoked = nfknock_grants_revoke_disallowed(nn, cur ? cur->users : NULL);
	return 0;
}

static void report_rollback(struct nfknock_net *nn, u32 revoked)
{
	struct nfknock_ev ev = {
		.type = NFKNOCK_EVENT_CONFIG_ROLLED_BACK,
		.count = revoked,
	};

	nfknock_event(nn, &ev);
}

/*
 * Put the previous configuration back (the swap points the users' knock
 * state back at its users). Its hint and sequence tables are
 * brought up to now first (a failure leaves them to the hint worker,
 * which retries). If the swap itself fails (hooks could not be
 * registered), the trial stays and the worker tries again in a second:
 * the old rules are what the administrator must get back.
 */
static void rollback(struct nfknock_net *nn)
{
	struct nfknock_cfg *prev = nn->trial.prev;
	struct nfknock_userset *us = prev->users;
	u64 now = nfknock_unix_ms();
	u32 revoked;

	if (us) {
		nfknock_hints_rebuild(nn, us, now, prev->skew_ms);
		if (us->n_seq)
			nfknock_seq_rebuild(nn, us, now);
	}
	/* A table of the wrong size only costs speed: go on without. */
	nfknock_grants_fit(nn, nn->trial.grants_max);
	if (nfknock_cfg_commit(nn, prev)) {
		queue_delayed_work(system_power_efficient_wq, &nn->trial.work,
				   HZ);
		return;
	}
	nn->trial.prev = NULL;
	WRITE_ONCE(nn->grants.max, nn->trial.grants_max);
	/* A knock still verified under the trial's configuration could add
	 * a grant the restored one forbids after the walk below.
	 */
	synchronize_net();
	revoked = nfknock_grants_revoke_disallowed(nn, us);
	if (us)
		mod_delayed_work(system_power_efficient_wq, &nn->hint_work, 0);
	report_rollback(nn, revoked);
}

void nfknock_trial_work(struct work_struct *work)
{
	struct nfknock_net *nn = container_of(to_delayed_work(work),
					      struct nfknock_net, trial.work);
	struct mem_cgroup *memcg;

	mutex_lock(&nn->lock);
	memcg = nfknock_memcg_enter(nn);
	if (nn->trial.prev)
		rollback(nn);
	nfknock_memcg_leave(memcg);
	mutex_unlock(&nn->lock);
}
