// SPDX-License-Identifier: GPL-2.0 OR MIT
// Derived port sequences (kmod/core/seq.c): the derivation against the
// vectors of an independent implementation (tests/vectors/seq-v1.txt, made
// by tests/vectors/seq_ref.py), the rule for repeated steps, and one
// attempt's state machine (repeats, wrong ports, timeouts, completion).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sequence.hpp"
#include "seq.h"

using namespace knockctl;

namespace {

const std::string SEQ_VECTORS = NFKNOCK_VECTORS_DIR "/seq-v1.txt";

Secret<16> key_from_hex(const std::string &hex)
{
	Secret<16> k;
	REQUIRE(hex.size() == 32);
	for (size_t i = 0; i < 16; i++)
		k[i] = uint8_t(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
	return k;
}

// A hash the test controls: the message's step index i picks the value,
// and the first @repeats draws of every step return @stuck.
struct FakeHash {
	u64 stuck = 0;
	int repeats = 0;
	std::vector<u64> by_step;
};

u64 fake_hash(const void *key, const u8 *msg, size_t len)
{
	const auto *f = static_cast<const FakeHash *>(key);

	REQUIRE(len == NFK_SEQ_MSG_LEN);
	const u8 i = msg[11], r = msg[12];
	if (r < f->repeats)
		return f->stuck;
	return f->by_step.at(i);
}

nfk_seq_params seq_params(u8 length = 4)
{
	nfk_seq_params p;
	nfk_seq_params_default(&p);
	p.length = length;
	return p;
}

} // namespace

TEST_CASE("the core and libsodium reproduce the committed sequence vectors")
{
	std::ifstream in(SEQ_VECTORS);
	REQUIRE(in);
	std::string line;
	Secret<16> k_seq;
	bool have_key = false;
	int cases = 0;

	while (std::getline(in, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		if (line.rfind("k_seq = ", 0) == 0) {
			k_seq = key_from_hex(line.substr(8));
			have_key = true;
			continue;
		}
		if (line.rfind("message default step 0 = ", 0) == 0) {
			u8 msg[NFK_SEQ_MSG_LEN];
			nfk_seq_message(msg, 1767225600 / 30, IPPROTO_TCP, 22, 0, 0);
			std::string hex;
			char b[3];
			for (u8 c : msg) {
				snprintf(b, sizeof(b), "%02x", c);
				hex += b;
			}
			CHECK(hex == line.substr(line.find(" = ") + 3));
			continue;
		}
		if (line.rfind("siphash default step 0 = ", 0) == 0) {
			u8 msg[NFK_SEQ_MSG_LEN];
			nfk_seq_message(msg, 1767225600 / 30, IPPROTO_TCP, 22, 0, 0);
			char b[17];
			snprintf(b, sizeof(b), "%016llx",
				 (unsigned long long)siphash24(k_seq.data(), msg,
							       sizeof(msg)));
			CHECK(std::string(b) == line.substr(line.find(" = ") + 3));
			continue;
		}
		REQUIRE(line.rfind("case ", 0) == 0);
		REQUIRE(have_key);
		std::istringstream s(line.substr(5));
		std::string name, colon;
		unsigned lo, hi, length, window_s, proto, port;
		unsigned long long unix_s, window;
		s >> name >> lo >> hi >> length >> window_s >> unix_s >> window >>
			proto >> port >> colon;
		REQUIRE(colon == ":");
		std::vector<uint16_t> want;
		unsigned v;
		while (s >> v)
			want.push_back(uint16_t(v));
		REQUIRE(want.size() == length);

		nfk_seq_params p{};
		p.lo = uint16_t(lo);
		p.hi = uint16_t(hi);
		p.length = uint8_t(length);
		p.step_proto = IPPROTO_TCP;
		p.window_s = window_s;
		INFO("case " << name);
		REQUIRE(nfk_seq_params_check(&p) == 0);
		REQUIRE(nfk_seq_window(&p, unix_s) == window);
		CHECK(sequence_ports(k_seq, p, window, uint8_t(proto),
				     uint16_t(port)) == want);
		cases++;
	}
	CHECK(cases == 6);
}

TEST_CASE("sequence parameters: defaults valid, every bound enforced")
{
	nfk_seq_params p = seq_params();
	CHECK(nfk_seq_params_check(&p) == 0);
	CHECK(p.lo == 10000);
	CHECK(p.hi == 65000);
	CHECK(p.window_s == 30);

	auto bad = [](auto change) {
		nfk_seq_params q = seq_params();
		change(q);
		return nfk_seq_params_check(&q) == -EINVAL;
	};
	CHECK(bad([](nfk_seq_params &q) { q.lo = 0; }));
	CHECK(bad([](nfk_seq_params &q) { q.hi = q.lo - 1; }));
	CHECK(bad([](nfk_seq_params &q) { q.hi = q.lo + NFK_SEQ_RANGE_MIN - 2; }));
	CHECK_FALSE(bad([](nfk_seq_params &q) { q.hi = q.lo + NFK_SEQ_RANGE_MIN - 1; }));
	CHECK(bad([](nfk_seq_params &q) { q.length = NFK_SEQ_LEN_MIN - 1; }));
	CHECK(bad([](nfk_seq_params &q) { q.length = NFK_SEQ_LEN_MAX + 1; }));
	CHECK(bad([](nfk_seq_params &q) { q.step_proto = IPPROTO_ICMP; }));
	CHECK(bad([](nfk_seq_params &q) { q.window_s = NFK_SEQ_WINDOW_MIN_S - 1; }));
	CHECK(bad([](nfk_seq_params &q) { q.window_s = NFK_SEQ_WINDOW_MAX_S + 1; }));
	CHECK_FALSE(bad([](nfk_seq_params &q) { q.lo = 1; q.hi = 65535; }));
}

TEST_CASE("a step equal to the previous one is drawn again")
{
	nfk_seq_params p = seq_params(3);
	FakeHash f;
	const nfk_seq_key key{fake_hash, &f};
	u16 ports[3];

	// Step 0 draws lo + 5; step 1 draws the same twice, then lo + 9.
	f.by_step = {5, 9, 5};
	f.stuck = 5;
	f.repeats = 0;
	nfk_seq_ports(&key, &p, 1, IPPROTO_TCP, 22, ports);
	CHECK(ports[0] == p.lo + 5);
	CHECK(ports[1] == p.lo + 9);
	CHECK(ports[2] == p.lo + 5);	// equal to step 0, not to step 1: kept

	f.repeats = 2;			// r = 0, 1 give lo + 5
	nfk_seq_ports(&key, &p, 1, IPPROTO_TCP, 22, ports);
	CHECK(ports[0] == p.lo + 5);	// nothing before step 0
	CHECK(ports[1] == p.lo + 9);	// drawn again at r = 2
	CHECK(ports[2] != ports[1]);

	// Every draw equal to the previous port: the next port up, wrapping.
	f.by_step = {5, 5, 5};
	f.repeats = 0;
	nfk_seq_ports(&key, &p, 1, IPPROTO_TCP, 22, ports);
	CHECK(ports[1] == p.lo + 6);
	CHECK(ports[2] == p.lo + 5);
	const u32 span = u32(p.hi) - p.lo + 1;
	f.by_step = {span - 1, span - 1, 0};
	nfk_seq_ports(&key, &p, 1, IPPROTO_TCP, 22, ports);
	CHECK(ports[0] == p.hi);
	CHECK(ports[1] == p.lo);
}

TEST_CASE("windows, services and users give different sequences")
{
	const Secret<16> a = key_from_hex("000102030405060708090a0b0c0d0e0f");
	const Secret<16> b = key_from_hex("0f0e0d0c0b0a09080706050403020100");
	const nfk_seq_params p = seq_params();

	const auto base = sequence_ports(a, p, 1000, IPPROTO_TCP, 22);
	CHECK(base.size() == 4);
	for (size_t i = 1; i < base.size(); i++)
		CHECK(base[i] != base[i - 1]);
	for (auto port : base)
		CHECK((port >= p.lo && port <= p.hi));
	CHECK(sequence_ports(a, p, 1001, IPPROTO_TCP, 22) != base);
	CHECK(sequence_ports(a, p, 1000, IPPROTO_TCP, 23) != base);
	CHECK(sequence_ports(a, p, 1000, IPPROTO_UDP, 22) != base);
	CHECK(sequence_ports(b, p, 1000, IPPROTO_TCP, 22) != base);
	CHECK(nfk_seq_window(&p, 29) == 0);
	CHECK(nfk_seq_window(&p, 30) == 1);
	CHECK(nfk_seq_window(&p, 59) == 1);
}

TEST_CASE("an attempt: steps in order complete it, repeats are ignored")
{
	const Secret<16> k = key_from_hex("000102030405060708090a0b0c0d0e0f");
	const nfk_seq_key key{siphash24, k.data()};
	const nfk_seq_params p = seq_params();
	const u64 w = 58907520, t = 1767225600000ULL;
	const u32 timeout = 5000;
	const auto s = sequence_ports(k, p, w, IPPROTO_TCP, 22);
	nfk_seq_attempt a;

	nfk_seq_begin(&a, &key, &p, w, 7, IPPROTO_TCP, 22, s[0], t, timeout);
	CHECK(a.user == 7);
	CHECK(a.next == 1);
	CHECK(a.expect == s[1]);

	SECTION("in order, with retransmissions")
	{
		CHECK(nfk_seq_feed(&a, &key, &p, s[0], t + 100, timeout) == NFK_SEQ_REPEAT);
		CHECK(nfk_seq_feed(&a, &key, &p, s[1], t + 200, timeout) == NFK_SEQ_PROGRESS);
		CHECK(nfk_seq_feed(&a, &key, &p, s[1], t + 300, timeout) == NFK_SEQ_REPEAT);
		CHECK(nfk_seq_feed(&a, &key, &p, s[2], t + 400, timeout) == NFK_SEQ_PROGRESS);
		CHECK(a.next == 3);
		CHECK(nfk_seq_feed(&a, &key, &p, s[3], t + 500, timeout) == NFK_SEQ_COMPLETE);
	}
	SECTION("a wrong port or the wrong order is not this attempt's")
	{
		const nfk_seq_attempt before = a;
		CHECK(nfk_seq_feed(&a, &key, &p, s[2], t + 100, timeout) == NFK_SEQ_OTHER);
		CHECK(nfk_seq_feed(&a, &key, &p, uint16_t(s[1] + 1), t + 100, timeout) ==
		      NFK_SEQ_OTHER);
		CHECK(memcmp(&a, &before, sizeof(a)) == 0);
	}
	SECTION("each step within the timeout of the one before")
	{
		CHECK(nfk_seq_feed(&a, &key, &p, s[1], t + timeout - 1, timeout) ==
		      NFK_SEQ_PROGRESS);
		CHECK(nfk_seq_feed(&a, &key, &p, s[2], t + 2 * timeout - 2, timeout) ==
		      NFK_SEQ_PROGRESS);
		CHECK(nfk_seq_feed(&a, &key, &p, s[3], t + 3 * timeout - 2, timeout) ==
		      NFK_SEQ_OTHER);
		// A repeat after the deadline does not revive it either.
		CHECK(nfk_seq_feed(&a, &key, &p, s[2], t + 3 * timeout, timeout) ==
		      NFK_SEQ_OTHER);
	}
	SECTION("the window the attempt began in holds to its end")
	{
		// Steps after a window turn are still the first window's.
		nfk_seq_begin(&a, &key, &p, w, 7, IPPROTO_TCP, 22, s[0], t, 60000);
		CHECK(nfk_seq_feed(&a, &key, &p, s[1], t + 31000, 60000) ==
		      NFK_SEQ_PROGRESS);
		CHECK(a.window == w);
		CHECK(a.expect == s[2]);
	}
}

TEST_CASE("an attempt of length 2 completes on its second step")
{
	const Secret<16> k = key_from_hex("000102030405060708090a0b0c0d0e0f");
	const nfk_seq_key key{siphash24, k.data()};
	const nfk_seq_params p = seq_params(2);
	const auto s = sequence_ports(k, p, 5, IPPROTO_UDP, 53);
	nfk_seq_attempt a;

	nfk_seq_begin(&a, &key, &p, 5, 1, IPPROTO_UDP, 53, s[0], 0, 1000);
	CHECK(nfk_seq_feed(&a, &key, &p, s[1], 10, 1000) == NFK_SEQ_COMPLETE);
}
