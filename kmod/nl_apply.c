// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of whole-configuration replacement (knockctl apply):
 * BEGIN, ADD (guard, knock port, user or static sequence), COMMIT, ABORT,
 * and CONFIRM of a commit on trial.
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/slab.h>

#include "nfknock.h"
#include "nl.h"

/*
 * The sequence progress table's size, fixed at apply (the table is made
 * with the user set); range by nfknock_policy, a lower ceiling when the
 * namespace is limited.
 */
static int progress_param(struct nfknock_net *nn, struct nlattr *a,
			  struct nfknock_cfg *cfg,
			  struct netlink_ext_ack *extack)
{
	if (!a)
		return 0;
	if (nn->limited && nla_get_u32(a) > NFKNOCK_USERNS_PROGRESS_LIMIT) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "progress cap above 4096 in a namespace of an unprivileged user namespace");
		return -EINVAL;
	}
	cfg->progress_max = nla_get_u32(a);
	return 0;
}

/*
 * Lockout of failing sources, fixed at apply with the source table; ranges
 * by nfknock_policy. A limited namespace gets a smaller table by default
 * and may not ask for more than its ceiling.
 */
static int lockout_params(struct nfknock_net *nn, struct nlattr **attrs,
			  struct nfknock_cfg *cfg,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *max = attrs[NFKNOCK_A_SOURCES_MAX];

	if (attrs[NFKNOCK_A_LOCKOUT_THRESHOLD])
		cfg->lockout.threshold =
			nla_get_u32(attrs[NFKNOCK_A_LOCKOUT_THRESHOLD]);
	if (attrs[NFKNOCK_A_LOCKOUT_WINDOW_MS])
		cfg->lockout.window_ms =
			nla_get_u32(attrs[NFKNOCK_A_LOCKOUT_WINDOW_MS]);
	if (attrs[NFKNOCK_A_LOCKOUT_DURATION_MS])
		cfg->lockout.duration_ms =
			nla_get_u32(attrs[NFKNOCK_A_LOCKOUT_DURATION_MS]);
	if (nn->limited)
		cfg->sources_max = min_t(u32, cfg->sources_max,
					 NFKNOCK_USERNS_SOURCES_LIMIT);
	if (!max)
		return 0;
	if (nn->limited &&
	    nla_get_u32(max) > NFKNOCK_USERNS_SOURCES_LIMIT) {
		NL_SET_ERR_MSG_ATTR(extack, max,
				    "source table above 4096 in a namespace of an unprivileged user namespace");
		return -EINVAL;
	}
	cfg->sources_max = nla_get_u32(max);
	return 0;
}

int nfknock_nl_txn_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = nfknock_pernet(genl_info_net(info));
	u32 grants_max = nfknock_grants_default(nn);
	struct nfknock_cfg *cfg;
	struct mem_cgroup *memcg;
	int ret;

	memcg = nfknock_nl_lock(nn);
	ret = nfknock_trial_busy(nn, info->extack);
	if (ret)
		goto out;
	ret = -ENOMEM;
	cfg = kvmalloc(sizeof(*cfg), NFKNOCK_GFP);
	if (!cfg)
		goto out;
	nfknock_cfg_defaults(cfg);
	ret = nfknock_nl_params(nn, info->attrs, cfg, &grants_max,
				info->extack);
	if (!ret)
		ret = progress_param(nn, info->attrs[NFKNOCK_A_PROGRESS_MAX],
				     cfg, info->extack);
	if (!ret)
		ret = lockout_params(nn, info->attrs, cfg, info->extack);
	if (ret) {
		kvfree(cfg);
		goto out;
	}
	ret = nfknock_txn_begin(nn, info->snd_portid, cfg, grants_max,
				info->extack);
out:
	nfknock_nl_unlock(nn, memcg);
	return ret;
}

static int add_knock_port(struct nfknock_txn *txn, struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	struct nfk_service svc;
	int ret;

	ret = nfknock_nl_service(nest, &svc, extack);
	if (ret)
		return ret;
	if (svc.proto != IPPROTO_UDP || svc.port != svc.port_end) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a knock port is one udp port");
		return -EINVAL;
	}
	if (txn->cfg->knocks.count >= NFKNOCK_KNOCK_PORTS_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many knock ports (16)");
		return -ENOSPC;
	}
	ret = nfk_guardset_add(&txn->cfg->knocks, &svc);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(extack, nest, "duplicate knock port");
	return ret;
}

static int add_guard(struct nfknock_txn *txn, struct nlattr *nest,
		     struct netlink_ext_ack *extack)
{
	struct nfk_service svc;
	int ret;

	ret = nfknock_nl_service(nest, &svc, extack);
	if (ret)
		return ret;
	ret = nfk_guardset_add(&txn->cfg->guards, &svc);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(extack, nest, "duplicate guard");
	else if (ret == -ENOSPC)
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many guards (256)");
	return ret;
}

static int add_user(struct nfknock_net *nn, struct nfknock_txn *txn,
		    struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct nfknock_user *u = kzalloc(sizeof(*u), NFKNOCK_GFP);
	int ret;

	if (!u)
		return -ENOMEM;
	ret = nfknock_nl_user_parse(nest, u, extack);
	if (!ret)
		ret = nfknock_txn_add_user(nn, txn, u, extack);
	if (ret)
		nfknock_user_free(u);
	return ret;
}

static int add_static(struct nfknock_txn *txn, struct nlattr *nest,
		      struct netlink_ext_ack *extack)
{
	struct nfknock_static st;
	int ret;

	ret = nfknock_nl_static_parse(nest, &st, extack);
	if (!ret)
		ret = nfknock_txn_add_static(txn, &st, extack);
	return ret;
}

int nfknock_nl_txn_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = nfknock_pernet(genl_info_net(info));
	struct nlattr *guard = info->attrs[NFKNOCK_A_SERVICE];
	struct nlattr *knock = info->attrs[NFKNOCK_A_KNOCK_PORT];
	struct nlattr *user = info->attrs[NFKNOCK_A_USER];
	struct nlattr *stat = info->attrs[NFKNOCK_A_STATIC_SEQ];
	struct nfknock_txn *txn;
	struct mem_cgroup *memcg;
	int ret;

	if (!!guard + !!knock + !!user + !!stat != 1) {
		NL_SET_ERR_MSG(info->extack,
			       "exactly one of SERVICE, KNOCK_PORT, USER, STATIC_SEQ");
		ret = -EINVAL;
		goto wipe;
	}
	memcg = nfknock_nl_lock(nn);
	txn = nfknock_txn_get(nn, info->snd_portid, info->extack);
	ret = -ENOENT;
	if (!txn)
		goto out;
	if (guard)
		ret = add_guard(txn, guard, info->extack);
	else if (knock)
		ret = add_knock_port(txn, knock, info->extack);
	else if (stat)
		ret = add_static(txn, stat, info->extack);
	else
		ret = add_user(nn, txn, user, info->extack);
out:
	nfknock_nl_unlock(nn, memcg);
wipe:
	if (user)
		nfknock_nl_user_wipe(user);
	return ret;
}

/* config_applied (on trial: with the time left to confirm), confirmed. */
static void report_config(struct nfknock_net *nn, u8 type, u32 revoked,
			  u32 confirm_ms)
{
	struct nfknock_ev ev = {
		.type = type,
		.count = revoked,
		.duration_s = DIV_ROUND_UP(confirm_ms, 1000),
		.flags = confirm_ms ? NFKNOCK_EV_F_TRIAL : 0,
	};

	nfknock_event(nn, &ev);
}

int nfknock_nl_txn_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = nfknock_pernet(genl_info_net(info));
	struct nlattr *confirm = info->attrs[NFKNOCK_A_CONFIRM_MS];
	u32 confirm_ms = confirm ? nla_get_u32(confirm) : 0;
	struct mem_cgroup *memcg;
	u32 revoked;
	int ret;

	memcg = nfknock_nl_lock(nn);
	ret = nfknock_txn_commit(nn, info->snd_portid, confirm_ms, &revoked,
				 info->extack);
	nfknock_nl_unlock(nn, memcg);
	if (ret)
		return ret;
	report_config(nn, NFKNOCK_EVENT_CONFIG_APPLIED, revoked, confirm_ms);
	return nfknock_nl_reply_u32(info, NFKNOCK_CMD_TXN_COMMIT,
				    NFKNOCK_A_REVOKED, revoked);
}

/* Keep the configuration on trial (knockctl confirm). */
int nfknock_nl_confirm(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = nfknock_pernet(genl_info_net(info));
	struct mem_cgroup *memcg;
	u32 revoked;
	int ret;

	memcg = nfknock_nl_lock(nn);
	ret = nfknock_trial_confirm(nn, &revoked, info->extack);
	nfknock_nl_unlock(nn, memcg);
	if (ret)
		return ret;
	report_config(nn, NFKNOCK_EVENT_CONFIG_CONFIRMED, revoked, 0);
	return nfknock_nl_reply_u32(info, NFKNOCK_CMD_CONFIRM,
				    NFKNOCK_A_REVOKED, revoked);
}

int nfknock_nl_txn_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = nfknock_pernet(genl_info_net(info));
	int ret = -ENOENT;

	mutex_lock(&nn->lock);
	if (nfknock_txn_get(nn, info->snd_portid, info->extack)) {
		nfknock_txn_abort(nn);
		ret = 0;
	}
	mutex_unlock(&nn->lock);
	return ret;
}
