// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer: one attempt of a derived sequence (kmod/core/seq.c), or of a
 * static one (kmod/core/sseq.c) when the first byte's top bit is set, fed
 * a fuzzer-chosen stream of step packets and clock jumps. Whatever
 * arrives: the attempt completes only after every step of its sequence, in
 * order, each before the step timeout; a repeat or a foreign port changes
 * nothing; progress moves exactly one step.
 */
#include <stdlib.h>

#include "seq.h"
#include "sseq.h"

/* Not SipHash: the state machine is under test, not the hash (the unit
 * tests check the derivation against vectors). FNV-1a over key and message.
 */
static u64 toy_hash(const void *key, const u8 *msg, size_t len)
{
	const u8 *k = key;
	u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ k[i]) * 0x100000001b3ULL;
	for (i = 0; i < len; i++)
		h = (h ^ msg[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * A static sequence of 2..16 steps over 4 ports of both protocols (so the
 * fuzzer hits steps, repeats and returns to earlier steps often), then
 * 3-byte events: a step index (or "expected", "last"), a protocol flip, a
 * time step.
 */
static int fuzz_static(const u8 *data, size_t size)
{
	struct nfk_static_seq s = { .opens = { 22, IPPROTO_TCP },
				    .duration_s = 30 };
	struct nfk_seq_attempt a, before;
	const u32 timeout = 5000;
	u64 now = 1000000;
	u8 done = 1;
	size_t i;

	s.n = NFK_STATIC_STEPS_MIN + data[1] % (NFK_STATIC_STEPS_MAX -
						NFK_STATIC_STEPS_MIN + 1);
	for (i = 0; i < s.n; i++) {
		u8 b = i + 2 < size ? data[i + 2] : (u8)i;

		s.step[i].port = 7000 + (b & 3);
		s.step[i].proto = b & 4 ? IPPROTO_UDP : IPPROTO_TCP;
		if (i && s.step[i].port == s.step[i - 1].port &&
		    s.step[i].proto == s.step[i - 1].proto)
			s.step[i].port += 10;
	}
	if (nfk_static_check(&s))
		abort();
	nfk_static_begin(&a, &s, 5, now, timeout);
	if (a.next != 1 || a.expect != s.step[1].port ||
	    a.expect_proto != s.step[1].proto || !a.is_static)
		abort();
	for (i = 2 + s.n; i + 3 <= size; i += 3) {
		u8 sel = data[i];
		u8 proto = data[i + 1] & 1 ? IPPROTO_UDP : IPPROTO_TCP;
		u16 dport = sel == 0xff ? a.expect : sel == 0xfe ? a.last :
			    s.step[sel % s.n].port;
		enum nfk_seq_result r;
		bool late;

		if (sel == 0xff && !(data[i + 1] & 2))
			proto = a.expect_proto;
		now += (u64)data[i + 2] * 64;
		late = now >= a.deadline_ms;
		before = a;
		r = nfk_static_feed(&a, &s, proto, dport, now, timeout);
		if (r != NFK_SEQ_PROGRESS && memcmp(&a, &before, sizeof(a)))
			abort();
		if (r != NFK_SEQ_OTHER && late)
			abort();
		switch (r) {
		case NFK_SEQ_OTHER:
			if (!late && dport == before.expect &&
			    proto == before.expect_proto)
				abort();
			return 0;
		case NFK_SEQ_REPEAT:
			if (dport != before.last || proto != before.last_proto)
				abort();
			break;
		case NFK_SEQ_PROGRESS:
			if (dport != s.step[before.next].port ||
			    proto != s.step[before.next].proto ||
			    a.next != before.next + 1 || a.next >= s.n ||
			    a.deadline_ms != now + timeout)
				abort();
			done = a.next;
			break;
		case NFK_SEQ_COMPLETE:
			if (before.next + 1 != s.n || done + 1 != s.n ||
			    dport != s.step[s.n - 1].port)
				abort();
			return 0;
		default:
			abort();
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u8 kbytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
				       9, 10, 11, 12, 13, 14, 15, 16 };
	const struct nfk_seq_key key = { toy_hash, kbytes };
	struct nfk_seq_params p;
	struct nfk_seq_attempt a, before;
	u16 ports[NFK_SEQ_LEN_MAX];
	u64 now = 1000000;
	const u32 timeout = 5000;
	u8 done = 1;	/* steps sent in order, in time, so far */
	size_t i;

	if (size < 4)
		return 0;
	if (data[0] & 0x80)
		return fuzz_static(data, size);
	nfk_seq_params_default(&p);
	p.length = NFK_SEQ_LEN_MIN + data[0] % (NFK_SEQ_LEN_MAX -
						 NFK_SEQ_LEN_MIN + 1);
	/* A small range makes the fuzzer's ports hit steps often. */
	p.hi = p.lo + NFK_SEQ_RANGE_MIN - 1 + (data[1] & 1) * 50000;
	if (nfk_seq_params_check(&p))
		abort();
	nfk_seq_ports(&key, &p, data[2], IPPROTO_TCP, 22, ports);
	for (i = 0; i < p.length; i++)
		if (ports[i] < p.lo || ports[i] > p.hi ||
		    (i && ports[i] == ports[i - 1]))
			abort();
	nfk_seq_begin(&a, &key, &p, data[2], 9, IPPROTO_TCP, 22, ports[0],
		      now, timeout);
	if (a.next != 1 || a.expect != ports[1] || a.last != ports[0])
		abort();

	/* Each event: 2 bytes of port offset (or "the expected one"), 1 of
	 * time step in units of 64 ms.
	 */
	for (i = 3; i + 3 <= size; i += 3) {
		u16 off = (u16)(data[i] | data[i + 1] << 8);
		u16 dport = off == 0xffff ? a.expect :
			    off == 0xfffe ? a.last :
			    (u16)(p.lo + off % (p.hi - p.lo + 1));
		enum nfk_seq_result r;
		bool late;

		now += (u64)data[i + 2] * 64;
		late = now >= a.deadline_ms;
		before = a;
		r = nfk_seq_feed(&a, &key, &p, dport, now, timeout);
		switch (r) {
		case NFK_SEQ_OTHER:
			if (!late && dport == before.expect)
				abort();
			/* fall through */
		case NFK_SEQ_REPEAT:
			if (memcmp(&a, &before, sizeof(a)))
				abort();
			if (r == NFK_SEQ_REPEAT &&
			    (late || dport != before.last))
				abort();
			if (r == NFK_SEQ_OTHER)
				return 0;	/* the caller drops it */
			break;
		case NFK_SEQ_PROGRESS:
			if (late || dport != ports[before.next] ||
			    a.next != before.next + 1 || a.last != dport ||
			    a.expect != ports[a.next] || a.next >= p.length ||
			    a.deadline_ms != now + timeout)
				abort();
			done = a.next;
			break;
		case NFK_SEQ_COMPLETE:
			if (late || before.next + 1 != p.length ||
			    dport != ports[p.length - 1] ||
			    done + 1 != p.length)
				abort();
			return 0;
		default:
			abort();
		}
	}
	return 0;
}
