// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Derived port sequences: the derivation and one attempt's state machine. */
#include "seq.h"

void nfk_seq_params_default(struct nfk_seq_params *p)
{
	p->lo = NFK_SEQ_LO_DEFAULT;
	p->hi = NFK_SEQ_HI_DEFAULT;
	p->length = NFK_SEQ_LEN_DEFAULT;
	p->step_proto = IPPROTO_TCP;
	p->window_s = NFK_SEQ_WINDOW_DEFAULT_S;
}

int nfk_seq_params_check(const struct nfk_seq_params *p)
{
	if (p->lo == 0 || p->hi < p->lo ||
	    (u32)p->hi - p->lo + 1 < NFK_SEQ_RANGE_MIN)
		return -EINVAL;
	if (p->length < NFK_SEQ_LEN_MIN || p->length > NFK_SEQ_LEN_MAX)
		return -EINVAL;
	if (p->step_proto != IPPROTO_TCP && p->step_proto != IPPROTO_UDP)
		return -EINVAL;
	if (p->window_s < NFK_SEQ_WINDOW_MIN_S ||
	    p->window_s > NFK_SEQ_WINDOW_MAX_S)
		return -EINVAL;
	return 0;
}

u64 nfk_seq_window(const struct nfk_seq_params *p, u64 unix_s)
{
	return unix_s / p->window_s;
}

void nfk_seq_message(u8 *msg, u64 window, u8 proto, u16 port, u8 i, u8 r)
{
	int k;

	for (k = 0; k < 8; k++)
		msg[k] = (u8)(window >> (8 * k));
	msg[8] = proto;
	msg[9] = (u8)(port >> 8);
	msg[10] = (u8)port;
	msg[11] = i;
	msg[12] = r;
}

u16 nfk_seq_step(const struct nfk_seq_key *key,
		 const struct nfk_seq_params *p, u64 window, u8 proto, u16 port,
		 u8 i, u16 prev)
{
	u32 span = (u32)p->hi - p->lo + 1;
	u8 msg[NFK_SEQ_MSG_LEN];
	u16 step = 0;
	u8 r;

	for (r = 0; r < NFK_SEQ_REHASH_MAX; r++) {
		nfk_seq_message(msg, window, proto, port, i, r);
		step = (u16)(p->lo +
			     key->hash(key->key, msg, sizeof(msg)) % span);
		if (step != prev)
			return step;
	}
	/* Eight equal draws in a row: take the next port, wrapping. */
	return step == p->hi ? p->lo : step + 1;
}

void nfk_seq_ports(const struct nfk_seq_key *key,
		   const struct nfk_seq_params *p, u64 window, u8 proto, u16 port,
		   u16 *ports)
{
	u16 prev = 0;
	u8 i;

	for (i = 0; i < p->length; i++)
		prev = ports[i] = nfk_seq_step(key, p, window, proto, port, i,
					       prev);
}

void nfk_seq_begin(struct nfk_seq_attempt *a,
		   const struct nfk_seq_key *key,
		   const struct nfk_seq_params *p, u64 window, u32 user,
		   u8 proto, u16 port, u16 dport, u64 now_ms,
		   u32 step_timeout_ms)
{
	memset(a, 0, sizeof(*a));
	a->window = window;
	a->user = user;
	a->proto = proto;
	a->port = port;
	a->next = 1;
	a->last = dport;
	a->expect = nfk_seq_step(key, p, window, proto, port, 1, dport);
	a->deadline_ms = now_ms + step_timeout_ms;
}

enum nfk_seq_result nfk_seq_feed(struct nfk_seq_attempt *a,
				 const struct nfk_seq_key *key,
				 const struct nfk_seq_params *p, u16 dport,
				 u64 now_ms, u32 step_timeout_ms)
{
	if (now_ms >= a->deadline_ms || a->next >= p->length)
		return NFK_SEQ_OTHER;
	if (dport == a->last)
		return NFK_SEQ_REPEAT;
	if (dport != a->expect)
		return NFK_SEQ_OTHER;
	if (a->next + 1 == p->length)
		return NFK_SEQ_COMPLETE;
	a->next++;
	a->last = dport;
	a->expect = nfk_seq_step(key, p, a->window, a->proto, a->port,
				 a->next, dport);
	a->deadline_ms = now_ms + step_timeout_ms;
	return NFK_SEQ_PROGRESS;
}
