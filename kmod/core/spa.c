// SPDX-License-Identifier: GPL-2.0 OR MIT
/* SPA framing, plaintext codec and acceptance rules. */
#include "spa.h"

static const u8 v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				       0xff, 0xff};

static u16 get16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static u64 get64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static void put64(u8 *p, u64 v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (u8)v;
		v >>= 8;
	}
}

bool nfk_spa_split(const u8 *dgram, size_t len, struct nfk_spa_frame *f)
{
	if (len < NFK_SPA_MIN_LEN || len > NFK_SPA_MAX_LEN)
		return false;
	f->hint = dgram;
	f->nonce = dgram + NFK_SPA_HINT_LEN;
	f->sealed = f->nonce + NFK_SPA_NONCE_LEN;
	f->sealed_len = len - NFK_SPA_HINT_LEN - NFK_SPA_NONCE_LEN;
	f->pt_len = f->sealed_len - NFK_SPA_TAG_LEN;
	return true;
}

size_t nfk_spa_encode(const struct nfk_spa_req *req, const u8 *pad,
		      size_t pad_len, u8 *out)
{
	out[0] = req->version;
	out[1] = req->type;
	out[2] = req->proto;
	out[3] = req->flags;
	put16(out + 4, req->port);
	put16(out + 6, req->duration_s);
	put64(out + 8, req->timestamp_ms);
	memcpy(out + 16, req->addr, 16);
	if (pad_len)
		memcpy(out + NFK_SPA_FIXED_LEN, pad, pad_len);
	return NFK_SPA_FIXED_LEN + pad_len;
}

/*
 * An address a grant can be for: not unspecified, not multicast, not the
 * IPv4 limited broadcast (a subnet's directed broadcast is not known here;
 * the stack never delivers a TCP handshake from one anyway).
 */
bool nfk_spa_addr_unicast(const u8 addr[16])
{
	static const u8 zero[16];

	if (nfk_spa_addr_family(addr) == 4) {
		const u8 *a = addr + 12;

		return memcmp(a, zero, 4) && (a[0] & 0xf0) != 0xe0 &&
		       !(a[0] == 0xff && a[1] == 0xff && a[2] == 0xff &&
			 a[3] == 0xff);
	}
	return memcmp(addr, zero, 16) && addr[0] != 0xff;
}

int nfk_spa_decode(const u8 *pt, size_t len, struct nfk_spa_req *req)
{
	if (len < NFK_SPA_PT_MIN || len > NFK_SPA_PT_MAX)
		return NFKNOCK_REJ_MALFORMED;
	req->version = pt[0];
	req->type = pt[1];
	req->proto = pt[2];
	req->flags = pt[3];
	req->port = get16(pt + 4);
	req->duration_s = get16(pt + 6);
	req->timestamp_ms = get64(pt + 8);
	memcpy(req->addr, pt + 16, 16);
	if (req->version != NFK_SPA_VERSION ||
	    (req->type != NFK_SPA_OPEN && req->type != NFK_SPA_CLOSE) ||
	    (req->proto != IPPROTO_TCP && req->proto != IPPROTO_UDP) ||
	    (req->flags & ~NFK_SPA_F_ALL) || req->port == 0 ||
	    (req->type == NFK_SPA_OPEN && req->duration_s == 0) ||
	    ((req->flags & NFK_SPA_F_ADDRESS) &&
	     !nfk_spa_addr_unicast(req->addr)))
		return NFKNOCK_REJ_MALFORMED;
	return NFKNOCK_REJ_OK;
}

u8 nfk_spa_addr_family(const u8 addr[16])
{
	return memcmp(addr, v4mapped_prefix, 12) ? 6 : 4;
}

static void target_address(const struct nfk_spa_req *req, u8 family,
			   const u8 *src, struct nfk_spa_grant *out)
{
	memset(out->addr, 0, sizeof(out->addr));
	if (req->flags & NFK_SPA_F_ADDRESS) {
		out->family = nfk_spa_addr_family(req->addr);
		if (out->family == 4)
			memcpy(out->addr, req->addr + 12, 4);
		else
			memcpy(out->addr, req->addr, 16);
	} else {
		out->family = family;
		memcpy(out->addr, src, family == 4 ? 4 : 16);
	}
}

int nfk_spa_check(const struct nfk_spa_req *req,
		  const struct nfk_user_policy *pol, u64 now_unix_ms,
		  u32 skew_ms, u64 floor_ms, u8 family, const u8 *src,
		  struct nfk_spa_grant *out)
{
	u64 ts = req->timestamp_ms;
	size_t alen = family == 4 ? 4 : 16;

	if (ts + skew_ms < now_unix_ms || ts > now_unix_ms + skew_ms)
		return NFKNOCK_REJ_STALE;
	if (ts <= floor_ms)
		return NFKNOCK_REJ_REPLAY;
	target_address(req, family, src, out);
	/* Before anything is claimed: the sender's own copy stays good. */
	if ((pol->flags & NFKNOCK_USER_F_REQUIRE_ADDRESS) &&
	    (!(req->flags & NFK_SPA_F_ADDRESS) || out->family != family ||
	     memcmp(out->addr, src, alen)))
		return NFKNOCK_REJ_UNBOUND;
	if (!nfk_policy_admits(pol, now_unix_ms, req->proto, req->port, family,
			       src))
		return NFKNOCK_REJ_NOT_ALLOWED;
	if (!nfk_policy_allows_source(pol, out->family, out->addr))
		return NFKNOCK_REJ_NOT_ALLOWED;

	out->type = req->type;
	out->proto = req->proto;
	out->port = req->port;
	out->once = req->flags & NFK_SPA_F_ONCE;
	out->duration_s = req->duration_s;
	out->capped = req->duration_s > pol->max_duration_s;
	if (out->capped)
		out->duration_s = pol->max_duration_s;
	return NFKNOCK_REJ_OK;
}
