// SPDX-License-Identifier: GPL-2.0 OR MIT
// A commit on trial through knockctl's real CLI (cli_harness.hpp): apply
// --confirm (its value checked before anything is read or sent, CONFIRM_MS
// in TXN_COMMIT, the output, the module's EBUSY while one is on trial),
// knockctl confirm and its errors, status's line and key; and the messages'
// round trips through the codec.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <cerrno>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "codec.hpp"
#include "trial.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace trial_test {

const char *const BUSY =
	"a configuration applied with a confirm deadline is on trial: knockctl "
	"confirm, or wait for its rollback (42 s)";

// A reply of @cmd carrying REVOKED = @revoked (TXN_COMMIT, CONFIRM).
std::function<std::vector<MsgPtr>()> revoked_reply(uint8_t cmd, uint32_t revoked)
{
	return [cmd, revoked] {
		std::vector<MsgPtr> v;
		MsgPtr m = build_request(FAMILY, cmd);
		encode_commit_reply(m.get(), revoked);
		v.push_back(std::move(m));
		return v;
	};
}

// A fake module whose status says @left_ms are left to confirm (none:
// nothing on trial).
void status_module(FakeKernel &k, std::optional<uint32_t> left_ms)
{
	Status s;
	s.api_version = 1;
	s.confirm_left_ms = left_ms;
	k.replies[NFKNOCK_CMD_GET_STATUS] =
		encoded_replies(NFKNOCK_CMD_GET_STATUS, encode_status, {s});
}

// The number of attributes of @m's request.
int attr_count(const MsgPtr &m)
{
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(m.get())));
	const nlattr *a;
	int rem, n = 0;

	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem)
		n++;
	return n;
}

} // namespace trial_test

using namespace trial_test;

TEST_CASE("apply --confirm: the duration, whole seconds from 1s to 1h")
{
	REQUIRE(parse_confirm_ms("1s") == 1000u);
	REQUIRE(parse_confirm_ms("1") == 1000u);
	REQUIRE(parse_confirm_ms("60s") == 60000u);
	REQUIRE(parse_confirm_ms("5m") == 300000u);
	REQUIRE(parse_confirm_ms("1000ms") == 1000u);
	REQUIRE(parse_confirm_ms("1h") == NFKNOCK_CONFIRM_MAX_MS);
	REQUIRE(parse_confirm_ms("3600") == NFKNOCK_CONFIRM_MAX_MS);

	// Refused before the file is read and before the module is contacted:
	// a usage error naming the option and the value.
	Setup s;
	for (const auto &[bad, why] : std::vector<std::pair<std::string, std::string>>{
		     {"0", "duration must be greater than zero"},
		     {"0s", "duration must be greater than zero"},
		     {"500ms", "not a whole number of seconds"},
		     {"1500ms", "not a whole number of seconds"},
		     {"3601s", "duration too long (at most 1h)"},
		     {"61m", "duration too long (at most 1h)"},
		     {"2h", "duration too long (at most 1h)"},
		     {"8d", "duration too long (at most 1h)"},
		     {"99999999999", "duration too long (at most 1h)"},
		     {"abc", "invalid duration"},
		     {"1m30s", "invalid duration"},
		     {"", "invalid duration"}}) {
		INFO(bad);
		REQUIRE_THROWS_WITH(parse_confirm_ms(bad), "--confirm " + bad + ": " + why);
		for (const std::string &file : {s.conf, std::string("/nonexistent.conf")}) {
			Harness h;
			Result r = h.run({"apply", file, "--confirm", bad});
			REQUIRE(r.code == 2);
			REQUIRE(r.out.empty());
			REQUIRE(r.err == "knockctl: --confirm " + bad + ": " + why + "\n");
			REQUIRE(h.k.opened == 0);
		}
	}
	SECTION("--confirm needs its value") {
		Harness h;
		Result r = h.run({"apply", s.conf, "--confirm"});
		REQUIRE(r.code == 2);
		REQUIRE(h.k.opened == 0);
	}
}

TEST_CASE("apply --confirm puts the commit on trial")
{
	Setup s;
	const std::string applied = "applied " + s.conf + ": 2 users, 2 guards, 1 knock port\n";
	const std::string trial_lines =
		"nothing revoked yet: `knockctl confirm` revokes the grants the new "
		"configuration no longer allows\n";

	SECTION("CONFIRM_MS in TXN_COMMIT, and what it says") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_TXN_COMMIT] = revoked_reply(NFKNOCK_CMD_TXN_COMMIT, 0);
		Result r = h.run({"apply", s.conf, "--confirm", "60s"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
		REQUIRE(r.out == applied +
					 "on trial: rolls back in 60 s unless `knockctl confirm`\n" +
					 trial_lines);
		REQUIRE(h.cmds().back() == NFKNOCK_CMD_TXN_COMMIT);
		const MsgPtr &commit = h.k.requests.back();
		REQUIRE(parse_txn_commit(nlmsg_hdr(commit.get())) == 60000u);
		REQUIRE(attr_count(commit) == 1);
		// The rest of the transaction is that of a plain apply.
		REQUIRE(h.cmds().front() == NFKNOCK_CMD_TXN_BEGIN);
		REQUIRE(h.cmds().size() == 7);
	}
	SECTION("the bounds and other units reach the module as milliseconds") {
		for (const auto &[text, ms, line] :
		     std::vector<std::tuple<std::string, uint32_t, std::string>>{
			     {"1s", 1000, "1 s"}, {"5m", 300000, "300 s"},
			     {"1h", 3600000, "3600 s"}}) {
			Harness h;
			Result r = h.run({"apply", "--confirm", text, s.conf});
			REQUIRE(r.code == 0);
			REQUIRE(parse_txn_commit(nlmsg_hdr(h.k.requests.back().get())) == ms);
			REQUIRE(r.out.find("on trial: rolls back in " + line + " unless") !=
				std::string::npos);
		}
	}
	SECTION("without --confirm: no CONFIRM_MS, no trial lines") {
		Harness h;
		Result r = h.run({"apply", s.conf});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == applied);
		REQUIRE_FALSE(parse_txn_commit(nlmsg_hdr(h.k.requests.back().get())));
		REQUIRE(attr_count(h.k.requests.back()) == 0);
	}
	SECTION("a module that revokes anyway says so too") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_TXN_COMMIT] = revoked_reply(NFKNOCK_CMD_TXN_COMMIT, 2);
		Result r = h.run({"apply", s.conf, "--confirm", "10s"});
		REQUIRE(r.out == applied +
					 "revoked 2 grants that the new configuration no "
					 "longer allows\n"
					 "on trial: rolls back in 10 s unless `knockctl confirm`\n" +
					 trial_lines);
	}
	SECTION("an invalid file sends nothing, --confirm or not") {
		Harness h;
		const std::string bad = s.dir.write("bad.conf", "[server]\nskew = 5\n");
		Result r = h.run({"apply", bad, "--confirm", "60s"});
		REQUIRE(r.code == 1);
		REQUIRE(h.k.opened == 0);
	}
}

TEST_CASE("apply while a configuration is on trial: the module's EBUSY")
{
	Setup s;

	SECTION("at TXN_BEGIN: its words, exit 1, nothing more sent") {
		Harness h;
		h.k.refuse(0, EBUSY, BUSY);
		Result r = h.run({"apply", s.conf, "--confirm", "60s"});
		REQUIRE(r.code == 1);
		REQUIRE(r.out.empty());
		REQUIRE(r.err == std::string("knockctl: apply: ") + BUSY +
					 " (Device or resource busy)\n");
		REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_TXN_BEGIN});
	}
	SECTION("at the commit: the staging is aborted") {
		Harness h;
		h.k.refuse(6, EBUSY, BUSY);
		Result r = h.run({"apply", s.conf});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == std::string("knockctl: apply: commit: ") + BUSY +
					 " (Device or resource busy)\n");
		REQUIRE(h.cmds().back() == NFKNOCK_CMD_TXN_ABORT);
	}
	SECTION("guard and set name their command") {
		Harness h;
		h.k.refuse(0, EBUSY, BUSY);
		Result r = h.run({"guard", "add", "tcp/22"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == std::string("knockctl: guard add tcp/22: ") + BUSY +
					 " (Device or resource busy)\n");
	}
}

TEST_CASE("knockctl confirm: CONFIRM, and the grants it revoked")
{
	SECTION("text") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_CONFIRM] = revoked_reply(NFKNOCK_CMD_CONFIRM, 3);
		Result r = h.run({"confirm"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
		REQUIRE(r.out == "confirmed; 3 grants revoked\n");
		REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_CONFIRM});
		REQUIRE(attr_count(h.k.requests[0]) == 0);
		REQUIRE((nlmsg_hdr(h.k.requests[0].get())->nlmsg_flags & NLM_F_DUMP) == 0);
	}
	SECTION("one or none: the same words") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_CONFIRM] = revoked_reply(NFKNOCK_CMD_CONFIRM, 1);
		REQUIRE(h.run({"confirm"}).out == "confirmed; 1 grants revoked\n");
		h.k.replies[NFKNOCK_CMD_CONFIRM] = revoked_reply(NFKNOCK_CMD_CONFIRM, 0);
		REQUIRE(h.run({"confirm"}).out == "confirmed; 0 grants revoked\n");
		// An ack without the reply: confirmed all the same.
		h.k.replies.erase(NFKNOCK_CMD_CONFIRM);
		REQUIRE(h.run({"confirm"}).out == "confirmed; 0 grants revoked\n");
	}
	SECTION("json") {
		Harness h;
		h.k.replies[NFKNOCK_CMD_CONFIRM] = revoked_reply(NFKNOCK_CMD_CONFIRM, 2);
		Result r = h.run({"confirm", "--json"});
		REQUIRE(r.code == 0);
		REQUIRE(nlohmann::json::parse(r.out) ==
			nlohmann::json::parse(R"({"confirmed": true, "revoked": 2})"));
	}
	SECTION("the reply's round trip") {
		MsgPtr m = build_confirm(FAMILY);
		REQUIRE(message_cmd(nlmsg_hdr(m.get())) == NFKNOCK_CMD_CONFIRM);
		REQUIRE(attr_count(m) == 0);
		MsgPtr reply = build_request(FAMILY, NFKNOCK_CMD_CONFIRM);
		encode_commit_reply(reply.get(), 7);
		REQUIRE(parse_commit_reply(nlmsg_hdr(reply.get())) == 7u);
	}
}

TEST_CASE("knockctl confirm: errors")
{
	SECTION("nothing on trial (ENOENT): exit 1, said plainly") {
		for (const std::string &extack :
		     {std::string("nothing to confirm: no configuration is on trial"),
		      std::string()}) {
			for (const bool json : {false, true}) {
				Harness h;
				h.k.refuse(0, ENOENT, extack);
				Result r = json ? h.run({"confirm", "--json"}) : h.run({"confirm"});
				REQUIRE(r.code == 1);
				REQUIRE(r.out.empty());
				REQUIRE(r.err == "knockctl: nothing to confirm: no configuration "
						 "is on trial\n");
			}
		}
	}
	SECTION("no permission, a module without CONFIRM, no module") {
		// errno the module answers (0: the module is not loaded).
		for (const auto &[err, code, line] :
		     std::vector<std::tuple<int, int, std::string>>{
			     {EPERM, 3, "permission denied: needs CAP_NET_ADMIN"},
			     {EOPNOTSUPP, 1, "confirm: Operation not supported"},
			     {0, 3, "nfknock module not loaded (modprobe nfknock)"}}) {
			Harness h;
			h.k.loaded = err != 0;
			h.k.refuse(0, err);
			Result r = h.run({"confirm"});
			REQUIRE(r.code == code);
			REQUIRE(r.out.empty());
			REQUIRE(r.err == "knockctl: " + line + "\n");
		}
	}
	SECTION("no arguments") {
		Harness h;
		Result r = h.run({"confirm", "now"});
		REQUIRE(r.code == 2);
		REQUIRE(r.err == "knockctl: unexpected argument: now\n");
		REQUIRE(h.k.opened == 0);
	}
}

TEST_CASE("status: the configuration on trial and the time left")
{
	SECTION("text: a line after the parameters") {
		Harness h;
		status_module(h.k, 41200);
		Result r = h.run({"status"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out.find("knock packets  pass\n"
				   "on trial: rolls back in 42 s unless `knockctl confirm`\n"
				   "stats:\n") != std::string::npos);
		const auto j = nlohmann::json::parse(h.run({"status", "--json"}).out);
		REQUIRE(j["confirm_left_ms"] == 41200);
	}
	SECTION("the seconds are rounded up: 1 ms left is 1 s") {
		REQUIRE(trial_line(1) == "on trial: rolls back in 1 s unless `knockctl confirm`");
		REQUIRE(trial_line(60000) ==
			"on trial: rolls back in 60 s unless `knockctl confirm`");
		REQUIRE(trial_line(59001) ==
			"on trial: rolls back in 60 s unless `knockctl confirm`");
	}
	SECTION("nothing on trial: no line, null in JSON") {
		Harness h;
		status_module(h.k, std::nullopt);
		REQUIRE(h.run({"status"}).out.find("on trial") == std::string::npos);
		const auto j = nlohmann::json::parse(h.run({"status", "--json"}).out);
		REQUIRE(j.contains("confirm_left_ms"));
		REQUIRE(j["confirm_left_ms"] == nullptr);
	}
	SECTION("CONFIRM_MS round-trips in the status reply") {
		Status s;
		s.api_version = 1;
		s.confirm_left_ms = NFKNOCK_CONFIRM_MAX_MS;
		MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		encode_status(m.get(), s);
		REQUIRE(parse_status(nlmsg_hdr(m.get())) == s);
		s.confirm_left_ms.reset();
		MsgPtr none = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		encode_status(none.get(), s);
		REQUIRE_FALSE(parse_status(nlmsg_hdr(none.get())).confirm_left_ms);
		// A short attribute is malformed.
		MsgPtr bad = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		nla_put_u32(bad.get(), NFKNOCK_A_API_VERSION, 1);
		nla_put_u8(bad.get(), NFKNOCK_A_CONFIRM_MS, 1);
		REQUIRE_THROWS_AS(parse_status(nlmsg_hdr(bad.get())), ProtocolError);
	}
}

TEST_CASE("TXN_COMMIT carries CONFIRM_MS only when given")
{
	MsgPtr plain = build_txn_commit(FAMILY);
	REQUIRE(message_cmd(nlmsg_hdr(plain.get())) == NFKNOCK_CMD_TXN_COMMIT);
	REQUIRE(attr_count(plain) == 0);
	REQUIRE_FALSE(parse_txn_commit(nlmsg_hdr(plain.get())));

	MsgPtr trial = build_txn_commit(FAMILY, NFKNOCK_CONFIRM_MIN_MS);
	REQUIRE(attr_count(trial) == 1);
	REQUIRE(parse_txn_commit(nlmsg_hdr(trial.get())) == uint32_t(NFKNOCK_CONFIRM_MIN_MS));
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(trial.get())));
	const nlattr *a = nla_find(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
				   NFKNOCK_A_CONFIRM_MS);
	REQUIRE(a);
	REQUIRE(nla_len(a) == 4);
}

TEST_CASE("apply and confirm have their help")
{
	Harness h;
	Result top = h.run({"--help"});
	REQUIRE(top.out.find("  confirm  ") != std::string::npos);
	Result apply = h.run({"apply", "--help"});
	REQUIRE(apply.code == 0);
	REQUIRE(apply.out.find("--confirm DURATION") != std::string::npos);
	REQUIRE(apply.out.find("knockctl confirm") != std::string::npos);
	Result confirm = h.run({"confirm", "--help"});
	REQUIRE(confirm.code == 0);
	REQUIRE(confirm.out.find("Usage: knockctl confirm [OPTIONS]") != std::string::npos);
	REQUIRE(confirm.out.find("--json") != std::string::npos);
	REQUIRE(h.k.opened == 0);
}
