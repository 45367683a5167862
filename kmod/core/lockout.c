// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Brute-force lockout of one knock source: count, lock, expire. */
#include "lockout.h"

void nfk_lockout_params_default(struct nfk_lockout_params *p)
{
	p->threshold = NFK_LOCKOUT_THRESHOLD_DEFAULT;
	p->window_ms = NFK_LOCKOUT_WINDOW_DEFAULT_MS;
	p->duration_ms = NFK_LOCKOUT_DURATION_DEFAULT_MS;
}

void nfk_lockout_source(u8 family, const u8 *addr, u8 *key)
{
	memset(key, 0, 16);
	if (family == 6)
		memcpy(key, addr, 8);
	else
		memcpy(key, addr, 4);
}

bool nfk_lockout_counts(enum nfknock_reject reason)
{
	switch (reason) {
	case NFKNOCK_REJ_BAD_AUTH:
	case NFKNOCK_REJ_STALE:
	case NFKNOCK_REJ_NOT_ALLOWED:
	case NFKNOCK_REJ_WRONG_STEP:
		return true;
	default:
		return false;
	}
}

bool nfk_lockout_locked(const struct nfk_lockout *l, u64 now_ms)
{
	return now_ms < l->until_ms;
}

/* No failure counted in a window still open at @now_ms. */
static bool window_over(const struct nfk_lockout *l,
			const struct nfk_lockout_params *p, u64 now_ms)
{
	return !l->failures || now_ms - l->first_ms >= p->window_ms;
}

bool nfk_lockout_fail(struct nfk_lockout *l,
		      const struct nfk_lockout_params *p, u64 now_ms)
{
	if (!p->threshold || nfk_lockout_locked(l, now_ms))
		return false;
	if (window_over(l, p, now_ms)) {
		l->first_ms = now_ms;
		l->failures = 0;
	}
	if (++l->failures < p->threshold)
		return false;
	l->until_ms = now_ms + p->duration_ms;
	l->failures = 0;
	return true;
}

bool nfk_lockout_idle(const struct nfk_lockout *l,
		      const struct nfk_lockout_params *p, u64 now_ms)
{
	return !nfk_lockout_locked(l, now_ms) && window_over(l, p, now_ms);
}
