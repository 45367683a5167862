// SPDX-License-Identifier: GPL-2.0
/*
 * The user codec: a USER nest parsed into a staged user (its key attributes
 * wiped in the request afterwards), and the users dump (never their keys).
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/slab.h>

#include "nfknock.h"
#include "nl.h"

static int parse_prefix(struct nlattr *nest, struct nfk_prefix *p,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFKNOCK_PREFIX_A_MAX + 1];
	struct nlattr *a;
	int ret;

	ret = nla_parse_nested(tb, NFKNOCK_PREFIX_A_MAX, nest,
			       nfknock_prefix_policy, extack);
	if (ret)
		return ret;
	if (NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_PREFIX_A_ADDR,
			    "PREFIX_ADDR") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_PREFIX_A_LEN,
			    "PREFIX_LEN"))
		return -EINVAL;
	a = tb[NFKNOCK_PREFIX_A_ADDR];
	memset(p, 0, sizeof(*p));
	if (nla_len(a) != 4 && nla_len(a) != 16) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "prefix address must be 4 or 16 bytes");
		return -EINVAL;
	}
	p->family = nla_len(a) == 4 ? 4 : 6;
	memcpy(p->addr, nla_data(a), nla_len(a));
	p->len = nla_get_u8(tb[NFKNOCK_PREFIX_A_LEN]);
	if (!nfk_prefix_valid(p)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "invalid prefix (length, or host bits set)");
		return -EINVAL;
	}
	return 0;
}

/* Children of ALLOW (SERVICE nests) or SOURCES (PREFIX nests). */
static int parse_list(struct nlattr *list, int type, struct nfk_user_policy *pol,
		      struct netlink_ext_ack *extack)
{
	u32 *n = type == NFKNOCK_A_SERVICE ? &pol->n_services :
					     &pol->n_prefixes;
	struct nlattr *child;
	int rem, ret;

	nla_for_each_nested(child, list, rem) {
		if (nla_type(child) != type) {
			NL_SET_ERR_MSG_ATTR(extack, child,
					    "unexpected attribute in list");
			return -EINVAL;
		}
		if (*n >= (type == NFKNOCK_A_SERVICE ?
			   NFKNOCK_USER_SERVICES_MAX :
			   NFKNOCK_USER_PREFIXES_MAX)) {
			NL_SET_ERR_MSG_ATTR(extack, child,
					    "too many entries (16 at most)");
			return -E2BIG;
		}
		ret = type == NFKNOCK_A_SERVICE ?
			nfknock_nl_service(child, &pol->services[*n], extack) :
			parse_prefix(child, &pol->prefixes[*n], extack);
		if (ret)
			return ret;
		(*n)++;
	}
	if (!*n) {
		NL_SET_ERR_MSG_ATTR(extack, list, "empty list");
		return -EINVAL;
	}
	return 0;
}

/*
 * The SEQ nest: the core's defaults for what is absent, the core's check
 * of the whole, and a sequence service to derive for.
 */
static int parse_seq(struct nlattr *nest, struct nfknock_user *u,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFKNOCK_SEQ_A_MAX + 1];
	struct nfk_seq_params *p = &u->seqp;
	int ret;

	ret = nla_parse_nested(tb, NFKNOCK_SEQ_A_MAX, nest, nfknock_seq_policy,
			       extack);
	if (ret)
		return ret;
	nfk_seq_params_default(p);
	if (tb[NFKNOCK_SEQ_A_LENGTH])
		p->length = nla_get_u8(tb[NFKNOCK_SEQ_A_LENGTH]);
	if (tb[NFKNOCK_SEQ_A_LO])
		p->lo = nla_get_u16(tb[NFKNOCK_SEQ_A_LO]);
	if (tb[NFKNOCK_SEQ_A_HI])
		p->hi = nla_get_u16(tb[NFKNOCK_SEQ_A_HI]);
	if (tb[NFKNOCK_SEQ_A_PROTO])
		p->step_proto = nla_get_u8(tb[NFKNOCK_SEQ_A_PROTO]);
	if (tb[NFKNOCK_SEQ_A_WINDOW_S])
		p->window_s = nla_get_u32(tb[NFKNOCK_SEQ_A_WINDOW_S]);
	if (nfk_seq_params_check(p)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "sequence: protocol tcp or udp, range lo <= hi of 1024 ports at least");
		return -EINVAL;
	}
	if (!nfknock_seq_services(&u->pol)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "sequences need a single-port service in ALLOW");
		return -EINVAL;
	}
	u->seq = true;
	return 0;
}

static int put_seq(struct sk_buff *skb, const struct nfk_seq_params *p)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_USER_A_SEQ);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, NFKNOCK_SEQ_A_LENGTH, p->length) ||
	    nla_put_u16(skb, NFKNOCK_SEQ_A_LO, p->lo) ||
	    nla_put_u16(skb, NFKNOCK_SEQ_A_HI, p->hi) ||
	    nla_put_u8(skb, NFKNOCK_SEQ_A_PROTO, p->step_proto) ||
	    nla_put_u32(skb, NFKNOCK_SEQ_A_WINDOW_S, p->window_s)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* 0x21..0x7e only: a name can never forge a log line or a field. */
bool nfknock_nl_name_printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

int nfknock_nl_user_parse(struct nlattr *nest, struct nfknock_user *u,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFKNOCK_USER_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, NFKNOCK_USER_A_MAX, nest,
			       nfknock_user_policy, extack);
	if (ret)
		return ret;
	if (NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_NAME, "USER_NAME") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_FPR, "USER_FPR") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_K_AEAD,
			    "USER_K_AEAD") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_K_HINT,
			    "USER_K_HINT") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_K_SEQ,
			    "USER_K_SEQ") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_ALLOW,
			    "USER_ALLOW") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_SOURCES,
			    "USER_SOURCES") ||
	    NFKNOCK_REQUIRE(extack, nest, tb, NFKNOCK_USER_A_MAX_DURATION_S,
			    "USER_MAX_DURATION_S"))
		return -EINVAL;
	if (nla_strscpy(u->name, tb[NFKNOCK_USER_A_NAME], sizeof(u->name)) <= 0) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFKNOCK_USER_A_NAME],
				    "user name must be 1..32 bytes");
		return -EINVAL;
	}
	if (!nfknock_nl_name_printable(u->name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFKNOCK_USER_A_NAME],
				    "user name must be printable ASCII without spaces (0x21-0x7e)");
		return -EINVAL;
	}
	nla_memcpy(u->fpr, tb[NFKNOCK_USER_A_FPR], sizeof(u->fpr));
	nla_memcpy(u->k_aead, tb[NFKNOCK_USER_A_K_AEAD], sizeof(u->k_aead));
	nla_memcpy(&u->k_hint, tb[NFKNOCK_USER_A_K_HINT], 16);
	nla_memcpy(&u->k_seq, tb[NFKNOCK_USER_A_K_SEQ], 16);
	/* siphash keys are two little-endian words, as libsodium reads them */
	le64_to_cpus(&u->k_hint.key[0]);
	le64_to_cpus(&u->k_hint.key[1]);
	le64_to_cpus(&u->k_seq.key[0]);
	le64_to_cpus(&u->k_seq.key[1]);

	ret = parse_list(tb[NFKNOCK_USER_A_ALLOW], NFKNOCK_A_SERVICE, &u->pol,
			 extack);
	if (ret)
		return ret;
	ret = parse_list(tb[NFKNOCK_USER_A_SOURCES], NFKNOCK_USER_A_PREFIX,
			 &u->pol, extack);
	if (ret)
		return ret;
	/* Ranges and flags: checked by nfknock_user_policy. */
	u->pol.max_duration_s = nla_get_u32(tb[NFKNOCK_USER_A_MAX_DURATION_S]);
	if (tb[NFKNOCK_USER_A_EXPIRES_S])
		u->pol.expires_unix_s = nla_get_u64(tb[NFKNOCK_USER_A_EXPIRES_S]);
	if (tb[NFKNOCK_USER_A_FLAGS])
		u->pol.flags = nla_get_u32(tb[NFKNOCK_USER_A_FLAGS]);
	u->max_grants = tb[NFKNOCK_USER_A_MAX_GRANTS] ?
			nla_get_u32(tb[NFKNOCK_USER_A_MAX_GRANTS]) :
			NFKNOCK_USER_GRANTS_DEFAULT;
	if (tb[NFKNOCK_USER_A_SEQ])
		return parse_seq(tb[NFKNOCK_USER_A_SEQ], u, extack);
	return 0;
}

/*
 * Wipe the key attributes in the request itself, whatever happened to it,
 * so no key bytes linger in freed skb memory (as wg_set_device does).
 */
void nfknock_nl_user_wipe(struct nlattr *nest)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case NFKNOCK_USER_A_K_AEAD:
		case NFKNOCK_USER_A_K_HINT:
		case NFKNOCK_USER_A_K_SEQ:
			memzero_explicit(nla_data(a), nla_len(a));
			break;
		}
	}
}

static int put_prefix(struct sk_buff *skb, const struct nfk_prefix *p)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_USER_A_PREFIX);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, NFKNOCK_PREFIX_A_ADDR, p->family == 4 ? 4 : 16,
		    p->addr) ||
	    nla_put_u8(skb, NFKNOCK_PREFIX_A_LEN, p->len)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_one_user(struct sk_buff *skb, const struct nfknock_user *u)
{
	struct nlattr *nest = nla_nest_start(skb, NFKNOCK_A_USER);
	struct nlattr *list;
	u64 newest;
	u32 i;

	if (!nest)
		return -EMSGSIZE;
	spin_lock_bh(&u->state->lock);
	newest = u->state->replay.newest;
	spin_unlock_bh(&u->state->lock);
	if (nla_put_string(skb, NFKNOCK_USER_A_NAME, u->name) ||
	    nla_put(skb, NFKNOCK_USER_A_FPR, sizeof(u->fpr), u->fpr) ||
	    nla_put_u32(skb, NFKNOCK_USER_A_MAX_DURATION_S,
			u->pol.max_duration_s) ||
	    nla_put_u64_64bit(skb, NFKNOCK_USER_A_EXPIRES_S,
			      u->pol.expires_unix_s, NFKNOCK_USER_A_PAD) ||
	    nla_put_u32(skb, NFKNOCK_USER_A_FLAGS, u->pol.flags) ||
	    nla_put_u64_64bit(skb, NFKNOCK_USER_A_LAST_TS_MS, newest,
			      NFKNOCK_USER_A_PAD) ||
	    nla_put_u64_64bit(skb, NFKNOCK_USER_A_KNOCKS,
			      atomic64_read(&u->state->knocks),
			      NFKNOCK_USER_A_PAD) ||
	    nla_put_u32(skb, NFKNOCK_USER_A_MAX_GRANTS, u->max_grants) ||
	    nla_put_u32(skb, NFKNOCK_USER_A_GRANTS,
			atomic_read(&u->state->grants)))
		goto cancel;
	list = nla_nest_start(skb, NFKNOCK_USER_A_ALLOW);
	if (!list)
		goto cancel;
	for (i = 0; i < u->pol.n_services; i++)
		if (nfknock_nl_put_service(skb, NFKNOCK_A_SERVICE,
					   &u->pol.services[i]))
			goto cancel;
	nla_nest_end(skb, list);
	list = nla_nest_start(skb, NFKNOCK_USER_A_SOURCES);
	if (!list)
		goto cancel;
	for (i = 0; i < u->pol.n_prefixes; i++)
		if (put_prefix(skb, &u->pol.prefixes[i]))
			goto cancel;
	nla_nest_end(skb, list);
	if (u->seq && put_seq(skb, &u->seqp))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int nfknock_nl_dump_users(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfknock_net *nn = nfknock_pernet(sock_net(cb->skb->sk));
	const struct nfknock_cfg *cfg;
	unsigned long i;
	void *hdr;

	rcu_read_lock();
	cfg = rcu_dereference(nn->cfg);
	cb->seq = READ_ONCE(nn->cfg_gen);
	for (i = cb->args[0]; cfg && cfg->users && i < cfg->users->n; i++) {
		hdr = nfknock_nl_dump_hdr(skb, cb, NFKNOCK_CMD_GET_USERS);
		if (!hdr)
			break;
		if (put_one_user(skb, cfg->users->users[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}
