/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* What one knock user may ask for: services, duration, sources, validity. */
#ifndef NFK_POLICY_H
#define NFK_POLICY_H

#include "nfk_types.h"
#include "service.h"
#include "../../include/uapi/linux/nfknock.h"

NFK_BEGIN_DECLS

struct nfk_prefix {
	u8 family;	/* 4 or 6, as in nfk_grant_key */
	u8 len;		/* 0..32 or 0..128 */
	u8 addr[16];
};

struct nfk_user_policy {
	u32 n_services;
	struct nfk_service services[NFKNOCK_USER_SERVICES_MAX];
	u32 n_prefixes;
	struct nfk_prefix prefixes[NFKNOCK_USER_PREFIXES_MAX];
	u32 max_duration_s;	/* 1..65535; longer requests are capped */
	u64 expires_unix_s;	/* 0: never */
	u32 flags;		/* NFKNOCK_USER_F_* */
};

/* True when @addr (@family 4: first 4 bytes used) lies inside @p. */
bool nfk_prefix_contains(const struct nfk_prefix *p, u8 family,
			 const u8 *addr);

/* Valid prefix: family 4 or 6, len in range, no host bits set. */
bool nfk_prefix_valid(const struct nfk_prefix *p);

bool nfk_policy_allows_service(const struct nfk_user_policy *pol, u8 proto,
			       u16 port);

bool nfk_policy_allows_source(const struct nfk_user_policy *pol, u8 family,
			      const u8 *addr);

/*
 * The rules every kind of knock meets before its grant: the user is
 * enabled and not expired at @now_unix_ms, may open (@proto, @port), and
 * the source @addr lies in its prefixes.
 */
bool nfk_policy_admits(const struct nfk_user_policy *pol, u64 now_unix_ms,
		       u8 proto, u16 port, u8 family, const u8 *addr);

NFK_END_DECLS

#endif /* NFK_POLICY_H */
