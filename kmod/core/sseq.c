// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Static port sequences: the rules of the list and of one attempt. */
#include "sseq.h"

static bool proto_ok(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static bool same_port(const struct nfk_seq_port *a, const struct nfk_seq_port *b)
{
	return a->proto == b->proto && a->port == b->port;
}

int nfk_static_check(const struct nfk_static_seq *s)
{
	u8 i;

	if (s->n < NFK_STATIC_STEPS_MIN || s->n > NFK_STATIC_STEPS_MAX)
		return -EINVAL;
	for (i = 0; i < s->n; i++) {
		if (!proto_ok(s->step[i].proto) || !s->step[i].port)
			return -EINVAL;
		if (i && same_port(&s->step[i], &s->step[i - 1]))
			return -EINVAL;
	}
	if (!proto_ok(s->opens.proto) || !s->opens.port || !s->duration_s)
		return -EINVAL;
	return 0;
}

bool nfk_static_has(const struct nfk_static_seq *s, u8 proto, u16 port)
{
	u8 i;

	for (i = 0; i < s->n && i < NFK_STATIC_STEPS_MAX; i++)
		if (s->step[i].proto == proto && s->step[i].port == port)
			return true;
	return false;
}

void nfk_static_begin(struct nfk_seq_attempt *a, const struct nfk_static_seq *s,
		      u32 id, u64 now_ms, u32 step_timeout_ms)
{
	memset(a, 0, sizeof(*a));
	a->is_static = 1;
	a->user = id;
	a->proto = s->opens.proto;
	a->port = s->opens.port;
	a->next = 1;
	a->last = s->step[0].port;
	a->last_proto = s->step[0].proto;
	a->expect = s->step[1].port;
	a->expect_proto = s->step[1].proto;
	a->deadline_ms = now_ms + step_timeout_ms;
}

enum nfk_seq_result nfk_static_feed(struct nfk_seq_attempt *a,
				    const struct nfk_static_seq *s, u8 proto,
				    u16 dport, u64 now_ms,
				    u32 step_timeout_ms)
{
	if (now_ms >= a->deadline_ms || a->next >= s->n)
		return NFK_SEQ_OTHER;
	if (dport == a->last && proto == a->last_proto)
		return NFK_SEQ_REPEAT;
	if (dport != a->expect || proto != a->expect_proto)
		return NFK_SEQ_OTHER;
	if (a->next + 1 == s->n)
		return NFK_SEQ_COMPLETE;
	a->next++;
	a->last = dport;
	a->last_proto = proto;
	a->expect = s->step[a->next].port;
	a->expect_proto = s->step[a->next].proto;
	a->deadline_ms = now_ms + step_timeout_ms;
	return NFK_SEQ_PROGRESS;
}
