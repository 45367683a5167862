// SPDX-License-Identifier: GPL-2.0
/*
 * Staged configuration (knockctl apply): BEGIN, any number of ADDs, COMMIT
 * swaps the whole configuration atomically. One socket stages at a time; its
 * staging dies with the socket or is taken over after NFKNOCK_TXN_IDLE_MS.
 */
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "nfknock.h"

static void txn_free(struct nfknock_txn *txn)
{
	struct nfknock_user *u, *tmp;

	if (!txn)
		return;
	list_for_each_entry_safe(u, tmp, &txn->users, staged) {
		list_del(&u->staged);
		nfknock_user_free(u);
	}
	kvfree(txn->statics);
	kvfree(txn->cfg);
	kfree(txn);
}

/* Caller holds nn->lock. */
void nfknock_txn_abort(struct nfknock_net *nn)
{
	txn_free(nn->txn);
	nn->txn = NULL;
}

int nfknock_txn_begin(struct nfknock_net *nn, u32 portid,
		      struct nfknock_cfg *params, u32 grants_max,
		      struct netlink_ext_ack *extack)
{
	struct nfknock_txn *txn = nn->txn;
	u64 now = nfknock_now_ms();

	if (txn && txn->portid != portid &&
	    now - txn->last_used_ms < NFKNOCK_TXN_IDLE_MS) {
		NL_SET_ERR_MSG(extack,
			       "another apply is in progress in this namespace");
		kvfree(params);
		return -EBUSY;
	}
	nfknock_txn_abort(nn);
	txn = kzalloc(sizeof(*txn), NFKNOCK_GFP);
	if (!txn) {
		kvfree(params);
		return -ENOMEM;
	}
	txn->portid = portid;
	txn->last_used_ms = now;
	txn->grants_max = grants_max;
	txn->cfg = params;
	INIT_LIST_HEAD(&txn->users);
	nn->txn = txn;
	return 0;
}

struct nfknock_txn *nfknock_txn_get(struct nfknock_net *nn, u32 portid,
				    struct netlink_ext_ack *extack)
{
	struct nfknock_txn *txn = nn->txn;

	if (!txn || txn->portid != portid) {
		NL_SET_ERR_MSG(extack, "no apply in progress on this socket");
		return NULL;
	}
	txn->last_used_ms = nfknock_now_ms();
	return txn;
}

/* Duplicates are found at commit, in O(n log n) (nfknock_userset_build). */
int nfknock_txn_add_user(struct nfknock_net *nn, struct nfknock_txn *txn,
			 struct nfknock_user *u, struct netlink_ext_ack *extack)
{
	if (nn->limited && txn->n_users >= NFKNOCK_USERNS_USERS_MAX) {
		NL_SET_ERR_MSG(extack,
			       "too many users for a namespace of an unprivileged user namespace (1024)");
		return -ENOSPC;
	}
	if (txn->n_users >= NFKNOCK_USERS_MAX) {
		NL_SET_ERR_MSG(extack, "too many users (65536)");
		return -ENOSPC;
	}
	list_add_tail(&u->staged, &txn->users);
	txn->n_users++;
	return 0;
}

/* Names are unique among static sequences (at most 64: a linear look). */
int nfknock_txn_add_static(struct nfknock_txn *txn,
			   const struct nfknock_static *st,
			   struct netlink_ext_ack *extack)
{
	u32 i;

	if (txn->n_statics >= NFKNOCK_STATIC_SEQS_MAX) {
		NL_SET_ERR_MSG(extack, "too many static sequences (64)");
		return -ENOSPC;
	}
	for (i = 0; i < txn->n_statics; i++) {
		if (!strcmp(txn->statics[i].name, st->name)) {
			NL_SET_ERR_MSG(extack,
				       "duplicate static sequence name");
			return -EEXIST;
		}
	}
	if (!txn->statics) {
		txn->statics = kvcalloc(NFKNOCK_STATIC_SEQS_MAX,
					sizeof(*txn->statics), NFKNOCK_GFP);
		if (!txn->statics)
			return -ENOMEM;
	}
	txn->statics[txn->n_statics++] = *st;
	return 0;
}

/*
 * A port that is both a knock port and guarded could never be knocked.
 * The core's rule (nfk_service_overlaps()), as knockctl's check applies it;
 * at most 16 knock ports by 256 guards.
 */
static int check_overlap(const struct nfknock_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	u32 i, j;

	for (i = 0; i < cfg->knocks.count; i++) {
		for (j = 0; j < cfg->guards.count; j++) {
			if (nfk_service_overlaps(&cfg->knocks.svc[i],
						 &cfg->guards.svc[j])) {
				NL_SET_ERR_MSG(extack,
					       "a knock port is also guarded");
				return -EINVAL;
			}
		}
	}
	return 0;
}

/*
 * Swap the staged configuration in. Until it is in force, a failure
 * (memory, hooks) leaves the staging as it was, so COMMIT can be retried.
 * Afterwards, once no knock under the previous configuration can still be
 * running, grants it no longer allows are revoked (*@revoked says how
 * many). With @confirm_ms the commit is on trial (trial.c): the previous
 * configuration is kept to be put back, and nothing is revoked yet.
 */
int nfknock_txn_commit(struct nfknock_net *nn, u32 portid, u32 confirm_ms,
		       u32 *revoked, struct netlink_ext_ack *extack)
{
	struct nfknock_txn *txn = nfknock_txn_get(nn, portid, extack);
	struct nfknock_cfg *next, *cur, *prev = NULL, *fallback = NULL;
	struct nfknock_userset *us = NULL;
	u32 grants_before = nfknock_grants_cap(nn);
	int ret;

	*revoked = 0;
	if (!txn)
		return -ENOENT;
	ret = nfknock_trial_busy(nn, extack);
	if (ret)
		return ret;
	next = txn->cfg;
	ret = check_overlap(next, extack);
	if (ret)
		return ret;
	cur = rcu_dereference_protected(nn->cfg, lockdep_is_held(&nn->lock));
	if (txn->n_users || txn->n_statics) {
		us = nfknock_userset_build(nn, &txn->users, txn->n_users,
					   txn->statics, txn->n_statics,
					   cur ? cur->users : NULL, extack);
		if (IS_ERR(us))
			return PTR_ERR(us);
		ret = nfknock_hints_rebuild(nn, us, nfknock_unix_ms(),
					    next->skew_ms);
		if (!ret)
			ret = nfknock_seq_prepare(nn, us, next->progress_max);
		if (!ret)
			ret = nfknock_seq_rebuild(nn, us, nfknock_unix_ms());
		if (ret)
			goto err_unbuild;
	}
	ret = nfknock_lockouts_prepare(nn, next, cur);
	if (ret) {
		NL_SET_ERR_MSG(extack, "no memory for the lockout source table");
		goto err_unbuild;
	}
	/* On trial with nothing configured yet: an empty one to put back. */
	if (confirm_ms && !cur) {
		fallback = nfknock_trial_fallback(nn);
		ret = -ENOMEM;
		if (!fallback)
			goto err_unbuild;
	}
	/* The table follows the cap: sized (and its grants moved) first;
	 * a table larger or smaller than needed is harmless if the commit
	 * fails after this.
	 */
	ret = nfknock_grants_fit(nn, txn->grants_max);
	if (ret) {
		NL_SET_ERR_MSG(extack, "no memory for a grant table of that cap");
		goto err_unbuild;
	}
	next->users = us;
	ret = nfknock_cfg_replace(nn, next, confirm_ms ? &prev : NULL);
	if (ret) {
		next->users = NULL;
		goto err_unbuild;
	}
	/* In force: the users belong to the set now, not to the staging. */
	txn->cfg = NULL;
	INIT_LIST_HEAD(&txn->users);
	txn->n_users = 0;
	WRITE_ONCE(nn->grants.max, txn->grants_max);
	if (confirm_ms) {
		/* Nothing is revoked until the trial ends (trial.c). */
		nfknock_trial_start(nn, prev ? prev : fallback, grants_before,
				    confirm_ms);
	} else {
		/* A knock still verified under the previous configuration
		 * could add a grant the new one forbids after the walk below.
		 */
		synchronize_net();
		*revoked = nfknock_grants_revoke_disallowed(nn, us);
	}
	nfknock_txn_abort(nn);
	cancel_delayed_work(&nn->hint_work);
	if (us)
		queue_delayed_work(system_power_efficient_wq, &nn->hint_work,
				   0);
	return 0;

err_unbuild:
	nfknock_cfg_free(fallback);
	nfknock_lockouts_put(next->lockouts);
	next->lockouts = NULL;
	if (us)
		nfknock_userset_unbuild(us);
	return ret;
}

/* Staging dies with the socket that owns it. */
static int txn_release(struct notifier_block *nb, unsigned long event,
		       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct nfknock_net *nn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	nn = nfknock_pernet(n->net);
	mutex_lock(&nn->lock);
	if (nn->txn && nn->txn->portid == n->portid)
		nfknock_txn_abort(nn);
	mutex_unlock(&nn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block txn_notifier = {
	.notifier_call = txn_release,
};

int nfknock_txn_notifier_init(void)
{
	return netlink_register_notifier(&txn_notifier);
}

void nfknock_txn_notifier_exit(void)
{
	netlink_unregister_notifier(&txn_notifier);
}
