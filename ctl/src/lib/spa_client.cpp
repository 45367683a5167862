// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "spa_client.hpp"

#include <cstring>

#include "errors.hpp"
#include "spa.h"

namespace knockctl {

static_assert(KNOCK_PAD_MIN == NFK_SPA_PAD_MIN);
static_assert(NFK_SPA_FIXED_LEN + KNOCK_PAD_MAX <= NFK_SPA_PT_MAX);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == NFK_SPA_NONCE_LEN);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == NFK_SPA_TAG_LEN);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

std::array<uint8_t, 16> wire_address(const Address &addr)
{
	std::array<uint8_t, 16> w{};

	if (addr.family == AF_INET6) {
		std::memcpy(w.data(), addr.bytes.data(), 16);
	} else {
		w[10] = 0xff;
		w[11] = 0xff;
		std::memcpy(w.data() + 12, addr.bytes.data(), 4);
	}
	return w;
}

std::vector<uint8_t> seal_knock(const UserKeys &keys, const KnockRequest &req,
				uint64_t now_unix_ms, const uint8_t *nonce,
				const uint8_t *pad, std::size_t pad_len)
{
	if (pad_len < NFK_SPA_PAD_MIN || NFK_SPA_FIXED_LEN + pad_len > NFK_SPA_PT_MAX)
		throw Error("knock padding out of range");

	struct nfk_spa_req r {};
	r.version = NFK_SPA_VERSION;
	r.type = req.type;
	r.proto = req.proto;
	r.flags = uint8_t((req.once ? NFK_SPA_F_ONCE : 0) |
			  (req.address ? NFK_SPA_F_ADDRESS : 0));
	r.port = req.port;
	r.duration_s = req.duration_s;
	r.timestamp_ms = now_unix_ms;
	if (req.address) {
		const auto w = wire_address(*req.address);
		std::memcpy(r.addr, w.data(), 16);
	}

	Secret<NFK_SPA_PT_MAX> pt;
	const std::size_t pt_len = nfk_spa_encode(&r, pad, pad_len, pt.data());
	const Hint hint = spa_hint(keys.k_hint, nfk_spa_window(now_unix_ms));

	std::vector<uint8_t> out(NFK_SPA_HINT_LEN + NFK_SPA_NONCE_LEN + pt_len +
				 NFK_SPA_TAG_LEN);
	std::memcpy(out.data(), hint.data(), NFK_SPA_HINT_LEN);
	std::memcpy(out.data() + NFK_SPA_HINT_LEN, nonce, NFK_SPA_NONCE_LEN);

	unsigned long long sealed_len = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out.data() + NFK_SPA_HINT_LEN + NFK_SPA_NONCE_LEN, &sealed_len,
		pt.data(), pt_len, hint.data(), hint.size(), nullptr, nonce,
		keys.k_aead.data());
	if (sealed_len != pt_len + NFK_SPA_TAG_LEN)
		throw Error("knock encryption failed");
	return out;
}

std::vector<uint8_t> make_knock(const UserKeys &keys, const KnockRequest &req,
				uint64_t now_unix_ms)
{
	uint8_t nonce[NFK_SPA_NONCE_LEN];
	uint8_t pad[KNOCK_PAD_MAX];

	sodium_ready();
	randombytes_buf(nonce, sizeof(nonce));
	const std::size_t pad_len = KNOCK_PAD_MIN +
		randombytes_uniform(uint32_t(KNOCK_PAD_MAX - KNOCK_PAD_MIN + 1));
	randombytes_buf(pad, pad_len);
	return seal_knock(keys, req, now_unix_ms, nonce, pad, pad_len);
}

} // namespace knockctl
