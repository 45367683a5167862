/* SPDX-License-Identifier: GPL-2.0 */
/* Internal declarations shared by the module's files. */
#ifndef NFKNOCK_H
#define NFKNOCK_H

#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/siphash.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "../include/uapi/linux/nfknock.h"
#include "core/guardset.h"
#include "core/grant_key.h"
#include "core/verdict.h"
#include "core/policy.h"
#include "core/spa.h"
#include "core/replay.h"
#include "core/seq.h"
#include "core/sseq.h"
#include "core/rate.h"
#include "core/lockout.h"

/*
 * Knock state of a user that outlives configuration swaps: shared by the
 * user objects of successive configurations with the same fingerprint, and
 * referenced by each grant its knocks made (so the grant can be counted
 * against the user's cap and revoked when the user goes).
 */
struct nfknock_user_state {
	refcount_t ref;
	spinlock_t lock;		/* guards replay */
	struct nfk_replay replay;
	atomic64_t knocks;
	atomic_t grants;		/* live grants of this user's knocks */
	/* The user object of the current configuration, NULL once removed.
	 * Written and read under the namespace lock only (commit and prune).
	 */
	const struct nfknock_user *user;
	u32 kept;			/* prune scratch, namespace lock */
};

struct nfknock_user {
	struct list_head staged;	/* only while in a transaction */
	char name[NFKNOCK_NAME_MAX + 1];
	u8 fpr[8];
	u8 k_aead[32];
	siphash_key_t k_hint;
	siphash_key_t k_seq;
	bool seq;			/* derived sequences for its services */
	struct nfk_seq_params seqp;
	u32 max_grants;
	struct nfk_user_policy pol;
	struct nfknock_user_state *state;
};

struct nfknock_hint_slot {
	u64 hint;
	u32 user;	/* index into the user set */
	u32 used;
};

/*
 * Hints of every user for windows center-span .. center+span, open
 * addressing. span covers the configured skew (nfknock_hint_span()).
 */
struct nfknock_hints {
	struct rcu_head rcu;
	u64 center;
	u32 span;
	u32 mask;
	struct nfknock_hint_slot slot[];
};

/* A static sequence of the configuration (knockd's kind). */
struct nfknock_static {
	char name[NFKNOCK_NAME_MAX + 1];
	struct nfk_static_seq s;
};

/*
 * One first step: of a derived sequence (who, which service, which window)
 * or of a static one (which, and the service; no window).
 */
struct nfknock_seq_first {
	u64 window;
	u32 user;		/* index into the user set, or its statics */
	u16 step;		/* the first step's port */
	u16 port;		/* the service it opens */
	u8 step_proto;
	u8 proto;
	u8 used;
	u8 is_static;
};

/*
 * First steps of every user's sequences for windows w-1..w+1 of each
 * user's window length, rebuilt at each turn (nfknock_seq_rebuild()), with
 * a bitmap per step protocol for the fast path. Open addressing by port.
 */
struct nfknock_seqidx {
	struct rcu_head rcu;
	u64 turn_ms;		/* unix ms of the next turn of any user's window */
	u32 mask;
	unsigned long first[2][BITS_TO_LONGS(65536)];	/* [tcp, udp] */
	struct nfknock_seq_first slot[];
};

/* Attempts of one source hash to one set of this many ways. */
#define NFK_PROGRESS_WAYS	8

struct nfknock_pentry {
	struct nfk_seq_attempt a;
	u64 touched_ms;		/* boottime of its last step */
	u8 family;		/* 0: free */
	u8 addr[16];
};

struct nfknock_pset {
	spinlock_t lock;
	/* Used entries, written under the lock; read without it by
	 * nfknock_seq_maybe(): a source whose set holds no attempt has none.
	 */
	u8 used;
	struct nfknock_pentry e[NFK_PROGRESS_WAYS];
};

/*
 * Attempts in flight, preallocated at apply (NFKNOCK_A_PROGRESS_MAX
 * entries, rounded up to whole sets): a flood of first steps from spoofed
 * sources evicts the oldest attempts of a set, never allocates, never
 * touches a grant.
 */
struct nfknock_progress {
	siphash_key_t key;	/* source -> set, unknown to senders */
	atomic_t live;		/* used entries: 0 keeps the fast path short */
	u32 mask;		/* sets - 1 */
	struct nfknock_pset set[];
};

/*
 * Users sorted by fingerprint (duplicates refused at commit), and the
 * static sequences: everything that knocks, with the tables knocks use.
 */
struct nfknock_userset {
	struct kref ref;	/* held by each configuration sharing it */
	struct nfknock_hints __rcu *hints;
	struct nfknock_seqidx __rcu *seqidx;	/* NULL without sequences */
	struct nfknock_progress *progress;	/* NULL without sequences */
	u32 n_seq;		/* users with sequences, and static sequences */
	u8 seq_protos;		/* bit 0: some sequence steps with TCP, 1: UDP */
	u16 seq_lo[2], seq_hi[2];	/* union of their step ports, per proto */
	u32 n_static;
	struct nfknock_static *statics;	/* n_static of them, or NULL */
	u32 n;
	struct nfknock_user *users[];
};

/* Sources of one set of the lockout table. */
#define NFK_LOCKOUT_WAYS	8

struct nfknock_lentry {
	struct nfk_lockout l;
	u64 touched_ms;		/* boottime of its last failure */
	u8 key[16];		/* nfk_lockout_source(): IPv4, or an IPv6 /64 */
	u8 family;		/* 0: free */
	bool reported;		/* lockout_started sent, lockout_ended not */
};

struct nfknock_lset {
	spinlock_t lock;
	struct nfknock_lentry e[NFK_LOCKOUT_WAYS];
};

/*
 * Failures and lockouts per source, preallocated at apply (sources_max
 * entries rounded up to whole sets) and shared by the configurations that
 * keep the same parameters: a flood of spoofed failures evicts the least
 * recently failing entries of a set, never allocates, never touches a
 * grant.
 */
struct nfknock_lockouts {
	struct kref ref;
	struct nfk_lockout_params p;
	u32 max;		/* sources_max it was made for */
	siphash_key_t key;	/* source -> set, unknown to senders */
	atomic_t locked;	/* entries with reported set */
	u32 mask;		/* sets - 1 */
	struct nfknock_lset set[];
};

/* Configuration of one namespace, replaced as a whole under RCU. */
struct nfknock_cfg {
	struct rcu_head rcu;
	u8 guard_action;	/* enum nfknock_guard_action */
	u8 knock_packets;	/* enum nfknock_knock_packets */
	u32 udp_idle_ms;
	u32 skew_ms;
	u32 progress_max;	/* sequence progress entries (at apply) */
	struct nfk_lockout_params lockout;
	u32 sources_max;	/* lockout table entries (at apply) */
	struct nfknock_lockouts *lockouts;	/* NULL: lockout off */
	struct nfknock_userset *users;	/* NULL: no users */
	struct nfk_guardset guards;
	struct nfk_guardset knocks;	/* knock ports, udp only */
};

/* A configuration being staged by one netlink socket (knockctl apply). */
struct nfknock_txn {
	u32 portid;
	u64 last_used_ms;
	u32 grants_max;
	struct nfknock_cfg *cfg;
	struct list_head users;
	u32 n_users;
	struct nfknock_static *statics;	/* NFKNOCK_STATIC_SEQS_MAX, at first */
	u32 n_statics;
};

struct nfknock_bucket;

struct nfknock_grant {
	struct hlist_node node;
	struct rcu_head rcu;
	/* The bucket that links it (a resize moves it), NULL once unlinked;
	 * written under that bucket's lock.
	 */
	struct nfknock_bucket *home;
	struct nfk_grant_key key;
	u8 fpr[8];			/* user of the knock; zero: by admin */
	struct nfknock_user_state *owner; /* counted reference; NULL: admin */
	struct nfk_grant_state st;	/* written under the bucket lock */
};

struct nfknock_bucket {
	spinlock_t lock;
	struct hlist_head head;
};

/* A bucket array sized by nfk_grant_buckets() of the namespace's cap. */
struct nfknock_gtable {
	u32 mask;			/* buckets - 1 */
	struct nfknock_bucket b[];
};

struct nfknock_grants {
	struct nfknock_gtable __rcu *tbl;	/* NULL until first configured */
	/* During a resize (under nn->lock): the table being emptied into
	 * ->tbl; readers look in both. NULL otherwise.
	 */
	struct nfknock_gtable __rcu *old;
	seqcount_t moving;	/* odd while one old bucket moves; a miss retries */
	siphash_key_t hash_key;
	atomic_t count;
	atomic_t gen;		/* bumped on every link and unlink (dumps) */
	u32 max;
	struct delayed_work gc;
};

struct nfknock_stats {
	u64 c[__NFKNOCK_STAT_A_LAST];
};

/* A rate limit of one namespace's events or dmesg lines (event.c). */
struct nfknock_limiter {
	spinlock_t lock;
	struct nfk_rate r;
};

/*
 * One event (enum nfknock_event) and its facts, all of the namespace it
 * happened in; absent facts are 0 / NULL. See the uapi's event attributes.
 */
struct nfknock_ev {
	u8 type;
	u8 reason;		/* enum nfknock_reject */
	u8 family;		/* of @source, NFK_FAMILY_V4/V6; 0: none */
	u8 gfamily;		/* of @addr; 0: none */
	bool unverified;	/* @source proved nothing: may be spoofed */
	u8 proto;		/* the service; 0: none */
	u16 port;
	const u8 *source;
	const u8 *addr;		/* the grant's address */
	const char *user;
	const u8 *fpr;
	const char *sequence;	/* a static sequence's name */
	u32 duration_s;
	u32 flags;		/* NFKNOCK_EV_F_* */
	u32 count;
};

/*
 * A commit on trial (knockctl apply --confirm): the configuration to put
 * back unless confirmed by the deadline (trial.c). Under nn->lock.
 */
struct nfknock_trial {
	struct nfknock_cfg *prev;	/* NULL: nothing on trial */
	u32 grants_max;			/* the grant cap to put back */
	unsigned long deadline;		/* jiffies */
	struct delayed_work work;	/* the rollback */
};

struct nfknock_net {
	struct net *net;
	struct mutex lock;		/* serialises writers of this netns */
	struct nfknock_cfg __rcu *cfg;	/* NULL while unconfigured */
	u32 cfg_gen;			/* bumped by every commit (dumps) */
	bool hooked;
	bool limited;			/* owned by a non-initial user ns */
	/* The memory cgroup of whoever first configured the namespace: what
	 * softirq and workers allocate for it is charged there.
	 */
	struct mem_cgroup *memcg;
	/* Highest timestamp a removed user's knocks reached: the replay floor
	 * of a user new to this namespace (it may reuse a removed key).
	 */
	u64 removed_floor_ms;
	unsigned long stale_scan_at;	/* jiffies of the last stale-index scan */
	struct nfknock_grants grants;
	struct nfknock_stats __percpu *stats;
	struct nfknock_txn *txn;	/* under lock */
	struct delayed_work hint_work;	/* rebuilds hints each window */
	struct delayed_work lockout_work;	/* reports ended lockouts */
	struct nfknock_trial trial;
	struct nfknock_limiter ev_limit;	/* events group */
	struct nfknock_limiter log_limit;	/* dmesg lines */
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

/* Grant and staging clock: boottime, so a grant does not outlive a
 * suspend, and a step of the wall clock moves nothing.
 */
static inline u64 nfknock_now_ms(void)
{
	return ktime_get_coarse_boottime_ns() / NSEC_PER_MSEC;
}

static inline u64 nfknock_unix_ms(void)
{
	return ktime_get_real_ns() / NSEC_PER_MSEC;
}

/* The hint index lags a window turn by up to this much (its rebuild runs
 * in a worker a second after the turn).
 */
#define NFK_HINT_LAG_MS		5000
#define NFKNOCK_HINT_START	U32_MAX

/* Boottime of module load: see nfknock_instance_floor_ms(). */
extern u64 nfknock_load_boot_ms;

/*
 * The replay floor of this module instance, as a unix time: a datagram
 * accepted by a module loaded before this one carries a timestamp from
 * before this one's load. Kept in boottime and mapped to the wall clock
 * now, so a step of the server's clock does not move it.
 */
static inline u64 nfknock_instance_floor_ms(u64 unix_now_ms)
{
	u64 boot_now = ktime_get_boottime_ns() / NSEC_PER_MSEC;
	u64 since_load = boot_now - nfknock_load_boot_ms;

	return unix_now_ms > since_load ? unix_now_ms - since_load : 0;
}

/*
 * Everything allocated for a namespace is charged to its memory cgroup
 * (nn->memcg), whoever runs: the task that configures it, a worker, or
 * softirq. Allocations between enter and leave use __GFP_ACCOUNT.
 */
/*
 * What process context allocates for a namespace: charged to its cgroup
 * (above), and failing with ENOMEM rather than calling the cgroup's OOM
 * killer when the cgroup is at its limit (the request then changes
 * nothing), without a warning in the log.
 */
#define NFKNOCK_GFP (GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

static inline struct mem_cgroup *nfknock_memcg_enter(struct nfknock_net *nn)
{
	return set_active_memcg(nn->memcg);	/* NULL: the task's own */
}

static inline void nfknock_memcg_leave(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

/* event.c */
extern const char *const nfknock_reject_name[];
void nfknock_limiter_init(struct nfknock_limiter *l);
void nfknock_event(struct nfknock_net *nn, const struct nfknock_ev *ev);

/* pernet.c */
int nfknock_pernet_init(void);
void nfknock_pernet_exit(void);
void nfknock_pernet_adopt(struct nfknock_net *nn);
u32 nfknock_grants_default(const struct nfknock_net *nn);
u32 nfknock_grants_cap(struct nfknock_net *nn);
void nfknock_cfg_defaults(struct nfknock_cfg *cfg);
void nfknock_cfg_free(struct nfknock_cfg *cfg);
struct nfknock_cfg *nfknock_cfg_clone(struct nfknock_net *nn);
void nfknock_cfg_put_rcu(struct nfknock_cfg *cfg);
int nfknock_cfg_replace(struct nfknock_net *nn, struct nfknock_cfg *next,
			struct nfknock_cfg **keep);
int nfknock_cfg_commit(struct nfknock_net *nn, struct nfknock_cfg *next);
int nfknock_cfg_commit_or_free(struct nfknock_net *nn,
			       struct nfknock_cfg *next);
void nfknock_flush(struct nfknock_net *nn);
u64 nfknock_stat_sum(struct nfknock_net *nn, int stat);

/* answer.c, conn.c */
void nfknock_answer(struct sk_buff *skb, const struct nf_hook_state *st,
		    u8 proto, unsigned int thoff);
struct nfk_l4;
bool nfknock_tcp_in_connection(const struct sk_buff *skb,
			       const struct nf_hook_state *st,
			       const struct nfk_l4 *pkt);

/* hook.c */
int nfknock_hooks_register(struct net *net);
void nfknock_hooks_unregister(struct net *net);

/* grants.c */
int nfknock_grants_init(void);
void nfknock_grants_exit(void);
int nfknock_grants_setup(struct nfknock_net *nn);
int nfknock_grants_fit(struct nfknock_net *nn, u32 max);
u32 nfknock_grants_buckets(struct nfknock_net *nn);
void nfknock_grants_teardown(struct nfknock_net *nn);
void nfknock_grants_flush(struct nfknock_net *nn);
int nfknock_grant_add(struct nfknock_net *nn, const struct nfk_grant_key *key,
		      u32 timeout_ms, u32 flags, const struct nfknock_user *u,
		      gfp_t gfp);
u32 nfknock_grants_revoke_disallowed(struct nfknock_net *nn,
				     const struct nfknock_userset *us);
int nfknock_grant_del(struct nfknock_net *nn, const struct nfk_grant_key *key,
		      bool any_service);
void nfknock_grant_decide(struct nfknock_net *nn,
			  const struct nfk_grant_key *key,
			  const struct nfk_l4 *pkt, u32 udp_idle_ms,
			  struct nfk_decision *d);

/* users.c */
void nfknock_user_state_put(struct nfknock_user_state *st);
void nfknock_user_free(struct nfknock_user *u);
struct nfknock_userset *nfknock_userset_build(struct nfknock_net *nn,
					      struct list_head *staged, u32 n,
					      const struct nfknock_static *statics,
					      u32 n_static,
					      const struct nfknock_userset *old,
					      struct netlink_ext_ack *extack);
void nfknock_userset_unbuild(struct nfknock_userset *us);
void nfknock_userset_adopt(struct nfknock_net *nn,
			   const struct nfknock_userset *prev,
			   const struct nfknock_userset *next);
void nfknock_userset_put(struct nfknock_userset *us);
u32 nfknock_hint_span(u32 skew_ms);
int nfknock_hints_rebuild(struct nfknock_net *nn, struct nfknock_userset *us,
			  u64 now_unix_ms, u32 skew_ms);
bool nfknock_hints_stale(const struct nfknock_hints *h, u64 w);
const struct nfknock_user *nfknock_hint_next(const struct nfknock_userset *us,
					     const struct nfknock_hints *h,
					     u64 hint, u32 *pos);
bool nfknock_user_has_hint(const struct nfknock_user *u, u64 hint, u64 w,
			   u32 span);
void nfknock_hint_work(struct work_struct *work);

/* seq.c */
#define NFK_SEQ_STEP_TIMEOUT_MS	10000
/* First steps one packet may start (users whose sequences share it). */
#define NFK_SEQ_CANDIDATES_MAX	4

static inline int nfknock_seq_pidx(u8 proto)
{
	return proto == IPPROTO_UDP;
}

/* The set that holds the attempts of source @saddr. */
static inline struct nfknock_pset *
nfknock_progress_set(struct nfknock_progress *pt, const u8 *saddr,
		     size_t alen)
{
	return &pt->set[siphash(saddr, alen, &pt->key) & pt->mask];
}

/*
 * Fast path: could a packet of @proto to @dport from @saddr be a sequence
 * step? A first step is one bitmap test. A later step needs an attempt in
 * flight from @saddr: a port in the steps' range, then one look at the
 * source's set, so that another source's attempt costs a datagram no FIB
 * lookup and no lock. Returns the source's progress set for
 * nfknock_seq_step() (hashed once), or NULL. Called under rcu_read_lock()
 * with us->n_seq != 0.
 */
static inline struct nfknock_pset *
nfknock_seq_maybe(const struct nfknock_userset *us, u8 proto, u16 dport,
		  const u8 *saddr, size_t alen)
{
	const struct nfknock_seqidx *idx = rcu_dereference(us->seqidx);
	struct nfknock_progress *pt = us->progress;
	struct nfknock_pset *set;
	int p = nfknock_seq_pidx(proto);

	if (!(us->seq_protos & BIT(p)))
		return NULL;
	if (idx && test_bit(dport, idx->first[p]))
		return nfknock_progress_set(pt, saddr, alen);
	if (!atomic_read(&pt->live) || dport < us->seq_lo[p] ||
	    dport > us->seq_hi[p])
		return NULL;
	set = nfknock_progress_set(pt, saddr, alen);
	return READ_ONCE(set->used) ? set : NULL;
}

int nfknock_seq_prepare(struct nfknock_net *nn, struct nfknock_userset *us,
			u32 progress_max);
void nfknock_seq_release(struct nfknock_userset *us);
u32 nfknock_seq_services(const struct nfk_user_policy *pol);
int nfknock_seq_rebuild(struct nfknock_net *nn, struct nfknock_userset *us,
			u64 now_unix_ms);
void nfknock_seq_sweep(struct nfknock_userset *us);
u32 nfknock_seq_live(const struct nfknock_userset *us);
void nfknock_seq_step(struct nfknock_net *nn, const struct nfknock_cfg *cfg,
		      struct nfknock_pset *set, u8 proto, u16 dport, u8 family,
		      const u8 *saddr);

/* lockout.c */
int nfknock_lockouts_prepare(struct nfknock_net *nn, struct nfknock_cfg *next,
			     const struct nfknock_cfg *cur);
void nfknock_lockouts_put(struct nfknock_lockouts *lo);
void nfknock_lockout_fail(struct nfknock_net *nn, struct nfknock_lockouts *lo,
			  int reason, u8 family, const u8 *saddr);
bool nfknock_lockout_refuses(struct nfknock_net *nn,
			     struct nfknock_lockouts *lo, u8 family,
			     const u8 *saddr);
u32 nfknock_lockouts_locked(const struct nfknock_lockouts *lo);
void nfknock_lockout_work(struct work_struct *work);
int nfknock_lockout_forget(struct nfknock_net *nn, struct nfknock_lockouts *lo,
			   u8 family, const u8 *addr);

/* trial.c */
int nfknock_trial_busy(struct nfknock_net *nn, struct netlink_ext_ack *extack);
struct nfknock_cfg *nfknock_trial_fallback(struct nfknock_net *nn);
void nfknock_trial_start(struct nfknock_net *nn, struct nfknock_cfg *prev,
			 u32 grants_max, u32 confirm_ms);
u32 nfknock_trial_left_ms(const struct nfknock_net *nn);
void nfknock_trial_drop(struct nfknock_net *nn);
int nfknock_trial_confirm(struct nfknock_net *nn, u32 *revoked,
			  struct netlink_ext_ack *extack);
void nfknock_trial_work(struct work_struct *work);

/* txn.c */
int nfknock_txn_begin(struct nfknock_net *nn, u32 portid,
		      struct nfknock_cfg *params, u32 grants_max,
		      struct netlink_ext_ack *extack);
struct nfknock_txn *nfknock_txn_get(struct nfknock_net *nn, u32 portid,
				    struct netlink_ext_ack *extack);
int nfknock_txn_add_user(struct nfknock_net *nn, struct nfknock_txn *txn,
			 struct nfknock_user *u, struct netlink_ext_ack *extack);
int nfknock_txn_add_static(struct nfknock_txn *txn,
			   const struct nfknock_static *st,
			   struct netlink_ext_ack *extack);
int nfknock_txn_commit(struct nfknock_net *nn, u32 portid, u32 confirm_ms,
		       u32 *revoked, struct netlink_ext_ack *extack);
void nfknock_txn_abort(struct nfknock_net *nn);
int nfknock_txn_notifier_init(void);
void nfknock_txn_notifier_exit(void);

/* knock.c */
unsigned int nfknock_knock(struct nfknock_net *nn,
			   const struct nfknock_cfg *cfg, struct sk_buff *skb,
			   unsigned int thoff, const struct nfk_l4 *pkt,
			   u8 family, const u8 *saddr);

#endif /* NFKNOCK_H */
