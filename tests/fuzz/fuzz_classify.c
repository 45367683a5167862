// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer: packet classification and the guard verdict over crafted L4
 * headers and grant states, exactly as the hook calls them.
 * Input: proto selector (1) | grant state (16) | now (8) | L4 bytes.
 */
#include <stdlib.h>

#include "classify.h"
#include "verdict.h"

static struct nfk_guardset guards, knocks;

static void setup(void)
{
	static const struct nfk_service g[] = {
		{ IPPROTO_TCP, 22, 22 }, { IPPROTO_TCP, 8000, 8100 },
		{ IPPROTO_UDP, 53, 53 }, { IPPROTO_UDP, 1, 10 },
	};
	static const struct nfk_service k = { IPPROTO_UDP, 62201, 62201 };
	size_t i;

	nfk_guardset_init(&guards);
	nfk_guardset_init(&knocks);
	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		nfk_guardset_add(&guards, &g[i]);
	nfk_guardset_add(&knocks, &k);
}

static u64 take64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct nfk_grant_state g;
	struct nfk_decision d;
	struct nfk_l4 pkt;
	bool in_conn;
	u8 proto;
	u64 now;

	if (!guards.count)
		setup();
	if (size < 25)
		return 0;
	proto = data[0] & 1 ? IPPROTO_TCP : IPPROTO_UDP;
	g.expires_ms = take64(data + 1);
	g.flags = data[9] & 3;
	g.bound_sport = (u16)(data[10] | data[11] << 8);
	in_conn = data[12] & 1;
	now = take64(data + 17);
	data += 25;
	size -= 25;
	if (size > NFK_L4_PEEK)
		size = NFK_L4_PEEK;

	switch (nfk_classify(&guards, &knocks, proto, data, size, &pkt)) {
	case NFK_PKT_GUARDED:
		if (pkt.in_conn)
			abort();	/* only the glue's lookup sets it */
		pkt.in_conn = in_conn && pkt.proto == IPPROTO_TCP &&
			      nfk_tcp_may_belong(pkt.tcp_flags);
		nfk_decide(&pkt, (data[0] & 1) ? &g : NULL, now, 60000, &d);
		if (d.update != NFK_U_NONE && !(data[0] & 1))
			abort();	/* no grant can never need an update */
		if (d.verdict == NFK_V_PASS && !d.stateless &&
		    !nfk_grant_live(&g, now))
			abort();	/* passing needs a live grant */
		if (d.stateless && !nfk_passes_stateless(&pkt))
			abort();	/* only a RST or a connection's segment */
		if (pkt.proto == IPPROTO_TCP &&
		    !nfk_tcp_is_syn(pkt.tcp_flags) && d.update != NFK_U_NONE)
			abort();	/* only a SYN consumes a grant */
		nfk_apply_update(&g, &pkt, &d);
		break;
	case NFK_PKT_KNOCK:
		if (proto != IPPROTO_UDP)
			abort();
		break;
	default:
		break;
	}
	return 0;
}
