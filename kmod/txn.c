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
	txn = kzalloc(sizeof(*txn), GFP_KERNEL);
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

int nfknock_txn_add_user(struct nfknock_txn *txn, struct nfknock_user *u,
			 struct netlink_ext_ack *extack)
{
	struct nfknock_user *o;

	if (txn->n_users >= NFKNOCK_USERS_MAX) {
		NL_SET_ERR_MSG(extack, "too many users (65536)");
		return -ENOSPC;
	}
	list_for_each_entry(o, &txn->users, staged) {
		if (!strcmp(o->name, u->name)) {
			NL_SET_ERR_MSG(extack, "duplicate user name");
			return -EEXIST;
		}
		if (!memcmp(o->fpr, u->fpr, sizeof(u->fpr))) {
			NL_SET_ERR_MSG(extack,
				       "duplicate user public key (fingerprint)");
			return -EEXIST;
		}
	}
	list_add_tail(&u->staged, &txn->users);
	txn->n_users++;
	return 0;
}

/* A port that is both a knock port and guarded could never be knocked. */
static int check_overlap(const struct nfknock_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	u32 i;

	for (i = 0; i < cfg->knocks.count; i++) {
		const struct nfk_service *k = &cfg->knocks.svc[i];

		if (nfk_guardset_covers(&cfg->guards, k->proto, k->port)) {
			NL_SET_ERR_MSG(extack, "a knock port is also guarded");
			return -EINVAL;
		}
	}
	return 0;
}

int nfknock_txn_commit(struct nfknock_net *nn, u32 portid,
		       struct netlink_ext_ack *extack)
{
	struct nfknock_txn *txn = nfknock_txn_get(nn, portid, extack);
	struct nfknock_cfg *next, *cur;
	struct nfknock_userset *us = NULL;
	int ret;

	if (!txn)
		return -ENOENT;
	next = txn->cfg;
	ret = check_overlap(next, extack);
	if (ret)
		return ret;
	cur = rcu_dereference_protected(nn->cfg, lockdep_is_held(&nn->lock));
	if (txn->n_users) {
		us = nfknock_userset_build(&txn->users, txn->n_users,
					   cur ? cur->users : NULL);
		if (!us)
			return -ENOMEM;
		txn->n_users = 0;
		ret = nfknock_hints_rebuild(us, nfknock_unix_ms());
		if (ret) {
			nfknock_userset_put(us);
			return ret;
		}
	}
	next->users = us;
	txn->cfg = NULL;
	ret = nfknock_cfg_commit(nn, next);	/* consumes next */
	if (ret) {
		nfknock_txn_abort(nn);
		return ret;
	}
	WRITE_ONCE(nn->grants.max, txn->grants_max);
	nfknock_grants_prune_users(nn, us);
	nfknock_txn_abort(nn);
	cancel_delayed_work(&nn->hint_work);
	if (us)
		queue_delayed_work(system_power_efficient_wq, &nn->hint_work,
				   0);
	return 0;
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
