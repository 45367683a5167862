// SPDX-License-Identifier: GPL-2.0 OR MIT
// Per-user symmetric keys of docs/protocol.md, the user fingerprint and the SPA
// hint of §3.2. Test vectors: tests/vectors/spa-v1.txt.
//
//   S       = X25519(server_sk, client_pk) = X25519(client_sk, server_pk)
//   kdf_key = BLAKE2b-256(S || server_pk || client_pk)      (unkeyed)
//   k_aead  = crypto_kdf_derive_from_key(32, 1, "nfknock1", kdf_key)
//   k_hint  = crypto_kdf_derive_from_key(16, 2, "nfknock1", kdf_key)
//   k_seq   = crypto_kdf_derive_from_key(16, 3, "nfknock1", kdf_key)
//   fpr     = BLAKE2b-64(client_pk)                           (unkeyed)
//   fpr'    = BLAKE2b-64(client_pk || next_server_pk)         (unkeyed)
//   hint(w) = SipHash-2-4(k_hint, le64(w))
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "keys.hpp"

namespace knockctl {

inline constexpr const char KDF_CONTEXT[] = "nfknock1";

using Fingerprint = std::array<uint8_t, 8>;
using Hint = std::array<uint8_t, 8>;

struct UserKeys {
	Secret<32> k_aead;
	Secret<16> k_hint;
	Secret<16> k_seq;
};

// X25519; throws Error when the result is all zero (a low-order public key).
Secret<32> shared_secret(const PrivateKey &sk, const PublicKey &pk);

Secret<32> kdf_key(const Secret<32> &s, const PublicKey &server_pk,
		   const PublicKey &client_pk);

UserKeys derive_user_keys(const Secret<32> &kdf_key);

// The same keys from either end.
UserKeys server_side_keys(const PrivateKey &server_sk, const PublicKey &client_pk);
UserKeys client_side_keys(const PrivateKey &client_sk, const PublicKey &server_pk);

Fingerprint fingerprint(const PublicKey &client_pk);

// The fingerprint of @client_pk's user derived with the next server key
// @server_pk (server.next_private_key_file): the module keys users by
// fingerprint, so it must differ from the same client key's with the
// current server key.
Fingerprint next_fingerprint(const PublicKey &client_pk, const PublicKey &server_pk);

// 16 lowercase hex characters.
std::string fingerprint_hex(const Fingerprint &fpr);

// The hint of window @w (nfk_spa_window of unix ms).
Hint spa_hint(const Secret<16> &k_hint, uint64_t window);

} // namespace knockctl
