/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Brute-force lockout of one knock source (docs/kernel.md, "Lockout of
 * failing sources").
 *
 * A source is an IPv4 address or an IPv6 /64 (one host usually holds a
 * whole /64: counting its addresses apart would let it guess 2^64 times as
 * often). @threshold failures within @window_ms of the first one lock the
 * source out for @duration_ms; failures while locked extend nothing (a
 * spoofer replaying failures cannot keep a victim locked beyond one
 * duration after it stops).
 *
 * Which failures count is the caller's choice, and the rule is here too:
 * a bad tag on a known hint, a stale timestamp, a request outside the
 * user's policy, a wrong sequence step. Replays, unknown hints, unbound
 * and malformed datagrams never count. And a lockout refuses only what
 * carries no authentication (sequence steps): an SPA datagram with a valid
 * tag is never refused for its source's lockout, since a knock's source is
 * unverified and anyone can make failures under a victim's address.
 *
 * Pure: the caller keeps entries in a bounded table with its own lock and
 * passes the time in.
 */
#ifndef NFK_LOCKOUT_H
#define NFK_LOCKOUT_H

#include "nfk_types.h"
#include "../../include/uapi/linux/nfknock.h"

NFK_BEGIN_DECLS

#define NFK_LOCKOUT_THRESHOLD_DEFAULT	5
#define NFK_LOCKOUT_WINDOW_DEFAULT_MS	60000
#define NFK_LOCKOUT_DURATION_DEFAULT_MS	300000

struct nfk_lockout_params {
	u32 threshold;		/* 1.. failures; 0 = lockout off */
	u32 window_ms;
	u32 duration_ms;
};

struct nfk_lockout {
	u64 first_ms;		/* first failure of the current window */
	u64 until_ms;		/* locked before this time; 0 = never was */
	u32 failures;		/* in the current window */
};

void nfk_lockout_params_default(struct nfk_lockout_params *p);

/* The table key of a source: IPv4 as is, IPv6 cut to its /64; @key[16]. */
void nfk_lockout_source(u8 family, const u8 *addr, u8 *key);

/* True when a failure of kind @reason counts toward a lockout. */
bool nfk_lockout_counts(enum nfknock_reject reason);

/* True while @l refuses unauthenticated knocks at @now_ms. */
bool nfk_lockout_locked(const struct nfk_lockout *l, u64 now_ms);

/*
 * Count a failure at @now_ms. True when it starts a lockout (the caller
 * reports it once); false otherwise, also while already locked.
 */
bool nfk_lockout_fail(struct nfk_lockout *l,
		      const struct nfk_lockout_params *p, u64 now_ms);

/* True when @l holds nothing worth keeping at @now_ms (the caller may
 * reuse its slot): not locked, and its window is over.
 */
bool nfk_lockout_idle(const struct nfk_lockout *l,
		      const struct nfk_lockout_params *p, u64 now_ms);

NFK_END_DECLS

#endif /* NFK_LOCKOUT_H */
