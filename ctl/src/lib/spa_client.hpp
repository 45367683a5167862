// SPDX-License-Identifier: GPL-2.0 OR MIT
// The knock datagram of docs/protocol.md, built with the core's plaintext codec
// (kmod/core/spa.h) and libsodium's XChaCha20-Poly1305-IETF:
//
//   hint (8) | nonce (24) | AEAD(k_aead, AD = hint, plaintext) | tag (16)
//
// plaintext = nfk_spa_encode(request) followed by 16..80 random bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "derive.hpp"
#include "model.hpp"

namespace knockctl {

inline constexpr std::size_t KNOCK_PAD_MIN = 16;	// NFK_SPA_PAD_MIN
inline constexpr std::size_t KNOCK_PAD_MAX = 80;

struct KnockRequest {
	uint8_t type = 0;		// NFK_SPA_OPEN or NFK_SPA_CLOSE
	uint8_t proto = 0;		// IPPROTO_TCP or IPPROTO_UDP
	uint16_t port = 0;
	uint16_t duration_s = 0;	// 1..65535 for OPEN
	bool once = false;		// NFK_SPA_F_ONCE
	std::optional<Address> address;	// NFK_SPA_F_ADDRESS
};

// Deterministic: the given nonce and padding (16..176 bytes). Used by the
// test vectors; make_knock() is the real thing.
std::vector<uint8_t> seal_knock(const UserKeys &keys, const KnockRequest &req,
				uint64_t now_unix_ms, const uint8_t *nonce,
				const uint8_t *pad, std::size_t pad_len);

// Random nonce, random padding of random length 16..80.
std::vector<uint8_t> make_knock(const UserKeys &keys, const KnockRequest &req,
				uint64_t now_unix_ms);

// The 16 wire bytes of an address: IPv6 as is, IPv4 as ::ffff:a.b.c.d.
std::array<uint8_t, 16> wire_address(const Address &addr);

} // namespace knockctl
