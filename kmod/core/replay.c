// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-user replay set: the last accepted datagrams above a rising floor. */
#include "replay.h"

void nfk_replay_init(struct nfk_replay *r, u64 floor)
{
	memset(r, 0, sizeof(*r));
	r->floor = floor;
}

static bool remembered(const struct nfk_replay *r, u64 ts, u64 id)
{
	u32 i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].ts == ts && r->e[i].id == id)
			return true;
	return false;
}

bool nfk_replay_seen(const struct nfk_replay *r, u64 ts, u64 id)
{
	return ts <= r->floor || remembered(r, ts, id);
}

/* Drop the entries the floor now covers, keeping e[0..n-1] compact. */
static void drop_covered(struct nfk_replay *r)
{
	u32 i, k = 0;

	for (i = 0; i < r->n; i++)
		if (r->e[i].ts > r->floor)
			r->e[k++] = r->e[i];
	for (i = k; i < r->n; i++)
		memset(&r->e[i], 0, sizeof(r->e[i]));
	r->n = k;
}

void nfk_replay_note(struct nfk_replay *r, u64 ts, u64 id)
{
	u32 i, old = 0;

	/* Already refused (a caller that skipped nfk_replay_seen()): storing
	 * it again would only waste a slot.
	 */
	if (nfk_replay_seen(r, ts, id))
		return;
	if (ts > r->newest)
		r->newest = ts;

	if (r->n < NFK_REPLAY_SLOTS) {
		r->e[r->n].ts = ts;
		r->e[r->n].id = id;
		r->n++;
		return;
	}

	for (i = 1; i < r->n; i++)
		if (r->e[i].ts < r->e[old].ts)
			old = i;
	/* The new datagram older than all remembered: forget it at once,
	 * raising the floor only to its own timestamp (not past the stored
	 * ones, which would refuse knocks in between for nothing).
	 */
	if (ts < r->e[old].ts) {
		r->floor = ts;
		return;
	}
	if (r->e[old].ts > r->floor)
		r->floor = r->e[old].ts;
	r->e[old].ts = ts;
	r->e[old].id = id;
	/* The evicted entry's timestamp equals may remain: the floor covers
	 * them now.
	 */
	drop_covered(r);
}

u64 nfk_replay_high(const struct nfk_replay *r)
{
	return r->newest > r->floor ? r->newest : r->floor;
}
