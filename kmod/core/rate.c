// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Fixed-window rate limit that counts what it suppressed. */
#include "rate.h"

bool nfk_rate_admit(struct nfk_rate *r, u32 interval_ms, u32 burst,
		    u64 now_ms, u32 *missed)
{
	*missed = 0;
	/* A new interval; a clock that went back starts one too. */
	if (now_ms - r->start_ms >= interval_ms || now_ms < r->start_ms) {
		r->start_ms = now_ms;
		r->used = 0;
	}
	if (r->used >= burst) {
		if (r->missed != (u32)-1)
			r->missed++;
		return false;
	}
	r->used++;
	*missed = r->missed;
	r->missed = 0;
	return true;
}
