/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Replay protection of one knock user, without locking anyone out.
 *
 * A datagram is identified by @id (the first 8 bytes of its AEAD tag, which
 * differ for every sealed datagram) and carries the client's timestamp @ts
 * (unix ms, the client's clock). The state remembers the last
 * NFK_REPLAY_SLOTS accepted datagrams and a floor:
 *
 *   refused as a replay iff  ts <= floor  or  (id, ts) is remembered
 *
 * When the set is full, the datagram with the smallest timestamp (the new
 * one included) is forgotten and the floor rises to that timestamp. So a datagram accepted once is
 * refused forever after: it is either still remembered or below the floor,
 * which never goes down. Timestamps are the client's, so a step of the
 * server's wall clock moves nothing here.
 *
 * Unlike a strictly increasing "last timestamp" rule, a knock whose
 * timestamp is below the user's newest one is accepted (a second device
 * whose clock is a few seconds behind the first), as long as it is above
 * the floor, which trails NFK_REPLAY_SLOTS accepted knocks behind.
 *
 * Pure: no locks, no clock. The kernel calls check and note under one
 * per-user lock; a check without a note changes nothing.
 */
#ifndef NFK_REPLAY_H
#define NFK_REPLAY_H

#include "nfk_types.h"

NFK_BEGIN_DECLS

#define NFK_REPLAY_SLOTS 8

struct nfk_replay_entry {
	u64 ts;		/* client timestamp, unix ms */
	u64 id;		/* entries past n are zero */
};

struct nfk_replay {
	u64 floor;	/* refuse ts <= floor */
	u64 newest;	/* highest accepted timestamp (reporting only) */
	u32 n;		/* entries in use, at the front of e[] */
	struct nfk_replay_entry e[NFK_REPLAY_SLOTS];
};

/* Empty state whose floor is @floor. */
void nfk_replay_init(struct nfk_replay *r, u64 floor);

/* True when a datagram (@ts, @id) must be refused as a replay. */
bool nfk_replay_seen(const struct nfk_replay *r, u64 ts, u64 id);

/*
 * Remember an accepted datagram (call only after nfk_replay_seen() said
 * false, under the same lock; a refused one is ignored). When full, the
 * datagram with the smallest timestamp among the remembered ones and the
 * new one is forgotten and the floor rises to its timestamp (entries the
 * floor then covers are dropped too).
 */
void nfk_replay_note(struct nfk_replay *r, u64 ts, u64 id);

/* The highest timestamp refused by @r alone: max(floor, newest). Used to
 * carry a removed user's protection over to whoever reuses its key.
 */
u64 nfk_replay_high(const struct nfk_replay *r);

NFK_END_DECLS

#endif /* NFK_REPLAY_H */
