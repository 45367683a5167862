// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Grant key construction. */
#include "grant_key.h"

bool nfk_grant_key_make(struct nfk_grant_key *k, const u8 *addr, size_t alen,
			u8 proto, u16 port)
{
	if (alen != 4 && alen != 16)
		return false;
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, addr, alen);
	k->family = alen == 4 ? NFK_FAMILY_V4 : NFK_FAMILY_V6;
	k->proto = proto;
	k->port = port;
	return true;
}
