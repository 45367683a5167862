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
#include "nl.h"


const struct nla_policy nfknock_svc_policy[NFKNOCK_SVC_A_MAX + 1] = {
	[NFKNOCK_SVC_A_PROTO] = { .type = NLA_U8 },
	[NFKNOCK_SVC_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NFKNOCK_SVC_A_PORT_END] = NLA_POLICY_MIN(NLA_U16, 1),
};

/*
 * u32 ranges wider than NLA_POLICY_RANGE's s16 bounds (not const: 6.1's
 * policy field is a plain pointer).
 */
static struct netlink_range_validation timeout_range = {
	.min = 1, .max = NFKNOCK_TIMEOUT_MAX_MS,
};
static struct netlink_range_validation grants_range = {
	.min = 1, .max = NFKNOCK_GRANTS_LIMIT,
};
static struct netlink_range_validation skew_range = {
	.min = 1, .max = NFKNOCK_SKEW_MAX_MS,
};
static struct netlink_range_validation duration_range = {
	.min = 1, .max = NFKNOCK_DURATION_MAX_S,
};

const struct nla_policy nfknock_grant_policy[NFKNOCK_GRANT_A_MAX + 1] = {
	[NFKNOCK_GRANT_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[NFKNOCK_GRANT_A_PROTO] = { .type = NLA_U8 },
	[NFKNOCK_GRANT_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NFKNOCK_GRANT_A_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							     &timeout_range),
	/* Output-only flags (USED) are refused as input. */
	[NFKNOCK_GRANT_A_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  __NFKNOCK_GRANT_F_ALL),
};

const struct nla_policy nfknock_prefix_policy[NFKNOCK_PREFIX_A_MAX + 1] = {
	[NFKNOCK_PREFIX_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[NFKNOCK_PREFIX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static struct netlink_range_validation seq_window_range = {
	.min = NFK_SEQ_WINDOW_MIN_S, .max = NFK_SEQ_WINDOW_MAX_S,
};
static struct netlink_range_validation progress_range = {
	.min = NFKNOCK_PROGRESS_MIN, .max = NFKNOCK_PROGRESS_LIMIT,
};
static struct netlink_range_validation lockout_threshold_range = {
	.min = 0, .max = NFKNOCK_LOCKOUT_THRESHOLD_MAX,
};
static struct netlink_range_validation lockout_time_range = {
	.min = 1000, .max = NFKNOCK_TIMEOUT_MAX_MS,
};
static struct netlink_range_validation sources_range = {
	.min = NFKNOCK_SOURCES_MIN, .max = NFKNOCK_SOURCES_LIMIT,
};
static struct netlink_range_validation confirm_range = {
	.min = NFKNOCK_CONFIRM_MIN_MS, .max = NFKNOCK_CONFIRM_MAX_MS,
};

/* Output-only fields are refused as input. */
const struct nla_policy nfknock_lockout_policy[NFKNOCK_LOCK_A_MAX + 1] = {
	[NFKNOCK_LOCK_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
};

/* Ranges of single fields; lo, hi and the protocol together: seq_check. */
const struct nla_policy nfknock_seq_policy[NFKNOCK_SEQ_A_MAX + 1] = {
	[NFKNOCK_SEQ_A_LENGTH] = NLA_POLICY_RANGE(NLA_U8, NFK_SEQ_LEN_MIN,
						  NFK_SEQ_LEN_MAX),
	[NFKNOCK_SEQ_A_LO] = NLA_POLICY_MIN(NLA_U16, 1),
	[NFKNOCK_SEQ_A_HI] = NLA_POLICY_MIN(NLA_U16, 1),
	[NFKNOCK_SEQ_A_PROTO] = { .type = NLA_U8 },
	[NFKNOCK_SEQ_A_WINDOW_S] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &seq_window_range),
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
	[NFKNOCK_USER_A_MAX_DURATION_S] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&duration_range),
	[NFKNOCK_USER_A_EXPIRES_S] = { .type = NLA_U64 },
	[NFKNOCK_USER_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __NFKNOCK_USER_F_ALL),
	[NFKNOCK_USER_A_MAX_GRANTS] = NLA_POLICY_RANGE(NLA_U32, 1,
						       NFKNOCK_USER_GRANTS_LIMIT),
	[NFKNOCK_USER_A_SEQ] = NLA_POLICY_NESTED(nfknock_seq_policy),
};

/* STEPS holds repeated children, checked one by one (nl_static.c). */
const struct nla_policy nfknock_sseq_policy[NFKNOCK_SSEQ_A_MAX + 1] = {
	[NFKNOCK_SSEQ_A_NAME] = { .type = NLA_NUL_STRING,
				  .len = NFKNOCK_NAME_MAX },
	[NFKNOCK_SSEQ_A_STEPS] = { .type = NLA_NESTED },
	[NFKNOCK_SSEQ_A_OPENS] = NLA_POLICY_NESTED(nfknock_svc_policy),
	[NFKNOCK_SSEQ_A_DURATION_S] = NLA_POLICY_FULL_RANGE(NLA_U32,
							    &duration_range),
};

/* Reply-only attributes are absent here, so strict parsing refuses them. */
static const struct nla_policy nfknock_policy[NFKNOCK_A_MAX + 1] = {
	[NFKNOCK_A_GUARD_ACTION] = NLA_POLICY_MAX(NLA_U8, NFKNOCK_ACTION_MAX),
	[NFKNOCK_A_UDP_IDLE_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[NFKNOCK_A_GRANTS_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32, &grants_range),
	[NFKNOCK_A_SERVICE] = NLA_POLICY_NESTED(nfknock_svc_policy),
	[NFKNOCK_A_GRANT] = NLA_POLICY_NESTED(nfknock_grant_policy),
	[NFKNOCK_A_SKEW_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &skew_range),
	[NFKNOCK_A_KNOCK_PACKETS] = NLA_POLICY_MAX(NLA_U8, NFKNOCK_KNOCK_MAX),
	[NFKNOCK_A_KNOCK_PORT] = NLA_POLICY_NESTED(nfknock_svc_policy),
	[NFKNOCK_A_USER] = NLA_POLICY_NESTED(nfknock_user_policy),
	[NFKNOCK_A_PROGRESS_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &progress_range),
	[NFKNOCK_A_STATIC_SEQ] = NLA_POLICY_NESTED(nfknock_sseq_policy),
	[NFKNOCK_A_LOCKOUT_THRESHOLD] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&lockout_threshold_range),
	[NFKNOCK_A_LOCKOUT_WINDOW_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&lockout_time_range),
	[NFKNOCK_A_LOCKOUT_DURATION_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&lockout_time_range),
	[NFKNOCK_A_SOURCES_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&sources_range),
	[NFKNOCK_A_LOCKOUT] = NLA_POLICY_NESTED(nfknock_lockout_policy),
	[NFKNOCK_A_CONFIRM_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &confirm_range),
};

bool nfknock_nl_valid_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

int nfknock_nl_service(struct nlattr *nest, struct nfk_service *svc,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFKNOCK_SVC_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, NFKNOCK_SVC_A_MAX, nest, nfknock_svc_policy, extack);
	if (ret)
		return ret;
	if (NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SVC_A_PROTO, "SVC_PROTO") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_SVC_A_PORT, "SVC_PORT"))
		return -EINVAL;
	svc->proto = nla_get_u8(tb[NFKNOCK_SVC_A_PROTO]);
	svc->port = nla_get_u16(tb[NFKNOCK_SVC_A_PORT]);
	svc->port_end = tb[NFKNOCK_SVC_A_PORT_END] ?
			nla_get_u16(tb[NFKNOCK_SVC_A_PORT_END]) : svc->port;
	if (!nfknock_nl_valid_proto(svc->proto)) {
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

/* The header of a reply to @info. */
void *nfknock_nl_reply_hdr(struct sk_buff *msg, struct genl_info *info, u8 cmd)
{
	return genlmsg_put_reply(msg, info, &nfknock_family, 0, cmd);
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

static const struct genl_ops nfknock_ops[] = {
	{
		/* Status and guards reveal the hidden ports: admin only. */
		.cmd = NFKNOCK_CMD_GET_STATUS,
		.doit = nfknock_nl_get_status,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_SET_PARAMS,
		.doit = nfknock_nl_set_params,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_ADD_GUARD,
		.doit = nfknock_nl_add_guard,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_DEL_GUARD,
		.doit = nfknock_nl_del_guard,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_GUARDS,
		.dumpit = nfknock_nl_dump_guards,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_ADD_GRANT,
		.doit = nfknock_nl_add_grant,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_DEL_GRANT,
		.doit = nfknock_nl_del_grant,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_GRANTS,
		.dumpit = nfknock_nl_dump_grants,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_FLUSH,
		.doit = nfknock_nl_flush,
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
		.dumpit = nfknock_nl_dump_knock_ports,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_STATIC_SEQS,
		.dumpit = nfknock_nl_dump_statics,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_GET_LOCKOUTS,
		.dumpit = nfknock_nl_dump_lockouts,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_DEL_LOCKOUT,
		.doit = nfknock_nl_del_lockout,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFKNOCK_CMD_CONFIRM,
		.doit = nfknock_nl_confirm,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* Joining needs CAP_NET_ADMIN over the namespace, as every command does. */
static const struct genl_multicast_group nfknock_mcgrps[] = {
	[NFKNOCK_NLGRP_EVENTS] = {
		.name = NFKNOCK_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family nfknock_family __ro_after_init = {
	.name = NFKNOCK_GENL_NAME,
	.version = NFKNOCK_GENL_VERSION,
	.maxattr = NFKNOCK_A_MAX,
	.policy = nfknock_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = nfknock_ops,
	.n_ops = ARRAY_SIZE(nfknock_ops),
	.mcgrps = nfknock_mcgrps,
	.n_mcgrps = ARRAY_SIZE(nfknock_mcgrps),
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
