/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the netlink layer: netlink.c holds the family, the ops table and
 * every policy; nl_config.c, nl_grants.c, nl_users.c and nl_apply.c the
 * handlers of one object each.
 */
#ifndef NFKNOCK_NL_H
#define NFKNOCK_NL_H

#include <net/genetlink.h>

#include "nfknock.h"

extern struct genl_family nfknock_family;
/* Index of the "events" group in the family's mcgrps. */
#define NFKNOCK_NLGRP_EVENTS	0

extern const struct nla_policy nfknock_svc_policy[];
extern const struct nla_policy nfknock_grant_policy[];
extern const struct nla_policy nfknock_prefix_policy[];
extern const struct nla_policy nfknock_user_policy[];
extern const struct nla_policy nfknock_seq_policy[];
extern const struct nla_policy nfknock_sseq_policy[];

static inline struct nfknock_net *info_net(struct genl_info *info)
{
	return nfknock_pernet(genl_info_net(info));
}

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
bool nfknock_nl_valid_proto(u8 proto);
int nfknock_nl_params(struct nfknock_net *nn, struct nlattr **attrs,
		      struct nfknock_cfg *cfg, u32 *grants_max,
		      struct netlink_ext_ack *extack);
void *nfknock_nl_reply_hdr(struct sk_buff *msg, struct genl_info *info, u8 cmd);
int nfknock_nl_reply_u32(struct genl_info *info, u8 cmd, int attr, u32 v);
void *nfknock_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd);

/* nl_config.c */
int nfknock_nl_get_status(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_set_params(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_add_guard(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_del_guard(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_dump_guards(struct sk_buff *skb, struct netlink_callback *cb);
int nfknock_nl_dump_knock_ports(struct sk_buff *skb,
				struct netlink_callback *cb);
int nfknock_nl_flush(struct sk_buff *skb, struct genl_info *info);

/* nl_grants.c */
int nfknock_nl_add_grant(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_del_grant(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_dump_grants(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_users.c */
int nfknock_nl_user_parse(struct nlattr *nest, struct nfknock_user *u,
			  struct netlink_ext_ack *extack);
void nfknock_nl_user_wipe(struct nlattr *nest);
int nfknock_nl_dump_users(struct sk_buff *skb, struct netlink_callback *cb);
bool nfknock_nl_name_printable(const char *s);

/* nl_lockout.c */
extern const struct nla_policy nfknock_lockout_policy[];
int nfknock_nl_dump_lockouts(struct sk_buff *skb, struct netlink_callback *cb);
int nfknock_nl_del_lockout(struct sk_buff *skb, struct genl_info *info);

/* nl_static.c */
int nfknock_nl_static_parse(struct nlattr *nest, struct nfknock_static *st,
			    struct netlink_ext_ack *extack);
int nfknock_nl_dump_statics(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_apply.c */
int nfknock_nl_txn_begin(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_txn_add(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_txn_commit(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_confirm(struct sk_buff *skb, struct genl_info *info);
int nfknock_nl_txn_abort(struct sk_buff *skb, struct genl_info *info);

#endif /* NFKNOCK_NL_H */
