// SPDX-License-Identifier: GPL-2.0 OR MIT
// The client side of derived sequences through knockctl's real CLI
// (cli_harness.hpp): knockctl sequence against the committed vectors
// (tests/vectors/seq-v1.txt, whose k_seq is that of the spa-v1.txt keys),
// knock --sequence with a fake sender and clock (order, gaps, the window's
// turn, refusals), and on loopback with the real sender: UDP steps into
// sockets bound to the derived ports of 127.0.0.1, TCP steps into
// listening ones.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "derive.hpp"
#include "fd.hpp"
#include "keys.hpp"
#include "sequence.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

// "name = value" lines of a vector file.
std::map<std::string, std::string> seqk_values(const std::string &path)
{
	std::ifstream in(path);
	std::map<std::string, std::string> out;
	std::string line;

	REQUIRE(in);
	while (std::getline(in, line)) {
		const auto eq = line.find(" = ");
		if (!line.empty() && line[0] != '#' && eq != std::string::npos)
			out[line.substr(0, eq)] = line.substr(eq + 3);
	}
	return out;
}

// A client with the keys of tests/vectors/spa-v1.txt, and its profiles.
struct SeqClient {
	TempDir dir;
	PrivateKey sk;
	std::string server_pk;	// base64
	std::string key_file;

	SeqClient()
	{
		const auto v = seqk_values(NFKNOCK_VECTORS_DIR "/spa-v1.txt");
		const std::string hex = v.at("client_sk");

		REQUIRE(hex.size() == 64);
		for (std::size_t i = 0; i < 32; i++)
			sk[i] = uint8_t(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
		server_pk = v.at("server_pk_base64");
		key_file = dir.write("client.key", key_to_base64(sk) + "\n", 0600);
	}

	// A profile "lo" for 127.0.0.1 with service tcp/22 and @extra lines.
	std::string profile(const std::string &extra = "")
	{
		return dir.write("client.toml",
				 "[[server]]\nname = \"lo\"\naddress = \"127.0.0.1\"\n"
				 "public_key = \"" + server_pk + "\"\n"
				 "key_file = \"" + key_file + "\"\n"
				 "service = \"tcp/22\"\n" + extra);
	}

	Secret<16> k_seq() const
	{
		return client_side_keys(sk, *decode_public_key(server_pk)).k_seq;
	}
};

// One case of seq-v1.txt.
struct SeqCase {
	std::string name;
	Sequence params;
	uint64_t unix_s = 0;
	uint64_t window = 0;
	std::string service;
	std::vector<uint16_t> ports;
};

std::vector<SeqCase> seqk_cases()
{
	std::ifstream in(NFKNOCK_VECTORS_DIR "/seq-v1.txt");
	std::vector<SeqCase> out;
	std::string line;

	REQUIRE(in);
	while (std::getline(in, line)) {
		if (line.rfind("case ", 0) != 0)
			continue;
		std::istringstream s(line.substr(5));
		SeqCase c;
		unsigned lo, hi, length, window_s, proto, port, v;
		std::string colon;
		s >> c.name >> lo >> hi >> length >> window_s >> c.unix_s >> c.window >>
			proto >> port >> colon;
		REQUIRE(colon == ":");
		c.params = Sequence{uint8_t(length), uint16_t(lo), uint16_t(hi),
				    IPPROTO_TCP, window_s};
		c.service = (proto == IPPROTO_TCP ? "tcp/" : "udp/") + std::to_string(port);
		while (s >> v)
			c.ports.push_back(uint16_t(v));
		out.push_back(c);
	}
	REQUIRE(out.size() == 6);
	return out;
}

// The TOML table of @s.
std::string seqk_table(const Sequence &s)
{
	return "sequence = { length = " + std::to_string(s.length) + ", range = \"" +
	       std::to_string(s.lo) + "-" + std::to_string(s.hi) + "\", proto = \"" +
	       (s.proto == IPPROTO_UDP ? "udp" : "tcp") + "\", window = \"" +
	       std::to_string(s.window_s) + "s\" }\n";
}

// Binds a socket of @type to 127.0.0.1:@port (listening for TCP); -1 if
// the port is taken.
int seqk_bind(int type, uint16_t port)
{
	const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	sockaddr_in a{};
	const int one = 1;

	REQUIRE(fd >= 0);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

// Sockets closed at the end (Fd cannot live in a vector: it copies).
struct SeqkSockets {
	std::vector<int> fds;

	~SeqkSockets() { clear(); }
	void clear()
	{
		for (int fd : fds)
			close(fd);
		fds.clear();
	}
};

} // namespace

TEST_CASE("sequence prints the vectors' ports for the vectors' keys")
{
	SeqClient c;

	for (const SeqCase &v : seqk_cases()) {
		INFO("case " << v.name);
		Harness h;
		h.now = v.unix_s * 1000 + 123;
		const std::string prof = c.profile(seqk_table(v.params));

		Result r = h.run({"sequence", "lo", v.service, "--profile", prof, "--json"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		const auto j = nlohmann::json::parse(r.out);
		REQUIRE(j["ports"].get<std::vector<uint16_t>>() == v.ports);
		REQUIRE(j["window"] == v.window);
		REQUIRE(j["service"] == v.service);
		REQUIRE(j["proto"] == "tcp");
		REQUIRE(j["window_s"] == v.params.window_s);
		REQUIRE(j["starts_in"] == 0);
		const uint64_t end_ms = (v.window + 1) * v.params.window_s * 1000ULL;
		REQUIRE(j["seconds_left"] == (end_ms - h.now) / 1000);
		REQUIRE(h.k.opened == 0);
	}
}

TEST_CASE("sequence: text, the next window, keys from the command line")
{
	SeqClient c;
	Harness h;
	h.now = 1767225600123ULL;	// the vectors' "default" case
	const std::string prof = c.profile();

	SECTION("the profile's service, parameters and keys") {
		Result r = h.run({"sequence", "lo", "--profile", prof});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "tcp 54253 39245 37899 42390  (window 58907520, 29 s left)\n");
	}
	SECTION("the next window: the vectors' next_window case") {
		Result r = h.run({"sequence", "lo", "tcp/22", "--window", "next",
				  "--profile", prof});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "tcp 26709 12980 13256 59916  (window 58907521, starts "
				 "in 29 s)\n");
		const auto j = nlohmann::json::parse(
			h.run({"sequence", "lo", "--window=next", "--profile", prof,
			       "--json"})
				.out);
		REQUIRE(j["window"] == 58907521);
		REQUIRE(j["starts_in"] == 29);
		REQUIRE(j["seconds_left"] == 59);
	}
	SECTION("without HOST: SERVICE and the keys on the command line") {
		Result r = h.run({"sequence", "udp/53", "--server-key", c.server_pk,
				  "--key", c.key_file, "--profile", prof});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "tcp 56822 11128 63553 30489  (window 58907520, 29 s left)\n");
	}
	SECTION("a step protocol of udp is what the ports are for") {
		const std::string udp = c.profile("sequence = { proto = \"udp\" }\n");
		Result r = h.run({"sequence", "lo", "--profile", udp});
		REQUIRE(r.code == 0);
		// The protocol of the steps is not part of the derivation.
		REQUIRE(r.out == "udp 54253 39245 37899 42390  (window 58907520, 29 s left)\n");
	}
	SECTION("usage errors name the input") {
		const auto err = [&](const std::vector<std::string> &args) {
			Result r = h.run(args);
			REQUIRE(r.code == 2);
			REQUIRE(r.out.empty());
			return r.err;
		};
		REQUIRE(err({"sequence", "lo", "tcp/22-23", "--profile", prof}) ==
			"knockctl: tcp/22-23: a single port is needed here, not a range\n");
		REQUIRE(err({"sequence", "lo", "--window", "later", "--profile", prof}) ==
			"knockctl: --window later: expected current or next\n");
		REQUIRE(err({"sequence", "--profile", prof}) ==
			"knockctl: sequence: SERVICE is needed (tcp/PORT or udp/PORT), or "
			"a profile with a service\n");
		REQUIRE(err({"sequence", "elsewhere", "tcp/22", "--profile", prof}) ==
			"knockctl: sequence elsewhere: no server public key (--server-key "
			"or a profile)\n");
		REQUIRE(err({"sequence", "tcp/22", "--server-key", c.server_pk,
			     "--profile", prof}) ==
			"knockctl: sequence: no private key file (--key or a profile)\n");
		REQUIRE(err({"sequence", "lo", "--profile",
			     c.profile("sequence = false\n")}) ==
			"knockctl: sequence lo: the profile says sequence = false (the "
			"server has no sequences for this user)\n");
	}
}

TEST_CASE("knock --sequence sends the derived steps in order, a gap apart")
{
	SeqClient c;
	Harness h;
	h.now = 1767225600123ULL;
	const Sequence params{3, 20000, 21023, IPPROTO_UDP, 60};
	const std::string prof = c.profile(seqk_table(params));
	const uint64_t window = 1767225600ULL / 60;
	const std::vector<uint16_t> want =
		sequence_ports(c.k_seq(), params, window, IPPROTO_TCP, 22);

	SECTION("the profile's parameters and service, 200ms apart") {
		Result r = h.run({"knock", "lo", "--sequence", "--profile", prof});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out.empty());
		REQUIRE(h.steps.size() == 3);
		for (std::size_t i = 0; i < 3; i++) {
			REQUIRE(h.steps[i].port == want[i]);
			REQUIRE(h.steps[i].proto == IPPROTO_UDP);
			REQUIRE(h.steps[i].to.ss_family == AF_INET);
			REQUIRE(reinterpret_cast<const sockaddr_in &>(h.steps[i].to)
					.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
			REQUIRE(h.steps[i].at == 1767225600123ULL + 200 * i);
		}
		REQUIRE(h.sleeps == std::vector<uint32_t>{200, 200});
		REQUIRE(h.sent.empty());	// no knock datagram
		REQUIRE(h.k.opened == 0);
	}
	SECTION("--open another service, --gap, -v") {
		const std::vector<uint16_t> other =
			sequence_ports(c.k_seq(), params, window, IPPROTO_UDP, 53);
		Result r = h.run({"knock", "lo", "--sequence", "--open", "udp/53",
				  "--gap", "1s", "-v", "--profile", prof});
		REQUIRE(r.code == 0);
		REQUIRE(h.steps.size() == 3);
		REQUIRE(h.steps[2].port == other[2]);
		REQUIRE(h.sleeps == std::vector<uint32_t>{1000, 1000});
		REQUIRE(r.out == "sent the sequence for udp/53 to 127.0.0.1 (127.0.0.1): "
				 "udp " + std::to_string(other[0]) + " " +
				 std::to_string(other[1]) + " " + std::to_string(other[2]) +
				 ", window " + std::to_string(window) + ", 1s apart\n");
	}
	SECTION("the default parameters without a profile's sequence") {
		Result r = h.run({"knock", "lo", "--sequence", "--profile", c.profile()});
		REQUIRE(r.code == 0);
		// The vectors' "default" case.
		REQUIRE(h.steps.size() == 4);
		const std::vector<uint16_t> ports{54253, 39245, 37899, 42390};
		for (std::size_t i = 0; i < 4; i++) {
			REQUIRE(h.steps[i].port == ports[i]);
			REQUIRE(h.steps[i].proto == IPPROTO_TCP);
		}
	}
	SECTION("--wait probes the service after the last step") {
		h.probe_took = 12;
		Result r = h.run({"knock", "lo", "--sequence", "--wait", "--profile", prof});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "tcp/22 on 127.0.0.1 open after 12 ms\n");
		REQUIRE(h.probes.size() == 1);
		REQUIRE(h.probes[0].steps_before == 3);
		REQUIRE(h.probes[0].svc == Service{IPPROTO_TCP, 22, 22});

		h.probe_took.reset();
		Result n = h.run({"knock", "lo", "--sequence", "--wait=2s", "--profile", prof});
		REQUIRE(n.code == 1);
		REQUIRE(n.err == "knockctl: tcp/22 on 127.0.0.1 (127.0.0.1): not open "
				 "after 2s (the sequence was lost or refused: a wrong key, "
				 "service or sequence parameters, or this host's clock is "
				 "off; the server's knockctl status counts why)\n");
	}
}

TEST_CASE("knock --sequence waits for the next window when this one ends too soon")
{
	SeqClient c;
	const Sequence params{4, 20000, 21023, IPPROTO_TCP, 30};
	const std::string prof = c.profile(seqk_table(params));
	// A window's start: 1767225600 is a multiple of 30.
	const uint64_t start = 1767225600000ULL, w = 1767225600ULL / 30;

	SECTION("less than 4 steps 200ms apart and 1s left: the next window") {
		Harness h;
		h.now = start + 30000 - 1799;
		Result r = h.run({"knock", "lo", "--sequence", "-v", "--profile", prof});
		REQUIRE(r.code == 0);
		REQUIRE(h.sleeps == std::vector<uint32_t>{1799, 200, 200, 200});
		REQUIRE(h.steps.front().at == start + 30000);
		const auto next = sequence_ports(c.k_seq(), params, w + 1, IPPROTO_TCP, 22);
		for (std::size_t i = 0; i < 4; i++)
			REQUIRE(h.steps[i].port == next[i]);
		REQUIRE(r.out.rfind("window " + std::to_string(w) + " ends in 1799 ms, too "
				    "soon for 4 steps 200ms apart: waiting for window " +
				    std::to_string(w + 1) + "\nsent the sequence for tcp/22 ",
				    0) == 0);
	}
	SECTION("exactly enough left: this window, at once") {
		Harness h;
		h.now = start + 30000 - 1800;
		REQUIRE(h.run({"knock", "lo", "--sequence", "--profile", prof}).code == 0);
		REQUIRE(h.sleeps == std::vector<uint32_t>{200, 200, 200});
		const auto now = sequence_ports(c.k_seq(), params, w, IPPROTO_TCP, 22);
		REQUIRE(h.steps.front().port == now[0]);
	}
	SECTION("the gap counts: 5s steps need 21s") {
		Harness h;
		h.now = start + 10000;
		REQUIRE(h.run({"knock", "lo", "--sequence", "--gap", "5s", "--profile", prof})
				.code == 0);
		REQUIRE(h.sleeps.front() == 20000);
		REQUIRE(h.steps.front().at == start + 30000);
	}
}

TEST_CASE("knock --sequence refuses what a sequence has no use for")
{
	SeqClient c;
	Harness h;
	const std::string prof = c.profile();
	const auto err = [&](std::vector<std::string> extra) {
		std::vector<std::string> args{"knock", "lo", "--sequence", "--profile", prof};
		args.insert(args.end(), extra.begin(), extra.end());
		Result r = h.run(args);
		REQUIRE(r.code == 2);
		REQUIRE(h.steps.empty());
		REQUIRE(h.sent.empty());
		return r.err;
	};
	const std::string lasts = "a completed sequence opens the service for the "
				  "user's max_duration)\n";
	const std::string from = "a sequence opens the service for the address its "
				 "steps come from)\n";

	REQUIRE(err({"--close", "tcp/22"}) ==
		"knockctl: knock --sequence: --close does not apply (a sequence only "
		"opens)\n");
	REQUIRE(err({"--once"}) == "knockctl: knock --sequence: --once does not apply (" +
					   lasts);
	REQUIRE(err({"--for", "5m"}) ==
		"knockctl: knock --sequence: --for does not apply (" + lasts);
	REQUIRE(err({"--address", "127.0.0.1"}) ==
		"knockctl: knock --sequence: --address does not apply (" + from);
	REQUIRE(err({"--discover", "stun:127.0.0.1"}) ==
		"knockctl: knock --sequence: --discover does not apply (" + from);
	REQUIRE(err({"--port", "udp/62201"}) ==
		"knockctl: knock --sequence: --port does not apply (the steps go to "
		"the sequence's ports, not to a knock port)\n");
	REQUIRE(err({"--gap", "6s"}) ==
		"knockctl: --gap 6s: too long (at most 5s: the server waits 10s at most "
		"for each next step)\n");
	REQUIRE(err({"--gap", "0"}) == "knockctl: --gap 0: duration must be greater "
				       "than zero\n");
	REQUIRE(err({"--wait", "--open", "udp/53"}) ==
		"knockctl: knock: --wait on udp/53 needs --probe PAYLOAD (a UDP "
		"service is open when it answers; silence says nothing)\n");

	Result g = h.run({"knock", "lo", "--gap", "1s", "--profile", prof});
	REQUIRE(g.code == 2);
	REQUIRE(g.err == "knockctl: knock: --gap is the pause between --sequence "
			 "steps; give --sequence too\n");
	REQUIRE(h.sent.empty());

	Result off = h.run({"knock", "lo", "--sequence", "--profile",
			    c.profile("sequence = false\n")});
	REQUIRE(off.code == 2);
	REQUIRE(off.err == "knockctl: knock lo: --sequence, but the profile says "
			   "sequence = false (the server has no sequences for this "
			   "user)\n");

	// The help says what it does.
	const Result help = h.run({"knock", "--help"});
	REQUIRE(help.out.find("--sequence") != std::string::npos);
	REQUIRE(help.out.find("--gap DURATION") != std::string::npos);
}

TEST_CASE("knock --sequence on loopback: the steps arrive at the derived ports")
{
	SeqClient c;

	for (const uint8_t proto : {uint8_t(IPPROTO_UDP), uint8_t(IPPROTO_TCP)}) {
		const bool udp = proto == IPPROTO_UDP;
		INFO((udp ? "udp steps" : "tcp steps"));
		const Sequence params{4, 40000, 41023, proto, 60};
		const std::string prof = c.profile(seqk_table(params));
		Harness h;
		h.real_steps = true;
		h.now = 1767225600123ULL;

		// Sockets on the ports of one window; another window if one of
		// them is taken on this host.
		std::vector<uint16_t> ports;
		SeqkSockets socks;
		for (int tries = 0; tries < 20 && socks.fds.size() < 4; tries++) {
			socks.clear();
			ports = sequence_ports(c.k_seq(), params, h.now / 60000,
					       IPPROTO_TCP, 22);
			for (uint16_t p : ports) {
				const int fd = seqk_bind(udp ? SOCK_DGRAM : SOCK_STREAM, p);
				if (fd < 0)
					break;
				socks.fds.push_back(fd);
			}
			if (socks.fds.size() < 4)
				h.now += 60000;
		}
		REQUIRE(socks.fds.size() == 4);

		Result r = h.run({"knock", "lo", "--sequence", "--gap", "1ms", "-v",
				  "--profile", prof});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out.find(std::string(udp ? "udp " : "tcp ") +
				   std::to_string(ports[0]) + " " +
				   std::to_string(ports[1])) != std::string::npos);
		for (std::size_t i = 0; i < 4; i++) {
			INFO("step " << i << " to port " << ports[i]);
			pollfd p{socks.fds[i], POLLIN, 0};
			REQUIRE(poll(&p, 1, 2000) == 1);
			if (udp) {
				char buf[16];
				sockaddr_in from{};
				socklen_t len = sizeof(from);
				// An empty datagram, from this host.
				REQUIRE(recvfrom(socks.fds[i], buf, sizeof(buf), 0,
						 reinterpret_cast<sockaddr *>(&from), &len) == 0);
				REQUIRE(from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
			} else {
				const Fd conn{accept(socks.fds[i], nullptr, nullptr)};
				REQUIRE(conn.fd >= 0);
			}
		}
	}
}
