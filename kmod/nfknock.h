/* SPDX-License-Identifier: GPL-2.0 */
/* Internal declarations shared by the module's files. */
#ifndef NFKNOCK_H
#define NFKNOCK_H

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "../include/uapi/linux/nfknock.h"
#include "core/guardset.h"
#include "core/grant_key.h"
#include "core/verdict.h"

/* Configuration of one namespace, replaced as a whole under RCU. */
struct nfknock_cfg {
	struct rcu_head rcu;
	u8 guard_action;	/* enum nfknock_guard_action */
	u32 udp_idle_ms;
	struct nfk_guardset guards;
};

struct nfknock_grant {
	struct hlist_node node;
	struct rcu_head rcu;
	struct nfk_grant_key key;
	struct nfk_grant_state st;	/* written under the bucket lock */
	bool dead;			/* unlinked; readers skip it */
};

struct nfknock_bucket {
	spinlock_t lock;
	struct hlist_head head;
};

#define NFKNOCK_GRANT_BUCKETS 4096

struct nfknock_grants {
	struct nfknock_bucket *buckets;	/* NULL until first configured */
	siphash_key_t hash_key;
	atomic_t count;
	u32 max;
	struct delayed_work gc;
};

struct nfknock_stats {
	u64 c[__NFKNOCK_STAT_A_LAST];
};

struct nfknock_net {
	struct net *net;
	struct mutex lock;		/* serialises writers of this netns */
	struct nfknock_cfg __rcu *cfg;	/* NULL while unconfigured */
	bool hooked;
	struct nfknock_grants grants;
	struct nfknock_stats __percpu *stats;
};

extern unsigned int nfknock_net_id;

static inline struct nfknock_net *nfknock_pernet(const struct net *net)
{
	return net_generic(net, nfknock_net_id);
}

static inline void nfknock_count(struct nfknock_net *nn, int stat)
{
	this_cpu_inc(nn->stats->c[stat]);
}

static inline u64 nfknock_now_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

/* pernet.c */
int nfknock_pernet_init(void);
void nfknock_pernet_exit(void);
struct nfknock_cfg *nfknock_cfg_clone(struct nfknock_net *nn);
int nfknock_cfg_commit(struct nfknock_net *nn, struct nfknock_cfg *next);
void nfknock_flush(struct nfknock_net *nn);
u64 nfknock_stat_sum(struct nfknock_net *nn, int stat);

/* hook.c */
int nfknock_hooks_register(struct net *net);
void nfknock_hooks_unregister(struct net *net);

/* grants.c */
int nfknock_grants_init(void);
void nfknock_grants_exit(void);
int nfknock_grants_setup(struct nfknock_net *nn);
void nfknock_grants_teardown(struct nfknock_net *nn);
void nfknock_grants_flush(struct nfknock_net *nn);
int nfknock_grant_add(struct nfknock_net *nn, const struct nfk_grant_key *key,
		      u32 timeout_ms, u32 flags);
int nfknock_grant_del(struct nfknock_net *nn, const struct nfk_grant_key *key,
		      bool any_service);
void nfknock_grant_decide(struct nfknock_net *nn,
			  const struct nfk_grant_key *key,
			  const struct nfk_l4 *pkt, u32 udp_idle_ms,
			  struct nfk_decision *d);

/* netlink.c */
int nfknock_genl_init(void);
void nfknock_genl_exit(void);

#endif /* NFKNOCK_H */
