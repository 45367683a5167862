// SPDX-License-Identifier: GPL-2.0
/*
 * Audit events of a namespace: a message to the "events" multicast group
 * (while it has members) and, for what matters to an administrator, one
 * dmesg line in a stable key=value format (docs/kernel.md, "Events").
 * Both are rate-limited per namespace, so one namespace's flood can hide
 * neither another's lines nor its own gap: the first message after one
 * says how many were held back. Counters are kept by the callers, exact.
 */
#include <linux/inet.h>

#include "nfknock.h"
#include "netlink.h"

/* dmesg: at most this many lines per namespace per interval. */
#define NFKNOCK_LOG_BURST	10
#define NFKNOCK_LOG_INTERVAL_MS	5000

static const char *const event_name[__NFKNOCK_EVENT_LAST] = {
	[NFKNOCK_EVENT_KNOCK_ACCEPTED] = "knock_accepted",
	[NFKNOCK_EVENT_KNOCK_REJECTED] = "knock_rejected",
	[NFKNOCK_EVENT_GRANT_OPENED] = "grant_opened",
	[NFKNOCK_EVENT_GRANT_USED] = "grant_used",
	[NFKNOCK_EVENT_GRANT_EXPIRED] = "grant_expired",
	[NFKNOCK_EVENT_GRANT_REVOKED] = "grant_revoked",
	[NFKNOCK_EVENT_SEQ_PROGRESS] = "sequence_progress",
	[NFKNOCK_EVENT_SEQ_COMPLETED] = "sequence_completed",
	[NFKNOCK_EVENT_SEQ_FAILED] = "sequence_failed",
	[NFKNOCK_EVENT_LOCKOUT_STARTED] = "lockout_started",
	[NFKNOCK_EVENT_LOCKOUT_ENDED] = "lockout_ended",
	[NFKNOCK_EVENT_CONFIG_APPLIED] = "config_applied",
	[NFKNOCK_EVENT_CONFIG_CONFIRMED] = "config_confirmed",
	[NFKNOCK_EVENT_CONFIG_ROLLED_BACK] = "config_rolled_back",
	[NFKNOCK_EVENT_SUPPRESSED] = "suppressed",
};

const char *const nfknock_reject_name[__NFKNOCK_REJ_LAST] = {
	[NFKNOCK_REJ_OK] = "ok",
	[NFKNOCK_REJ_UNKNOWN] = "unknown",
	[NFKNOCK_REJ_BAD_AUTH] = "bad_auth",
	[NFKNOCK_REJ_STALE] = "stale",
	[NFKNOCK_REJ_REPLAY] = "replay",
	[NFKNOCK_REJ_NOT_ALLOWED] = "not_allowed",
	[NFKNOCK_REJ_MALFORMED] = "malformed",
	[NFKNOCK_REJ_TABLE_FULL] = "table_full",
	[NFKNOCK_REJ_UNBOUND] = "unbound",
	[NFKNOCK_REJ_WRONG_STEP] = "wrong_step",
	[NFKNOCK_REJ_TIMEOUT] = "timeout",
	[NFKNOCK_REJ_LOCKED_OUT] = "locked_out",
};

void nfknock_limiter_init(struct nfknock_limiter *l)
{
	spin_lock_init(&l->lock);
	memset(&l->r, 0, sizeof(l->r));
}

static bool limiter_admit(struct nfknock_limiter *l, u32 interval_ms,
			  u32 burst, u32 *missed)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&l->lock, flags);
	ok = nfk_rate_admit(&l->r, interval_ms, burst, nfknock_now_ms(),
			    missed);
	spin_unlock_irqrestore(&l->lock, flags);
	return ok;
}

/*
 * Which events make a dmesg line: what an administrator acts on. A
 * garbage datagram (unknown), sequence steps and failures, and the grant
 * table's own traffic are events and counters only.
 */
static bool logged(const struct nfknock_ev *ev)
{
	switch (ev->type) {
	case NFKNOCK_EVENT_KNOCK_ACCEPTED:
	case NFKNOCK_EVENT_SEQ_COMPLETED:
	case NFKNOCK_EVENT_LOCKOUT_STARTED:
	case NFKNOCK_EVENT_LOCKOUT_ENDED:
	case NFKNOCK_EVENT_CONFIG_APPLIED:
	case NFKNOCK_EVENT_CONFIG_CONFIRMED:
	case NFKNOCK_EVENT_CONFIG_ROLLED_BACK:
		return true;
	case NFKNOCK_EVENT_KNOCK_REJECTED:
		return ev->reason != NFKNOCK_REJ_UNKNOWN;
	case NFKNOCK_EVENT_SEQ_FAILED:
		return ev->reason == NFKNOCK_REJ_NOT_ALLOWED;
	default:
		return false;
	}
}

static int put_addr(char *buf, size_t len, const char *key, u8 family,
		    const u8 *a)
{
	if (family == NFK_FAMILY_V4)
		return scnprintf(buf, len, " %s=%pI4", key, a);
	return scnprintf(buf, len, " %s=%pI6c", key, a);
}

static void log_event(struct nfknock_net *nn, const struct nfknock_ev *ev)
{
	char line[320];
	size_t n;
	u32 missed;

	if (!limiter_admit(&nn->log_limit, NFKNOCK_LOG_INTERVAL_MS,
			   NFKNOCK_LOG_BURST, &missed))
		return;
	n = 0;
	if (ev->user)
		n += scnprintf(line + n, sizeof(line) - n, " user=%s", ev->user);
	if (ev->sequence)
		n += scnprintf(line + n, sizeof(line) - n, " sequence=%s",
			       ev->sequence);
	if (ev->family)
		n += put_addr(line + n, sizeof(line) - n, "source", ev->family,
			      ev->source);
	if (ev->unverified)
		n += scnprintf(line + n, sizeof(line) - n, " unverified=yes");
	if (ev->type == NFKNOCK_EVENT_KNOCK_REJECTED ||
	    ev->type == NFKNOCK_EVENT_SEQ_FAILED)
		n += scnprintf(line + n, sizeof(line) - n, " reason=%s",
			       nfknock_reject_name[ev->reason]);
	if (ev->proto)
		n += scnprintf(line + n, sizeof(line) - n, " service=%s/%u",
			       ev->proto == IPPROTO_TCP ? "tcp" : "udp",
			       ev->port);
	if (ev->flags & NFKNOCK_EV_F_CLOSE)
		n += scnprintf(line + n, sizeof(line) - n, " action=close");
	if (ev->gfamily)
		n += put_addr(line + n, sizeof(line) - n, "address",
			      ev->gfamily, ev->addr);
	if (ev->duration_s && !(ev->flags & NFKNOCK_EV_F_TRIAL))
		n += scnprintf(line + n, sizeof(line) - n, " duration=%us",
			       ev->duration_s);
	if (ev->flags & NFKNOCK_EV_F_ONCE)
		n += scnprintf(line + n, sizeof(line) - n, " once=yes");
	if (ev->flags & NFKNOCK_EV_F_CAPPED)
		n += scnprintf(line + n, sizeof(line) - n, " capped=yes");
	if (ev->flags & NFKNOCK_EV_F_TRIAL)
		n += scnprintf(line + n, sizeof(line) - n,
			       " trial=yes confirm=%us", ev->duration_s);
	if (ev->type == NFKNOCK_EVENT_CONFIG_APPLIED ||
	    ev->type == NFKNOCK_EVENT_CONFIG_CONFIRMED ||
	    ev->type == NFKNOCK_EVENT_CONFIG_ROLLED_BACK)
		n += scnprintf(line + n, sizeof(line) - n, " revoked=%u",
			       ev->count);
	/* Lines of other namespaces say whose they are. */
	if (!net_eq(nn->net, &init_net))
		n += scnprintf(line + n, sizeof(line) - n, " netns=%u",
			       nn->net->ns.inum);
	if (missed) {
		if (net_eq(nn->net, &init_net))
			pr_info("suppressed lines=%u\n", missed);
		else
			pr_info("suppressed lines=%u netns=%u\n", missed,
				nn->net->ns.inum);
	}
	pr_info("%s%s\n", event_name[ev->type], line);
}

void nfknock_event(struct nfknock_net *nn, const struct nfknock_ev *ev)
{
	u32 missed;

	if (WARN_ON_ONCE(ev->type >= __NFKNOCK_EVENT_LAST ||
			 ev->reason >= __NFKNOCK_REJ_LAST))
		return;
	if (logged(ev))
		log_event(nn, ev);
	if (!nfknock_nl_event_listeners(nn->net))
		return;
	if (!limiter_admit(&nn->ev_limit, 1000, NFKNOCK_EVENTS_PER_S, &missed))
		return;
	if (missed) {
		struct nfknock_ev gap = {
			.type = NFKNOCK_EVENT_SUPPRESSED,
			.count = missed,
		};

		nfknock_nl_event_send(nn->net, &gap);
	}
	nfknock_nl_event_send(nn->net, ev);
}
