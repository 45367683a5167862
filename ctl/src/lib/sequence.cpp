// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "sequence.hpp"

#include "errors.hpp"

namespace knockctl {

uint64_t siphash24(const void *key, const uint8_t *msg, size_t len)
{
	uint8_t out[crypto_shorthash_siphash24_BYTES];
	uint64_t h = 0;

	sodium_ready();
	crypto_shorthash_siphash24(out, msg, len,
				   static_cast<const uint8_t *>(key));
	// libsodium writes the 64-bit result little-endian, as SipHash's
	// specification does and the kernel's siphash() returns it.
	for (int i = 7; i >= 0; i--)
		h = (h << 8) | out[i];
	return h;
}

std::vector<uint16_t> sequence_ports(const Secret<16> &k_seq,
				     const nfk_seq_params &p, uint64_t window,
				     uint8_t proto, uint16_t port)
{
	if (nfk_seq_params_check(&p) != 0)
		throw Error("invalid sequence parameters");
	const nfk_seq_key key{siphash24, k_seq.data()};
	std::vector<uint16_t> ports(p.length);

	nfk_seq_ports(&key, &p, window, proto, port, ports.data());
	return ports;
}

} // namespace knockctl
