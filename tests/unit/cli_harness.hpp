// SPDX-License-Identifier: GPL-2.0 OR MIT
// The client and configuration commands through knockctl's real CLI: a
// fake module (fakes.hpp), a fake UDP sender, prober, session killer and
// clock, and a server key with two users' keys in a temporary directory.
// Shared by test_ctl_spa_cli.cpp, test_ctl_seq_cli.cpp and
// test_ctl_sseq_cli.cpp.
#pragma once

#include <catch2/catch.hpp>

#include <netinet/in.h>

#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "address.hpp"
#include "app.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "fakes.hpp"
#include "keys.hpp"

namespace knockctl::test {

struct Harness {
	FakeKernel k;
	std::string in;
	std::vector<std::vector<uint8_t>> sent;
	std::vector<sockaddr_storage> sent_to;
	std::vector<std::pair<Address, std::optional<uint16_t>>> killed;
	unsigned kill_result = 0;
	uint64_t now = 1767225600123ULL;
	// check's ip_local_port_range; unreadable by default, so the host's
	// own range never shows in these tests.
	std::string port_range_file = "/nonexistent/ip_local_port_range";
	// This host's source toward any server (knock --address auto), and
	// what a discovery service answers (none: it fails).
	Address src4 = parse_address("10.0.0.2");
	Address src6 = parse_address("fd00::2");
	std::optional<Address> discovered;
	std::vector<std::string> discover_calls;
	// knock --wait: what the probe answers (ms it took, or not open), and
	// what it was asked, with how many datagrams had been sent by then.
	std::optional<uint32_t> probe_took;
	struct ProbeCall {
		Service svc;
		std::vector<uint8_t> payload;
		uint32_t wait_ms;
		int family;
		std::size_t sent_before;
		std::size_t steps_before;
	};
	std::vector<ProbeCall> probes;
	// knock --sequence: each step (where, which port and protocol, the
	// clock then) and each pause, which moves the clock on. With
	// real_steps the real sender sends them (loopback tests).
	struct Step {
		sockaddr_storage to;
		uint16_t port;
		uint8_t proto;
		uint64_t at;
	};
	std::vector<Step> steps;
	std::vector<uint32_t> sleeps;
	bool real_steps = false;

	Result run(const std::vector<std::string> &args)
	{
		std::ostringstream out, err;
		std::istringstream input(in);
		Context ctx(out, err, [this] { return std::make_unique<FakeTransport>(k); });
		ctx.in = &input;
		ctx.port_range_file = port_range_file;
		ctx.now_ms = [this] { return now; };
		ctx.send_udp = [this](const sockaddr_storage &to, socklen_t,
				      const std::vector<uint8_t> &d) {
			sent_to.push_back(to);
			sent.push_back(d);
		};
		ctx.source_address = [this](const sockaddr_storage &to, socklen_t) {
			return to.ss_family == AF_INET6 ? src6 : src4;
		};
		ctx.discover = [this](const Discovery &d, int family) {
			discover_calls.push_back(d.text + (family == AF_INET6 ? " 6" : " 4"));
			if (!discovered)
				throw Error(d.text + ": no answer");
			return *discovered;
		};
		ctx.probe = [this](const sockaddr_storage &to, socklen_t, const Service &svc,
				   const std::vector<uint8_t> &payload, uint32_t wait_ms) {
			probes.push_back({svc, payload, wait_ms, to.ss_family, sent.size(),
					  steps.size()});
			return probe_took;
		};
		if (!real_steps)
			ctx.send_step = [this](const sockaddr_storage &to, socklen_t,
					       uint8_t proto) {
				const uint16_t port = ntohs(
					to.ss_family == AF_INET6 ?
						reinterpret_cast<const sockaddr_in6 &>(to).sin6_port :
						reinterpret_cast<const sockaddr_in &>(to).sin_port);
				steps.push_back({to, port, proto, now});
			};
		ctx.sleep_ms = [this](uint32_t ms) {
			sleeps.push_back(ms);
			now += ms;
		};
		ctx.kill_sessions = [this](const Address &a, std::optional<uint16_t> p) {
			killed.push_back({a, p});
			return kill_result;
		};
		const int code = knockctl::run(ctx, args, register_all);
		return {code, out.str(), err.str()};
	}

	std::vector<uint8_t> cmds() const
	{
		std::vector<uint8_t> v;
		for (const MsgPtr &m : k.requests)
			v.push_back(message_cmd(nlmsg_hdr(m.get())));
		return v;
	}

	// What every TXN_ADD of @kind that the fake module saw carried.
	std::vector<TxnItem> txn_items(TxnItem::Kind kind) const
	{
		std::vector<TxnItem> v;
		for (const MsgPtr &m : k.requests)
			if (message_cmd(nlmsg_hdr(m.get())) == NFKNOCK_CMD_TXN_ADD) {
				TxnItem it = parse_txn_add(nlmsg_hdr(m.get()));
				if (it.kind == kind)
					v.push_back(std::move(it));
			}
		return v;
	}
};

// A server key, two client keys, and a config using them.
struct Setup {
	TempDir dir;
	PrivateKey server = generate_private_key();
	PrivateKey alice = generate_private_key();
	PrivateKey bob = generate_private_key();
	std::string server_key = dir.write("server.key", key_to_base64(server) + "\n", 0600);
	std::string alice_key = dir.write("alice.key", key_to_base64(alice) + "\n", 0600);
	std::string conf = dir.write(
		"nfknock.conf",
		"[server]\n"
		"private_key_file = \"" + server_key + "\"\n"
		"skew = \"10s\"\n"
		"[[guard]]\nservice = \"tcp/22\"\n"
		"[[guard]]\nservice = \"udp/53\"\n"
		"[[user]]\nname = \"alice\"\npublic_key = \"" +
			key_to_base64(public_key(alice)) + "\"\nallow = [\"tcp/22\"]\n"
		"[[user]]\nname = \"bob\"\npublic_key = \"" +
			key_to_base64(public_key(bob)) + "\"\nallow = [\"udp/53\"]\n");

	// A config FILE of the server key and alice (tcp/22, then the lines
	// @alice_extra), and bob (udp/53) unless @with_bob is false.
	std::string users_conf(const std::string &file,
			       const std::string &alice_extra, bool with_bob = true)
	{
		std::string text =
			"[server]\nprivate_key_file = \"" + server_key + "\"\n"
			"[[user]]\nname = \"alice\"\npublic_key = \"" +
			key_to_base64(public_key(alice)) + "\"\nallow = [\"tcp/22\"]\n" +
			alice_extra;
		if (with_bob)
			text += "[[user]]\nname = \"bob\"\npublic_key = \"" +
				key_to_base64(public_key(bob)) +
				"\"\nallow = [\"udp/53\"]\n";
		return dir.write(file, text);
	}
};


} // namespace knockctl::test
