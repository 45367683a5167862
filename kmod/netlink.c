// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "nfknock": strict policies, every mutating op and
 * every dump that reveals client addresses needs CAP_NET_ADMIN over the
 * namespace, every refusal carries an extack message.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "nfknock.h"

static struct genl_family nfknock_family;

static const struct nla_policy svc_policy[NFKNOCK_SVC_A_MAX + 1] = {
	[NFKNOCK_SVC_A_PROTO] = { .type = NLA_U8 },
	[NFKNOCK_SVC_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NFKNOCK_SVC_A_PORT_END] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy grant_policy[NFKNOCK_GRANT_A_MAX + 1] = {
	[NFKNOCK_GRANT_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[NFKNOCK_GRANT_A_PROTO] = { .type = NLA_U8 },
	[NFKNOCK_GRANT_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NFKNOCK_GRANT_A_TIMEOUT_MS] = { .type = NLA_U32 },
	[NFKNOCK_GRANT_A_FLAGS] = { .type = NLA_U32 },
};

/* Reply-only attributes are absent here, so strict parsing refuses them. */
static const struct nla_policy nfknock_policy[NFKNOCK_A_MAX + 1] = {
	[NFKNOCK_A_GUARD_ACTION] = NLA_POLICY_MAX(NLA_U8, NFKNOCK_ACTION_MAX),
	[NFKNOCK_A_UDP_IDLE_MS] = { .type = NLA_U32 },
	[NFKNOCK_A_GRANTS_MAX] = { .type = NLA_U32 },
	[NFKNOCK_A_SERVICE] = NLA_POLICY_NESTED(svc_policy),
	[NFKNOCK_A_GRANT] = NLA_POLICY_NESTED(grant_policy),
};

#define REQUIRE_ATTR(extack, nest, tb, type, what) ({			\
	bool __miss = !(tb)[type];					\
	if (__miss) {							\
		NL_SET_ERR_MSG(extack, "missing attribute: " what);	\
		NL_SET_ERR_ATTR_MISS(extack, nest, type);		\
	}								\
	__miss;								\
})

static bool valid_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static int parse_service(struct nlattr **attrs, struct nfk_service *svc,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *nest = attrs[NFKNOCK_A_SERVICE];
	struct nlattr *tb[NFKNOCK_SVC_A_MAX + 1];
	int ret;

	if (REQUIRE_ATTR(extack, NULL, attrs, NFKNOCK_A_SERVICE, "SERVICE"))
		return -EINVAL;
	ret = nla_parse_nested(tb, NFKNOCK_SVC_A_MAX, nest, svc_policy, extack);
	if (ret)
		return ret;
	if (REQUIRE_ATTR(extack, nest, tb, NFKNOCK_SVC_A_PROTO, "SVC_PROTO") ||
	    REQUIRE_ATTR(extack, nest, tb, NFKNOCK_SVC_A_PORT, "SVC_PORT"))
		return -EINVAL;
	svc->proto = nla_get_u8(tb[NFKNOCK_SVC_A_PROTO]);
	svc->port = nla_get_u16(tb[NFKNOCK_SVC_A_PORT]);
	svc->port_end = tb[NFKNOCK_SVC_A_PORT_END] ?
			nla_get_u16(tb[NFKNOCK_SVC_A_PORT_END]) : svc->port;
	if (!valid_proto(svc->proto)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFKNOCK_SVC_A_PROTO],
				    "protocol must be tcp (6) or udp (17)");
		return -EINVAL;
	}
	if (svc->port_end < svc->port) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFKNOCK_SVC_A_PORT_END],
				    "last port is below first port");
		return -EINVAL;
	}
	return 0;
}

struct grant_req {
	struct nfk_grant_key key;
	bool has_service;
	u32 timeout_ms;
	u32 flags;
};

/* Parse a GRANT nest; @full requires service and timeout (ADD_GRANT). */
static int parse_grant(struct nlattr **attrs, bool full, struct grant_req *req,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *nest = attrs[NFKNOCK_A_GRANT];
	struct nlattr *tb[NFKNOCK_GRANT_A_MAX + 1];
	struct nlattr *a;
	u8 proto = 0;
	u16 port = 0;
	int ret;

	if (REQUIRE_ATTR(extack, NULL, attrs, NFKNOCK_A_GRANT, "GRANT"))
		return -EINVAL;
	ret = nla_parse_nested(tb, NFKNOCK_GRANT_A_MAX, nest, grant_policy,
			       extack);
	if (ret)
		return ret;
	if (REQUIRE_ATTR(extack, nest, tb, NFKNOCK_GRANT_A_ADDR, "GRANT_ADDR"))
		return -EINVAL;
	if (full &&
	    (REQUIRE_ATTR(extack, nest, tb, NFKNOCK_GRANT_A_PROTO, "GRANT_PROTO") ||
	     REQUIRE_ATTR(extack, nest, tb, NFKNOCK_GRANT_A_PORT, "GRANT_PORT") ||
	     REQUIRE_ATTR(extack, nest, tb, NFKNOCK_GRANT_A_TIMEOUT_MS,
			  "GRANT_TIMEOUT_MS")))
		return -EINVAL;
	if (!tb[NFKNOCK_GRANT_A_PROTO] != !tb[NFKNOCK_GRANT_A_PORT]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "GRANT_PROTO and GRANT_PORT go together");
		return -EINVAL;
	}
	req->has_service = tb[NFKNOCK_GRANT_A_PROTO];
	if (req->has_service) {
		proto = nla_get_u8(tb[NFKNOCK_GRANT_A_PROTO]);
		port = nla_get_u16(tb[NFKNOCK_GRANT_A_PORT]);
		if (!valid_proto(proto)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFKNOCK_GRANT_A_PROTO],
					    "protocol must be tcp (6) or udp (17)");
			return -EINVAL;
		}
	}
	a = tb[NFKNOCK_GRANT_A_ADDR];
	if (!nfk_grant_key_make(&req->key, nla_data(a), nla_len(a), proto,
				port)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	req->timeout_ms = 0;
	a = tb[NFKNOCK_GRANT_A_TIMEOUT_MS];
	if (a) {
		req->timeout_ms = nla_get_u32(a);
		if (!req->timeout_ms || req->timeout_ms > NFKNOCK_TIMEOUT_MAX_MS) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "timeout must be 1 ms .. 7 days");
			return -EINVAL;
		}
	}
	req->flags = 0;
	a = tb[NFKNOCK_GRANT_A_FLAGS];
	if (a) {
		req->flags = nla_get_u32(a);
		if (req->flags & ~__NFKNOCK_GRANT_F_ALL) {
			NL_SET_ERR_MSG_ATTR(extack, a, "unknown grant flags");
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static struct nfknock_net *info_net(struct genl_info *info)
{
	return nfknock_pernet(genl_info_net(info));
}

static int put_service(struct sk_buff *skb, const struct nfk_service *svc)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_A_SERVICE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, NFKNOCK_SVC_A_PROTO, svc->proto) ||
	    nla_put_u16(skb, NFKNOCK_SVC_A_PORT, svc->port) ||
	    nla_put_u16(skb, NFKNOCK_SVC_A_PORT_END, svc->port_end)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
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

static int fill_status(struct sk_buff *skb, struct nfknock_net *nn)
{
	const struct nfknock_cfg *cfg = rcu_dereference_protected(nn->cfg,
					lockdep_is_held(&nn->lock));
	u32 max = nn->grants.buckets ? nn->grants.max : NFKNOCK_GRANTS_DEFAULT;

	if (nla_put_u32(skb, NFKNOCK_A_API_VERSION, NFKNOCK_GENL_VERSION) ||
	    nla_put_u8(skb, NFKNOCK_A_HOOKED, nn->hooked) ||
	    nla_put_u8(skb, NFKNOCK_A_GUARD_ACTION,
		       cfg ? cfg->guard_action : NFKNOCK_ACTION_DROP) ||
	    nla_put_u32(skb, NFKNOCK_A_UDP_IDLE_MS,
			cfg ? cfg->udp_idle_ms : NFKNOCK_UDP_IDLE_DEFAULT_MS) ||
	    nla_put_u32(skb, NFKNOCK_A_GRANTS_MAX, max) ||
	    nla_put_u32(skb, NFKNOCK_A_GRANTS_COUNT,
			atomic_read(&nn->grants.count)) ||
	    nla_put_u32(skb, NFKNOCK_A_GUARDS_COUNT,
			cfg ? cfg->guards.count : 0))
		return -EMSGSIZE;
	return put_stats(skb, nn);
}

static int nfknock_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = info_net(info);
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nfknock_family, 0,
				NFKNOCK_CMD_GET_STATUS);
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

static int nfknock_set_params(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *idle = info->attrs[NFKNOCK_A_UDP_IDLE_MS];
	struct nlattr *max = info->attrs[NFKNOCK_A_GRANTS_MAX];
	struct nlattr *action = info->attrs[NFKNOCK_A_GUARD_ACTION];
	struct nfknock_net *nn = info_net(info);
	struct nfknock_cfg *next;
	int ret;

	if (!idle && !max && !action) {
		NL_SET_ERR_MSG(info->extack, "no parameter to set");
		return -EINVAL;
	}
	if (idle && (!nla_get_u32(idle) ||
		     nla_get_u32(idle) > NFKNOCK_TIMEOUT_MAX_MS)) {
		NL_SET_ERR_MSG_ATTR(info->extack, idle,
				    "UDP idle time must be 1 ms .. 7 days");
		return -EINVAL;
	}
	if (max && (!nla_get_u32(max) ||
		    nla_get_u32(max) > NFKNOCK_GRANTS_LIMIT)) {
		NL_SET_ERR_MSG_ATTR(info->extack, max,
				    "grant cap must be 1 .. 1048576");
		return -EINVAL;
	}

	mutex_lock(&nn->lock);
	next = nfknock_cfg_clone(nn);
	ret = -ENOMEM;
	if (!next)
		goto out;
	if (action)
		next->guard_action = nla_get_u8(action);
	if (idle)
		next->udp_idle_ms = nla_get_u32(idle);
	ret = nfknock_cfg_commit(nn, next);
	if (!ret && max)
		WRITE_ONCE(nn->grants.max, nla_get_u32(max));
out:
	mutex_unlock(&nn->lock);
	return ret;
}

static int change_guard(struct genl_info *info, bool add)
{
	struct nfknock_net *nn = info_net(info);
	struct nfknock_cfg *next;
	struct nfk_service svc;
	int ret;

	ret = parse_service(info->attrs, &svc, info->extack);
	if (ret)
		return ret;

	mutex_lock(&nn->lock);
	next = nfknock_cfg_clone(nn);
	ret = -ENOMEM;
	if (!next)
		goto out;
	ret = add ? nfk_guardset_add(&next->guards, &svc) :
		    nfk_guardset_del(&next->guards, &svc);
	if (ret) {
		kvfree(next);
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
	ret = nfknock_cfg_commit(nn, next);
out:
	mutex_unlock(&nn->lock);
	return ret;
}

static int nfknock_add_guard(struct sk_buff *skb, struct genl_info *info)
{
	return change_guard(info, true);
}

static int nfknock_del_guard(struct sk_buff *skb, struct genl_info *info)
{
	return change_guard(info, false);
}

static int nfknock_dump_guards(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfknock_net *nn = nfknock_pernet(sock_net(cb->skb->sk));
	const struct nfknock_cfg *cfg;
	unsigned long i;
	void *hdr;

	rcu_read_lock();
	cfg = rcu_dereference(nn->cfg);
	for (i = cb->args[0]; cfg && i < cfg->guards.count; i++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &nfknock_family,
				  NLM_F_MULTI, NFKNOCK_CMD_GET_GUARDS);
		if (!hdr)
			break;
		if (put_service(skb, &cfg->guards.svc[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

static int nfknock_add_grant(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = info_net(info);
	struct grant_req req;
	int ret;

	ret = parse_grant(info->attrs, true, &req, info->extack);
	if (ret)
		return ret;
	mutex_lock(&nn->lock);
	ret = nfknock_grants_setup(nn);
	if (!ret)
		ret = nfknock_grant_add(nn, &req.key, req.timeout_ms,
					req.flags);
	mutex_unlock(&nn->lock);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "grant table full");
	return ret;
}

static int nfknock_del_grant(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = info_net(info);
	struct grant_req req;
	int ret;

	ret = parse_grant(info->attrs, false, &req, info->extack);
	if (ret)
		return ret;
	mutex_lock(&nn->lock);
	ret = nfknock_grant_del(nn, &req.key, !req.has_service);
	mutex_unlock(&nn->lock);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such grant");
	return ret;
}

static int put_grant(struct sk_buff *skb, const struct nfknock_grant *g,
		     u64 now)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_A_GRANT);
	const struct nfk_grant_key *k = &g->key;
	u32 flags = READ_ONCE(g->st.flags);
	u64 left = READ_ONCE(g->st.expires_ms) - now;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, NFKNOCK_GRANT_A_ADDR, nfk_grant_key_addrlen(k),
		    k->addr) ||
	    nla_put_u8(skb, NFKNOCK_GRANT_A_PROTO, k->proto) ||
	    nla_put_u16(skb, NFKNOCK_GRANT_A_PORT, k->port) ||
	    nla_put_u32(skb, NFKNOCK_GRANT_A_TIMEOUT_MS,
			(u32)min_t(u64, left, U32_MAX)) ||
	    nla_put_u32(skb, NFKNOCK_GRANT_A_FLAGS, flags)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Resumable walk: args[0] is the bucket, args[1] the position inside it. */
static int nfknock_dump_grants(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfknock_net *nn = nfknock_pernet(sock_net(cb->skb->sk));
	struct nfknock_grants *t = &nn->grants;
	unsigned long bucket = cb->args[0], skip = cb->args[1], idx = 0;
	u64 now = nfknock_now_ms();
	struct nfknock_grant *g;
	bool full = false;
	void *hdr;

	mutex_lock(&nn->lock);	/* the bucket array lives under it */
	rcu_read_lock();
	for (; t->buckets && bucket < NFKNOCK_GRANT_BUCKETS && !full;
	     bucket++, skip = 0) {
		idx = 0;
		hlist_for_each_entry_rcu(g, &t->buckets[bucket].head, node) {
			if (idx++ < skip || !nfk_grant_live(&g->st, now))
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &nfknock_family,
					  NLM_F_MULTI, NFKNOCK_CMD_GET_GRANTS);
			if (!hdr || put_grant(skb, g, now)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				full = true;
				idx--;
				break;
			}
			genlmsg_end(skb, hdr);
		}
		if (full)
			break;
	}
	rcu_read_unlock();
	mutex_unlock(&nn->lock);
	cb->args[0] = bucket;
	cb->args[1] = full ? idx : 0;
	return skb->len;
}

static int nfknock_flush_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = info_net(info);

	mutex_lock(&nn->lock);
	nfknock_flush(nn);
	mutex_unlock(&nn->lock);
	return 0;
}

static const struct genl_ops nfknock_ops[] = {
	{
		.cmd = NFKNOCK_CMD_GET_STATUS,
		.doit = nfknock_get_status,
	},
	{
		.cmd = NFKNOCK_CMD_SET_PARAMS,
		.doit = nfknock_set_params,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_ADD_GUARD,
		.doit = nfknock_add_guard,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_DEL_GUARD,
		.doit = nfknock_del_guard,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_GUARDS,
		.dumpit = nfknock_dump_guards,
	},
	{
		.cmd = NFKNOCK_CMD_ADD_GRANT,
		.doit = nfknock_add_grant,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_DEL_GRANT,
		.doit = nfknock_del_grant,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_GRANTS,
		.dumpit = nfknock_dump_grants,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_FLUSH,
		.doit = nfknock_flush_cmd,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family nfknock_family __ro_after_init = {
	.name = NFKNOCK_GENL_NAME,
	.version = NFKNOCK_GENL_VERSION,
	.maxattr = NFKNOCK_A_MAX,
	.policy = nfknock_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = nfknock_ops,
	.n_ops = ARRAY_SIZE(nfknock_ops),
	.resv_start_op = NFKNOCK_CMD_GET_STATUS,
};

int nfknock_genl_init(void)
{
	return genl_register_family(&nfknock_family);
}

void nfknock_genl_exit(void)
{
	genl_unregister_family(&nfknock_family);
}
