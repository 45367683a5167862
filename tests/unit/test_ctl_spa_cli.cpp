// SPDX-License-Identifier: GPL-2.0 OR MIT
// The single-packet-knock commands through knockctl's real CLI, with a fake
// module (records requests, plays replies and refusals), a fake UDP sender
// and a fake session killer: genkey/pubkey, check, apply (order, abort),
// users, knock-ports, status, grants, knock, revoke --kill (the harness:
// cli_harness.hpp).
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <cerrno>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "address.hpp"
#include "app.hpp"
#include "apply.hpp"
#include "cli_harness.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "fakes.hpp"
#include "service.hpp"
#include "spa.h"

using namespace knockctl;
using namespace knockctl::test;

TEST_CASE("output that cannot be written is an error, not exit 0")
{
	// A stream with no buffer fails every write, as stdout on /dev/full.
	std::ostream broken(nullptr);
	std::ostringstream err;
	FakeKernel k;
	Context ctx(broken, err, [&k] { return std::make_unique<FakeTransport>(k); });

	REQUIRE(run(ctx, {"genkey"}, register_all) == 1);
	REQUIRE(err.str() == "knockctl: cannot write the output\n");
	// A failure already reported keeps its own exit status.
	err.str("");
	REQUIRE(run(ctx, {"nosuchcommand"}, register_all) == 2);
	REQUIRE(err.str().find("knockctl: cannot write the output\n") != std::string::npos);
}

TEST_CASE("genkey and pubkey")
{
	Harness h;

	SECTION("genkey | pubkey") {
		Result g = h.run({"genkey"});
		REQUIRE(g.code == 0);
		REQUIRE(g.out.size() == 45);
		PrivateKey sk;
		REQUIRE(decode_private_key(g.out, sk));
		h.in = g.out;
		Result p = h.run({"pubkey"});
		REQUIRE(p.code == 0);
		REQUIRE(p.out == key_to_base64(public_key(sk)) + "\n");
		REQUIRE(h.k.opened == 0);
	}
	SECTION("genkey --out writes 0600 and refuses to overwrite") {
		TempDir d;
		const std::string f = d.file("k");
		REQUIRE(h.run({"genkey", "--out", f}).code == 0);
		struct stat st {};
		REQUIRE(stat(f.c_str(), &st) == 0);
		REQUIRE((st.st_mode & 0777) == 0600);
		Result again = h.run({"genkey", "--out", f});
		REQUIRE(again.code == 1);
		REQUIRE(again.err == "knockctl: " + f + ": file exists (refusing to overwrite)\n");
	}
	SECTION("genkey --out creates missing folders 0700") {
		TempDir d;
		const std::string f = d.file("a/b/client.key");
		Result g = h.run({"genkey", "--out", f});
		INFO(g.err);
		REQUIRE(g.code == 0);
		for (const std::string &dir : {d.file("a"), d.file("a/b")}) {
			struct stat st {};
			REQUIRE(stat(dir.c_str(), &st) == 0);
			REQUIRE(S_ISDIR(st.st_mode));
			REQUIRE((st.st_mode & 0777) == 0700);
		}
		// A folder that cannot be made is named, and nothing is left.
		const std::string file = d.write("plain", "x");
		Result bad = h.run({"genkey", "--out", file + "/sub/k"});
		REQUIRE(bad.code == 1);
		REQUIRE(bad.err == "knockctl: " + file + ": Not a directory\n");
	}
	SECTION("pubkey of garbage") {
		h.in = "hello\n";
		Result p = h.run({"pubkey"});
		REQUIRE(p.code == 2);
		REQUIRE(p.err == "knockctl: pubkey: standard input: invalid key (expected "
				 "44 characters of base64)\n");
	}
}

TEST_CASE("check validates without the kernel")
{
	Setup s;
	Harness h;

	Result r = h.run({"check", s.conf});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out == s.conf + ": ok (2 users, 2 guards, 1 knock port)\n");
	REQUIRE(h.k.opened == 0);

	SECTION("errors, all of them, one per line, exit 1") {
		const std::string bad = s.dir.write(
			"bad.conf", "[server]\nskew = \"1h\"\n[[guard]]\nservice = \"tcp/0\"\n");
		Result b = h.run({"check", bad});
		REQUIRE(b.code == 1);
		REQUIRE(b.out.empty());
		REQUIRE(b.err == "knockctl: " + bad + ":2: server.skew: 1h: out of range "
					"(1ms to 10m)\n"
				 "knockctl: " + bad + ":4: guard[0].service: tcp/0: port out "
					"of range\n");
	}
	SECTION("a server key readable by others") {
		REQUIRE(chmod(s.server_key.c_str(), 0644) == 0);
		Result b = h.run({"check", s.conf});
		REQUIRE(b.code == 1);
		REQUIRE(b.err == "knockctl: " + s.conf + ":2: server.private_key_file: " +
					 s.server_key + ": private key file is readable by "
					 "group or others (chmod 600)\n");
	}
	SECTION("a missing file") {
		Result b = h.run({"check", s.dir.file("none")});
		REQUIRE(b.code == 1);
		REQUIRE(b.err == "knockctl: " + s.dir.file("none") +
					 ": No such file or directory\n");
	}
}

TEST_CASE("check warns about guards in the ephemeral port range")
{
	Setup s;
	Harness h;
	h.port_range_file = s.dir.write("ip_local_port_range", "32768\t60999\n");
	const std::string conf = s.dir.write(
		"eph.conf",
		"[server]\nprivate_key_file = \"" + s.server_key + "\"\n"
		"[[guard]]\nservice = \"tcp/22\"\n"
		"[[guard]]\nservice = \"tcp/30000-40000\"\n"
		"[[guard]]\nservice = \"udp/60999\"\n"
		"[[guard]]\nservice = \"tcp/61000-65535\"\n"
		"[[guard]]\nservice = \"tcp/32768\"\n");
	const std::string tcp_tail =
		" overlaps this host's ephemeral port range 32768-60999 "
		"(net.ipv4.ip_local_port_range): the kernel lets replies (SYN+ACK) "
		"through, but a guard there is rarely what you want\n";

	Result r = h.run({"check", conf});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out == conf + ": ok (0 users, 5 guards, 1 knock port)\n");
	REQUIRE(r.err ==
		"knockctl: warning: guard tcp/30000-40000" + tcp_tail +
		"knockctl: warning: guard udp/60999 overlaps this host's ephemeral port "
		"range 32768-60999 (net.ipv4.ip_local_port_range): every datagram to a "
		"guarded UDP port needs a grant, so replies to this host's own UDP "
		"traffic there (DNS, say) are refused\n"
		"knockctl: warning: guard tcp/32768" + tcp_tail);
	REQUIRE(h.k.opened == 0);

	SECTION("an unreadable or malformed range file: no warning") {
		for (const std::string &text : {std::string(""), std::string("garbage\n"),
						std::string("40000 30000\n"),
						std::string("0 70000\n"),
						std::string("32768 60999 1\n")}) {
			h.port_range_file = s.dir.write("bad_range", text);
			Result b = h.run({"check", conf});
			INFO(text);
			REQUIRE(b.code == 0);
			REQUIRE(b.err.empty());
		}
		h.port_range_file = s.dir.file("missing");
		REQUIRE(h.run({"check", conf}).err.empty());
	}
	SECTION("apply does not warn") {
		Result a = h.run({"apply", conf});
		REQUIRE(a.code == 0);
		REQUIRE(a.err.empty());
	}
	SECTION("the helpers") {
		REQUIRE(read_port_range(h.port_range_file)->first == 32768);
		REQUIRE(read_port_range(h.port_range_file)->last == 60999);
		const auto w = ephemeral_warnings({{IPPROTO_TCP, 1, 1024},
						   {IPPROTO_UDP, 1024, 1024},
						   {IPPROTO_TCP, 1025, 1025}},
						  PortRange{1024, 1024});
		REQUIRE(w.size() == 2);
		REQUIRE(w[0].rfind("warning: guard tcp/1-1024 overlaps this host's "
				   "ephemeral port range 1024-1024 ", 0) == 0);
		REQUIRE(w[1].rfind("warning: guard udp/1024 ", 0) == 0);
	}
}

TEST_CASE("check warns about users whose knocks are not bound to their sender")
{
	Setup s;
	Harness h;
	h.port_range_file = s.dir.file("missing");
	const std::string conf = s.users_conf("unbound.conf", "require_address = false\n");

	Result r = h.run({"check", conf});
	REQUIRE(r.code == 0);
	REQUIRE(r.err == "knockctl: warning: user alice: require_address = false: "
			 "a knock of this user caught on the way and re-sent from "
			 "another address opens the service for that address\n");
	REQUIRE(h.run({"check", s.conf}).err.empty());

	// The key of 0.1 is refused by name, not ignored or aliased.
	const std::string old =
		s.users_conf("old.conf", "require_source_match = true\n", false);
	Result o = h.run({"check", old});
	REQUIRE(o.code != 0);
	REQUIRE(o.err.find(old + ":7: user[0].require_source_match: replaced by "
			   "require_address (default true: a knock must carry its "
			   "sender's address and come from it)") != std::string::npos);
}

TEST_CASE("apply sends BEGIN, ADD per item, COMMIT on one transport")
{
	Setup s;
	Harness h;

	Result r = h.run({"apply", s.conf});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out == "applied " + s.conf + ": 2 users, 2 guards, 1 knock port\n");
	REQUIRE(h.k.opened == 1);
	REQUIRE(h.cmds() == std::vector<uint8_t>{
				    NFKNOCK_CMD_TXN_BEGIN, NFKNOCK_CMD_TXN_ADD,
				    NFKNOCK_CMD_TXN_ADD, NFKNOCK_CMD_TXN_ADD,
				    NFKNOCK_CMD_TXN_ADD, NFKNOCK_CMD_TXN_ADD,
				    NFKNOCK_CMD_TXN_COMMIT});

	const TxnParams p = parse_txn_begin(nlmsg_hdr(h.k.requests[0].get()));
	REQUIRE(p.skew_ms == 10000u);
	REQUIRE(p.guard_action == NFKNOCK_ACTION_RESET);
	REQUIRE(p.knock_packets == NFKNOCK_KNOCK_PASS);
	REQUIRE(p.udp_idle_ms == 60000u);
	REQUIRE_FALSE(p.grants_max);	// the module's default

	std::vector<TxnItem> items;
	for (int i = 1; i <= 5; i++)
		items.push_back(parse_txn_add(nlmsg_hdr(h.k.requests[i].get())));
	REQUIRE(items[0].kind == TxnItem::GUARD);
	REQUIRE(items[0].service == Service{IPPROTO_TCP, 22, 22});
	REQUIRE(items[1].kind == TxnItem::GUARD);
	REQUIRE(items[2].kind == TxnItem::KNOCK_PORT);
	REQUIRE(items[2].service == Service{IPPROTO_UDP, 62201, 62201});
	REQUIRE(items[3].kind == TxnItem::USER);
	REQUIRE(items[3].user.name == "alice");
	REQUIRE(items[3].user.fpr == fingerprint(public_key(s.alice)));
	REQUIRE(items[3].keys.k_aead ==
		client_side_keys(s.alice, public_key(s.server)).k_aead);
	REQUIRE(items[4].user.name == "bob");
}

TEST_CASE("apply reports the grants the commit revoked")
{
	Setup s;
	const auto commit_reply = [](std::optional<uint32_t> revoked) {
		return [revoked] {
			std::vector<MsgPtr> v;
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_TXN_COMMIT);
			if (revoked)
				encode_commit_reply(m.get(), *revoked);
			v.push_back(std::move(m));
			return v;
		};
	};
	const std::string applied = "applied " + s.conf + ": 2 users, 2 guards, 1 knock port\n";

	SECTION("several") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_TXN_COMMIT] = commit_reply(3);
		Result r = h.run({"apply", s.conf});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
		REQUIRE(r.out == applied + "revoked 3 grants that the new configuration "
					   "no longer allows\n");
	}
	SECTION("one: the same words, which scripts match") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_TXN_COMMIT] = commit_reply(1);
		REQUIRE(h.run({"apply", s.conf}).out ==
			applied + "revoked 1 grants that the new configuration no longer allows\n");
	}
	SECTION("none: nothing more is said") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_TXN_COMMIT] = commit_reply(0);
		REQUIRE(h.run({"apply", s.conf}).out == applied);
	}
	SECTION("a reply without the attribute counts as none") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_TXN_COMMIT] = commit_reply(std::nullopt);
		REQUIRE(h.run({"apply", s.conf}).out == applied);
	}
	SECTION("an older module answers with an ack only") {
		Harness h;	// no reply registered: the fake acks
		Result r = h.run({"apply", s.conf});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == applied);
		REQUIRE(h.cmds().back() == NFKNOCK_CMD_TXN_COMMIT);
	}
}

TEST_CASE("apply sends each user's grant cap")
{
	Setup s;
	Harness h;
	const std::string conf = s.users_conf("caps.conf", "max_grants = 2\n");

	Result r = h.run({"apply", conf});
	INFO(r.err);
	REQUIRE(r.code == 0);
	const std::vector<TxnItem> users = h.txn_items(TxnItem::USER);
	REQUIRE(users.size() == 2);
	REQUIRE(users[0].user.max_grants == 2u);
	REQUIRE(users[1].user.max_grants == uint32_t(NFKNOCK_USER_GRANTS_DEFAULT));
}

TEST_CASE("apply in an unprivileged namespace: the kernel's ceilings are its words")
{
	Setup s;

	SECTION("too many users: the extack names the limit") {
		Harness h;
		h.k.refuse_at = 5;	// bob
		h.k.refuse_errno = ENOSPC;
		h.k.refuse_extack = "too many users for a namespace of an unprivileged "
				    "user namespace (1024)";
		Result r = h.run({"apply", s.conf});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: apply: user bob: too many users for a namespace "
				 "of an unprivileged user namespace (1024) (No space left "
				 "on device)\n");
		REQUIRE(h.cmds().back() == NFKNOCK_CMD_TXN_ABORT);
	}
	SECTION("a grant cap above the ceiling: EPERM with a message") {
		Harness h;
		h.k.refuse_at = 0;
		h.k.refuse_errno = EPERM;
		h.k.refuse_extack = "grant cap above 4096 in a namespace of an "
				    "unprivileged user namespace";
		Result r = h.run({"apply", s.conf});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: apply: grant cap above 4096 in a namespace of "
				 "an unprivileged user namespace (Operation not permitted)\n");
	}
	SECTION("without limits.grants no cap is sent: the module's default fits") {
		Harness h;
		REQUIRE(h.run({"apply", s.conf}).code == 0);
		REQUIRE_FALSE(parse_txn_begin(nlmsg_hdr(h.k.requests[0].get())).grants_max);
	}
}

TEST_CASE("apply: a kernel refusal aborts and names the item")
{
	Setup s;
	Harness h;

	h.k.refuse_at = 5;	// bob
	h.k.refuse_errno = EEXIST;
	h.k.refuse_extack = "duplicate user public key (fingerprint)";
	Result r = h.run({"apply", s.conf});
	REQUIRE(r.code == 1);
	REQUIRE(r.out.empty());
	REQUIRE(r.err == "knockctl: apply: user bob: duplicate user public key "
			 "(fingerprint) (File exists)\n");
	REQUIRE(h.cmds().back() == NFKNOCK_CMD_TXN_ABORT);
	REQUIRE(h.cmds().size() == 7);

	SECTION("commit refused") {
		Harness h2;
		h2.k.refuse_at = 6;
		h2.k.refuse_errno = EINVAL;
		h2.k.refuse_extack = "a knock port is also guarded";
		Result c = h2.run({"apply", s.conf});
		REQUIRE(c.code == 1);
		REQUIRE(c.err == "knockctl: apply: commit: a knock port is also guarded "
				 "(Invalid argument)\n");
		REQUIRE(h2.cmds().back() == NFKNOCK_CMD_TXN_ABORT);
	}
	SECTION("begin refused: nothing staged, nothing to abort") {
		Harness h2;
		h2.k.refuse_at = 0;
		h2.k.refuse_errno = EBUSY;
		h2.k.refuse_extack = "another apply is in progress";
		Result c = h2.run({"apply", s.conf});
		REQUIRE(c.code == 1);
		REQUIRE(c.err == "knockctl: apply: another apply is in progress "
				 "(Device or resource busy)\n");
		REQUIRE(h2.cmds().size() == 1);
	}
	SECTION("no permission: exit 3") {
		Harness h2;
		h2.k.refuse_at = 0;
		h2.k.refuse_errno = EPERM;
		Result c = h2.run({"apply", s.conf});
		REQUIRE(c.code == 3);
		REQUIRE(c.err == "knockctl: permission denied: needs CAP_NET_ADMIN\n");
	}
	SECTION("an invalid file sends nothing") {
		Harness h2;
		const std::string bad = s.dir.write("bad.conf", "[server]\nfoo = 1\n");
		Result c = h2.run({"apply", bad});
		REQUIRE(c.code == 1);
		REQUIRE(c.err == "knockctl: " + bad + ":2: server.foo: unknown key\n");
		REQUIRE(h2.k.opened == 0);
	}
	SECTION("module missing") {
		Harness h2;
		h2.k.loaded = false;
		REQUIRE(h2.run({"apply", s.conf}).code == 3);
	}
}

TEST_CASE("users and knock-ports print dumps")
{
	Harness h;
	h.k.replies[NFKNOCK_CMD_GET_USERS] = [] {
		std::vector<MsgPtr> v;
		User u;
		u.name = "zed";
		u.fpr = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3};
		u.allow = {{IPPROTO_TCP, 22, 22}, {IPPROTO_TCP, 8000, 8100}};
		u.sources = {parse_prefix("0.0.0.0/0"), parse_prefix("::/0")};
		u.max_duration_s = 60;
		u.expires_s = 1798761600;
		u.flags = NFKNOCK_USER_F_REQUIRE_ADDRESS;
		u.last_ts_ms = 1767225600123ULL;
		u.knocks = 3;
		u.max_grants = 16;
		u.grants = 2;
		User a;
		a.name = "alice";
		a.fpr = {1, 2, 3, 4, 5, 6, 7, 8};
		a.allow = {{IPPROTO_UDP, 53, 53}};
		a.sources = {parse_prefix("192.0.2.0/24")};
		a.max_duration_s = 300;
		a.flags = NFKNOCK_USER_F_DISABLED;
		a.max_grants = 4;
		a.grants = 0;
		for (const User *x : {&u, &a}) {
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_USERS);
			encode_user(m.get(), *x, nullptr);
			v.push_back(std::move(m));
		}
		return v;
	};
	h.k.replies[NFKNOCK_CMD_GET_KNOCK_PORTS] = [] {
		std::vector<MsgPtr> v;
		for (uint16_t p : {62202, 62201}) {
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_KNOCK_PORTS);
			encode_knock_port(m.get(), {IPPROTO_UDP, p, p});
			v.push_back(std::move(m));
		}
		return v;
	};

	SECTION("users") {
		Result r = h.run({"users"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out ==
			"NAME   FINGERPRINT       ALLOW                 SOURCES         MAX  "
			"EXPIRES               FLAGS             GRANTS  LAST KNOCK                KNOCKS\n"
			"alice  0102030405060708  udp/53                192.0.2.0/24    5m   "
			"never                 disabled,unbound  0/4     -                         0\n"
			"zed    deadbeef00010203  tcp/22,tcp/8000-8100  0.0.0.0/0,::/0  1m   "
			"2027-01-01T00:00:00Z  -                 2/16    2026-01-01T00:00:00.123Z  3\n");
	}
	SECTION("users --json") {
		Result r = h.run({"users", "--json"});
		REQUIRE(r.code == 0);
		const auto j = nlohmann::json::parse(r.out);
		REQUIRE(j.size() == 2);
		REQUIRE(j[1] == nlohmann::json::parse(R"({
			"name": "zed", "fingerprint": "deadbeef00010203",
			"allow": ["tcp/22", "tcp/8000-8100"], "sources": ["0.0.0.0/0", "::/0"],
			"max_duration_s": 60, "expires": "2027-01-01T00:00:00Z",
			"expires_s": 1798761600, "enabled": true,
			"require_address": true, "max_grants": 16, "grants": 2,
			"sequence": null, "last_ts_ms": 1767225600123, "knocks": 3})"));
		REQUIRE(j[0]["expires"] == nullptr);
		REQUIRE(j[0]["enabled"] == false);
		REQUIRE(j[0]["max_grants"] == 4);
		REQUIRE(j[0]["grants"] == 0);
	}
	SECTION("knock-ports") {
		Result r = h.run({"knock-ports"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "KNOCK PORT\nudp/62201\nudp/62202\n");
		Result j = h.run({"knock-ports", "--json"});
		REQUIRE(nlohmann::json::parse(j.out) == nlohmann::json::parse(R"([
			{"service": "udp/62201", "proto": "udp", "port": 62201},
			{"service": "udp/62202", "proto": "udp", "port": 62202}])"));
	}
	SECTION("empty") {
		Harness e;
		REQUIRE(e.run({"users"}).out == "no users\n");
		REQUIRE(e.run({"knock-ports"}).out == "no knock ports\n");
		REQUIRE(e.run({"users", "--json"}).out == "[]\n");
	}
}

TEST_CASE("grants show who knocked")
{
	Harness h;
	h.k.replies[NFKNOCK_CMD_GET_GRANTS] = [] {
		std::vector<MsgPtr> v;
		Grant a, b;
		a.addr = parse_address("10.0.0.1");
		a.proto = IPPROTO_TCP;
		a.port = 22;
		a.timeout_ms = 30000;
		b = a;
		b.addr = parse_address("10.0.0.2");
		b.user_fpr = {0xab, 0xcd, 0, 0, 0, 0, 0, 1};
		for (const Grant *g : {&a, &b}) {
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_GRANTS);
			encode_grant(m.get(), *g);
			v.push_back(std::move(m));
		}
		return v;
	};
	SECTION("a user the module no longer has: the fingerprint") {
		Result r = h.run({"grants"});
		REQUIRE(r.out ==
			"ADDRESS   SERVICE  LEFT  FLAGS  USER\n"
			"10.0.0.1  tcp/22   30s   -      admin\n"
			"10.0.0.2  tcp/22   30s   -      abcd000000000001\n");
		const auto j = nlohmann::json::parse(h.run({"grants", "--json"}).out);
		REQUIRE(j[0]["user"] == nullptr);
		REQUIRE(j[0]["user_name"] == nullptr);
		REQUIRE(j[1]["user"] == "abcd000000000001");
		REQUIRE(j[1]["user_name"] == nullptr);
	}
	SECTION("a loaded user: its name") {
		h.k.replies[NFKNOCK_CMD_GET_USERS] = [] {
			std::vector<MsgPtr> v;
			User u;
			u.name = "alice";
			u.fpr = {0xab, 0xcd, 0, 0, 0, 0, 0, 1};
			u.allow = {{IPPROTO_TCP, 22, 22}};
			u.sources = {parse_prefix("0.0.0.0/0")};
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_USERS);
			encode_user(m.get(), u, nullptr);
			v.push_back(std::move(m));
			return v;
		};
		Result r = h.run({"grants"});
		REQUIRE(r.out ==
			"ADDRESS   SERVICE  LEFT  FLAGS  USER\n"
			"10.0.0.1  tcp/22   30s   -      admin\n"
			"10.0.0.2  tcp/22   30s   -      alice\n");
		const auto j = nlohmann::json::parse(h.run({"grants", "--json"}).out);
		REQUIRE(j[1]["user"] == "abcd000000000001");
		REQUIRE(j[1]["user_name"] == "alice");
	}
}

TEST_CASE("knock sends one datagram the server's keys open")
{
	Setup s;
	Harness h;
	const std::string server_pk = key_to_base64(public_key(s.server));
	const UserKeys server_side = server_side_keys(s.server, public_key(s.alice));

	const auto open = [&](const std::vector<uint8_t> &d) {
		struct nfk_spa_frame f {};
		REQUIRE(nfk_spa_split(d.data(), d.size(), &f));
		REQUIRE(std::memcmp(f.hint, spa_hint(server_side.k_hint,
						     nfk_spa_window(h.now)).data(), 8) == 0);
		std::vector<uint8_t> pt(f.pt_len);
		unsigned long long len = 0;
		REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(
				pt.data(), &len, nullptr, f.sealed, f.sealed_len, f.hint, 8,
				f.nonce, server_side.k_aead.data()) == 0);
		struct nfk_spa_req req {};
		REQUIRE(nfk_spa_decode(pt.data(), pt.size(), &req) == NFKNOCK_REJ_OK);
		return req;
	};

	SECTION("flags") {
		Result r = h.run({"knock", "127.0.0.1", "--open", "tcp/22", "--server-key",
				  server_pk, "--key", s.alice_key, "--for", "2m", "--once",
				  "--address", "192.0.2.9"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out.empty());
		REQUIRE(h.k.opened == 0);
		REQUIRE(h.sent.size() == 1);
		const auto *sin = reinterpret_cast<const sockaddr_in *>(&h.sent_to[0]);
		REQUIRE(sin->sin_family == AF_INET);
		REQUIRE(ntohs(sin->sin_port) == 62201);
		const nfk_spa_req req = open(h.sent[0]);
		REQUIRE(req.type == NFK_SPA_OPEN);
		REQUIRE(req.port == 22);
		REQUIRE(req.duration_s == 120);
		REQUIRE(req.timestamp_ms == h.now);
		REQUIRE(req.flags == (NFK_SPA_F_ONCE | NFK_SPA_F_ADDRESS));
	}
	SECTION("close over IPv6 to another port") {
		Result r = h.run({"knock", "::1", "--close", "udp/53", "--server-key",
				  server_pk, "--key", s.alice_key, "--port", "udp/4000", "-v"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out.rfind("knocked ::1 (::1) udp/4000: close udp/53", 0) == 0);
		const auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(&h.sent_to[0]);
		REQUIRE(sin6->sin6_family == AF_INET6);
		REQUIRE(ntohs(sin6->sin6_port) == 4000);
		const nfk_spa_req req = open(h.sent[0]);
		REQUIRE(req.type == NFK_SPA_CLOSE);
		REQUIRE(req.proto == IPPROTO_UDP);
		// --address auto: the source toward a private server.
		REQUIRE(req.flags == NFK_SPA_F_ADDRESS);
		REQUIRE(nfk_spa_addr_family(req.addr) == 6);
		REQUIRE(std::memcmp(req.addr, h.src6.bytes.data(), 16) == 0);
		REQUIRE(r.out.find("\n  address fd00::2 (this host's source toward "
				   "the server)\n") != std::string::npos);
	}
	SECTION("--address auto toward a public server") {
		const std::vector<std::string> base{
			"knock", "203.0.113.1", "--open", "tcp/22", "--server-key",
			server_pk, "--key", s.alice_key, "--profile",
			s.dir.write("empty.toml", "")};
		const auto run = [&](std::vector<std::string> extra) {
			std::vector<std::string> args = base;
			args.insert(args.end(), extra.begin(), extra.end());
			return h.run(args);
		};

		// Behind a NAT with nowhere to ask: refused, nothing sent.
		Result r = run({});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: knock 203.0.113.1: this host's source "
				 "address 10.0.0.2 is a private one and the server's "
				 "(203.0.113.1) is not, so a NAT will change it: give "
				 "--discover stun:HOST[:PORT] or https://URL (or discover "
				 "in the profile) to learn the address the server will "
				 "see, --address IP, or --address observed\n");
		REQUIRE(h.sent.empty());
		REQUIRE(h.discover_calls.empty());

		// A discovery service answers: its address goes in.
		h.discovered = parse_address("198.51.100.7");
		r = run({"--discover", "stun:stun.example.org", "-v"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(h.discover_calls ==
			std::vector<std::string>{"stun:stun.example.org 4"});
		nfk_spa_req req = open(h.sent.back());
		REQUIRE(req.flags == NFK_SPA_F_ADDRESS);
		REQUIRE(std::memcmp(req.addr + 12, h.discovered->bytes.data(), 4) == 0);
		REQUIRE(r.out.find("  address 198.51.100.7 (from "
				   "stun:stun.example.org)\n") != std::string::npos);

		// An answer of the other family cannot be the knock's source.
		h.discovered = parse_address("2001:db8::7");
		r = run({"--discover", "https://echo.example.org/ip"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: https://echo.example.org/ip: answered "
				 "2001:db8::7, not a unicast inet address\n");
		REQUIRE(h.sent.size() == 1);

		// A public source needs no discovery.
		h.src4 = parse_address("192.0.2.5");
		h.discover_calls.clear();
		r = run({"--discover", "stun:stun.example.org"});
		REQUIRE(r.code == 0);
		REQUIRE(h.discover_calls.empty());
		req = open(h.sent.back());
		REQUIRE(std::memcmp(req.addr + 12, h.src4.bytes.data(), 4) == 0);

		// observed: no address, and -v says what that costs.
		r = run({"--address", "observed", "-v"});
		REQUIRE(r.code == 0);
		REQUIRE(open(h.sent.back()).flags == 0);
		REQUIRE(r.out.find("  no address: the server grants the datagram's "
				   "source, and anyone who sees the datagram on the "
				   "way can send it first from their own address and "
				   "take the grant\n") != std::string::npos);
	}
	SECTION("a profile gives client_address and discover") {
		h.discovered = parse_address("198.51.100.8");
		const std::string prof = s.dir.write(
			"nat.toml", "[[server]]\nname = \"far\"\naddress = \"203.0.113.1\"\n"
				    "public_key = \"" + server_pk + "\"\nkey_file = \"" +
				    s.alice_key + "\"\nservice = \"tcp/22\"\n"
				    "discover = \"stun:[2001:db8::1]:3479\"\n");
		Result r = h.run({"knock", "far", "--profile", prof});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(h.discover_calls ==
			std::vector<std::string>{"stun:[2001:db8::1]:3479 4"});
		REQUIRE(std::memcmp(open(h.sent.back()).addr + 12,
				    h.discovered->bytes.data(), 4) == 0);

		const std::string fixed = s.dir.write(
			"fixed.toml", "[[server]]\nname = \"far\"\naddress = \"203.0.113.1\"\n"
				      "public_key = \"" + server_pk + "\"\nkey_file = \"" +
				      s.alice_key + "\"\nservice = \"tcp/22\"\n"
				      "client_address = \"observed\"\n");
		r = h.run({"knock", "far", "--profile", fixed});
		REQUIRE(r.code == 0);
		REQUIRE(open(h.sent.back()).flags == 0);
		// The command line wins over the profile.
		r = h.run({"knock", "far", "--profile", fixed, "--address", "192.0.2.44"});
		REQUIRE(r.code == 0);
		REQUIRE(open(h.sent.back()).addr[15] == 44);

		const std::string bad = s.dir.write(
			"bad.toml", "[[server]]\nname = \"far\"\n"
				    "client_address = \"255.255.255.255\"\n"
				    "discover = \"ftp://x\"\n");
		r = h.run({"knock", "far", "--profile", bad});
		REQUIRE(r.code != 0);
		REQUIRE(r.err.find(bad + ":3: server[0].client_address: "
				   "255.255.255.255: not an address a grant can name "
				   "(unspecified, broadcast or multicast)") !=
			std::string::npos);
		REQUIRE(r.err.find(bad + ":4: server[0].discover: ftp://x: ") !=
			std::string::npos);
	}
	SECTION("a profile gives address, keys, port and service") {
		const std::string prof = s.dir.write(
			"client.toml", "[[server]]\nname = \"home\"\naddress = \"127.0.0.1\"\n"
				       "public_key = \"" + server_pk + "\"\nkey_file = \"" +
				       s.alice_key + "\"\nknock_port = \"udp/5000\"\n"
				       "service = \"tcp/22\"\n");
		Result r = h.run({"knock", "home", "--profile", prof});
		INFO(r.err);
		REQUIRE(r.code == 0);
		const auto *sin = reinterpret_cast<const sockaddr_in *>(&h.sent_to[0]);
		REQUIRE(ntohs(sin->sin_port) == 5000);
		REQUIRE(open(h.sent[0]).port == 22);
	}
	SECTION("usage errors name the input and send nothing") {
		const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
			{{"--open", "tcp/22", "--for", "0"}, "--for 0: duration must be greater than zero"},
			{{"--open", "tcp/22", "--for", "1500ms"},
			 "--for 1500ms: not a whole number of seconds"},
			{{"--open", "tcp/22", "--for", "1d"}, "--for 1d: too long (at most 65535s)"},
			{{"--open", "tcp/70000"}, "tcp/70000: port out of range"},
			{{"--open", "tcp/22", "--address", "nope"},
			 "--address nope: expected auto, observed, or an IPv4 or IPv6 "
			 "address"},
			{{"--open", "tcp/22", "--address", "::"},
			 "--address ::: not an address a grant can name (unspecified, "
			 "broadcast or multicast)"},
			{{"--open", "tcp/22", "--address", "ff02::1"},
			 "--address ff02::1: not an address a grant can name "
			 "(unspecified, broadcast or multicast)"},
			{{"--open", "tcp/22", "--address", "224.0.0.1"},
			 "--address 224.0.0.1: not an address a grant can name "
			 "(unspecified, broadcast or multicast)"},
			{{"--open", "tcp/22", "--discover", "stun:"},
			 "--discover stun:: empty host (expected stun:HOST[:PORT] or "
			 "https://URL)"},
			{{"--open", "tcp/22", "--port", "tcp/1"}, "--port tcp/1: a knock port must be udp"},
			{{"--open", "tcp/22", "--server-key", "abc"},
			 "--server-key: invalid key (expected 44 characters of base64)"},
			{{"--open", "tcp/22", "--close", "tcp/22"}, "--open excludes --close"},
		};
		for (const auto &[extra, msg] : cases) {
			std::vector<std::string> args{"knock", "127.0.0.1", "--key", s.alice_key,
						      "--profile", s.dir.file("none.toml")};
			args.insert(args.end(), extra.begin(), extra.end());
			if (std::find(extra.begin(), extra.end(), "--server-key") == extra.end()) {
				args.push_back("--server-key");
				args.push_back(server_pk);
			}
			Result r = h.run(args);
			INFO(msg);
			REQUIRE(r.code == 2);
			REQUIRE(r.err == "knockctl: " + msg + "\n");
		}
		REQUIRE(h.sent.empty());
	}
	SECTION("without a profile, keys are needed") {
		const std::string none = s.dir.file("none.toml");
		Result a = h.run({"knock", "127.0.0.1", "--open", "tcp/22", "--key",
				  s.alice_key});
		(void)a;	// may find the user's real profile; the next ones may not
		Result r = h.run({"knock", "127.0.0.1", "--open", "tcp/22", "--key",
				  s.alice_key, "--profile", s.dir.write("empty.toml", "")});
		REQUIRE(r.code == 2);
		REQUIRE(r.err == "knockctl: knock 127.0.0.1: no server public key "
				 "(--server-key or a profile)\n");
		r = h.run({"knock", "127.0.0.1", "--open", "tcp/22", "--server-key", server_pk,
			   "--profile", s.dir.write("empty.toml", "")});
		REQUIRE(r.err == "knockctl: knock 127.0.0.1: no private key file "
				 "(--key or a profile)\n");
		r = h.run({"knock", "127.0.0.1", "--profile", s.dir.write("empty.toml", "")});
		REQUIRE(r.err == "knockctl: knock: --open SERVICE or --close SERVICE is "
				 "needed (or a profile with a service)\n");
		r = h.run({"knock", "127.0.0.1", "--open", "tcp/22", "--profile", none});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: " + none + ": No such file or directory\n");
	}
	SECTION("a key file readable by others is refused") {
		REQUIRE(chmod(s.alice_key.c_str(), 0644) == 0);
		Result r = h.run({"knock", "127.0.0.1", "--open", "tcp/22", "--server-key",
				  server_pk, "--key", s.alice_key, "--profile",
				  s.dir.write("empty.toml", "")});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: " + s.alice_key + ": private key file is readable "
				 "by group or others (chmod 600)\n");
		REQUIRE(h.sent.empty());
	}
}

TEST_CASE("status shows the knock parameters and counters")
{
	Harness h;
	h.k.replies[NFKNOCK_CMD_GET_STATUS] = [] {
		Status s;
		s.api_version = 1;
		s.skew_ms = 30000;
		s.knock_packets = NFKNOCK_KNOCK_DROP;
		s.users_count = 2;
		s.knock_ports_count = 1;
		s.knocks = KnockStats{5, 4, 3, 2, 1, 6, 7};
		MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		encode_status(m.get(), s);
		std::vector<MsgPtr> v;
		v.push_back(std::move(m));
		return v;
	};
	Result r = h.run({"status"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out.find("skew           30s\n") != std::string::npos);
	REQUIRE(r.out.find("knock packets  drop\n") != std::string::npos);
	REQUIRE(r.out.find("users          2\n") != std::string::npos);
	REQUIRE(r.out.find("knock ports    1\n") != std::string::npos);
	REQUIRE(r.out.find("  knocks replayed") != std::string::npos);

	const auto j = nlohmann::json::parse(h.run({"status", "--json"}).out);
	REQUIRE(j["skew_ms"] == 30000);
	REQUIRE(j["knock_packets"] == "drop");
	REQUIRE(j["users_count"] == 2);
	REQUIRE(j["knock_ports_count"] == 1);
	REQUIRE(j["stats"]["knocks_accepted"] == 5);
	REQUIRE(j["stats"]["knocks_unknown"] == 4);
	REQUIRE(j["stats"]["knocks_bad_auth"] == 3);
	REQUIRE(j["stats"]["knocks_stale"] == 2);
	REQUIRE(j["stats"]["knocks_replay"] == 1);
	REQUIRE(j["stats"]["knocks_not_allowed"] == 6);
	REQUIRE(j["stats"]["knocks_malformed"] == 7);
}

TEST_CASE("revoke --kill ends sessions after the grants")
{
	Harness h;

	h.kill_result = 2;
	Result r = h.run({"revoke", "192.0.2.7", "tcp/22", "--kill"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out == "ended 2 TCP sessions from 192.0.2.7 to tcp/22\n");
	REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_DEL_GRANT});
	REQUIRE(h.killed.size() == 1);
	REQUIRE(format_address(h.killed[0].first) == "192.0.2.7");
	REQUIRE(h.killed[0].second == uint16_t(22));

	SECTION("no grant left is not an error with --kill") {
		Harness g;
		g.k.refuse_at = 0;
		g.k.refuse_errno = ENOENT;
		g.kill_result = 1;
		Result k = g.run({"revoke", "2001:db8::1", "--kill"});
		REQUIRE(k.code == 0);
		REQUIRE(k.out == "ended 1 TCP session from 2001:db8::1\n");
		REQUIRE_FALSE(g.killed[0].second);
	}
	SECTION("without --kill nothing is killed") {
		Harness g;
		REQUIRE(g.run({"revoke", "192.0.2.7"}).code == 0);
		REQUIRE(g.killed.empty());
	}
}

TEST_CASE("knock --wait probes the service after the datagram")
{
	Setup s;
	Harness h;
	const std::string server_pk = key_to_base64(public_key(s.server));
	const std::string empty = s.dir.write("empty.toml", "");
	const auto knock = [&](std::vector<std::string> more) {
		std::vector<std::string> args{"knock", "127.0.0.1", "--server-key", server_pk,
					      "--key", s.alice_key, "--profile", empty};
		args.insert(args.end(), more.begin(), more.end());
		return h.run(args);
	};

	SECTION("open: one line, exit 0, probed after the knock was sent") {
		h.probe_took = 41;
		Result r = knock({"--open", "tcp/22", "--wait"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "tcp/22 on 127.0.0.1 open after 41 ms\n");
		REQUIRE(h.probes.size() == 1);
		REQUIRE(h.probes[0].sent_before == 1);
		REQUIRE(format_service(h.probes[0].svc) == "tcp/22");
		REQUIRE(h.probes[0].wait_ms == 5000);
		REQUIRE(h.probes[0].family == AF_INET);
	}
	SECTION("not open: exit 1 naming the service and the wait") {
		Result r = knock({"--open", "tcp/22", "--wait=1500ms"});
		REQUIRE(r.code == 1);
		REQUIRE(r.out.empty());
		REQUIRE(r.err.rfind("knockctl: tcp/22 on 127.0.0.1 (127.0.0.1): not open "
				    "after 1500ms (", 0) == 0);
		REQUIRE(h.sent.size() == 1);
		REQUIRE(h.probes.at(0).wait_ms == 1500);
	}
	SECTION("udp: the --probe payload, text or hex") {
		h.probe_took = 3;
		Result r = knock({"--open", "udp/53", "--wait", "2s", "--probe", "hex:00ff10"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(h.probes.at(0).payload == std::vector<uint8_t>{0x00, 0xff, 0x10});
		REQUIRE(h.probes.at(0).wait_ms == 2000);
		r = knock({"--open", "udp/53", "--wait", "--probe", "ping"});
		REQUIRE(r.code == 0);
		REQUIRE(h.probes.at(1).payload == std::vector<uint8_t>{'p', 'i', 'n', 'g'});
	}
	SECTION("without --wait nothing is probed") {
		Result r = knock({"--open", "tcp/22"});
		REQUIRE(r.code == 0);
		REQUIRE(h.probes.empty());
	}
	SECTION("usage errors send nothing") {
		const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
			{{"--open", "tcp/22", "--wait", "--once"},
			 "knock: --wait with --once would spend the one-shot grant on its own probe"},
			{{"--close", "tcp/22", "--wait"},
			 "knock: --wait probes the service a knock opens, not one it closes"},
			{{"--open", "udp/53", "--wait"},
			 "knock: --wait on udp/53 needs --probe PAYLOAD (a UDP service is open "
			 "when it answers; silence says nothing)"},
			{{"--open", "tcp/22", "--probe", "x"},
			 "knock: --probe is the payload of --wait's UDP probe; give --wait too"},
			{{"--open", "tcp/22", "--wait=0"}, "--wait 0: duration must be greater than zero"},
			{{"--open", "tcp/22", "--wait=6m"}, "--wait 6m: too long (at most 300s)"},
			{{"--open", "udp/53", "--wait", "--probe", "hex:0g"},
			 "--probe hex:0g: 'g' is not a hex digit"},
			{{"--open", "udp/53", "--wait", "--probe", "hex:abc"},
			 "--probe hex:abc: hex: needs an even, non-zero number of hex digits"},
		};
		for (const auto &[args, msg] : cases) {
			Result r = knock(args);
			INFO(msg);
			REQUIRE(r.code == 2);
			REQUIRE(r.err == "knockctl: " + msg + "\n");
		}
		REQUIRE(h.sent.empty());
		REQUIRE(h.probes.empty());
	}
	SECTION("-4 and -6 choose the family; -v says when it was sent") {
		h.probe_took = 1;
		Result r = h.run({"knock", "::1", "--server-key", server_pk, "--key",
				  s.alice_key, "--profile", empty, "--open", "tcp/22", "-4"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err.rfind("knockctl: ::1: cannot resolve to an IPv4 address (-4)", 0) == 0);
		r = knock({"--open", "tcp/22", "-6"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err.rfind("knockctl: 127.0.0.1: cannot resolve to an IPv6 address (-6)", 0) == 0);
		REQUIRE(h.sent.empty());
		r = h.run({"knock", "::1", "--server-key", server_pk, "--key", s.alice_key,
			   "--profile", empty, "--open", "tcp/22", "-6", "--wait", "-v"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(h.probes.at(0).family == AF_INET6);
		REQUIRE(r.out.find("  timestamp 2026-01-01T00:00:00.123Z (this host's clock") !=
			std::string::npos);
		REQUIRE(r.out.find("tcp/22 on ::1 open after 1 ms\n") != std::string::npos);
		r = knock({"--open", "tcp/22", "-4", "-6"});
		REQUIRE(r.code == 2);
	}
}
