// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-user policy checks. */
#include "policy.h"

static u8 prefix_max(u8 family)
{
	return family == 4 ? 32 : 128;
}

bool nfk_prefix_valid(const struct nfk_prefix *p)
{
	u32 i, bytes;

	if (p->family != 4 && p->family != 6)
		return false;
	if (p->len > prefix_max(p->family))
		return false;
	bytes = p->family == 4 ? 4 : 16;
	for (i = 0; i < bytes; i++) {
		u32 bit0 = i * 8;
		u8 mask;

		if (bit0 + 8 <= p->len)
			continue;
		mask = bit0 >= p->len ? 0xff : (u8)(0xff >> (p->len - bit0));
		if (p->addr[i] & mask)
			return false;
	}
	for (i = bytes; i < 16; i++)
		if (p->addr[i])
			return false;
	return true;
}

bool nfk_prefix_contains(const struct nfk_prefix *p, u8 family,
			 const u8 *addr)
{
	u32 full = p->len / 8, rest = p->len % 8;
	u8 mask;

	/* Refuse what nfk_prefix_valid() refuses rather than read past addr. */
	if (p->family != family || p->len > prefix_max(family))
		return false;
	if (memcmp(p->addr, addr, full))
		return false;
	if (!rest)
		return true;
	mask = (u8)(0xff << (8 - rest));
	return (p->addr[full] & mask) == (addr[full] & mask);
}

bool nfk_policy_allows_service(const struct nfk_user_policy *pol, u8 proto,
			       u16 port)
{
	u32 i;

	for (i = 0; i < pol->n_services && i < NFKNOCK_USER_SERVICES_MAX; i++) {
		const struct nfk_service *s = &pol->services[i];

		if (s->proto == proto && port >= s->port &&
		    port <= s->port_end)
			return true;
	}
	return false;
}

bool nfk_policy_allows_source(const struct nfk_user_policy *pol, u8 family,
			      const u8 *addr)
{
	u32 i;

	for (i = 0; i < pol->n_prefixes && i < NFKNOCK_USER_PREFIXES_MAX; i++)
		if (nfk_prefix_contains(&pol->prefixes[i], family, addr))
			return true;
	return false;
}

bool nfk_policy_admits(const struct nfk_user_policy *pol, u64 now_unix_ms,
		       u8 proto, u16 port, u8 family, const u8 *addr)
{
	if (pol->flags & NFKNOCK_USER_F_DISABLED)
		return false;
	if (pol->expires_unix_s && now_unix_ms / 1000 >= pol->expires_unix_s)
		return false;
	return nfk_policy_allows_service(pol, proto, port) &&
	       nfk_policy_allows_source(pol, family, addr);
}
