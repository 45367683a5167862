// SPDX-License-Identifier: GPL-2.0 OR MIT
// Fixed-size secret bytes that are wiped (sodium_memzero) when they go away,
// and libsodium's one-time initialisation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <sodium.h>

namespace knockctl {

// sodium_init() once; throws Error if libsodium cannot start.
void sodium_ready();

template <std::size_t N>
class Secret {
public:
	Secret() = default;
	Secret(const Secret &o) : b_(o.b_) {}
	Secret &operator=(const Secret &o)
	{
		b_ = o.b_;
		return *this;
	}
	~Secret() { sodium_memzero(b_.data(), N); }

	uint8_t *data() { return b_.data(); }
	const uint8_t *data() const { return b_.data(); }
	static constexpr std::size_t size() { return N; }
	uint8_t &operator[](std::size_t i) { return b_[i]; }
	const uint8_t &operator[](std::size_t i) const { return b_[i]; }
	// Constant time.
	bool operator==(const Secret &o) const
	{
		return sodium_memcmp(b_.data(), o.b_.data(), N) == 0;
	}

private:
	std::array<uint8_t, N> b_{};
};

} // namespace knockctl
