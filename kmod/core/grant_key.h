/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The key of a grant: address family, address, protocol and port. */
#ifndef NFK_GRANT_KEY_H
#define NFK_GRANT_KEY_H

#include "nfk_types.h"

NFK_BEGIN_DECLS

/*
 * Fixed layout with no implicit padding, always fully initialised, so it can
 * be hashed and compared as bytes. IPv4 uses the first 4 address bytes.
 */
struct nfk_grant_key {
	u8 addr[16];
	u8 family;	/* 4 or 6 */
	u8 proto;
	u16 port;	/* host order */
};

#define NFK_FAMILY_V4 4
#define NFK_FAMILY_V6 6

/* Build a key from @alen (4 or 16) network-order address bytes.
 * Returns false for any other length.
 */
bool nfk_grant_key_make(struct nfk_grant_key *k, const u8 *addr, size_t alen,
			u8 proto, u16 port);

static inline bool nfk_grant_key_eq(const struct nfk_grant_key *a,
				    const struct nfk_grant_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Same address (and family), any service: used by revoke of an address. */
static inline bool nfk_grant_key_same_addr(const struct nfk_grant_key *a,
					   const struct nfk_grant_key *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

static inline size_t nfk_grant_key_addrlen(const struct nfk_grant_key *k)
{
	return k->family == NFK_FAMILY_V4 ? 4 : 16;
}

/*
 * Buckets of a grant table capped at @max entries: the smallest power of
 * two that keeps a full table at NFK_GRANT_LOAD entries per bucket on
 * average (a walk in softirq compares a handful of keys, never hundreds),
 * within NFK_GRANT_BUCKETS_MIN .. NFK_GRANT_BUCKETS_MAX.
 */
#define NFK_GRANT_LOAD		4
#define NFK_GRANT_BUCKETS_MIN	64
#define NFK_GRANT_BUCKETS_MAX	262144	/* NFKNOCK_GRANTS_LIMIT / LOAD */

static inline u32 nfk_grant_buckets(u32 max)
{
	u32 want = max / NFK_GRANT_LOAD + !!(max % NFK_GRANT_LOAD);
	u32 n = NFK_GRANT_BUCKETS_MIN;

	while (n < want && n < NFK_GRANT_BUCKETS_MAX)
		n <<= 1;
	return n;
}

NFK_END_DECLS

#endif /* NFK_GRANT_KEY_H */
