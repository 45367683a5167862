// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer: everything the kernel runs on a knock datagram's bytes except
 * the AEAD (which libsodium/lib/crypto own): framing, plaintext decoding and
 * every acceptance rule, with the policy and clock also taken from the input.
 * Invariants: no replay, the duration cap, the service policy, binding
 * (REQUIRE_ADDRESS: only the source itself) and unicast grant addresses.
 * Input: now (8) | last (8) | skew (4) | policy bytes (64) | plaintext.
 */
#include <stdlib.h>

#include "spa.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct nfk_user_policy pol;
	struct nfk_spa_frame f;
	struct nfk_spa_grant g;
	struct nfk_spa_req req;
	static const u8 src[16] = { 10, 0, 0, 2 };
	u64 now, last;
	u32 skew;
	int rej;
	u8 fam;

	nfk_spa_split(data, size, &f);
	if (size < 84)
		return 0;
	memcpy(&now, data, 8);
	memcpy(&last, data + 8, 8);
	memcpy(&skew, data + 16, 4);
	memset(&pol, 0, sizeof(pol));
	pol.n_services = data[20] % (NFKNOCK_USER_SERVICES_MAX + 1);
	pol.services[0].proto = data[21];
	pol.services[0].port = (u16)(data[22] | data[23] << 8);
	pol.services[0].port_end = (u16)(data[24] | data[25] << 8);
	pol.n_prefixes = data[26] % (NFKNOCK_USER_PREFIXES_MAX + 1);
	pol.prefixes[0].family = data[27] & 1 ? 4 : 6;
	pol.prefixes[0].len = data[28];
	memcpy(pol.prefixes[0].addr, data + 29, 16);
	pol.max_duration_s = (u32)(data[45] | data[46] << 8);
	memcpy(&pol.expires_unix_s, data + 47, 8);
	pol.flags = data[55];
	data += 84;
	size -= 84;

	rej = nfk_spa_decode(data, size, &req);
	if (rej)
		return 0;
	fam = data[0] & 1 ? 4 : 6;
	rej = nfk_spa_check(&req, &pol, now, skew, last, fam, src, &g);
	if (rej == NFKNOCK_REJ_OK) {
		/* A bound user's grant is for the datagram's own source. */
		if ((pol.flags & NFKNOCK_USER_F_REQUIRE_ADDRESS) &&
		    (!(req.flags & NFK_SPA_F_ADDRESS) || g.family != fam ||
		     memcmp(g.addr, src, fam == 4 ? 4 : 16)))
			abort();
		/* Never a grant for ::, 0.0.0.0, broadcast or multicast. */
		if ((req.flags & NFK_SPA_F_ADDRESS) &&
		    !nfk_spa_addr_unicast(req.addr))
			abort();
		if (req.timestamp_ms <= last)
			abort();	/* replay accepted */
		if (g.duration_s > pol.max_duration_s)
			abort();	/* cap not applied */
		if (!nfk_policy_allows_service(&pol, g.proto, g.port))
			abort();
	}
	return 0;
}
