/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Single-packet authorization, wire format version 1 (docs/protocol.md):
 *
 *   hint (8) | nonce (24) | ciphertext (>= 48) | tag (16)
 *
 * plaintext, big-endian:
 *   version=1 (u8) | type (u8) | proto (u8) | flags (u8) | port (u16) |
 *   duration_s (u16) | timestamp_ms (u64, unix) | address (16, IPv4-mapped
 *   for IPv4) | padding (>= 16 random bytes)
 *
 * The AEAD itself (XChaCha20-Poly1305, AD = hint) is done by the caller:
 * lib/crypto in the kernel, libsodium in userspace. This file holds the
 * framing, the plaintext codec and every accept/reject rule after the tag.
 */
#ifndef NFK_SPA_H
#define NFK_SPA_H

#include "nfk_types.h"
#include "policy.h"

NFK_BEGIN_DECLS

#define NFK_SPA_HINT_LEN	8
#define NFK_SPA_NONCE_LEN	24
#define NFK_SPA_TAG_LEN		16
#define NFK_SPA_FIXED_LEN	32	/* plaintext fields before padding */
#define NFK_SPA_PAD_MIN		16
#define NFK_SPA_PT_MIN		(NFK_SPA_FIXED_LEN + NFK_SPA_PAD_MIN)
#define NFK_SPA_OVERHEAD	(NFK_SPA_HINT_LEN + NFK_SPA_NONCE_LEN + \
				 NFK_SPA_TAG_LEN)
#define NFK_SPA_MIN_LEN		(NFK_SPA_OVERHEAD + NFK_SPA_PT_MIN)	/* 96 */
#define NFK_SPA_MAX_LEN		256
#define NFK_SPA_PT_MAX		(NFK_SPA_MAX_LEN - NFK_SPA_OVERHEAD)
#define NFK_SPA_VERSION		1
#define NFK_SPA_WINDOW_S	60

enum nfk_spa_type {
	NFK_SPA_OPEN = 1,
	NFK_SPA_CLOSE = 2,
};

#define NFK_SPA_F_ADDRESS	0x01	/* grant the explicit address */
#define NFK_SPA_F_ONCE		0x02	/* one-shot grant */
#define NFK_SPA_F_ALL		(NFK_SPA_F_ADDRESS | NFK_SPA_F_ONCE)

struct nfk_spa_req {
	u8 version;
	u8 type;
	u8 proto;
	u8 flags;
	u16 port;
	u16 duration_s;
	u64 timestamp_ms;
	u8 addr[16];
};

/* Pieces of a datagram, pointing into it. */
struct nfk_spa_frame {
	const u8 *hint;
	const u8 *nonce;
	const u8 *sealed;	/* ciphertext followed by tag */
	size_t sealed_len;
	size_t pt_len;		/* plaintext length after opening */
};

/* The grant an accepted request asks for. */
struct nfk_spa_grant {
	u8 type;		/* NFK_SPA_OPEN or NFK_SPA_CLOSE */
	u8 family;		/* 4 or 6 */
	u8 addr[16];		/* IPv4 in the first 4 bytes */
	u8 proto;
	u16 port;
	u32 duration_s;		/* capped at the user's maximum */
	bool once;
	bool capped;		/* the request asked for more */
};

/* Split a datagram; false when its length is outside the format. */
bool nfk_spa_split(const u8 *dgram, size_t len, struct nfk_spa_frame *f);

/* Window number of a unix time in milliseconds. */
static inline u64 nfk_spa_window(u64 unix_ms)
{
	return unix_ms / 1000 / NFK_SPA_WINDOW_S;
}

/* Encode the plaintext of @req followed by @pad_len bytes of @pad into
 * @out (room for NFK_SPA_FIXED_LEN + pad_len). Returns the length.
 */
size_t nfk_spa_encode(const struct nfk_spa_req *req, const u8 *pad,
		      size_t pad_len, u8 *out);

/* Decode an opened plaintext: NFKNOCK_REJ_OK or NFKNOCK_REJ_MALFORMED. */
int nfk_spa_decode(const u8 *pt, size_t len, struct nfk_spa_req *req);

/*
 * Every rule after the tag, in order: skew, floor, binding (a user with
 * NFKNOCK_USER_F_REQUIRE_ADDRESS takes only a datagram that names its
 * own source: NFKNOCK_REJ_UNBOUND), validity and policy.
 * @src is the observed source (@family 4: first 4 bytes). A timestamp at
 * or below @floor_ms is a replay (the floor of this server instance; the
 * user's own replay set, replay.h, is checked by the caller after this).
 * Returns an enum nfknock_reject value; on NFKNOCK_REJ_OK @out holds the
 * grant to make.
 */
int nfk_spa_check(const struct nfk_spa_req *req,
		  const struct nfk_user_policy *pol, u64 now_unix_ms,
		  u32 skew_ms, u64 floor_ms, u8 family, const u8 *src,
		  struct nfk_spa_grant *out);

/* True for an address a grant can name (not ::, 0.0.0.0, multicast or
 * 255.255.255.255); a flagged request naming another one is malformed.
 */
bool nfk_spa_addr_unicast(const u8 addr[16]);

/* Address family and bytes of a 16-byte wire address (IPv4-mapped = 4). */
u8 nfk_spa_addr_family(const u8 addr[16]);

NFK_END_DECLS

#endif /* NFK_SPA_H */
