// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "sequence.hpp"

#include "duration.hpp"
#include "errors.hpp"
#include "service.hpp"

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

std::vector<uint16_t> sequence_ports(const Secret<16> &k_seq,
				     const Sequence &s, uint64_t window,
				     uint8_t proto, uint16_t port)
{
	return sequence_ports(k_seq, core_params(s), window, proto, port);
}

Sequence default_sequence()
{
	nfk_seq_params p;

	nfk_seq_params_default(&p);
	return from_core(p);
}

nfk_seq_params core_params(const Sequence &s)
{
	nfk_seq_params p{};

	p.lo = s.lo;
	p.hi = s.hi;
	p.length = s.length;
	p.step_proto = s.proto;
	p.window_s = s.window_s;
	return p;
}

Sequence from_core(const nfk_seq_params &p)
{
	return Sequence{p.length, p.lo, p.hi, p.step_proto, p.window_s};
}

bool valid_sequence(const Sequence &s)
{
	const nfk_seq_params p = core_params(s);

	return nfk_seq_params_check(&p) == 0;
}

uint64_t sequence_window(const Sequence &s, uint64_t unix_s)
{
	const nfk_seq_params p = core_params(s);

	if (nfk_seq_params_check(&p) != 0)
		throw Error("invalid sequence parameters");
	return nfk_seq_window(&p, unix_s);
}

std::string format_sequence(const Sequence &s)
{
	return std::to_string(s.length) + " " + proto_name(s.proto) + " " +
	       std::to_string(s.lo) + "-" + std::to_string(s.hi) + " " +
	       format_duration_ms(uint64_t(s.window_s) * 1000);
}

} // namespace knockctl
