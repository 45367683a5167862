/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* A guarded service: protocol and an inclusive port range. */
#ifndef NFK_SERVICE_H
#define NFK_SERVICE_H

#include "nfk_types.h"

NFK_BEGIN_DECLS

struct nfk_service {
	u8 proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	u16 port;	/* first port, >= 1 */
	u16 port_end;	/* last port, >= port */
};

enum nfk_service_err {
	NFK_SVC_OK = 0,
	NFK_SVC_E_FORMAT,	/* not PROTO/PORT[-PORT] */
	NFK_SVC_E_PROTO,	/* protocol other than tcp or udp */
	NFK_SVC_E_PORT,		/* port not a number */
	NFK_SVC_E_RANGE,	/* port outside 1..65535 */
	NFK_SVC_E_ORDER,	/* last port below first port */
	NFK_SVC_E_SINGLE,	/* a range where one port is needed */
};

/* Longest text nfk_service_format() writes, with the terminating NUL. */
#define NFK_SERVICE_STRLEN sizeof("tcp/65535-65535")

/*
 * Parse "tcp/22", "udp/8000-8100" (case-sensitive, no spaces) from the
 * @len bytes at @s. Returns NFK_SVC_OK and fills @out, or an error code and
 * leaves @out untouched. With @single set, a range is refused.
 */
int nfk_service_parse(const char *s, size_t len, bool single,
		      struct nfk_service *out);

/* Human text for an error code: "port out of range" etc. */
const char *nfk_service_strerror(int err);

/* "tcp/22" or "tcp/8000-8100"; returns the length written (no NUL). */
size_t nfk_service_format(const struct nfk_service *svc, char *buf,
			  size_t size);

/* Protocol name ("tcp", "udp") or NULL. */
const char *nfk_proto_name(u8 proto);

/* True when @svc is a valid guard: tcp/udp and 1 <= port <= port_end. */
bool nfk_service_valid(const struct nfk_service *svc);

/*
 * True when @svc is of protocol @proto and its range holds @port. The one
 * rule for "this port belongs to that service": the kernel's knock-port /
 * guard overlap test and knockctl's check use it, and the guard set's
 * bitmaps give the same answer (a unit test compares them).
 */
bool nfk_service_covers(const struct nfk_service *svc, u8 proto, u16 port);

/* True when @a and @b are of one protocol and share a port. */
bool nfk_service_overlaps(const struct nfk_service *a,
			  const struct nfk_service *b);

NFK_END_DECLS

#endif /* NFK_SERVICE_H */
