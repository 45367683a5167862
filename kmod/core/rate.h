/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A fixed-window rate limit with a count of what it held back, for the
 * events and dmesg lines of one namespace: at most @burst admitted per
 * @interval_ms; the first admission of a new interval reports how many
 * the last busy interval suppressed, so the reader learns of the gap and
 * counters stay the exact record.
 *
 * Pure: the caller holds its own lock and passes the time in.
 */
#ifndef NFK_RATE_H
#define NFK_RATE_H

#include "nfk_types.h"

NFK_BEGIN_DECLS

struct nfk_rate {
	u64 start_ms;		/* start of the current interval */
	u32 used;		/* admitted in it */
	u32 missed;		/* suppressed since the last report */
};

/*
 * True when one more may go out at @now_ms. *@missed is set to what was
 * suppressed before and not yet reported (the caller reports it first),
 * else 0.
 */
bool nfk_rate_admit(struct nfk_rate *r, u32 interval_ms, u32 burst,
		    u64 now_ms, u32 *missed);

NFK_END_DECLS

#endif /* NFK_RATE_H */
