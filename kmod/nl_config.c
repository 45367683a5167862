// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of the namespace's configuration one piece at a time:
 * status, parameters, guards, the guard and knock-port dumps, flush.
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/slab.h>

#include "nfknock.h"
#include "nl.h"

static int parse_service(struct nlattr **attrs, struct nfk_service *svc,
			 struct netlink_ext_ack *extack)
{
	if (NFKNOCK_REQUIRE(extack, NULL, attrs, NFKNOCK_A_SERVICE, "SERVICE"))
		return -EINVAL;
	return nfknock_nl_service(attrs[NFKNOCK_A_SERVICE], svc, extack);
}

static int put_stats(struct sk_buff *skb, struct nfknock_net *nn)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = NFKNOCK_STAT_A_GUARDED; i <= NFKNOCK_STAT_A_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, nfknock_stat_sum(nn, i),
				      NFKNOCK_STAT_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The lockout parameters in force; SOURCES_MAX 0 without a table. */
static int put_lockout(struct sk_buff *skb, const struct nfknock_cfg *cfg)
{
	struct nfk_lockout_params p;

	if (cfg)
		p = cfg->lockout;
	else
		nfk_lockout_params_default(&p);
	if (nla_put_u32(skb, NFKNOCK_A_LOCKOUT_THRESHOLD, p.threshold) ||
	    nla_put_u32(skb, NFKNOCK_A_LOCKOUT_WINDOW_MS, p.window_ms) ||
	    nla_put_u32(skb, NFKNOCK_A_LOCKOUT_DURATION_MS, p.duration_ms) ||
	    nla_put_u32(skb, NFKNOCK_A_SOURCES_MAX,
			cfg && cfg->lockouts ? cfg->lockouts->max : 0) ||
	    nla_put_u32(skb, NFKNOCK_A_LOCKED_COUNT,
			nfknock_lockouts_locked(cfg ? cfg->lockouts : NULL)))
		return -EMSGSIZE;
	return 0;
}

static int fill_status(struct sk_buff *skb, struct nfknock_net *nn)
{
	const struct nfknock_cfg *cfg = rcu_dereference_protected(nn->cfg,
					lockdep_is_held(&nn->lock));
	u32 buckets = nfknock_grants_buckets(nn);
	u32 max = nfknock_grants_cap(nn);

	if (nla_put_u32(skb, NFKNOCK_A_API_VERSION, NFKNOCK_GENL_VERSION) ||
	    nla_put_u8(skb, NFKNOCK_A_HOOKED, nn->hooked) ||
	    nla_put_u8(skb, NFKNOCK_A_GUARD_ACTION,
		       cfg ? cfg->guard_action : NFKNOCK_ACTION_RESET) ||
	    nla_put_u32(skb, NFKNOCK_A_UDP_IDLE_MS,
			cfg ? cfg->udp_idle_ms : NFKNOCK_UDP_IDLE_DEFAULT_MS) ||
	    nla_put_u32(skb, NFKNOCK_A_GRANTS_MAX, max) ||
	    nla_put_u32(skb, NFKNOCK_A_GRANTS_COUNT,
			atomic_read(&nn->grants.count)) ||
	    nla_put_u32(skb, NFKNOCK_A_GUARDS_COUNT,
			cfg ? cfg->guards.count : 0) ||
	    nla_put_u32(skb, NFKNOCK_A_SKEW_MS,
			cfg ? cfg->skew_ms : NFKNOCK_SKEW_DEFAULT_MS) ||
	    nla_put_u8(skb, NFKNOCK_A_KNOCK_PACKETS,
		       cfg ? cfg->knock_packets : NFKNOCK_KNOCK_PASS) ||
	    nla_put_u32(skb, NFKNOCK_A_USERS_COUNT,
			cfg && cfg->users ? cfg->users->n : 0) ||
	    nla_put_u32(skb, NFKNOCK_A_KNOCK_PORTS_COUNT,
			cfg ? cfg->knocks.count : 0) ||
	    nla_put_u8(skb, NFKNOCK_A_LIMITED, nn->limited) ||
	    nla_put_u32(skb, NFKNOCK_A_GRANT_BUCKETS, buckets) ||
	    nla_put_u32(skb, NFKNOCK_A_PROGRESS_MAX,
			cfg ? cfg->progress_max : NFKNOCK_PROGRESS_DEFAULT) ||
	    nla_put_u32(skb, NFKNOCK_A_PROGRESS_COUNT,
			nfknock_seq_live(cfg ? cfg->users : NULL)) ||
	    nla_put_u32(skb, NFKNOCK_A_STATIC_SEQS_COUNT,
			cfg && cfg->users ? cfg->users->n_static : 0) ||
	    put_lockout(skb, cfg) ||
	    (nn->trial.prev &&
	     nla_put_u32(skb, NFKNOCK_A_CONFIRM_MS, nfknock_trial_left_ms(nn))))
		return -EMSGSIZE;
	return put_stats(skb, nn);
}

int nfknock_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = info_net(info);
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = nfknock_nl_reply_hdr(msg, info, NFKNOCK_CMD_GET_STATUS);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	mutex_lock(&nn->lock);
	ret = fill_status(msg, nn);
	mutex_unlock(&nn->lock);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/*
 * Optional parameters shared by SET_PARAMS and TXN_BEGIN, checked before
 * anything changes. @grants_max is left alone when absent.
 */
int nfknock_nl_params(struct nfknock_net *nn, struct nlattr **attrs,
		      struct nfknock_cfg *cfg, u32 *grants_max,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *idle = attrs[NFKNOCK_A_UDP_IDLE_MS];
	struct nlattr *max = attrs[NFKNOCK_A_GRANTS_MAX];
	struct nlattr *skew = attrs[NFKNOCK_A_SKEW_MS];

	/* Ranges: checked by nfknock_policy; the lower ceiling of a limited
	 * namespace depends on the namespace.
	 */
	if (max && nn->limited &&
	    nla_get_u32(max) > NFKNOCK_USERNS_GRANTS_LIMIT) {
		NL_SET_ERR_MSG_ATTR(extack, max,
				    "grant cap above 4096 in a namespace of an unprivileged user namespace");
		return -EINVAL;
	}
	if (attrs[NFKNOCK_A_GUARD_ACTION])
		cfg->guard_action = nla_get_u8(attrs[NFKNOCK_A_GUARD_ACTION]);
	if (attrs[NFKNOCK_A_KNOCK_PACKETS])
		cfg->knock_packets = nla_get_u8(attrs[NFKNOCK_A_KNOCK_PACKETS]);
	if (idle)
		cfg->udp_idle_ms = nla_get_u32(idle);
	if (skew)
		cfg->skew_ms = nla_get_u32(skew);
	if (max)
		*grants_max = nla_get_u32(max);
	return 0;
}

int nfknock_nl_set_params(struct sk_buff *skb, struct genl_info *info)
{
	static const int params[] = {
		NFKNOCK_A_GUARD_ACTION, NFKNOCK_A_UDP_IDLE_MS,
		NFKNOCK_A_GRANTS_MAX, NFKNOCK_A_SKEW_MS,
		NFKNOCK_A_KNOCK_PACKETS,
	};
	struct nfknock_net *nn = info_net(info);
	struct nfknock_cfg *next;
	struct mem_cgroup *memcg;
	u32 max = 0;
	bool any = false;
	unsigned int i;
	int ret;

	if (info->attrs[NFKNOCK_A_PROGRESS_MAX]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NFKNOCK_A_PROGRESS_MAX],
				    "the progress cap is set by an apply");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(params); i++)
		any |= !!info->attrs[params[i]];
	if (!any) {
		NL_SET_ERR_MSG(info->extack, "no parameter to set");
		return -EINVAL;
	}

	memcg = nfknock_nl_lock(nn);
	ret = nfknock_trial_busy(nn, info->extack);
	if (ret)
		goto out;
	next = nfknock_cfg_clone(nn);
	ret = -ENOMEM;
	if (!next)
		goto out;
	ret = nfknock_nl_params(nn, info->attrs, next, &max, info->extack);
	if (ret) {
		nfknock_cfg_free(next);
		goto out;
	}
	/* The table follows the cap: sized (and its grants moved) first. */
	ret = max ? nfknock_grants_fit(nn, max) : 0;
	if (ret) {
		NL_SET_ERR_MSG(info->extack,
			       "no memory for a grant table of that cap");
		nfknock_cfg_free(next);
		goto out;
	}
	ret = nfknock_cfg_commit_or_free(nn, next);
	if (!ret && max)
		WRITE_ONCE(nn->grants.max, max);
	/* A new skew changes the windows the hint index must cover. */
	if (!ret && next->users)
		mod_delayed_work(system_power_efficient_wq, &nn->hint_work, 0);
out:
	nfknock_nl_unlock(nn, memcg);
	return ret;
}

static int change_guard(struct genl_info *info, bool add)
{
	struct nfknock_net *nn = info_net(info);
	struct nfknock_cfg *next;
	struct mem_cgroup *memcg;
	struct nfk_service svc;
	int ret;

	ret = parse_service(info->attrs, &svc, info->extack);
	if (ret)
		return ret;

	memcg = nfknock_nl_lock(nn);
	ret = nfknock_trial_busy(nn, info->extack);
	if (ret)
		goto out;
	next = nfknock_cfg_clone(nn);
	ret = -ENOMEM;
	if (!next)
		goto out;
	ret = add ? nfk_guardset_add(&next->guards, &svc) :
		    nfk_guardset_del(&next->guards, &svc);
	if (ret) {
		nfknock_cfg_free(next);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(info->extack, "guard already exists");
		else if (ret == -ENOSPC)
			NL_SET_ERR_MSG(info->extack, "too many guards (256)");
		else if (ret == -ENOENT)
			NL_SET_ERR_MSG(info->extack, "no such guard");
		else
			NL_SET_ERR_MSG(info->extack, "invalid service");
		goto out;
	}
	ret = nfknock_cfg_commit_or_free(nn, next);
out:
	nfknock_nl_unlock(nn, memcg);
	return ret;
}

int nfknock_nl_add_guard(struct sk_buff *skb, struct genl_info *info)
{
	return change_guard(info, true);
}

int nfknock_nl_del_guard(struct sk_buff *skb, struct genl_info *info)
{
	return change_guard(info, false);
}

/* Guards or knock ports, one message each, resumable at args[0]. */
static int dump_services(struct sk_buff *skb, struct netlink_callback *cb,
			 bool knocks)
{
	struct nfknock_net *nn = nfknock_pernet(sock_net(cb->skb->sk));
	const struct nfknock_cfg *cfg;
	const struct nfk_guardset *set;
	unsigned long i;
	void *hdr;

	rcu_read_lock();
	cfg = rcu_dereference(nn->cfg);
	cb->seq = READ_ONCE(nn->cfg_gen);
	set = !cfg ? NULL : knocks ? &cfg->knocks : &cfg->guards;
	for (i = cb->args[0]; set && i < set->count; i++) {
		hdr = nfknock_nl_dump_hdr(skb, cb, knocks ?
					  NFKNOCK_CMD_GET_KNOCK_PORTS :
					  NFKNOCK_CMD_GET_GUARDS);
		if (!hdr)
			break;
		if (nfknock_nl_put_service(skb, knocks ? NFKNOCK_A_KNOCK_PORT :
						  NFKNOCK_A_SERVICE,
					   &set->svc[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

int nfknock_nl_dump_guards(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_services(skb, cb, false);
}

int nfknock_nl_dump_knock_ports(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	return dump_services(skb, cb, true);
}

int nfknock_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = info_net(info);

	mutex_lock(&nn->lock);
	nfknock_flush(nn);
	mutex_unlock(&nn->lock);
	return 0;
}
