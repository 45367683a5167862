/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Static port sequences (docs/config.md, "Static sequences"): an
 * administrator's fixed list of steps, each a protocol and a port, that
 * opens one service for whoever sends the steps in order. knockd's kind of
 * knock: anyone who sees the packets can replay them, so the docs and
 * knockctl check say a user's derived sequence is the better choice.
 *
 * An attempt at a static sequence is a struct nfk_seq_attempt (seq.h) with
 * is_static set; its user field is the caller's index of the sequence.
 */
#ifndef NFK_SSEQ_H
#define NFK_SSEQ_H

#include "seq.h"

NFK_BEGIN_DECLS

#define NFK_STATIC_STEPS_MIN	2
#define NFK_STATIC_STEPS_MAX	16

struct nfk_seq_port {
	u16 port;
	u8 proto;		/* IPPROTO_TCP (a SYN) or IPPROTO_UDP */
};

struct nfk_static_seq {
	struct nfk_seq_port step[NFK_STATIC_STEPS_MAX];
	struct nfk_seq_port opens;
	u8 n;			/* steps in use */
	u32 duration_s;		/* of the grant a completion makes */
};

/*
 * 0 when @s is usable: NFK_STATIC_STEPS_MIN..MAX steps of TCP or UDP to
 * ports >= 1, none equal to the step before it (it would be taken for that
 * step's retransmission), a TCP or UDP service to open and a duration.
 * -EINVAL otherwise.
 */
int nfk_static_check(const struct nfk_static_seq *s);

/* Is (@proto, @port) one of @s's steps? Other traffic leaves its attempts
 * alone.
 */
bool nfk_static_has(const struct nfk_static_seq *s, u8 proto, u16 port);

/* Start an attempt at @s (index @id) whose first step arrived at @now_ms. */
void nfk_static_begin(struct nfk_seq_attempt *a, const struct nfk_static_seq *s,
		      u32 id, u64 now_ms, u32 step_timeout_ms);

/* As nfk_seq_feed(), for an attempt at static sequence @s. */
enum nfk_seq_result nfk_static_feed(struct nfk_seq_attempt *a,
				    const struct nfk_static_seq *s, u8 proto,
				    u16 dport, u64 now_ms,
				    u32 step_timeout_ms);

NFK_END_DECLS

#endif /* NFK_SSEQ_H */
