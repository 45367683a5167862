// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink side of the lockout table: its dump (knockctl lockouts) and the
 * deletion of one source's entry (knockctl unlock).
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "nfknock.h"
#include "nl.h"

static int put_entry(struct sk_buff *skb, const struct nfknock_lentry *e,
		     u64 now)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_A_LOCKOUT);
	bool v4 = e->family == NFK_FAMILY_V4;
	u64 left = nfk_lockout_locked(&e->l, now) ? e->l.until_ms - now : 0;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, NFKNOCK_LOCK_A_ADDR, v4 ? 4 : 16, e->key) ||
	    nla_put_u8(skb, NFKNOCK_LOCK_A_PREFIX_LEN, v4 ? 32 : 64) ||
	    nla_put_u32(skb, NFKNOCK_LOCK_A_FAILURES, e->l.failures) ||
	    nla_put_u32(skb, NFKNOCK_LOCK_A_LOCKED_MS,
			(u32)min_t(u64, left, U32_MAX))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Resumable walk: args[0] is the set, args[1] the way inside it. */
int nfknock_nl_dump_lockouts(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfknock_net *nn = nfknock_pernet(sock_net(cb->skb->sk));
	u64 now = nfknock_now_ms();
	struct nfknock_lockouts *lo;
	const struct nfknock_cfg *cfg;
	unsigned long i, j = cb->args[1];
	bool full = false;

	rcu_read_lock();
	cfg = rcu_dereference(nn->cfg);
	cb->seq = READ_ONCE(nn->cfg_gen);
	lo = cfg ? cfg->lockouts : NULL;
	for (i = cb->args[0]; lo && !full && i <= lo->mask; i++, j = 0) {
		struct nfknock_lset *set = &lo->set[i];

		spin_lock_bh(&set->lock);
		for (; j < NFK_LOCKOUT_WAYS; j++) {
			const struct nfknock_lentry *e = &set->e[j];
			void *hdr;

			if (!e->family || nfk_lockout_idle(&e->l, &lo->p, now))
				continue;
			hdr = nfknock_nl_dump_hdr(skb, cb,
						  NFKNOCK_CMD_GET_LOCKOUTS);
			if (!hdr || put_entry(skb, e, now)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				full = true;
				break;
			}
			genlmsg_end(skb, hdr);
		}
		spin_unlock_bh(&set->lock);
		if (full)
			break;
	}
	rcu_read_unlock();
	cb->args[0] = i;
	cb->args[1] = j;
	return skb->len;
}

int nfknock_nl_del_lockout(struct sk_buff *skb, struct genl_info *info)
{
	struct nfknock_net *nn = nfknock_pernet(genl_info_net(info));
	struct nlattr *nest = info->attrs[NFKNOCK_A_LOCKOUT];
	struct nlattr *tb[NFKNOCK_LOCK_A_MAX + 1];
	const struct nfknock_cfg *cfg;
	u8 addr[16] = { };
	int ret, len;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: LOCKOUT");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, NFKNOCK_LOCK_A_MAX, nest,
			       nfknock_lockout_policy, info->extack);
	if (ret)
		return ret;
	if (NFKNOCK_REQUIRE(info->extack, nest, tb, NFKNOCK_LOCK_A_ADDR,
			    "LOCK_ADDR"))
		return -EINVAL;
	len = nla_len(tb[NFKNOCK_LOCK_A_ADDR]);
	if (len != 4 && len != 16) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NFKNOCK_LOCK_A_ADDR],
				    "address must be 4 or 16 bytes");
		return -EINVAL;
	}
	nla_memcpy(addr, tb[NFKNOCK_LOCK_A_ADDR], len);
	mutex_lock(&nn->lock);
	cfg = rcu_dereference_protected(nn->cfg, lockdep_is_held(&nn->lock));
	ret = nfknock_lockout_forget(nn, cfg ? cfg->lockouts : NULL,
				     len == 4 ? NFK_FAMILY_V4 : NFK_FAMILY_V6,
				     addr);
	mutex_unlock(&nn->lock);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack,
			       "no failures or lockout recorded for that source");
	return ret;
}
