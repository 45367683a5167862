// SPDX-License-Identifier: GPL-2.0 OR MIT
// Derived port sequences on the client side: the core's derivation
// (kmod/core/seq.h, docs/protocol.md "Derived sequences") over libsodium's
// SipHash-2-4, so knockctl and the kernel compute the same ports; and the
// user's parameters (model.hpp Sequence) as the core has them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keys.hpp"
#include "model.hpp"
#include "seq.h"

namespace knockctl {

// SipHash-2-4 of @len bytes at @msg under the 16 key bytes at @key
// (nfk_seq_key's hash).
uint64_t siphash24(const void *key, const uint8_t *msg, size_t len);

// The ports of the sequence that opens (@proto, @port) in @window.
std::vector<uint16_t> sequence_ports(const Secret<16> &k_seq,
				     const nfk_seq_params &p, uint64_t window,
				     uint8_t proto, uint16_t port);
std::vector<uint16_t> sequence_ports(const Secret<16> &k_seq,
				     const Sequence &s, uint64_t window,
				     uint8_t proto, uint16_t port);

// The core's defaults (nfk_seq_params_default): 4 TCP steps in
// 10000-65000, 30 s windows.
Sequence default_sequence();

// The same values in the core's struct, and back.
nfk_seq_params core_params(const Sequence &s);
Sequence from_core(const nfk_seq_params &p);

// nfk_seq_params_check: true when the kernel would take @s.
bool valid_sequence(const Sequence &s);

// nfk_seq_window: the window of @unix_s.
uint64_t sequence_window(const Sequence &s, uint64_t unix_s);

// "4 tcp 10000-65000 30s": length, step protocol, port range, window.
std::string format_sequence(const Sequence &s);

} // namespace knockctl
