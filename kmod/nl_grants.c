// SPDX-License-Identifier: GPL-2.0
/* Netlink handlers of grants: add and delete by the administrator, dump. */
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/slab.h>

#include "nfknock.h"
#include "nl.h"

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
	ret = nla_parse_nested(tb, NFKNOCK_GRANT_A_MAX, nest, nfknock_grant_policy,
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
		if (!nfknock_nl_valid_proto(proto)) {
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
	/* Ranges and flags: checked by nfknock_grant_policy. */
	a = tb[NFKNOCK_GRANT_A_TIMEOUT_MS];
	req->timeout_ms = a ? nla_get_u32(a) : 0;
	a = tb[NFKNOCK_GRANT_A_FLAGS];
	req->flags = a ? nla_get_u32(a) : 0;
	return 0;
}

/* The administrator's grant, as an event (no user, no source). */
static void report_opened(struct nfknock_net *nn, const struct grant_req *req)
{
	struct nfknock_ev ev = {
		.type = NFKNOCK_EVENT_GRANT_OPENED,
		.gfamily = req->key.family,
		.addr = req->key.addr,
		.proto = req->key.proto,
		.port = req->key.port,
		.duration_s = DIV_ROUND_UP(req->timeout_ms, 1000),
		.flags = req->flags & NFKNOCK_GRANT_F_ONCE ?
			 NFKNOCK_EV_F_ONCE : 0,
	};

	nfknock_event(nn, &ev);
}

int nfknock_nl_add_grant(struct sk_buff *skb, struct genl_info *info)
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
					req.flags, NULL, NFKNOCK_GFP);
	nfknock_nl_unlock(nn, memcg);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "grant table full");
	if (!ret)
		report_opened(nn, &req);
	return ret;
}

int nfknock_nl_del_grant(struct sk_buff *skb, struct genl_info *info)
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
int nfknock_nl_dump_grants(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfknock_net *nn = nfknock_pernet(sock_net(cb->skb->sk));
	struct nfknock_grants *t = &nn->grants;
	unsigned long bucket = cb->args[0], skip = cb->args[1], idx = 0;
	u64 now = nfknock_now_ms();
	struct nfknock_gtable *tbl;
	struct nfknock_grant *g;
	bool full = false;
	void *hdr;

	/* The table lives under nn->lock (a resize replaces it, and bumps
	 * ->gen, so a cursor into the previous one ends in NLM_F_DUMP_INTR).
	 */
	mutex_lock(&nn->lock);
	tbl = rcu_dereference_protected(t->tbl, lockdep_is_held(&nn->lock));
	cb->seq = tbl ? atomic_read(&t->gen) : 0;
	rcu_read_lock();
	for (; tbl && bucket <= tbl->mask && !full; bucket++, skip = 0) {
		idx = 0;
		hlist_for_each_entry_rcu(g, &tbl->b[bucket].head, node) {
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
