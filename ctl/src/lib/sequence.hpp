// SPDX-License-Identifier: GPL-2.0 OR MIT
// Derived port sequences on the client side: the core's derivation
// (kmod/core/seq.h, docs/protocol.md "Derived sequences") over libsodium's
// SipHash-2-4, so knockctl and the kernel compute the same ports.
#pragma once

#include <cstdint>
#include <vector>

#include "keys.hpp"
#include "seq.h"

namespace knockctl {

// SipHash-2-4 of @len bytes at @msg under the 16 key bytes at @key
// (nfk_seq_key's hash).
uint64_t siphash24(const void *key, const uint8_t *msg, size_t len);

// The ports of the sequence that opens (@proto, @port) in @window.
std::vector<uint16_t> sequence_ports(const Secret<16> &k_seq,
				     const nfk_seq_params &p, uint64_t window,
				     uint8_t proto, uint16_t port);

} // namespace knockctl
