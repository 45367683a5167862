// SPDX-License-Identifier: GPL-2.0 OR MIT
// Derived port sequences through knockctl's real CLI (cli_harness.hpp):
// check's warnings and apply's SEQ nest and progress cap, users and status
// showing what the module reports.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <cerrno>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "codec.hpp"
#include "config.hpp"
#include "sequence.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

// The users of every TXN_ADD that @h's fake module saw.
std::vector<User> applied_users(const Harness &h)
{
	std::vector<User> users;

	for (const TxnItem &it : h.txn_items(TxnItem::USER))
		users.push_back(it.user);
	return users;
}

} // namespace

TEST_CASE("apply sends each user's sequences and the progress cap")
{
	Setup s;
	Harness h;
	const std::string conf = s.users_conf(
		"seq.conf", "sequence = { length = 5, range = \"20000-30000\", "
			    "proto = \"udp\", window = \"1m\" }\n");

	Result r = h.run({"apply", conf});
	INFO(r.err);
	REQUIRE(r.code == 0);
	const std::vector<User> users = applied_users(h);
	REQUIRE(users.size() == 2);
	REQUIRE(users[0].seq == Sequence{5, 20000, 30000, IPPROTO_UDP, 60});
	REQUIRE_FALSE(users[1].seq);
	// No limits.progress: the module's default.
	REQUIRE_FALSE(parse_txn_begin(nlmsg_hdr(h.k.requests[0].get())).progress_max);

	SECTION("sequence = true: the defaults, all sent") {
		Harness t;
		REQUIRE(t.run({"apply", s.users_conf("true.conf", "sequence = true\n")})
				.code == 0);
		REQUIRE(applied_users(t)[0].seq == default_sequence());
	}
	SECTION("limits.progress goes into TXN_BEGIN") {
		const std::string p = s.dir.write(
			"progress.conf", "[server]\nprivate_key_file = \"" + s.server_key +
						 "\"\n[limits]\nprogress = 1024\n");
		Harness t;
		REQUIRE(t.run({"apply", p}).code == 0);
		REQUIRE(parse_txn_begin(nlmsg_hdr(t.k.requests[0].get())).progress_max ==
			1024u);
	}
	SECTION("the module's refusal (a ceiling) is its words") {
		Harness t;
		t.k.refuse_errno = EPERM;
		t.k.refuse_at = 0;
		t.k.refuse_extack = "progress table above 4096 in a namespace of an "
				    "unprivileged user namespace";
		Result e = t.run({"apply", conf});
		REQUIRE(e.code == 1);
		REQUIRE(e.err == "knockctl: apply: progress table above 4096 in a "
				 "namespace of an unprivileged user namespace (Operation "
				 "not permitted)\n");
	}
}

TEST_CASE("check warns about sequence ranges over guards and knock ports")
{
	Setup s;
	Harness h;
	const auto conf = [&](const std::string &name, const std::string &top,
			      const std::string &seq) {
		return s.dir.write(
			name, "[server]\nprivate_key_file = \"" + s.server_key + "\"\n" +
				      top +
				      "[[user]]\nname = \"alice\"\npublic_key = \"" +
				      key_to_base64(public_key(s.alice)) +
				      "\"\nallow = [\"tcp/22\"]\nsequence = " + seq + "\n");
	};

	SECTION("a guard of the step protocol inside the range") {
		const std::string c = conf("g.conf",
					   "[[guard]]\nservice = \"tcp/22\"\n"
					   "[[guard]]\nservice = \"tcp/20000-20100\"\n"
					   "[[guard]]\nservice = \"udp/30000\"\n",
					   "true");
		Result r = h.run({"check", c});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == c + ": ok (1 user, 3 guards, 1 knock port)\n");
		REQUIRE(r.err == "knockctl: warning: user alice: sequence range "
				 "tcp/10000-65000 overlaps guard tcp/20000-20100: a step "
				 "that lands there still counts, then the guard answers it "
				 "as any packet there (which may confuse a client)\n");
	}
	SECTION("a knock port inside a range of udp steps") {
		const std::string c = conf("k.conf", "",
					   "{ proto = \"udp\", range = \"60000-65535\" }");
		Result r = h.run({"check", c});
		REQUIRE(r.code == 0);
		REQUIRE(r.err == "knockctl: warning: user alice: sequence range "
				 "udp/60000-65535 overlaps knock port udp/62201: a step "
				 "that lands there still counts, and the datagram is also "
				 "read as a knock (which may confuse a client)\n");
	}
	SECTION("tcp steps and the udp knock port do not meet") {
		Result r = h.run({"check", conf("d.conf", "", "true")});
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
	}
	SECTION("apply does not warn") {
		Result r = h.run({"apply", conf("a.conf", "[[guard]]\nservice = \"tcp/20000\"\n",
						"true")});
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
	}
	SECTION("errors name the field; nothing is sent") {
		const std::string c = conf("e.conf", "", "{ length = 9 }");
		Result r = h.run({"apply", c});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: " + c + ":7: user[0].sequence.length: 9: out "
						    "of range (2 to 8)\n");
		REQUIRE(h.k.requests.empty());
	}
}

TEST_CASE("users shows the sequence parameters the module reports")
{
	Harness h;
	h.k.replies[NFKNOCK_CMD_GET_USERS] = [] {
		std::vector<MsgPtr> v;
		User a;
		a.name = "alice";
		a.fpr = {1, 2, 3, 4, 5, 6, 7, 8};
		a.allow = {{IPPROTO_TCP, 22, 22}};
		a.sources = {parse_prefix("0.0.0.0/0")};
		a.max_duration_s = 60;
		a.flags = NFKNOCK_USER_F_REQUIRE_ADDRESS;
		a.max_grants = 16;
		a.grants = 0;
		a.seq = Sequence{4, 10000, 65000, IPPROTO_TCP, 30};
		User b = a;
		b.name = "bob";
		b.seq.reset();
		for (const User *x : {&a, &b}) {
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_USERS);
			encode_user(m.get(), *x, nullptr);
			v.push_back(std::move(m));
		}
		return v;
	};

	Result r = h.run({"users"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out ==
		"NAME   FINGERPRINT       ALLOW   SOURCES    MAX  EXPIRES  FLAGS  "
		"SEQUENCE               GRANTS  LAST KNOCK  KNOCKS\n"
		"alice  0102030405060708  tcp/22  0.0.0.0/0  1m   never    -      "
		"4 tcp 10000-65000 30s  0/16    -           0\n"
		"bob    0102030405060708  tcp/22  0.0.0.0/0  1m   never    -      "
		"-                      0/16    -           0\n");

	const auto j = nlohmann::json::parse(h.run({"users", "--json"}).out);
	REQUIRE(j[0]["sequence"] == nlohmann::json::parse(R"({
		"length": 4, "range": "10000-65000", "proto": "tcp", "window_s": 30})"));
	REQUIRE(j[1]["sequence"] == nullptr);
}

TEST_CASE("status shows the progress table and the sequence counters")
{
	Harness h;
	h.k.replies[NFKNOCK_CMD_GET_STATUS] = [] {
		Status s;
		s.api_version = 1;
		s.progress_max = 4096;
		s.progress_count = 3;
		s.seq = SeqStats{40, 9, 2, 1, 0, 5};
		MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		encode_status(m.get(), s);
		std::vector<MsgPtr> v;
		v.push_back(std::move(m));
		return v;
	};

	Result r = h.run({"status"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out.find("knock packets  pass\n"
			   "progress       3 of 4096\n"
			   "stats:\n") != std::string::npos);
	REQUIRE(r.out.find("  knocks unbound         0\n"
			   "  sequence steps         40\n"
			   "  sequences completed    9\n"
			   "  sequences failed       2\n"
			   "  sequences timed out    1\n"
			   "  sequences evicted      0\n"
			   "  sequences not allowed  5\n") != std::string::npos);

	const auto j = nlohmann::json::parse(h.run({"status", "--json"}).out);
	REQUIRE(j["progress_max"] == 4096);
	REQUIRE(j["progress_count"] == 3);
	REQUIRE(j["stats"]["seq_steps"] == 40);
	REQUIRE(j["stats"]["seq_completed"] == 9);
	REQUIRE(j["stats"]["seq_failed"] == 2);
	REQUIRE(j["stats"]["seq_timeout"] == 1);
	REQUIRE(j["stats"]["seq_evicted"] == 0);
	REQUIRE(j["stats"]["seq_not_allowed"] == 5);

	SECTION("an older module: no progress line, nulls in JSON") {
		Harness o;
		o.k.replies[NFKNOCK_CMD_GET_STATUS] = [] {
			Status s;
			s.api_version = 1;
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
			encode_status(m.get(), s);
			std::vector<MsgPtr> v;
			v.push_back(std::move(m));
			return v;
		};
		REQUIRE(o.run({"status"}).out.find("progress") == std::string::npos);
		const auto oj = nlohmann::json::parse(o.run({"status", "--json"}).out);
		REQUIRE(oj["progress_max"] == nullptr);
		REQUIRE(oj["progress_count"] == nullptr);
	}
}
