/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The set of guarded services of one namespace, with one port bitmap per
 * protocol so the packet fast path is a single bit test.
 */
#ifndef NFK_GUARDSET_H
#define NFK_GUARDSET_H

#include "nfk_types.h"
#include "service.h"
#include "../../include/uapi/linux/nfknock.h"

NFK_BEGIN_DECLS

#define NFK_PORT_WORDS (65536 / 64)

struct nfk_portmap {
	u64 w[NFK_PORT_WORDS];
};

struct nfk_guardset {
	struct nfk_portmap tcp;
	struct nfk_portmap udp;
	u32 count;
	struct nfk_service svc[NFKNOCK_GUARDS_MAX];
};

static inline bool nfk_portmap_test(const struct nfk_portmap *m, u16 port)
{
	return (m->w[port >> 6] >> (port & 63)) & 1;
}

/* The bitmap of @proto, or NULL for a protocol nfknock never guards. */
static inline const struct nfk_portmap *
nfk_guardset_map(const struct nfk_guardset *gs, u8 proto)
{
	if (proto == IPPROTO_TCP)
		return &gs->tcp;
	if (proto == IPPROTO_UDP)
		return &gs->udp;
	return NULL;
}

static inline bool nfk_guardset_covers(const struct nfk_guardset *gs,
				       u8 proto, u16 port)
{
	const struct nfk_portmap *m = nfk_guardset_map(gs, proto);

	return m && nfk_portmap_test(m, port);
}

/* Empty set. */
void nfk_guardset_init(struct nfk_guardset *gs);

/* 0, -EINVAL (invalid service), -EEXIST (identical guard), -ENOSPC. */
int nfk_guardset_add(struct nfk_guardset *gs, const struct nfk_service *svc);

/* 0 or -ENOENT when no identical guard exists. */
int nfk_guardset_del(struct nfk_guardset *gs, const struct nfk_service *svc);

NFK_END_DECLS

#endif /* NFK_GUARDSET_H */
