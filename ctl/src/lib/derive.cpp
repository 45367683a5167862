// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "derive.hpp"

#include <initializer_list>
#include <span>

#include "errors.hpp"

namespace knockctl {

static_assert(sizeof(KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(crypto_kdf_KEYBYTES == 32);
static_assert(crypto_shorthash_siphash24_KEYBYTES == 16);

Secret<32> shared_secret(const PrivateKey &sk, const PublicKey &pk)
{
	Secret<32> s;

	sodium_ready();
	if (crypto_scalarmult(s.data(), sk.data(), pk.data()) != 0 ||
	    sodium_is_zero(s.data(), s.size()))
		throw Error("weak public key (all-zero shared secret)");
	return s;
}

namespace {

// Unkeyed BLAKE2b of @parts one after the other, @out_len bytes into @out.
void blake2b(uint8_t *out, std::size_t out_len,
	     std::initializer_list<std::span<const uint8_t>> parts)
{
	crypto_generichash_state st;

	sodium_ready();
	crypto_generichash_init(&st, nullptr, 0, out_len);
	for (const std::span<const uint8_t> part : parts)
		crypto_generichash_update(&st, part.data(), part.size());
	crypto_generichash_final(&st, out, out_len);
	sodium_memzero(&st, sizeof(st));
}

} // namespace

Secret<32> kdf_key(const Secret<32> &s, const PublicKey &server_pk,
		   const PublicKey &client_pk)
{
	Secret<32> key;

	blake2b(key.data(), key.size(), {{s.data(), s.size()}, server_pk, client_pk});
	return key;
}

UserKeys derive_user_keys(const Secret<32> &key)
{
	UserKeys k;

	sodium_ready();
	crypto_kdf_derive_from_key(k.k_aead.data(), k.k_aead.size(), 1,
				   KDF_CONTEXT, key.data());
	crypto_kdf_derive_from_key(k.k_hint.data(), k.k_hint.size(), 2,
				   KDF_CONTEXT, key.data());
	crypto_kdf_derive_from_key(k.k_seq.data(), k.k_seq.size(), 3,
				   KDF_CONTEXT, key.data());
	return k;
}

UserKeys server_side_keys(const PrivateKey &server_sk, const PublicKey &client_pk)
{
	const PublicKey server_pk = public_key(server_sk);

	return derive_user_keys(kdf_key(shared_secret(server_sk, client_pk),
					server_pk, client_pk));
}

UserKeys client_side_keys(const PrivateKey &client_sk, const PublicKey &server_pk)
{
	const PublicKey client_pk = public_key(client_sk);

	return derive_user_keys(kdf_key(shared_secret(client_sk, server_pk),
					server_pk, client_pk));
}

Fingerprint fingerprint(const PublicKey &client_pk)
{
	Fingerprint f{};

	blake2b(f.data(), f.size(), {client_pk});
	return f;
}

Fingerprint next_fingerprint(const PublicKey &client_pk, const PublicKey &server_pk)
{
	Fingerprint f{};

	blake2b(f.data(), f.size(), {client_pk, server_pk});
	return f;
}

std::string fingerprint_hex(const Fingerprint &fpr)
{
	char buf[2 * sizeof(Fingerprint) + 1];

	sodium_bin2hex(buf, sizeof(buf), fpr.data(), fpr.size());
	return buf;
}

Hint spa_hint(const Secret<16> &k_hint, uint64_t window)
{
	uint8_t le[8];
	Hint h{};

	for (int i = 0; i < 8; i++)
		le[i] = uint8_t(window >> (8 * i));
	sodium_ready();
	crypto_shorthash_siphash24(h.data(), le, sizeof(le), k_hint.data());
	return h;
}

} // namespace knockctl
