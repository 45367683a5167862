// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Guarded services: list plus derived per-protocol port bitmaps. */
#include "guardset.h"

static void portmap_set_range(struct nfk_portmap *m, u32 lo, u32 hi)
{
	u32 p;

	for (p = lo; p <= hi; p++)
		m->w[p >> 6] |= 1ULL << (p & 63);
}

/* Bitmaps are derived state: rebuilt from the list so ranges may overlap. */
static void rebuild_maps(struct nfk_guardset *gs)
{
	u32 i;

	memset(&gs->tcp, 0, sizeof(gs->tcp));
	memset(&gs->udp, 0, sizeof(gs->udp));
	for (i = 0; i < gs->count; i++) {
		const struct nfk_service *s = &gs->svc[i];

		portmap_set_range(s->proto == IPPROTO_TCP ? &gs->tcp : &gs->udp,
				  s->port, s->port_end);
	}
}

void nfk_guardset_init(struct nfk_guardset *gs)
{
	memset(gs, 0, sizeof(*gs));
}

static bool same_service(const struct nfk_service *a,
			 const struct nfk_service *b)
{
	return a->proto == b->proto && a->port == b->port &&
	       a->port_end == b->port_end;
}

static int find(const struct nfk_guardset *gs, const struct nfk_service *svc)
{
	u32 i;

	for (i = 0; i < gs->count; i++)
		if (same_service(&gs->svc[i], svc))
			return (int)i;
	return -1;
}

int nfk_guardset_add(struct nfk_guardset *gs, const struct nfk_service *svc)
{
	if (!nfk_service_valid(svc))
		return -EINVAL;
	if (find(gs, svc) >= 0)
		return -EEXIST;
	if (gs->count >= NFKNOCK_GUARDS_MAX)
		return -ENOSPC;
	gs->svc[gs->count++] = *svc;
	rebuild_maps(gs);
	return 0;
}

int nfk_guardset_del(struct nfk_guardset *gs, const struct nfk_service *svc)
{
	int i = find(gs, svc);

	if (i < 0)
		return -ENOENT;
	gs->svc[i] = gs->svc[--gs->count];
	memset(&gs->svc[gs->count], 0, sizeof(gs->svc[0]));
	rebuild_maps(gs);
	return 0;
}
