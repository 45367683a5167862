// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "nfknock": strict policies, every operation needs
 * CAP_NET_ADMIN over the namespace (status and the guard list reveal the
 * ports the module hides), every refusal carries an extack message.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "nfknock.h"
#include "netlink.h"

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

const struct nla_policy nfknock_prefix_policy[NFKNOCK_PREFIX_A_MAX + 1] = {
	[NFKNOCK_PREFIX_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[NFKNOCK_PREFIX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* ALLOW and SOURCES hold repeated children, checked one by one. */
const struct nla_policy nfknock_user_policy[NFKNOCK_USER_A_MAX + 1] = {
	[NFKNOCK_USER_A_NAME] = { .type = NLA_NUL_STRING,
				  .len = NFKNOCK_NAME_MAX },
	[NFKNOCK_USER_A_FPR] = NLA_POLICY_EXACT_LEN(8),
	[NFKNOCK_USER_A_K_AEAD] = NLA_POLICY_EXACT_LEN(32),
	[NFKNOCK_USER_A_K_HINT] = NLA_POLICY_EXACT_LEN(16),
	[NFKNOCK_USER_A_K_SEQ] = NLA_POLICY_EXACT_LEN(16),
	[NFKNOCK_USER_A_ALLOW] = { .type = NLA_NESTED },
	[NFKNOCK_USER_A_SOURCES] = { .type = NLA_NESTED },
	[NFKNOCK_USER_A_MAX_DURATION_S] = { .type = NLA_U32 },
	[NFKNOCK_USER_A_EXPIRES_S] = { .type = NLA_U64 },
	[NFKNOCK_USER_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __NFKNOCK_USER_F_ALL),
	[NFKNOCK_USER_A_MAX_GRANTS] = NLA_POLICY_RANGE(NLA_U32, 1,
						       NFKNOCK_USER_GRANTS_LIMIT),
};

/* Reply-only attributes are absent here, so strict parsing refuses them. */
static const struct nla_policy nfknock_policy[NFKNOCK_A_MAX + 1] = {
	[NFKNOCK_A_GUARD_ACTION] = NLA_POLICY_MAX(NLA_U8, NFKNOCK_ACTION_MAX),
	[NFKNOCK_A_UDP_IDLE_MS] = { .type = NLA_U32 },
	[NFKNOCK_A_GRANTS_MAX] = { .type = NLA_U32 },
	[NFKNOCK_A_SERVICE] = NLA_POLICY_NESTED(svc_policy),
	[NFKNOCK_A_GRANT] = NLA_POLICY_NESTED(grant_policy),
	[NFKNOCK_A_SKEW_MS] = { .type = NLA_U32 },
	[NFKNOCK_A_KNOCK_PACKETS] = NLA_POLICY_MAX(NLA_U8, NFKNOCK_KNOCK_MAX),
	[NFKNOCK_A_KNOCK_PORT] = NLA_POLICY_NESTED(svc_policy),
	[NFKNOCK_A_USER] = NLA_POLICY_NESTED(nfknock_user_policy),
};


static bool valid_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

int nfknock_nl_service(struct nlattr *nest, struct nfk_service *svc,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFKNOCK_SVC_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, NFKNOCK_SVC_A_MAX, nest, svc_policy, extack);
	if (ret)
		return ret;
	if (NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SVC_A_PROTO, "SVC_PROTO") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SVC_A_PORT, "SVC_PORT"))
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

static int parse_service(struct nlattr **attrs, struct nfk_service *svc,
			 struct netlink_ext_ack *extack)
{
	if (NFKNOCK_REQUIRE(extack, NULL, attrs, NFKNOCK_A_SERVICE, "SERVICE"))
		return -EINVAL;
	return nfknock_nl_service(attrs[NFKNOCK_A_SERVICE], svc, extack);
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

	if (NFKNOCK_REQUIRE(extack, NULL, attrs, NFKNOCK_A_GRANT, "GRANT"))
		return -EINVAL;
	ret = nla_parse_nested(tb, NFKNOCK_GRANT_A_MAX, nest, grant_policy,
			       extack);
	if (ret)
		return ret;
	if (NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_GRANT_A_ADDR, "GRANT_ADDR"))
		return -EINVAL;
	if (full &&
	    (NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_GRANT_A_PROTO, "GRANT_PROTO") ||
	     NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_GRANT_A_PORT, "GRANT_PORT") ||
	     NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_GRANT_A_TIMEOUT_MS,
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

int nfknock_nl_put_service(struct sk_buff *skb, int type,
			   const struct nfk_service *svc)
{
	struct nlattr *nest = nla_nest_start(skb, type);

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
	u32 max = nn->grants.buckets ? nn->grants.max :
				       nfknock_grants_default(nn);

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
			cfg ? cfg->guards.count : 0) ||
	    nla_put_u32(skb, NFKNOCK_A_SKEW_MS,
			cfg ? cfg->skew_ms : NFKNOCK_SKEW_DEFAULT_MS) ||
	    nla_put_u8(skb, NFKNOCK_A_KNOCK_PACKETS,
		       cfg ? cfg->knock_packets : NFKNOCK_KNOCK_PASS) ||
	    nla_put_u32(skb, NFKNOCK_A_USERS_COUNT,
			cfg && cfg->users ? cfg->users->n : 0) ||
	    nla_put_u32(skb, NFKNOCK_A_KNOCK_PORTS_COUNT,
			cfg ? cfg->knocks.count : 0) ||
	    nla_put_u8(skb, NFKNOCK_A_LIMITED, nn->limited))
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

	if (idle && (!nla_get_u32(idle) ||
		     nla_get_u32(idle) > NFKNOCK_TIMEOUT_MAX_MS)) {
		NL_SET_ERR_MSG_ATTR(extack, idle,
				    "UDP idle time must be 1 ms .. 7 days");
		return -EINVAL;
	}
	if (max && (!nla_get_u32(max) ||
		    nla_get_u32(max) > NFKNOCK_GRANTS_LIMIT)) {
		NL_SET_ERR_MSG_ATTR(extack, max,
				    "grant cap must be 1 .. 1048576");
		return -EINVAL;
	}
	if (max && nn->limited &&
	    nla_get_u32(max) > NFKNOCK_USERNS_GRANTS_LIMIT) {
		NL_SET_ERR_MSG_ATTR(extack, max,
				    "grant cap above 4096 in a namespace of an unprivileged user namespace");
		return -EINVAL;
	}
	if (skew && (!nla_get_u32(skew) ||
		     nla_get_u32(skew) > NFKNOCK_SKEW_MAX_MS)) {
		NL_SET_ERR_MSG_ATTR(extack, skew, "skew must be 1 ms .. 10 min");
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

static int nfknock_set_params(struct sk_buff *skb, struct genl_info *info)
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

	for (i = 0; i < ARRAY_SIZE(params); i++)
		any |= !!info->attrs[params[i]];
	if (!any) {
		NL_SET_ERR_MSG(info->extack, "no parameter to set");
		return -EINVAL;
	}

	memcg = nfknock_nl_lock(nn);
	next = nfknock_cfg_clone(nn);
	ret = -ENOMEM;
	if (!next)
		goto out;
	ret = nfknock_nl_params(nn, info->attrs, next, &max, info->extack);
	if (ret) {
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

static int nfknock_add_guard(struct sk_buff *skb, struct genl_info *info)
{
	return change_guard(info, true);
}

static int nfknock_del_guard(struct sk_buff *skb, struct genl_info *info)
{
	return change_guard(info, false);
}

/*
 * One message of a dump. The caller set cb->seq to the generation of what
 * it walks; a change between two rounds marks the message NLM_F_DUMP_INTR.
 */
void *nfknock_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &nfknock_family,
				NLM_F_MULTI, cmd);

	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
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

static int nfknock_dump_guards(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_services(skb, cb, false);
}

static int nfknock_dump_knock_ports(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	return dump_services(skb, cb, true);
}

static int nfknock_add_grant(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = info_net(info);
	struct mem_cgroup *memcg;
	struct grant_req req;
	int ret;

	ret = parse_grant(info->attrs, true, &req, info->extack);
	if (ret)
		return ret;
	memcg = nfknock_nl_lock(nn);
	ret = nfknock_grants_setup(nn);
	if (!ret)
		ret = nfknock_grant_add(nn, &req.key, req.timeout_ms,
					req.flags, NULL, GFP_KERNEL);
	nfknock_nl_unlock(nn, memcg);
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
	    nla_put_u32(skb, NFKNOCK_GRANT_A_FLAGS, flags) ||
	    nla_put(skb, NFKNOCK_GRANT_A_USER_FPR, sizeof(g->fpr), g->fpr)) {
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
	cb->seq = t->buckets ? atomic_read(&t->gen) : 0;
	rcu_read_lock();
	for (; t->buckets && bucket < NFKNOCK_GRANT_BUCKETS && !full;
	     bucket++, skip = 0) {
		idx = 0;
		hlist_for_each_entry_rcu(g, &t->buckets[bucket].head, node) {
			if (idx++ < skip || !nfk_grant_live(&g->st, now))
				continue;
			hdr = nfknock_nl_dump_hdr(skb, cb,
						  NFKNOCK_CMD_GET_GRANTS);
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

/* A reply carrying one u32 attribute (COMMIT's revoked count). */
int nfknock_nl_reply_u32(struct genl_info *info, u8 cmd, int attr, u32 v)
{
	struct sk_buff *msg = genlmsg_new(nla_total_size(sizeof(u32)),
					  GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nfknock_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, attr, v)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
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
		/* Status and guards reveal the hidden ports: admin only. */
		.cmd = NFKNOCK_CMD_GET_STATUS,
		.doit = nfknock_get_status,
		.flags = GENL_UNS_ADMIN_PERM,
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
		.flags = GENL_UNS_ADMIN_PERM,
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
	{
		.cmd = NFKNOCK_CMD_TXN_BEGIN,
		.doit = nfknock_nl_txn_begin,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_TXN_ADD,
		.doit = nfknock_nl_txn_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_TXN_COMMIT,
		.doit = nfknock_nl_txn_commit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_TXN_ABORT,
		.doit = nfknock_nl_txn_abort,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_USERS,
		.dumpit = nfknock_nl_dump_users,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_KNOCK_PORTS,
		.dumpit = nfknock_dump_knock_ports,
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
