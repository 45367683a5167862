// SPDX-License-Identifier: GPL-2.0 OR MIT
// SPA version 1 test vectors (tests/vectors/spa-v1.txt): fixed keys, the
// derived keys, the hint and a complete datagram of docs/protocol.md.
//
// The file was made by the hidden test case below and is checked here
// against libsodium and the pure-C core. To reproduce it:
//
//   build/ctl/tests/unit/unit_tests '[.generate-vectors]'
//
// (rewrites tests/vectors/spa-v1.txt; the output must not change.)
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "derive.hpp"
#include "keys.hpp"
#include "spa.h"
#include "spa_client.hpp"

using namespace knockctl;

namespace {

const std::string VECTORS = std::string(NFKNOCK_VECTORS_DIR) + "/spa-v1.txt";

// The fixed inputs.
constexpr uint64_t TIMESTAMP_MS = 1767225600123ULL;	// 2026-01-01T00:00:00.123Z

template <std::size_t N>
void fill(Secret<N> &s, uint8_t first)
{
	for (std::size_t i = 0; i < N; i++)
		s[i] = uint8_t(first + i);
}

std::vector<uint8_t> seq_bytes(std::size_t n, uint8_t first)
{
	std::vector<uint8_t> v(n);

	for (std::size_t i = 0; i < n; i++)
		v[i] = uint8_t(first + i);
	return v;
}

KnockRequest fixed_request()
{
	KnockRequest req;
	Address a;

	a.family = AF_INET;
	a.bytes[0] = 192;
	a.bytes[1] = 0;
	a.bytes[2] = 2;
	a.bytes[3] = 7;
	req.type = NFK_SPA_OPEN;
	req.proto = IPPROTO_TCP;
	req.port = 22;
	req.duration_s = 30;
	req.once = true;
	req.address = a;
	return req;
}

std::string hex(const uint8_t *p, std::size_t n)
{
	std::string out(2 * n + 1, '\0');

	sodium_bin2hex(out.data(), out.size(), p, n);
	out.pop_back();
	return out;
}

template <typename T>
std::string hex(const T &c)
{
	return hex(c.data(), c.size());
}

std::vector<uint8_t> unhex(const std::string &s)
{
	std::vector<uint8_t> out(s.size() / 2);
	std::size_t len = 0;

	REQUIRE(sodium_hex2bin(out.data(), out.size(), s.c_str(), s.size(), nullptr,
			       &len, nullptr) == 0);
	REQUIRE(len == out.size());
	return out;
}

// Everything the file holds, computed from the fixed inputs.
std::vector<std::pair<std::string, std::string>> compute()
{
	PrivateKey server_sk, client_sk;
	fill(server_sk, 0x40);
	fill(client_sk, 0x80);
	const PublicKey server_pk = public_key(server_sk);
	const PublicKey client_pk = public_key(client_sk);
	const Secret<32> s = shared_secret(server_sk, client_pk);
	const Secret<32> kk = kdf_key(s, server_pk, client_pk);
	const UserKeys keys = derive_user_keys(kk);
	const uint64_t window = nfk_spa_window(TIMESTAMP_MS);
	const std::vector<uint8_t> nonce = seq_bytes(NFK_SPA_NONCE_LEN, 0xa0);
	const std::vector<uint8_t> pad = seq_bytes(NFK_SPA_PAD_MIN, 0xf0);

	struct nfk_spa_req r {};
	const KnockRequest req = fixed_request();
	r.version = NFK_SPA_VERSION;
	r.type = req.type;
	r.proto = req.proto;
	r.flags = NFK_SPA_F_ONCE | NFK_SPA_F_ADDRESS;
	r.port = req.port;
	r.duration_s = req.duration_s;
	r.timestamp_ms = TIMESTAMP_MS;
	const auto w = wire_address(*req.address);
	std::memcpy(r.addr, w.data(), 16);
	std::vector<uint8_t> pt(NFK_SPA_FIXED_LEN + pad.size());
	nfk_spa_encode(&r, pad.data(), pad.size(), pt.data());

	const auto dgram = seal_knock(keys, req, TIMESTAMP_MS, nonce.data(),
				      pad.data(), pad.size());
	return {
		{"server_sk", hex(server_sk)},
		{"server_pk", hex(server_pk)},
		{"server_pk_base64", key_to_base64(server_pk)},
		{"client_sk", hex(client_sk)},
		{"client_pk", hex(client_pk)},
		{"client_pk_base64", key_to_base64(client_pk)},
		{"shared", hex(s)},
		{"kdf_key", hex(kk)},
		{"k_aead", hex(keys.k_aead)},
		{"k_hint", hex(keys.k_hint)},
		{"k_seq", hex(keys.k_seq)},
		{"fpr", fingerprint_hex(fingerprint(client_pk))},
		{"timestamp_ms", std::to_string(TIMESTAMP_MS)},
		{"window", std::to_string(window)},
		{"hint", hex(spa_hint(keys.k_hint, window))},
		{"nonce", hex(nonce)},
		{"padding", hex(pad)},
		{"plaintext", hex(pt)},
		{"datagram", hex(dgram)},
	};
}

std::map<std::string, std::string> read_vectors()
{
	std::ifstream in(VECTORS);
	std::map<std::string, std::string> out;
	std::string line;

	REQUIRE(in);
	while (std::getline(in, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		const auto eq = line.find(" = ");
		REQUIRE(eq != std::string::npos);
		out[line.substr(0, eq)] = line.substr(eq + 3);
	}
	return out;
}

} // namespace

TEST_CASE("generate tests/vectors/spa-v1.txt", "[.generate-vectors]")
{
	std::ofstream out(VECTORS);

	out << "# nfknock SPA version 1 test vectors (docs/protocol.md: Keys, Datagram). name = hex\n"
	       "# (decimal for timestamp_ms and window; base64 where named).\n"
	       "# Inputs: server_sk bytes 0x40.., client_sk 0x80.., OPEN tcp/22\n"
	       "# for 30 s, flags ONCE|ADDRESS, address 192.0.2.7 (IPv4-mapped),\n"
	       "# nonce bytes 0xa0.., 16 padding bytes 0xf0...\n"
	       "# Made by: unit_tests '[.generate-vectors]' (tests/unit/test_ctl_vectors.cpp)\n";
	for (const auto &[k, v] : compute())
		out << k << " = " << v << "\n";
	REQUIRE(out.good());
}

TEST_CASE("libsodium and the core reproduce the committed SPA vectors")
{
	const auto file = read_vectors();

	for (const auto &[k, v] : compute()) {
		INFO(k);
		REQUIRE(file.count(k) == 1);
		REQUIRE(file.at(k) == v);
	}
}

TEST_CASE("the vector datagram opens with libsodium and the core decoder")
{
	const auto v = read_vectors();
	const std::vector<uint8_t> dgram = unhex(v.at("datagram"));
	const std::vector<uint8_t> k_aead = unhex(v.at("k_aead"));
	const uint64_t ts = std::stoull(v.at("timestamp_ms"));
	struct nfk_spa_frame f {};

	REQUIRE(nfk_spa_split(dgram.data(), dgram.size(), &f));
	REQUIRE(hex(f.hint, NFK_SPA_HINT_LEN) == v.at("hint"));
	REQUIRE(hex(f.nonce, NFK_SPA_NONCE_LEN) == v.at("nonce"));

	std::vector<uint8_t> pt(f.pt_len);
	unsigned long long pt_len = 0;
	REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(
			pt.data(), &pt_len, nullptr, f.sealed, f.sealed_len, f.hint,
			NFK_SPA_HINT_LEN, f.nonce, k_aead.data()) == 0);
	REQUIRE(pt_len == f.pt_len);
	REQUIRE(hex(pt) == v.at("plaintext"));

	struct nfk_spa_req req {};
	REQUIRE(nfk_spa_decode(pt.data(), pt.size(), &req) == NFKNOCK_REJ_OK);
	REQUIRE(req.version == 1);
	REQUIRE(req.type == NFK_SPA_OPEN);
	REQUIRE(req.proto == IPPROTO_TCP);
	REQUIRE(req.port == 22);
	REQUIRE(req.duration_s == 30);
	REQUIRE(req.flags == (NFK_SPA_F_ONCE | NFK_SPA_F_ADDRESS));
	REQUIRE(req.timestamp_ms == ts);
	REQUIRE(nfk_spa_addr_family(req.addr) == 4);
	REQUIRE(req.addr[12] == 192);
	REQUIRE(req.addr[15] == 7);
	REQUIRE(nfk_spa_window(ts) == std::stoull(v.at("window")));

	// The hint is SipHash-2-4 over le64(window), as the kernel's
	// siphash_1u64(w, key) with little-endian key words.
	uint8_t le[8];
	const uint64_t w = std::stoull(v.at("window"));
	for (int i = 0; i < 8; i++)
		le[i] = uint8_t(w >> (8 * i));
	const std::vector<uint8_t> k_hint = unhex(v.at("k_hint"));
	uint8_t h[8];
	crypto_shorthash_siphash24(h, le, 8, k_hint.data());
	REQUIRE(hex(h, 8) == v.at("hint"));
}
