// SPDX-License-Identifier: GPL-2.0 OR MIT
// X25519 key pairs (docs/protocol.md) in WireGuard's text form: standard base64
// with padding, 44 characters. Private keys live in Secret<32> (wiped) and in
// files that only their owner may read.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "secret.hpp"

namespace knockctl {

inline constexpr std::size_t KEY_LEN = 32;
inline constexpr std::size_t KEY_B64_LEN = 44;

using PublicKey = std::array<uint8_t, KEY_LEN>;
using PrivateKey = Secret<KEY_LEN>;

// A new random private key, clamped as X25519 (and wg genkey) expect.
PrivateKey generate_private_key();

// crypto_scalarmult_base.
PublicKey public_key(const PrivateKey &sk);

// 44 characters of base64 (no newline).
std::string key_to_base64(const uint8_t *key);
inline std::string key_to_base64(const PublicKey &k) { return key_to_base64(k.data()); }
inline std::string key_to_base64(const PrivateKey &k) { return key_to_base64(k.data()); }

// Exactly 44 base64 characters decoding to 32 bytes (surrounding blanks
// ignored); nullopt otherwise.
std::optional<PublicKey> decode_public_key(std::string_view text);
bool decode_private_key(std::string_view text, PrivateKey &out);

// "invalid key (expected 44 characters of base64)"
inline constexpr const char *KEY_FORMAT_ERROR =
	"invalid key (expected 44 characters of base64)";

// Why @text is no public key: for a placeholder ("<...>", what the example
// files carry) "<...>: a placeholder: put @what here", else
// KEY_FORMAT_ERROR.
std::string public_key_problem(std::string_view text, const std::string &what);

// Read the private key in @path: a file, a pipe (/dev/fd/N), or standard
// input for "-". Refuses a file with any group or other permission bit:
// "<path>: private key file is readable by group or others (chmod 600)";
// a pipe has no such check (its mode says nothing about the key). Other
// failures name the path too. Throws Error.
PrivateKey read_private_key_file(const std::string &path);

// Write @key (base64 and a newline) to a new file @path, mode 0600,
// O_CREAT|O_EXCL: an existing file is never overwritten. Throws Error.
void write_private_key_file(const std::string &path, const PrivateKey &key);

// What `genkey > FILE` should be told when @fd (its standard output) is a
// regular file that group or others may read, as `wg genkey` warns: a key
// file read_private_key_file() would then refuse. Empty when there is
// nothing to say (a private file, a pipe, a terminal).
std::string key_output_warning(int fd);

} // namespace knockctl
