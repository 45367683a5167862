/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Derived port sequences (docs/protocol.md, "Derived sequences").
 *
 * A user's sequence for service (proto, port) in time window w is L ports
 * in [lo, hi]; step i is
 *
 *   m(i, r) = w (u64, little-endian) | proto (u8) | port (u16, big-endian)
 *             | i (u8) | r (u8)                                 13 bytes
 *   p_i     = lo + SipHash-2-4(k_seq, m(i, r)) mod (hi - lo + 1)
 *
 * with r = 0, or the first r > 0 for which p_i differs from p_{i-1}: a step
 * equal to the previous one would look like that step's retransmission.
 * w = floor(unix_s / window_s). The service is part of the message, so a
 * sequence opens one service only, and the window, so it is worth nothing
 * once its window is over.
 *
 * The hash is the caller's (struct nfk_seq_key: lib/siphash in the kernel,
 * libsodium in knockctl and the unit tests; both read the 16 key bytes as
 * two little-endian words); the message, the reduction and the rule for
 * repeats are here, once, for both sides.
 *
 * An attempt (one source working through one candidate sequence) is also
 * here, as a pure state machine over the caller's clock: the kernel keeps
 * attempts in its progress table and feeds them the source's step packets.
 */
#ifndef NFK_SEQ_H
#define NFK_SEQ_H

#include "nfk_types.h"

NFK_BEGIN_DECLS

#define NFK_SEQ_MSG_LEN		13
#define NFK_SEQ_LEN_MIN		2
#define NFK_SEQ_LEN_MAX		8
#define NFK_SEQ_LEN_DEFAULT	4
#define NFK_SEQ_WINDOW_MIN_S	10
#define NFK_SEQ_WINDOW_MAX_S	3600
#define NFK_SEQ_WINDOW_DEFAULT_S 30
#define NFK_SEQ_LO_DEFAULT	10000
#define NFK_SEQ_HI_DEFAULT	65000
/* At least this many ports in [lo, hi]: fewer would make a sequence
 * guessable in a few thousand packets.
 */
#define NFK_SEQ_RANGE_MIN	1024
/* Re-hashes tried for a step equal to the previous one; past them (odds
 * below 2^-80 for the smallest range) the step is the next port up.
 */
#define NFK_SEQ_REHASH_MAX	8

/*
 * A user's k_seq with the SipHash-2-4 that reads it: @hash returns the hash
 * of @len bytes at @msg under @key, in whatever representation the caller
 * keeps keys (a siphash_key_t in the kernel, 16 bytes for libsodium).
 * Passed in, not linked: every program that links the core (fuzzers
 * included) need not provide one.
 */
struct nfk_seq_key {
	u64 (*hash)(const void *key, const u8 *msg, size_t len);
	const void *key;
};

struct nfk_seq_params {
	u16 lo, hi;		/* port range, lo <= hi, NFK_SEQ_RANGE_MIN ports */
	u8 length;		/* steps, NFK_SEQ_LEN_MIN..NFK_SEQ_LEN_MAX */
	u8 step_proto;		/* IPPROTO_TCP (SYN) or IPPROTO_UDP */
	u32 window_s;		/* NFK_SEQ_WINDOW_MIN_S..NFK_SEQ_WINDOW_MAX_S */
};

/* The defaults: 4 TCP steps in 10000-65000, 30 s windows. */
void nfk_seq_params_default(struct nfk_seq_params *p);

/* 0 when @p is usable, else -EINVAL. */
int nfk_seq_params_check(const struct nfk_seq_params *p);

/* The window of @unix_s. */
u64 nfk_seq_window(const struct nfk_seq_params *p, u64 unix_s);

/* The message m(i, r) into @msg[NFK_SEQ_MSG_LEN] (exposed for vectors). */
void nfk_seq_message(u8 *msg, u64 window, u8 proto, u16 port, u8 i, u8 r);

/* Port of step @i given the previous step's port @prev (0 for step 0). */
u16 nfk_seq_step(const struct nfk_seq_key *key,
		 const struct nfk_seq_params *p, u64 window, u8 proto, u16 port,
		 u8 i, u16 prev);

/* The whole sequence, p->length ports into @ports. */
void nfk_seq_ports(const struct nfk_seq_key *key,
		   const struct nfk_seq_params *p, u64 window, u8 proto, u16 port,
		   u16 *ports);

/*
 * One attempt: the candidate a source's first step matched (the caller's
 * user and service, the window the step belonged to) and where it is.
 */
struct nfk_seq_attempt {
	u64 window;
	u64 deadline_ms;	/* the next step must come before this */
	u32 user;		/* caller's user id */
	u16 port;		/* the service it opens */
	u8 proto;
	u8 next;		/* index of the step expected next */
	u16 expect;		/* its port */
	u16 last;		/* port of step next - 1 */
	/* Static sequences (sseq.h) only: their steps mix protocols. */
	u8 is_static;
	u8 expect_proto;
	u8 last_proto;
};

enum nfk_seq_result {
	NFK_SEQ_OTHER,		/* not this attempt's (timed out, or a port
				 * that is no step of it): the caller checks
				 * for a first step and counts a failure */
	NFK_SEQ_REPEAT,		/* the previous step again: ignored */
	NFK_SEQ_PROGRESS,	/* the expected step: deadline renewed */
	NFK_SEQ_COMPLETE,	/* the last step: open the service */
};

/*
 * Start an attempt at step 0 (the caller found @dport among the first
 * steps of user @user's sequence for (@proto, @port) in @window) at
 * @now_ms; each step must follow the previous one within @step_timeout_ms.
 */
void nfk_seq_begin(struct nfk_seq_attempt *a,
		   const struct nfk_seq_key *key,
		   const struct nfk_seq_params *p, u64 window, u32 user,
		   u8 proto, u16 port, u16 dport, u64 now_ms,
		   u32 step_timeout_ms);

/*
 * Feed a step packet to @dport at @now_ms to attempt @a, whose user's key
 * and parameters are @key and @p. PROGRESS moves @a on; every other result
 * leaves it as it was (the caller drops it on OTHER and COMPLETE).
 */
enum nfk_seq_result nfk_seq_feed(struct nfk_seq_attempt *a,
				 const struct nfk_seq_key *key,
				 const struct nfk_seq_params *p, u16 dport,
				 u64 now_ms, u32 step_timeout_ms);

NFK_END_DECLS

#endif /* NFK_SEQ_H */
