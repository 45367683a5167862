// SPDX-License-Identifier: GPL-2.0 OR MIT
// Dumps the kernel flags NLM_F_DUMP_INTR (its state changed between two
// rounds) start over from the beginning, at most DUMP_ATTEMPTS times in
// all: every dump (guards, grants, users, knock ports, lockouts), through
// the real command line and a fake module that flags the first rounds.
#include <catch2/catch.hpp>

#include <linux/netlink.h>
#include <linux/nfknock.h>
#include <netinet/in.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "address.hpp"
#include "app.hpp"
#include "client.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "fakes.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

const char *const KEPT_CHANGING =
	"knockctl: the kernel's state kept changing during the dump; try again\n";

Result run_with(FakeKernel &k, const std::vector<std::string> &args)
{
	std::ostringstream out, err;
	Context ctx(out, err, [&k] { return std::make_unique<FakeTransport>(k); });
	const int code = knockctl::run(ctx, args, register_all);
	return {code, out.str(), err.str()};
}

MsgPtr guard_msg(uint16_t port)
{
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_GUARDS);
	encode_service(m.get(), {IPPROTO_TCP, port, port});
	return m;
}

MsgPtr grant_msg(uint16_t port)
{
	Grant g;
	g.addr = parse_address("192.0.2.1");
	g.proto = IPPROTO_TCP;
	g.port = port;
	g.timeout_ms = 1000;
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_GRANTS);
	encode_grant(m.get(), g);
	return m;
}

MsgPtr user_msg(const std::string &name)
{
	User u;
	u.name = name;
	u.fpr = {uint8_t(name[0]), 2, 3, 4, 5, 6, 7, 8};
	u.allow = {{IPPROTO_TCP, 22, 22}};
	u.sources = {parse_prefix("0.0.0.0/0")};
	u.max_duration_s = 60;
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_USERS);
	encode_user(m.get(), u, nullptr);
	return m;
}

MsgPtr knock_port_msg(uint16_t port)
{
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_KNOCK_PORTS);
	encode_knock_port(m.get(), {IPPROTO_UDP, port, port});
	return m;
}

MsgPtr lockout_msg(uint8_t last)
{
	SourceLockout l;
	l.addr = parse_address("192.0.2." + std::to_string(last));
	l.prefix_len = 32;
	l.failures = 1;
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_LOCKOUTS);
	encode_lockout(m.get(), l);
	return m;
}

// A dump that answers round r (1-based) with @entry(r) and @entry(r + 100)
// and flags one message NLM_F_DUMP_INTR while r <= @interrupted_rounds.
// The entries differ per round, so the output shows which round was used.
std::function<std::vector<MsgPtr>()> flaky_dump(std::function<MsgPtr(int)> entry,
						int interrupted_rounds, int &round)
{
	return [entry, interrupted_rounds, &round] {
		std::vector<MsgPtr> v;
		round++;
		v.push_back(entry(round));
		v.push_back(entry(round + 100));
		for (MsgPtr &m : v)
			nlmsg_hdr(m.get())->nlmsg_flags |= NLM_F_MULTI;
		if (round <= interrupted_rounds)
			nlmsg_hdr(v.back().get())->nlmsg_flags |= NLM_F_DUMP_INTR;
		return v;
	};
}

void require_all_dumps(const FakeKernel &k, uint8_t cmd, std::size_t n)
{
	REQUIRE(k.requests.size() == n);
	for (const MsgPtr &m : k.requests) {
		REQUIRE(message_cmd(nlmsg_hdr(m.get())) == cmd);
		REQUIRE((nlmsg_hdr(m.get())->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
	}
}

} // namespace

TEST_CASE("an interrupted dump starts over and the last round is used")
{
	FakeKernel k;
	int round = 0;

	SECTION("guard list") {
		k.replies[NFKNOCK_CMD_GET_GUARDS] = flaky_dump(
			[](int r) { return guard_msg(uint16_t(1000 + r)); }, 2, round);
		Result r = run_with(k, {"guard", "list"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "SERVICE   PORTS\ntcp/1003  1\ntcp/1103  1\n");
		require_all_dumps(k, NFKNOCK_CMD_GET_GUARDS, 3);
	}
	SECTION("grants") {
		k.replies[NFKNOCK_CMD_GET_GRANTS] = flaky_dump(
			[](int r) { return grant_msg(uint16_t(2000 + r)); }, 4, round);
		Result r = run_with(k, {"grants", "--json"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		const auto j = nlohmann::json::parse(r.out);
		REQUIRE(j.size() == 2);
		REQUIRE(j[0]["port"] == 2005);	// the fifth and last attempt
		require_all_dumps(k, NFKNOCK_CMD_GET_GRANTS, 5);
	}
	SECTION("users") {
		k.replies[NFKNOCK_CMD_GET_USERS] = flaky_dump(
			[](int r) { return user_msg("u" + std::to_string(r)); }, 1, round);
		Result r = run_with(k, {"users", "--json"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		const auto j = nlohmann::json::parse(r.out);
		REQUIRE(j.size() == 2);
		REQUIRE(j[0]["name"] == "u102");
		REQUIRE(j[1]["name"] == "u2");
		require_all_dumps(k, NFKNOCK_CMD_GET_USERS, 2);
	}
	SECTION("knock-ports") {
		k.replies[NFKNOCK_CMD_GET_KNOCK_PORTS] = flaky_dump(
			[](int r) { return knock_port_msg(uint16_t(3000 + r)); }, 3, round);
		Result r = run_with(k, {"knock-ports"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "KNOCK PORT\nudp/3004\nudp/3104\n");
		require_all_dumps(k, NFKNOCK_CMD_GET_KNOCK_PORTS, 4);
	}
	SECTION("lockouts") {
		k.replies[NFKNOCK_CMD_GET_LOCKOUTS] = flaky_dump(
			[](int r) { return lockout_msg(uint8_t(r)); }, 2, round);
		Result r = run_with(k, {"lockouts"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "SOURCE       FAILURES  LOCKED\n"
				 "192.0.2.3    1         -\n"
				 "192.0.2.103  1         -\n");
		require_all_dumps(k, NFKNOCK_CMD_GET_LOCKOUTS, 3);
	}
	SECTION("a dump that is not interrupted is read once") {
		k.replies[NFKNOCK_CMD_GET_GUARDS] = flaky_dump(
			[](int r) { return guard_msg(uint16_t(1000 + r)); }, 0, round);
		REQUIRE(run_with(k, {"guard", "list"}).code == 0);
		require_all_dumps(k, NFKNOCK_CMD_GET_GUARDS, 1);
	}
}

TEST_CASE("a dump interrupted five times in a row fails")
{
	FakeKernel k;
	int round = 0;

	const std::vector<std::pair<std::vector<std::string>, uint8_t>> commands = {
		{{"guard", "list"}, NFKNOCK_CMD_GET_GUARDS},
		{{"grants"}, NFKNOCK_CMD_GET_GRANTS},
		{{"users"}, NFKNOCK_CMD_GET_USERS},
		{{"knock-ports", "--json"}, NFKNOCK_CMD_GET_KNOCK_PORTS},
		{{"lockouts", "--json"}, NFKNOCK_CMD_GET_LOCKOUTS},
	};
	k.replies[NFKNOCK_CMD_GET_GUARDS] = flaky_dump(
		[](int r) { return guard_msg(uint16_t(r)); }, 1000, round);
	k.replies[NFKNOCK_CMD_GET_GRANTS] = flaky_dump(
		[](int r) { return grant_msg(uint16_t(r)); }, 1000, round);
	k.replies[NFKNOCK_CMD_GET_USERS] = flaky_dump(
		[](int r) { return user_msg("u" + std::to_string(r)); }, 1000, round);
	k.replies[NFKNOCK_CMD_GET_KNOCK_PORTS] = flaky_dump(
		[](int r) { return knock_port_msg(uint16_t(r)); }, 1000, round);
	k.replies[NFKNOCK_CMD_GET_LOCKOUTS] = flaky_dump(
		[](int r) { return lockout_msg(uint8_t(r)); }, 1000, round);

	for (const auto &[args, cmd] : commands) {
		k.requests.clear();
		Result r = run_with(k, args);
		INFO(args[0]);
		REQUIRE(r.code == 1);
		REQUIRE(r.out.empty());
		REQUIRE(r.err == KEPT_CHANGING);
		require_all_dumps(k, cmd, std::size_t(DUMP_ATTEMPTS));
	}
	REQUIRE(DUMP_ATTEMPTS == 5);
}

TEST_CASE("a transport that reports the interruption itself is retried too")
{
	// GenlSocket throws DumpInterrupted when the flag came on NLMSG_DONE,
	// which is not handed back as a message.
	FakeKernel k;
	int calls = 0;
	int fail_first = 2;

	k.replies[NFKNOCK_CMD_GET_GUARDS] = [&calls, &fail_first]() -> std::vector<MsgPtr> {
		if (++calls <= fail_first)
			throw DumpInterrupted();
		std::vector<MsgPtr> v;
		v.push_back(guard_msg(22));
		return v;
	};
	FakeTransport t(k);
	Client c(t);

	REQUIRE(c.guards() == std::vector<Service>{{IPPROTO_TCP, 22, 22}});
	REQUIRE(calls == 3);

	SECTION("always: the error after five attempts") {
		calls = 0;
		fail_first = 1000;
		k.requests.clear();
		REQUIRE_THROWS_WITH(c.guards(), "the kernel's state kept changing during "
						"the dump; try again");
		REQUIRE(calls == DUMP_ATTEMPTS);
		REQUIRE(k.requests.size() == std::size_t(DUMP_ATTEMPTS));
	}
	SECTION("other errors are not retried") {
		calls = 0;
		k.requests.clear();
		k.refuse_errno = EPERM;
		REQUIRE_THROWS_AS(c.guards(), KernelError);
		REQUIRE(k.requests.size() == 1);
	}
}

TEST_CASE("grants names its users from a dump that may be retried as well")
{
	FakeKernel k;
	int grant_round = 0, user_round = 0;

	k.replies[NFKNOCK_CMD_GET_GRANTS] = [&grant_round] {
		std::vector<MsgPtr> v;
		Grant g;
		g.addr = parse_address("192.0.2.1");
		g.proto = IPPROTO_TCP;
		g.port = 22;
		g.timeout_ms = 1000;
		g.user_fpr = {'u', 2, 3, 4, 5, 6, 7, 8};
		MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_GRANTS);
		encode_grant(m.get(), g);
		if (++grant_round == 1)
			nlmsg_hdr(m.get())->nlmsg_flags |= NLM_F_DUMP_INTR;
		v.push_back(std::move(m));
		return v;
	};
	k.replies[NFKNOCK_CMD_GET_USERS] = flaky_dump(
		[](int r) { return user_msg("u" + std::to_string(r)); }, 2, user_round);

	Result r = run_with(k, {"grants"});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(grant_round == 2);
	REQUIRE(user_round == 3);
	REQUIRE(r.out.find("192.0.2.1") != std::string::npos);
}
