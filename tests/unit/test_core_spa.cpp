// SPDX-License-Identifier: GPL-2.0 OR MIT
// SPA framing, plaintext codec and acceptance rules (kmod/core/spa.c), with
// the AEAD done by libsodium exactly as the kernel does it with lib/crypto.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <cstring>
#include <vector>

#include "spa.h"

namespace {

const u64 now = 1764000000000ULL;	// unix ms
const u32 skew = 30000;

nfk_spa_req open_req(u64 ts = now)
{
	nfk_spa_req r{};
	r.version = NFK_SPA_VERSION;
	r.type = NFK_SPA_OPEN;
	r.proto = IPPROTO_TCP;
	r.port = 22;
	r.duration_s = 30;
	r.timestamp_ms = ts;
	return r;
}

nfk_user_policy policy()
{
	nfk_user_policy p{};
	p.n_services = 2;
	p.services[0] = {IPPROTO_TCP, 22, 22};
	p.services[1] = {IPPROTO_TCP, 8000, 8100};
	p.n_prefixes = 2;
	p.prefixes[0] = {4, 8, {10}};
	p.prefixes[1] = {6, 16, {0xfd, 0x00}};
	p.max_duration_s = 60;
	return p;
}

const u8 src4[4] = {10, 0, 0, 2};

int check(const nfk_spa_req &r, const nfk_user_policy &p, u64 last = 0,
	  nfk_spa_grant *g = nullptr, const u8 *src = src4, u8 fam = 4)
{
	nfk_spa_grant tmp{};
	return nfk_spa_check(&r, &p, now, skew, last, fam, src, g ? g : &tmp);
}

std::vector<u8> encode(const nfk_spa_req &r, size_t pad = NFK_SPA_PAD_MIN)
{
	std::vector<u8> pt(NFK_SPA_FIXED_LEN + pad);
	std::vector<u8> padding(pad, 0x5a);
	REQUIRE(nfk_spa_encode(&r, padding.data(), pad, pt.data()) == pt.size());
	return pt;
}

} // namespace

TEST_CASE("SPA plaintext encodes big-endian and decodes back", "[core][spa]")
{
	auto r = open_req();
	r.flags = NFK_SPA_F_ONCE | NFK_SPA_F_ADDRESS;
	r.addr[10] = r.addr[11] = 0xff;
	r.addr[12] = 192;
	auto pt = encode(r);

	REQUIRE(pt[0] == 1);
	REQUIRE(pt[1] == NFK_SPA_OPEN);
	REQUIRE(pt[4] == 0);
	REQUIRE(pt[5] == 22);
	REQUIRE(pt[15] == (u8)(now & 0xff));
	nfk_spa_req back{};
	REQUIRE(nfk_spa_decode(pt.data(), pt.size(), &back) == NFKNOCK_REJ_OK);
	REQUIRE(std::memcmp(&back, &r, sizeof(r)) == 0);
	REQUIRE(nfk_spa_addr_family(back.addr) == 4);
}

TEST_CASE("SPA decode refuses what version 1 does not define", "[core][spa]")
{
	nfk_spa_req out{};
	auto bad = [&](auto mutate) {
		auto r = open_req();
		mutate(r);
		auto pt = encode(r);
		return nfk_spa_decode(pt.data(), pt.size(), &out);
	};
	REQUIRE(bad([](nfk_spa_req &r) { r.version = 2; }) == NFKNOCK_REJ_MALFORMED);
	REQUIRE(bad([](nfk_spa_req &r) { r.type = 3; }) == NFKNOCK_REJ_MALFORMED);
	REQUIRE(bad([](nfk_spa_req &r) { r.type = 0; }) == NFKNOCK_REJ_MALFORMED);
	REQUIRE(bad([](nfk_spa_req &r) { r.proto = 1; }) == NFKNOCK_REJ_MALFORMED);
	REQUIRE(bad([](nfk_spa_req &r) { r.flags = 4; }) == NFKNOCK_REJ_MALFORMED);
	REQUIRE(bad([](nfk_spa_req &r) { r.port = 0; }) == NFKNOCK_REJ_MALFORMED);
	REQUIRE(bad([](nfk_spa_req &r) { r.duration_s = 0; }) == NFKNOCK_REJ_MALFORMED);
	REQUIRE(bad([](nfk_spa_req &r) { r.type = NFK_SPA_CLOSE; r.duration_s = 0; }) ==
		NFKNOCK_REJ_OK);

	SECTION("a flagged address must be one a grant can name") {
		const auto with = [&](std::initializer_list<u8> a) {
			return bad([&](nfk_spa_req &r) {
				r.flags = NFK_SPA_F_ADDRESS;
				std::memset(r.addr, 0, 16);
				std::copy(a.begin(), a.end(), r.addr);
			});
		};
		const auto v4 = [&](u8 a, u8 b, u8 c, u8 d) {
			return with({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
				     a, b, c, d});
		};
		REQUIRE(v4(0, 0, 0, 0) == NFKNOCK_REJ_MALFORMED);
		REQUIRE(v4(255, 255, 255, 255) == NFKNOCK_REJ_MALFORMED);
		REQUIRE(v4(224, 0, 0, 1) == NFKNOCK_REJ_MALFORMED);
		REQUIRE(v4(239, 1, 2, 3) == NFKNOCK_REJ_MALFORMED);
		REQUIRE(v4(10, 0, 0, 2) == NFKNOCK_REJ_OK);
		REQUIRE(v4(223, 255, 255, 255) == NFKNOCK_REJ_OK);
		REQUIRE(with({}) == NFKNOCK_REJ_MALFORMED);		/* :: */
		REQUIRE(with({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			      0, 1}) == NFKNOCK_REJ_MALFORMED);
		REQUIRE(with({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
			      0, 0, 0, 1}) == NFKNOCK_REJ_OK);
		/* Unflagged, the field is not an address and is not read. */
		REQUIRE(bad([](nfk_spa_req &r) { std::memset(r.addr, 0xff, 16); }) ==
			NFKNOCK_REJ_OK);
	}

	SECTION("padding lengths") {
		auto r = open_req();
		for (size_t pad = 0; pad <= NFK_SPA_PT_MAX - NFK_SPA_FIXED_LEN + 1; pad++) {
			auto pt = encode(r, pad);
			bool fits = pad >= NFK_SPA_PAD_MIN &&
				    pt.size() <= NFK_SPA_PT_MAX;
			REQUIRE((nfk_spa_decode(pt.data(), pt.size(), &out) ==
				 NFKNOCK_REJ_OK) == fits);
		}
	}
}

TEST_CASE("SPA frame bounds", "[core][spa]")
{
	std::vector<u8> d(NFK_SPA_MAX_LEN + 1);
	nfk_spa_frame f{};

	REQUIRE(NFK_SPA_MIN_LEN == 96);
	REQUIRE_FALSE(nfk_spa_split(d.data(), 0, &f));
	REQUIRE_FALSE(nfk_spa_split(d.data(), NFK_SPA_MIN_LEN - 1, &f));
	REQUIRE(nfk_spa_split(d.data(), NFK_SPA_MIN_LEN, &f));
	REQUIRE(f.pt_len == NFK_SPA_PT_MIN);
	REQUIRE(f.nonce == d.data() + 8);
	REQUIRE(f.sealed == d.data() + 32);
	REQUIRE(nfk_spa_split(d.data(), NFK_SPA_MAX_LEN, &f));
	REQUIRE_FALSE(nfk_spa_split(d.data(), NFK_SPA_MAX_LEN + 1, &f));
}

TEST_CASE("SPA skew edges and strictly increasing timestamps", "[core][spa]")
{
	auto p = policy();

	REQUIRE(check(open_req(now - skew), p) == NFKNOCK_REJ_OK);
	REQUIRE(check(open_req(now + skew), p) == NFKNOCK_REJ_OK);
	REQUIRE(check(open_req(now - skew - 1), p) == NFKNOCK_REJ_STALE);
	REQUIRE(check(open_req(now + skew + 1), p) == NFKNOCK_REJ_STALE);
	REQUIRE(check(open_req(now), p, now) == NFKNOCK_REJ_REPLAY);
	REQUIRE(check(open_req(now), p, now + 1) == NFKNOCK_REJ_REPLAY);
	REQUIRE(check(open_req(now), p, now - 1) == NFKNOCK_REJ_OK);
	// stale wins over replay: an old capture is reported as stale
	REQUIRE(check(open_req(now - skew - 1), p, now) == NFKNOCK_REJ_STALE);
}

TEST_CASE("SPA policy: every reason to refuse", "[core][spa]")
{
	auto p = policy();
	auto r = open_req();

	SECTION("disabled user") {
		p.flags = NFKNOCK_USER_F_DISABLED;
		REQUIRE(check(r, p) == NFKNOCK_REJ_NOT_ALLOWED);
	}
	SECTION("expired account; expiry in the future is fine") {
		p.expires_unix_s = now / 1000;
		REQUIRE(check(r, p) == NFKNOCK_REJ_NOT_ALLOWED);
		p.expires_unix_s = now / 1000 + 1;
		REQUIRE(check(r, p) == NFKNOCK_REJ_OK);
	}
	SECTION("service not allowed; ranges allowed inside") {
		r.port = 23;
		REQUIRE(check(r, p) == NFKNOCK_REJ_NOT_ALLOWED);
		r.port = 8100;
		REQUIRE(check(r, p) == NFKNOCK_REJ_OK);
		r.proto = IPPROTO_UDP;
		REQUIRE(check(r, p) == NFKNOCK_REJ_NOT_ALLOWED);
	}
	SECTION("source outside the prefixes") {
		const u8 other[4] = {11, 0, 0, 2};
		REQUIRE(check(r, p, 0, nullptr, other) == NFKNOCK_REJ_NOT_ALLOWED);
		u8 v6[16] = {0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
		REQUIRE(check(r, p, 0, nullptr, v6, 6) == NFKNOCK_REJ_OK);
		v6[1] = 1;
		REQUIRE(check(r, p, 0, nullptr, v6, 6) == NFKNOCK_REJ_NOT_ALLOWED);
	}
	SECTION("explicit address: granted for it; must lie in the prefixes") {
		nfk_spa_grant g{};
		r.flags = NFK_SPA_F_ADDRESS;
		r.addr[10] = r.addr[11] = 0xff;
		r.addr[12] = 10;
		r.addr[15] = 9;
		REQUIRE(check(r, p, 0, &g) == NFKNOCK_REJ_OK);
		REQUIRE(g.family == 4);
		REQUIRE(g.addr[0] == 10);
		REQUIRE(g.addr[3] == 9);
		r.addr[12] = 11;
		REQUIRE(check(r, p) == NFKNOCK_REJ_NOT_ALLOWED);
	}
	SECTION("require_address: the datagram names its own source") {
		p.flags = NFKNOCK_USER_F_REQUIRE_ADDRESS;
		// No address: the grant would go to whoever re-sent it.
		REQUIRE(check(r, p) == NFKNOCK_REJ_UNBOUND);
		r.flags = NFK_SPA_F_ADDRESS;
		r.addr[10] = r.addr[11] = 0xff;
		r.addr[12] = 10;
		r.addr[15] = 9;
		REQUIRE(check(r, p) == NFKNOCK_REJ_UNBOUND);
		r.addr[15] = 2;	// equals the observed 10.0.0.2
		nfk_spa_grant g{};
		REQUIRE(check(r, p, 0, &g) == NFKNOCK_REJ_OK);
		REQUIRE(std::memcmp(g.addr, src4, 4) == 0);
		// The same bytes as IPv6 from an IPv6 source: another family.
		u8 v6[16] = {0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
		REQUIRE(check(r, p, 0, nullptr, v6, 6) == NFKNOCK_REJ_UNBOUND);
		std::memcpy(r.addr, v6, 16);
		REQUIRE(check(r, p, 0, nullptr, v6, 6) == NFKNOCK_REJ_OK);
		// Binding is decided before policy, and a CLOSE is bound too.
		r.type = NFK_SPA_CLOSE;
		r.flags = 0;
		r.port = 23;
		REQUIRE(check(r, p, 0, nullptr, v6, 6) == NFKNOCK_REJ_UNBOUND);
	}
	SECTION("duration is capped, not refused") {
		nfk_spa_grant g{};
		r.duration_s = 3600;
		r.flags = NFK_SPA_F_ONCE;
		REQUIRE(check(r, p, 0, &g) == NFKNOCK_REJ_OK);
		REQUIRE(g.duration_s == 60);
		REQUIRE(g.capped);
		REQUIRE(g.once);
		REQUIRE(g.family == 4);
		REQUIRE(std::memcmp(g.addr, src4, 4) == 0);
	}
}

TEST_CASE("SPA datagram sealed by libsodium opens, and any flipped byte is "
	  "rejected", "[core][spa][sodium]")
{
	REQUIRE(sodium_init() >= 0);
	std::array<u8, 32> key{};
	std::array<u8, 8> hint{};
	randombytes_buf(key.data(), key.size());
	randombytes_buf(hint.data(), hint.size());

	auto pt = encode(open_req(), 40);
	std::vector<u8> d(NFK_SPA_OVERHEAD + pt.size());
	std::memcpy(d.data(), hint.data(), 8);
	randombytes_buf(d.data() + 8, 24);
	unsigned long long clen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		d.data() + 32, &clen, pt.data(), pt.size(), d.data(), 8, nullptr,
		d.data() + 8, key.data());
	REQUIRE(clen == pt.size() + 16);

	// The kernel's pipeline: frame, hint equality, AEAD open, decode.
	auto accept = [&](const std::vector<u8> &dg) {
		nfk_spa_frame f{};
		std::vector<u8> out(NFK_SPA_PT_MAX);
		nfk_spa_req req{};
		if (!nfk_spa_split(dg.data(), dg.size(), &f))
			return false;
		if (std::memcmp(f.hint, hint.data(), 8))
			return false;
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(
			    out.data(), nullptr, nullptr, f.sealed, f.sealed_len,
			    f.hint, 8, f.nonce, key.data()))
			return false;
		return nfk_spa_decode(out.data(), f.pt_len, &req) ==
		       NFKNOCK_REJ_OK;
	};
	REQUIRE(accept(d));
	for (size_t i = 0; i < d.size(); i++) {
		auto flipped = d;
		flipped[i] ^= 0x01;
		REQUIRE_FALSE(accept(flipped));
	}
	SECTION("truncated and extended datagrams are rejected") {
		for (size_t cut = 1; cut < d.size(); cut++)
			REQUIRE_FALSE(accept(std::vector<u8>(d.begin(), d.end() - cut)));
		auto longer = d;
		longer.push_back(0);
		REQUIRE_FALSE(accept(longer));
	}
}
