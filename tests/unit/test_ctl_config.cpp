// SPDX-License-Identifier: GPL-2.0 OR MIT
// The server configuration parser and loader, and client profiles: a full
// valid file, and every kind of problem with its exact "file:line: field:"
// text. No kernel and no key file: the key loader is a fake.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <string>
#include <vector>

#include "config.hpp"
#include "config_errors.hpp"
#include "profile.hpp"
#include "sequence.hpp"
#include "service.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

struct Keys {
	PrivateKey server = generate_private_key();
	PrivateKey alice = generate_private_key();
	PrivateKey bob = generate_private_key();
	std::string alice_pk = key_to_base64(public_key(alice));
	std::string bob_pk = key_to_base64(public_key(bob));
};

const Keys &keys()
{
	static const Keys k;
	return k;
}

KeyLoader fake_loader()
{
	return [](const std::string &path) -> PrivateKey {
		if (path != "/etc/nfknock/server.key")
			throw Error(path + ": No such file or directory");
		return keys().server;
	};
}

std::string full_config()
{
	return "[server]\n"						// 1
	       "private_key_file = \"/etc/nfknock/server.key\"\n"	// 2
	       "knock_ports = [\"udp/62201\", \"udp/62202\"]\n"		// 3
	       "skew = \"10s\"\n"					// 4
	       "knock_packets = \"drop\"\n"				// 5
	       "guard_action = \"reset\"\n"				// 6
	       "udp_idle = \"2m\"\n"					// 7
	       "[limits]\n"						// 8
	       "grants = 1000\n"					// 9
	       "[[guard]]\n"						// 10
	       "service = \"tcp/22\"\n"					// 11
	       "[[guard]]\n"						// 12
	       "service = \"tcp/8000-8100\"\n"				// 13
	       "[[user]]\n"						// 14
	       "name = \"alice\"\n"					// 15
	       "public_key = \"" + keys().alice_pk + "\"\n"		// 16
	       "allow = [\"tcp/22\", \"tcp/8000-8100\"]\n"		// 17
	       "max_duration = \"5m\"\n"				// 18
	       "sources = [\"192.0.2.0/24\", \"2001:db8::/32\", \"198.51.100.7\"]\n"	// 19
	       "require_address = false\n"				// 20
	       "expires = \"2027-01-01T00:00:00Z\"\n"			// 21
	       "[[user]]\n"						// 22
	       "name = \"bob\"\n"					// 23
	       "public_key = \"" + keys().bob_pk + "\"\n"		// 24
	       "allow = [\"udp/53\"]\n"					// 25
	       "enabled = false\n"					// 26
	       "expires = 2026-06-01\n";				// 27
}

// The problems of @text, one per line.
std::vector<std::string> problems(const std::string &text)
{
	try {
		load_config(parse_config(text, "nfknock.conf"), "nfknock.conf",
			    fake_loader());
	} catch (const ConfigError &e) {
		return e.problems();
	}
	FAIL("no error");
	return {};
}

std::string problem(const std::string &text)
{
	const auto p = problems(text);

	REQUIRE(p.size() == 1);
	return p[0];
}

std::string user(const std::string &body)
{
	return "[[user]]\nname = \"alice\"\npublic_key = \"" + keys().alice_pk +
	       "\"\nallow = [\"tcp/22\"]\n" + body;
}

// A fresh client public key in base64.
std::string generate_key_b64()
{
	return key_to_base64(public_key(generate_private_key()));
}

} // namespace

TEST_CASE("a full valid configuration parses and loads")
{
	const ServerConfig cfg = parse_config(full_config(), "nfknock.conf");
	const LoadedConfig l = load_config(cfg, "nfknock.conf", fake_loader());

	REQUIRE(l.params.skew_ms == 10000);
	REQUIRE(l.params.knock_packets == NFKNOCK_KNOCK_DROP);
	REQUIRE(l.params.guard_action == NFKNOCK_ACTION_RESET);
	REQUIRE(l.params.udp_idle_ms == 120000);
	REQUIRE(l.params.grants_max == 1000);
	REQUIRE(l.guards == std::vector<Service>{{IPPROTO_TCP, 22, 22},
						 {IPPROTO_TCP, 8000, 8100}});
	REQUIRE(l.knock_ports == std::vector<Service>{{IPPROTO_UDP, 62201, 62201},
						      {IPPROTO_UDP, 62202, 62202}});
	REQUIRE(l.users.size() == 2);

	const User &a = l.users[0].user;
	REQUIRE(a.name == "alice");
	REQUIRE(a.fpr == fingerprint(public_key(keys().alice)));
	REQUIRE(a.allow.size() == 2);
	REQUIRE(a.sources.size() == 3);
	REQUIRE(format_prefix(a.sources[0]) == "192.0.2.0/24");
	REQUIRE(format_prefix(a.sources[1]) == "2001:db8::/32");
	REQUIRE(format_prefix(a.sources[2]) == "198.51.100.7/32");
	REQUIRE(a.max_duration_s == 300);
	REQUIRE(a.expires_s == 1798761600);
	REQUIRE(a.flags == 0);	// require_address = false
	const UserKeys ck = client_side_keys(keys().alice, public_key(keys().server));
	REQUIRE(l.users[0].keys.k_aead == ck.k_aead);
	REQUIRE(l.users[0].keys.k_hint == ck.k_hint);

	const User &b = l.users[1].user;
	REQUIRE(b.flags == (NFKNOCK_USER_F_DISABLED | NFKNOCK_USER_F_REQUIRE_ADDRESS));
	REQUIRE(b.max_duration_s == DEFAULT_MAX_DURATION_S);
	REQUIRE(b.expires_s == 1780272000);
	REQUIRE(format_prefix(b.sources[0]) == "0.0.0.0/0");
	REQUIRE(format_prefix(b.sources[1]) == "::/0");
}

TEST_CASE("defaults: an empty file is one knock port and the default key")
{
	const ServerConfig cfg = parse_config("", "nfknock.conf");
	const LoadedConfig l = load_config(cfg, "nfknock.conf", fake_loader());

	REQUIRE(cfg.private_key_file == "/etc/nfknock/server.key");
	REQUIRE(l.knock_ports == std::vector<Service>{{IPPROTO_UDP, 62201, 62201}});
	REQUIRE(l.params.skew_ms == 30000);
	REQUIRE(l.params.knock_packets == NFKNOCK_KNOCK_PASS);
	REQUIRE(l.params.guard_action == NFKNOCK_ACTION_RESET);
	REQUIRE(l.params.udp_idle_ms == 60000);
	// Not given: left to the module (65536, 4096 in an unprivileged
	// namespace, where more is refused).
	REQUIRE_FALSE(l.params.grants_max);
	REQUIRE(l.users.empty());
	REQUIRE(l.guards.empty());
}

TEST_CASE("config problems name file, line and field")
{
	const std::string ok_user = user("");

	SECTION("syntax") {
		REQUIRE(problem("[server\n").rfind("nfknock.conf:1: ", 0) == 0);
	}
	SECTION("unknown keys") {
		REQUIRE(problem("[server]\nknock_port = \"udp/1\"\n") ==
			"nfknock.conf:2: server.knock_port: unknown key");
		REQUIRE(problem("colour = 1\n") == "nfknock.conf:1: colour: unknown key");
		REQUIRE(problem(user("allow_extra = 1\n")) ==
			"nfknock.conf:5: user[0].allow_extra: unknown key");
		REQUIRE(problem("[[guard]]\nservice = \"tcp/22\"\nport = 1\n") ==
			"nfknock.conf:3: guard[0].port: unknown key");
	}
	SECTION("types") {
		REQUIRE(problem("[server]\nskew = 30\n") ==
			"nfknock.conf:2: server.skew: expected a string");
		REQUIRE(problem("[server]\nknock_ports = \"udp/1\"\n") ==
			"nfknock.conf:2: server.knock_ports: expected an array of strings");
		REQUIRE(problem("[limits]\ngrants = \"many\"\n") ==
			"nfknock.conf:2: limits.grants: expected an integer");
		REQUIRE(problem(user("enabled = \"yes\"\n")) ==
			"nfknock.conf:5: user[0].enabled: expected true or false");
		REQUIRE(problem("server = 1\n") ==
			"nfknock.conf:1: server: expected a table ([server])");
	}
	SECTION("server values") {
		REQUIRE(problem("[server]\nskew = \"20m\"\n") ==
			"nfknock.conf:2: server.skew: 20m: out of range (1ms to 10m)");
		REQUIRE(problem("[server]\nskew = \"soon\"\n") ==
			"nfknock.conf:2: server.skew: soon: invalid duration");
		REQUIRE(problem("[server]\nudp_idle = \"0s\"\n") ==
			"nfknock.conf:2: server.udp_idle: 0s: duration must be greater than zero");
		REQUIRE(problem("[server]\nknock_packets = \"eat\"\n") ==
			"nfknock.conf:2: server.knock_packets: eat: expected pass or drop");
		REQUIRE(problem("[server]\nguard_action = \"eat\"\n") ==
			"nfknock.conf:2: server.guard_action: eat: expected drop or reset");
		REQUIRE(problem("[limits]\ngrants = 0\n") ==
			"nfknock.conf:2: limits.grants: 0: out of range (1 to 1048576)");
		REQUIRE(problem("[server]\nknock_ports = []\n") ==
			"nfknock.conf:2: server.knock_ports: 1 to 16 knock ports");
		REQUIRE(problem("[server]\nknock_ports = [\"tcp/1\"]\n") ==
			"nfknock.conf:2: server.knock_ports[0]: tcp/1: a knock port must be udp");
		REQUIRE(problem("[server]\nknock_ports = [\"udp/1\", \"udp/1\"]\n") ==
			"nfknock.conf:2: server.knock_ports[1]: udp/1: duplicate knock port");
		REQUIRE(problem("[server]\nknock_ports = [\"udp/70000\"]\n") ==
			"nfknock.conf:2: server.knock_ports[0]: udp/70000: port out of range");
		REQUIRE(problem("[server]\nknock_ports = [\"udp/5353\"]\n"
				"[[guard]]\nservice = \"udp/5000-6000\"\n") ==
			"nfknock.conf:2: server.knock_ports[0]: udp/5353: also guarded "
			"(udp/5000-6000)");
		REQUIRE(problem("[server]\nprivate_key_file = \"/nope\"\n") ==
			"nfknock.conf:2: server.private_key_file: /nope: No such file or "
			"directory");
	}
	SECTION("guards") {
		REQUIRE(problem("[[guard]]\nservice = \"tcp/22\"\n[[guard]]\n"
				"service = \"tcp/22\"\n") ==
			"nfknock.conf:4: guard[1].service: tcp/22: duplicate guard");
		REQUIRE(problem("[[guard]]\n") ==
			"nfknock.conf:1: guard[0].service: missing");
		REQUIRE(problem("[[guard]]\nservice = \"sctp/1\"\n").rfind(
				"nfknock.conf:2: guard[0].service: sctp/1: ", 0) == 0);
	}
	SECTION("users") {
		REQUIRE(problem(ok_user + "[[user]]\nname = \"bob\"\nallow = [\"tcp/22\", "
					  "\"tcp/70000\"]\npublic_key = \"" +
				keys().bob_pk + "\"\n") ==
			"nfknock.conf:7: user[1].allow[1]: tcp/70000: port out of range");
		REQUIRE(problem(ok_user + "[[user]]\nname = \"alice\"\nallow = [\"tcp/22\"]\n"
					  "public_key = \"" + keys().bob_pk + "\"\n") ==
			"nfknock.conf:6: user[1].name: alice: duplicate name (user[0])");
		REQUIRE(problem(ok_user + "[[user]]\nname = \"bob\"\nallow = [\"tcp/22\"]\n"
					  "public_key = \"" + keys().alice_pk + "\"\n") ==
			"nfknock.conf:8: user[1].public_key: duplicate public key (user[0])");
		const std::string rule =
			": only printable ASCII without spaces (0x21-0x7e), 1..32 bytes";
		REQUIRE(problem("[[user]]\nname = \"\"\npublic_key = \"" + keys().alice_pk +
				"\"\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:2: user[0].name: \"\"" + rule);
		REQUIRE(problem("[[user]]\nname = \"" + std::string(33, 'x') +
				"\"\npublic_key = \"" + keys().alice_pk +
				"\"\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:2: user[0].name: \"" + std::string(33, 'x') + "\"" + rule);
		REQUIRE(problems("[[user]]\n") ==
			std::vector<std::string>{
				"nfknock.conf:1: user[0].name: missing",
				"nfknock.conf:1: user[0].public_key: missing",
				"nfknock.conf:1: user[0].allow: missing"});
		REQUIRE(problem("[[user]]\nname = \"a\"\npublic_key = \"abc\"\n"
				"allow = [\"tcp/22\"]\n") ==
			"nfknock.conf:3: user[0].public_key: invalid key (expected 44 "
			"characters of base64)");
		REQUIRE(problem("[[user]]\nname = \"a\"\npublic_key = \"" +
				key_to_base64(PublicKey{}) + "\"\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:3: user[0].public_key: weak public key (all-zero "
			"shared secret)");
		REQUIRE(problem(user("allow2 = []\n")).find("unknown key") != std::string::npos);
		REQUIRE(problem("[[user]]\nname = \"a\"\npublic_key = \"" + keys().alice_pk +
				"\"\nallow = []\n") ==
			"nfknock.conf:4: user[0].allow: 1 to 16 services");
		REQUIRE(problem(user("max_duration = \"1500ms\"\n")) ==
			"nfknock.conf:5: user[0].max_duration: 1500ms: not a whole number "
			"of seconds");
		REQUIRE(problem(user("max_duration = \"19h\"\n")) ==
			"nfknock.conf:5: user[0].max_duration: 19h: out of range (1s to "
			"65535s)");
		REQUIRE(problem(user("expires = \"2027-02-30\"\n")) ==
			"nfknock.conf:5: user[0].expires: 2027-02-30: invalid date "
			"(expected RFC 3339, e.g. 2027-01-01 or 2027-01-01T00:00:00Z)");
		REQUIRE(problem(user("expires = \"2027-01-01T00:00:00\"\n")) ==
			"nfknock.conf:5: user[0].expires: 2027-01-01T00:00:00: needs a "
			"time zone (Z or +HH:MM)");
		REQUIRE(problem(user("expires = 2027-01-01T00:00:00\n")) ==
			"nfknock.conf:5: user[0].expires: 2027-01-01T00:00:00: needs a "
			"time zone (Z or +HH:MM)");
	}
	SECTION("sources: bad CIDR and host bits") {
		REQUIRE(problem(user("sources = [\"10.0.0.1/8\"]\n")) ==
			"nfknock.conf:5: user[0].sources[0]: 10.0.0.1/8: host bits set");
		REQUIRE(problem(user("sources = [\"2001:db8::1/32\"]\n")) ==
			"nfknock.conf:5: user[0].sources[0]: 2001:db8::1/32: host bits set");
		REQUIRE(problem(user("sources = [\"10.0.0.0/33\"]\n")) ==
			"nfknock.conf:5: user[0].sources[0]: 10.0.0.0/33: invalid prefix "
			"length");
		REQUIRE(problem(user("sources = [\"10.0.0/8\"]\n")) ==
			"nfknock.conf:5: user[0].sources[0]: 10.0.0/8: invalid address");
		REQUIRE(problem(user("sources = [\"10.0.0.0/x\"]\n")) ==
			"nfknock.conf:5: user[0].sources[0]: 10.0.0.0/x: invalid prefix "
			"length");
		REQUIRE(problem(user("sources = []\n")) ==
			"nfknock.conf:5: user[0].sources: 1 to 16 prefixes");
	}
	SECTION("every problem is reported, in line order") {
		const auto p = problems("[server]\nskew = \"1h\"\nfoo = 1\n"
					"[limits]\ngrants = 0\n");
		REQUIRE(p == std::vector<std::string>{
				     "nfknock.conf:2: server.skew: 1h: out of range (1ms to 10m)",
				     "nfknock.conf:3: server.foo: unknown key",
				     "nfknock.conf:5: limits.grants: 0: out of range (1 to 1048576)"});
	}
	SECTION("at most 20 are listed in the message") {
		std::string text = "[server]\n";
		for (int i = 0; i < 25; i++)
			text += "k" + std::to_string(i) + " = 1\n";
		try {
			parse_config(text, "c");
			FAIL("no error");
		} catch (const ConfigError &e) {
			REQUIRE(e.problems().size() == 25);
			const std::string w = e.what();
			REQUIRE(std::count(w.begin(), w.end(), '\n') == 20);
			REQUIRE(w.substr(w.rfind('\n') + 1) == "knockctl: 5 more errors");
		}
	}
}

TEST_CASE("user max_grants: default, range, type")
{
	SECTION("default and a given value reach the TXN_ADD user") {
		const LoadedConfig l = load_config(
			parse_config(user("") + "[[user]]\nname = \"bob\"\npublic_key = \"" +
					     keys().bob_pk + "\"\nallow = [\"tcp/22\"]\n"
					     "max_grants = 4096\n",
				     "nfknock.conf"),
			"nfknock.conf", fake_loader());
		REQUIRE(l.users[0].user.max_grants == uint32_t(NFKNOCK_USER_GRANTS_DEFAULT));
		REQUIRE(l.users[0].user.max_grants == 16u);
		REQUIRE(l.users[1].user.max_grants == 4096u);
		REQUIRE(parse_config(user("max_grants = 1\n"), "c").users[0].max_grants == 1);
	}
	SECTION("errors name file, line and field") {
		REQUIRE(problem(user("max_grants = 0\n")) ==
			"nfknock.conf:5: user[0].max_grants: 0: out of range (1 to 4096)");
		REQUIRE(problem(user("max_grants = 4097\n")) ==
			"nfknock.conf:5: user[0].max_grants: 4097: out of range (1 to 4096)");
		REQUIRE(problem(user("max_grants = -1\n")) ==
			"nfknock.conf:5: user[0].max_grants: -1: out of range (1 to 4096)");
		REQUIRE(problem(user("max_grants = \"16\"\n")) ==
			"nfknock.conf:5: user[0].max_grants: expected an integer");
		REQUIRE(problem(user("max_grants = 1.5\n")) ==
			"nfknock.conf:5: user[0].max_grants: expected an integer");
		REQUIRE(problem(user("") + "[[user]]\nname = \"bob\"\npublic_key = \"" +
				keys().bob_pk + "\"\nallow = [\"tcp/22\"]\nmax_grants = 99999\n") ==
			"nfknock.conf:9: user[1].max_grants: 99999: out of range (1 to 4096)");
	}
	SECTION("limits.grants, when given, is sent") {
		const LoadedConfig l = load_config(parse_config("[limits]\ngrants = 4096\n", "c"),
						   "c", fake_loader());
		REQUIRE(l.params.grants_max == 4096u);
	}
}

TEST_CASE("user sequence: true, false or a table of the core's parameters")
{
	const auto seq_of = [](const std::string &body) {
		const LoadedConfig l = load_config(parse_config(user(body), "c"), "c",
						   fake_loader());
		REQUIRE(l.users.size() == 1);
		return l.users[0].user.seq;
	};
	const Sequence d = default_sequence();

	SECTION("the defaults are the core's") {
		nfk_seq_params p;
		nfk_seq_params_default(&p);
		REQUIRE(d == Sequence{NFK_SEQ_LEN_DEFAULT, NFK_SEQ_LO_DEFAULT,
				      NFK_SEQ_HI_DEFAULT, IPPROTO_TCP,
				      NFK_SEQ_WINDOW_DEFAULT_S});
		REQUIRE(d == Sequence{4, 10000, 65000, IPPROTO_TCP, 30});
		REQUIRE(core_params(d).step_proto == p.step_proto);
		REQUIRE(valid_sequence(d));
	}
	SECTION("absent or false: none; true: the defaults") {
		REQUIRE_FALSE(seq_of(""));
		REQUIRE_FALSE(seq_of("sequence = false\n"));
		REQUIRE(seq_of("sequence = true\n") == d);
		REQUIRE(seq_of("sequence = {}\n") == d);
	}
	SECTION("every field of the table, each optional") {
		REQUIRE(seq_of("sequence = { length = 8, range = \"20000-21023\", "
			       "proto = \"udp\", window = \"1h\" }\n") ==
			Sequence{8, 20000, 21023, IPPROTO_UDP, 3600});
		REQUIRE(seq_of("sequence = { length = 2 }\n") ==
			Sequence{2, 10000, 65000, IPPROTO_TCP, 30});
		REQUIRE(seq_of("sequence = { range = \"1-65535\" }\n") ==
			Sequence{4, 1, 65535, IPPROTO_TCP, 30});
		REQUIRE(seq_of("sequence = { proto = \"tcp\", window = \"10s\" }\n") ==
			Sequence{4, 10000, 65000, IPPROTO_TCP, 10});
		REQUIRE(seq_of("sequence = { window = \"2m\" }\n")->window_s == 120);
		REQUIRE(seq_of("sequence = { window = \"90\" }\n")->window_s == 90);
	}
	SECTION("a sub-table works as well as an inline one") {
		REQUIRE(seq_of("[user.sequence]\nlength = 3\nproto = \"udp\"\n") ==
			Sequence{3, 10000, 65000, IPPROTO_UDP, 30});
	}
	SECTION("one single-port service in allow is enough") {
		const LoadedConfig l = load_config(
			parse_config("[[user]]\nname = \"a\"\npublic_key = \"" +
					     keys().alice_pk + "\"\nallow = [\"tcp/8000-8100\", "
					     "\"udp/53\"]\nsequence = true\n",
				     "c"),
			"c", fake_loader());
		REQUIRE(l.users[0].user.seq == d);
	}
}

TEST_CASE("user sequence problems name file, line and field")
{
	SECTION("type and keys") {
		REQUIRE(problem(user("sequence = 4\n")) ==
			"nfknock.conf:5: user[0].sequence: expected true, false or a "
			"table ({ length = 4, range = \"10000-65000\", proto = \"tcp\", "
			"window = \"30s\" })");
		REQUIRE(problem(user("sequence = \"yes\"\n")).rfind(
				"nfknock.conf:5: user[0].sequence: expected true, false or "
				"a table", 0) == 0);
		REQUIRE(problem(user("sequence = { steps = 4 }\n")) ==
			"nfknock.conf:5: user[0].sequence.steps: unknown key");
		REQUIRE(problem(user("[user.sequence]\nlength = 4\nsize = 1\n")) ==
			"nfknock.conf:7: user[0].sequence.size: unknown key");
	}
	SECTION("length") {
		REQUIRE(problem(user("sequence = { length = 9 }\n")) ==
			"nfknock.conf:5: user[0].sequence.length: 9: out of range (2 to 8)");
		REQUIRE(problem(user("sequence = { length = 1 }\n")) ==
			"nfknock.conf:5: user[0].sequence.length: 1: out of range (2 to 8)");
		REQUIRE(problem(user("sequence = { length = -4 }\n")) ==
			"nfknock.conf:5: user[0].sequence.length: -4: out of range (2 to 8)");
		REQUIRE(problem(user("sequence = { length = \"4\" }\n")) ==
			"nfknock.conf:5: user[0].sequence.length: expected an integer");
	}
	SECTION("range") {
		const std::string f = "nfknock.conf:5: user[0].sequence.range: ";
		REQUIRE(problem(user("sequence = { range = \"10000\" }\n")) ==
			f + "10000: expected FIRST-LAST (e.g. 10000-65000)");
		REQUIRE(problem(user("sequence = { range = \"a-b\" }\n")) ==
			f + "a-b: expected FIRST-LAST (e.g. 10000-65000)");
		REQUIRE(problem(user("sequence = { range = \"10000-\" }\n")) ==
			f + "10000-: expected FIRST-LAST (e.g. 10000-65000)");
		REQUIRE(problem(user("sequence = { range = \"-10000-20000\" }\n")) ==
			f + "-10000-20000: expected FIRST-LAST (e.g. 10000-65000)");
		REQUIRE(problem(user("sequence = { range = \"0-2000\" }\n")) ==
			f + "0-2000: port out of range (1 to 65535)");
		REQUIRE(problem(user("sequence = { range = \"60000-70000\" }\n")) ==
			f + "60000-70000: port out of range (1 to 65535)");
		REQUIRE(problem(user("sequence = { range = \"20000-10000\" }\n")) ==
			f + "20000-10000: first port above last");
		REQUIRE(problem(user("sequence = { range = \"10000-11022\" }\n")) ==
			f + "10000-11022: 1023 ports, at least 1024 (fewer make a "
			    "sequence guessable)");
		REQUIRE(problem(user("sequence = { range = 10000 }\n")) ==
			f + "expected a string");
	}
	SECTION("proto") {
		REQUIRE(problem(user("sequence = { proto = \"sctp\" }\n")) ==
			"nfknock.conf:5: user[0].sequence.proto: sctp: expected tcp or udp");
		REQUIRE(problem(user("sequence = { proto = \"TCP\" }\n")) ==
			"nfknock.conf:5: user[0].sequence.proto: TCP: expected tcp or udp");
		REQUIRE(problem(user("sequence = { proto = 6 }\n")) ==
			"nfknock.conf:5: user[0].sequence.proto: expected a string");
	}
	SECTION("window") {
		const std::string f = "nfknock.conf:5: user[0].sequence.window: ";
		REQUIRE(problem(user("sequence = { window = \"9s\" }\n")) ==
			f + "9s: out of range (10s to 1h)");
		REQUIRE(problem(user("sequence = { window = \"3601s\" }\n")) ==
			f + "3601s: out of range (10s to 1h)");
		REQUIRE(problem(user("sequence = { window = \"10500ms\" }\n")) ==
			f + "10500ms: not a whole number of seconds");
		REQUIRE(problem(user("sequence = { window = \"soon\" }\n")) ==
			f + "soon: invalid duration");
		REQUIRE(problem(user("sequence = { window = 30 }\n")) ==
			f + "expected a string");
	}
	SECTION("a user without a single-port service") {
		REQUIRE(problem("[[user]]\nname = \"a\"\npublic_key = \"" + keys().alice_pk +
				"\"\nallow = [\"tcp/8000-8100\"]\nsequence = true\n") ==
			"nfknock.conf:5: user[0].sequence: needs a single-port service "
			"in allow (ranges have no sequence)");
		// No sequence, no such problem.
		REQUIRE_NOTHROW(parse_config("[[user]]\nname = \"a\"\npublic_key = \"" +
						     keys().alice_pk + "\"\nallow = "
						     "[\"tcp/8000-8100\"]\nsequence = false\n",
					     "c"));
	}
	SECTION("every problem of the table is reported") {
		REQUIRE(problems(user("sequence = { length = 0, range = \"1-2\", "
				      "proto = \"x\", window = \"1s\" }\n"))
				.size() == 4);
	}
}

TEST_CASE("limits.progress: sent when given, within the module's range")
{
	REQUIRE(load_config(parse_config("[limits]\nprogress = 64\n", "c"), "c",
			    fake_loader()).params.progress_max == 64u);
	REQUIRE(load_config(parse_config("[limits]\nprogress = 65536\n", "c"), "c",
			    fake_loader()).params.progress_max == 65536u);
	// Not given: the module's default (4096).
	REQUIRE_FALSE(load_config(parse_config("", "c"), "c", fake_loader())
			      .params.progress_max);
	REQUIRE(problem("[limits]\nprogress = 63\n") ==
		"nfknock.conf:2: limits.progress: 63: out of range (64 to 65536)");
	REQUIRE(problem("[limits]\nprogress = 65537\n") ==
		"nfknock.conf:2: limits.progress: 65537: out of range (64 to 65536)");
	REQUIRE(problem("[limits]\nprogress = \"4096\"\n") ==
		"nfknock.conf:2: limits.progress: expected an integer");
	static_assert(NFKNOCK_PROGRESS_MIN == 64 && NFKNOCK_PROGRESS_LIMIT == 65536,
		      "the messages above");
}

TEST_CASE("user names: printable ASCII without spaces, 1..32 bytes")
{
	REQUIRE(valid_user_name("alice"));
	REQUIRE(valid_user_name("a"));
	REQUIRE(valid_user_name(std::string(32, 'x')));
	REQUIRE(valid_user_name("!~alice@host.example-1_2"));
	REQUIRE(valid_user_name("q\"\\"));
	REQUIRE_FALSE(valid_user_name(""));
	REQUIRE_FALSE(valid_user_name(std::string(33, 'x')));
	REQUIRE_FALSE(valid_user_name("bad name"));
	REQUIRE_FALSE(valid_user_name("tab\tname"));
	REQUIRE_FALSE(valid_user_name("new\nline"));
	REQUIRE_FALSE(valid_user_name(std::string("nul\0x", 5)));
	REQUIRE_FALSE(valid_user_name("del\x7f"));
	REQUIRE_FALSE(valid_user_name("caf\xc3\xa9"));

	const std::string rule =
		": only printable ASCII without spaces (0x21-0x7e), 1..32 bytes";
	const auto named = [](const std::string &toml_name) {
		return "[[user]]\nname = \"alice\"\npublic_key = \"" + keys().alice_pk +
		       "\"\nallow = [\"tcp/22\"]\n"
		       "[[user]]\nname = \"bob\"\npublic_key = \"" + keys().bob_pk +
		       "\"\nallow = [\"tcp/22\"]\n"
		       "[[user]]\nname = " + toml_name + "\npublic_key = \"" +
		       generate_key_b64() + "\"\nallow = [\"tcp/22\"]\n";
	};
	REQUIRE(problem(named("\"bad name\"")) ==
		"nfknock.conf:10: user[2].name: \"bad name\"" + rule);
	// Control characters, quotes and non-ASCII bytes are escaped in the
	// message, so it stays one clean line.
	REQUIRE(problem(named("\"a\\nb\"")) ==
		"nfknock.conf:10: user[2].name: \"a\\x0ab\"" + rule);
	REQUIRE(problem(named("\"q\\\" \\\\\"")) ==
		"nfknock.conf:10: user[2].name: \"q\\\" \\\\\"" + rule);
	REQUIRE(problem(named("\"caf\u00e9\"")) ==
		"nfknock.conf:10: user[2].name: \"caf\\xc3\\xa9\"" + rule);
	REQUIRE(problem(named("\"\\u007f\"")) ==
		"nfknock.conf:10: user[2].name: \"\\x7f\"" + rule);
	REQUIRE(problem(named("\"\\t\"")) ==
		"nfknock.conf:10: user[2].name: \"\\x09\"" + rule);
}

TEST_CASE("RFC 3339 dates")
{
	REQUIRE(parse_rfc3339("1970-01-02") == 86400);
	REQUIRE(parse_rfc3339("2027-01-01T00:00:00Z") == 1798761600);
	REQUIRE(parse_rfc3339("2027-01-01T02:00:00+02:00") == 1798761600);
	REQUIRE(parse_rfc3339("2026-12-31T23:00:00.5-01:00") == 1798761600);
	REQUIRE(parse_rfc3339("2027-01-01 00:00:00z") == 1798761600);
	REQUIRE(format_rfc3339(1798761600) == "2027-01-01T00:00:00Z");
	for (const char *bad : {"", "2027", "2027-13-01", "2027-1-01", "2027-01-01T25:00:00Z",
				"2027-01-01T00:00:00+2", "1970-01-01", "x027-01-01"})
		REQUIRE_THROWS_AS(parse_rfc3339(bad), UsageError);
}

TEST_CASE("client profiles")
{
	const std::string pk = keys().alice_pk;
	const auto list = parse_profile(
		"[[server]]\n"
		"name = \"home\"\n"
		"address = \"vpn.example.org\"\n"
		"public_key = \"" + pk + "\"\n"
		"key_file = \"~/.config/nfknock/client.key\"\n"
		"service = \"tcp/22\"\n"
		"[[server]]\n"
		"address = \"192.0.2.1\"\n"
		"knock_port = \"udp/4000\"\n",
		"client.toml", "/home/u");

	REQUIRE(list.size() == 2);
	REQUIRE(list[0].name == "home");
	REQUIRE(list[0].public_key == decode_public_key(pk));
	REQUIRE(list[0].key_file == "/home/u/.config/nfknock/client.key");
	REQUIRE(list[0].service == Service{IPPROTO_TCP, 22, 22});
	REQUIRE(list[0].knock_port == Service{IPPROTO_UDP, 62201, 62201});
	REQUIRE(list[1].knock_port == Service{IPPROTO_UDP, 4000, 4000});
	REQUIRE(find_profile(list, "home") == &list[0]);
	REQUIRE(find_profile(list, "vpn.example.org") == &list[0]);
	REQUIRE(find_profile(list, "192.0.2.1") == &list[1]);
	REQUIRE(find_profile(list, "other") == nullptr);

	const auto err = [](const std::string &text) {
		return only_problem([&] { parse_profile(text, "client.toml", "/h"); });
	};
	REQUIRE(err("[[server]]\nname = \"a\"\nport = 1\n") ==
		"client.toml:3: server[0].port: unknown key");
	REQUIRE(err("[[server]]\nname = \"a\"\nknock_port = \"tcp/1\"\n") ==
		"client.toml:3: server[0].knock_port: tcp/1: a knock port must be udp");
	REQUIRE(err("[[server]]\nname = \"a\"\npublic_key = \"x\"\n") ==
		"client.toml:3: server[0].public_key: invalid key (expected 44 "
		"characters of base64)");
	REQUIRE(err("[[server]]\nname = \"a\"\npublic_key = \"<the server's key>\"\n") ==
		"client.toml:3: server[0].public_key: <the server's key>: a "
		"placeholder: put the server's public key (what knockctl pubkey < "
		"server.key prints on the server) here");
	REQUIRE(err("[[server]]\nservice = \"tcp/22\"\n") ==
		"client.toml:1: server[0]: needs a name or an address");
	REQUIRE(err("[[server]]\nname = \"a\"\nservice = \"tcp/1-2\"\n").rfind(
			"client.toml:3: server[0].service: tcp/1-2: ", 0) == 0);
}

TEST_CASE("client profiles: the server's sequence syntax")
{
	const auto one = [](const std::string &seq) {
		const auto list = parse_profile("[[server]]\nname = \"home\"\n" + seq,
						"client.toml", "/h");
		REQUIRE(list.size() == 1);
		return list[0];
	};

	REQUIRE_FALSE(one("").sequence);
	REQUIRE_FALSE(one("").sequence_off);
	REQUIRE(one("sequence = true\n").sequence == default_sequence());
	const ServerProfile off = one("sequence = false\n");
	REQUIRE_FALSE(off.sequence);
	REQUIRE(off.sequence_off);
	REQUIRE(one("sequence = { length = 6, range = \"20000-30000\", proto = \"udp\", "
		    "window = \"2m\" }\n")
			.sequence == Sequence{6, 20000, 30000, IPPROTO_UDP, 120});
	REQUIRE(one("[server.sequence]\nwindow = \"1h\"\n").sequence ==
		Sequence{4, 10000, 65000, IPPROTO_TCP, 3600});

	const auto err = [](const std::string &seq) {
		return only_problem([&] {
			parse_profile("[[server]]\nname = \"home\"\n" + seq, "client.toml", "/h");
		});
	};
	REQUIRE(err("sequence = { length = 9 }\n") ==
		"client.toml:3: server[0].sequence.length: 9: out of range (2 to 8)");
	REQUIRE(err("sequence = { range = \"1-1000\" }\n") ==
		"client.toml:3: server[0].sequence.range: 1-1000: 1000 ports, at least "
		"1024 (fewer make a sequence guessable)");
	REQUIRE(err("sequence = { proto = \"icmp\" }\n") ==
		"client.toml:3: server[0].sequence.proto: icmp: expected tcp or udp");
	REQUIRE(err("sequence = { window = \"5s\" }\n") ==
		"client.toml:3: server[0].sequence.window: 5s: out of range (10s to 1h)");
	REQUIRE(err("sequence = { colour = 1 }\n") ==
		"client.toml:3: server[0].sequence.colour: unknown key");
	REQUIRE(err("sequence = \"tcp\"\n").rfind(
			"client.toml:3: server[0].sequence: expected true, false or a table",
			0) == 0);
}

TEST_CASE("the shipped examples cannot be deployed unedited")
{
	const auto read = docs_text;
	const std::string placeholder = ": a placeholder: put ";

	// Every user's key is a placeholder that check names, nothing else.
	const auto conf = problems(read("nfknock.conf.example"));
	REQUIRE(conf.size() == 2);
	for (const std::string &p : conf)
		REQUIRE(p.find(".public_key: <") != std::string::npos);
	REQUIRE(conf[0].find(placeholder + "the user's public key") != std::string::npos);

	std::vector<std::string> prof;
	try {
		parse_profile(read("client.toml.example"), "client.toml", "/h");
	} catch (const ConfigError &e) {
		prof = e.problems();
	}
	REQUIRE(prof.size() == 2);
	for (const std::string &p : prof)
		REQUIRE(p.find(placeholder + "the server's public key") != std::string::npos);
}
