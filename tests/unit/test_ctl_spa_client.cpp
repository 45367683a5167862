// SPDX-License-Identifier: GPL-2.0 OR MIT
// The datagram knockctl knock builds is what the kernel's pipeline accepts:
// split, hint lookup, libsodium open (the kernel's xchacha20poly1305 is
// equivalent, docs/protocol.md), nfk_spa_decode and nfk_spa_check with a policy.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <cstring>
#include <set>

#include "address.hpp"
#include "derive.hpp"
#include "spa.h"
#include "spa_client.hpp"

using namespace knockctl;

namespace {

constexpr uint64_t NOW = 1767225600123ULL;

struct Pair {
	PrivateKey server_sk = generate_private_key();
	PrivateKey client_sk = generate_private_key();
	UserKeys server = server_side_keys(server_sk, public_key(client_sk));
	UserKeys client = client_side_keys(client_sk, public_key(server_sk));
};

struct nfk_user_policy ssh_policy()
{
	struct nfk_user_policy pol {};

	pol.n_services = 1;
	pol.services[0] = {IPPROTO_TCP, 22, 22};
	pol.n_prefixes = 2;
	pol.prefixes[0].family = 4;	// 0.0.0.0/0
	pol.prefixes[1].family = 6;	// ::/0
	pol.max_duration_s = 60;
	return pol;
}

// The kernel's steps; returns an enum nfknock_reject value.
int server_accepts(const UserKeys &k, const std::vector<uint8_t> &d, uint64_t now,
		   struct nfk_spa_grant *grant, struct nfk_spa_req *out_req = nullptr)
{
	struct nfk_spa_frame f {};
	const uint64_t w = nfk_spa_window(now);

	if (!nfk_spa_split(d.data(), d.size(), &f))
		return NFKNOCK_REJ_MALFORMED;
	bool hint = false;
	for (uint64_t x = w - 1; x <= w + 1; x++)
		hint = hint || std::memcmp(spa_hint(k.k_hint, x).data(), f.hint, 8) == 0;
	if (!hint)
		return NFKNOCK_REJ_UNKNOWN;

	std::vector<uint8_t> pt(f.pt_len);
	unsigned long long len = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    pt.data(), &len, nullptr, f.sealed, f.sealed_len, f.hint,
		    NFK_SPA_HINT_LEN, f.nonce, k.k_aead.data()) != 0)
		return NFKNOCK_REJ_BAD_AUTH;

	struct nfk_spa_req req {};
	int rc = nfk_spa_decode(pt.data(), pt.size(), &req);
	if (rc != NFKNOCK_REJ_OK)
		return rc;
	if (out_req)
		*out_req = req;
	const struct nfk_user_policy pol = ssh_policy();
	const uint8_t src[4] = {198, 51, 100, 9};
	return nfk_spa_check(&req, &pol, now, NFKNOCK_SKEW_DEFAULT_MS, now - 60000,
			     4, src, grant);
}

KnockRequest open_ssh()
{
	KnockRequest r;

	r.type = NFK_SPA_OPEN;
	r.proto = IPPROTO_TCP;
	r.port = 22;
	r.duration_s = 30;
	return r;
}

} // namespace

TEST_CASE("a knock built by the client is accepted by the core pipeline")
{
	Pair p;
	struct nfk_spa_grant g {};

	SECTION("open for the source address") {
		const auto d = make_knock(p.client, open_ssh(), NOW);
		REQUIRE(server_accepts(p.server, d, NOW + 1500, &g) == NFKNOCK_REJ_OK);
		REQUIRE(g.type == NFK_SPA_OPEN);
		REQUIRE(g.family == 4);
		REQUIRE(g.addr[0] == 198);
		REQUIRE(g.proto == IPPROTO_TCP);
		REQUIRE(g.port == 22);
		REQUIRE(g.duration_s == 30);
		REQUIRE_FALSE(g.once);
	}
	SECTION("explicit address and one-shot; a long request is capped") {
		KnockRequest r = open_ssh();
		r.address = parse_address("2001:db8::5");
		r.once = true;
		r.duration_s = 65535;
		const auto d = make_knock(p.client, r, NOW);
		REQUIRE(server_accepts(p.server, d, NOW, &g) == NFKNOCK_REJ_OK);
		REQUIRE(g.family == 6);
		REQUIRE(format_address(Address{AF_INET6, [&] {
				std::array<uint8_t, 16> a{};
				std::memcpy(a.data(), g.addr, 16);
				return a;
			}()}) == "2001:db8::5");
		REQUIRE(g.once);
		REQUIRE(g.capped);
		REQUIRE(g.duration_s == 60);
	}
	SECTION("an IPv4 explicit address travels IPv4-mapped") {
		KnockRequest r = open_ssh();
		r.address = parse_address("192.0.2.1");
		struct nfk_spa_req req {};
		const auto d = make_knock(p.client, r, NOW);
		REQUIRE(server_accepts(p.server, d, NOW, &g, &req) == NFKNOCK_REJ_OK);
		REQUIRE(req.flags == NFK_SPA_F_ADDRESS);
		const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
					  192, 0, 2, 1};
		REQUIRE(std::memcmp(req.addr, want, 16) == 0);
		REQUIRE(g.family == 4);
	}
	SECTION("close") {
		KnockRequest r = open_ssh();
		r.type = NFK_SPA_CLOSE;
		REQUIRE(server_accepts(p.server, make_knock(p.client, r, NOW), NOW, &g) ==
			NFKNOCK_REJ_OK);
		REQUIRE(g.type == NFK_SPA_CLOSE);
	}
	SECTION("a service outside the policy is not allowed") {
		KnockRequest r = open_ssh();
		r.port = 23;
		REQUIRE(server_accepts(p.server, make_knock(p.client, r, NOW), NOW, &g) ==
			NFKNOCK_REJ_NOT_ALLOWED);
	}
	SECTION("stale and unknown") {
		const auto d = make_knock(p.client, open_ssh(), NOW);
		REQUIRE(server_accepts(p.server, d, NOW + 31000, &g) == NFKNOCK_REJ_STALE);
		REQUIRE(server_accepts(p.server, d, NOW + 3 * 60000, &g) ==
			NFKNOCK_REJ_UNKNOWN);
		Pair other;
		REQUIRE(server_accepts(other.server, d, NOW, &g) == NFKNOCK_REJ_UNKNOWN);
	}
}

TEST_CASE("every flipped byte of a knock is rejected")
{
	Pair p;
	struct nfk_spa_grant g {};
	const auto d = make_knock(p.client, open_ssh(), NOW);

	REQUIRE(server_accepts(p.server, d, NOW, &g) == NFKNOCK_REJ_OK);
	for (std::size_t i = 0; i < d.size(); i++) {
		for (uint8_t bit : {0x01, 0x80}) {
			auto bad = d;
			bad[i] ^= bit;
			INFO("byte " << i);
			REQUIRE(server_accepts(p.server, bad, NOW, &g) != NFKNOCK_REJ_OK);
		}
	}
	auto shorter = d;
	shorter.pop_back();
	REQUIRE(server_accepts(p.server, shorter, NOW, &g) != NFKNOCK_REJ_OK);
}

TEST_CASE("knocks are unlinkable: random nonce and 16..80 bytes of padding")
{
	Pair p;
	std::set<std::size_t> sizes;
	std::set<std::vector<uint8_t>> nonces;

	for (int i = 0; i < 400; i++) {
		const auto d = make_knock(p.client, open_ssh(), NOW);
		sizes.insert(d.size());
		nonces.insert(std::vector<uint8_t>(d.begin() + 8, d.begin() + 32));
		REQUIRE(d.size() >= NFK_SPA_OVERHEAD + NFK_SPA_FIXED_LEN + 16);
		REQUIRE(d.size() <= NFK_SPA_OVERHEAD + NFK_SPA_FIXED_LEN + 80);
	}
	REQUIRE(nonces.size() == 400);
	REQUIRE(sizes.size() > 30);
}
