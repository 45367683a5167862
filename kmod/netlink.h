/* SPDX-License-Identifier: GPL-2.0 */
/* Pieces of the netlink family shared by netlink.c and nl_apply.c. */
#ifndef NFKNOCK_NETLINK_H
#define NFKNOCK_NETLINK_H

#include <net/genetlink.h>

#include "nfknock.h"

extern const struct nla_policy nfknock_prefix_policy[];
extern const struct nla_policy nfknock_user_policy[];

/* Set an extack message and the missing-attribute info; true if missing. */
#define NFKNOCK_REQUIRE(extack, nest, tb, type, what) ({		\
	bool __miss = !(tb)[type];					\
	if (__miss) {							\
		NL_SET_ERR_MSG(extack, "missing attribute: " what);	\
		NL_SET_ERR_ATTR_MISS(extack, nest, type);		\
	}								\
	__miss;								\
})

/*
 * A writer's section: the namespace lock, the namespace adopted on first
 * use (nfknock_pernet_adopt()), and every allocation charged to its cgroup.
 */
static inline struct mem_cgroup *nfknock_nl_lock(struct nfknock_net *nn)
{
	mutex_lock(&nn->lock);
	nfknock_pernet_adopt(nn);
	return nfknock_memcg_enter(nn);
}

static inline void nfknock_nl_unlock(struct nfknock_net *nn,
				     struct mem_cgroup *old)
{
	nfknock_memcg_leave(old);
	mutex_unlock(&nn->lock);
}

int nfknock_nl_service(struct nlattr *nest, struct nfk_service *svc,
		       struct netlink_ext_ack *extack);
int nfknock_nl_put_service(struct sk_buff *skb, int type,
			   const struct nfk_service *svc);
int nfknock_nl_params(struct nfknock_net *nn, struct nlattr **attrs,
		      struct nfknock_cfg *cfg, u32 *grants_max,
		      struct netlink_ext_ack *extack);
struct genl_info;
int nfknock_nl_reply_u32(struct genl_info *info, u8 cmd, int attr, u32 v);
void *nfknock_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd);

int nfknock_nl_txn_begin(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_txn_add(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_txn_commit(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_txn_abort(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_dump_users(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* NFKNOCK_NETLINK_H */
