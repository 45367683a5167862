// SPDX-License-Identifier: GPL-2.0 OR MIT
// The whole command line without a kernel: knockctl's real CLI (every
// register_*), a fake transport that records the netlink requests and plays
// the module's replies and refusals. Checks exit codes, the exact stderr
// line, and that invalid input sends (and opens) nothing.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <cerrno>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "address.hpp"
#include "app.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "errors.hpp"
#include "fakes.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

Result run_knockctl(FakeKernel &k, const std::vector<std::string> &args)
{
	std::ostringstream out, err;
	Context ctx(out, err, [&k] { return std::make_unique<FakeTransport>(k); });
	const int code = run(ctx, args, register_all);

	return {code, out.str(), err.str()};
}

// Runs and requires a usage error (exit 2) that sent and opened nothing.
std::string usage_error(const std::vector<std::string> &args)
{
	FakeKernel k;
	Result r = run_knockctl(k, args);

	REQUIRE(r.code == 2);
	REQUIRE(r.out.empty());
	REQUIRE(k.opened == 0);
	REQUIRE(k.requests.empty());
	return r.err;
}

// Runs a valid command and returns the single request it sent.
const nlmsghdr *sent(FakeKernel &k, const std::vector<std::string> &args,
		     uint8_t cmd)
{
	Result r = run_knockctl(k, args);

	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.err.empty());
	REQUIRE(k.requests.size() == 1);
	const nlmsghdr *h = nlmsg_hdr(k.requests[0].get());
	REQUIRE(h->nlmsg_type == FAMILY);
	REQUIRE(message_cmd(h) == cmd);
	return h;
}

// Every key of @expect has its value in @actual (an array of objects of
// the same length); keys added by later API versions are allowed.
void require_json_subset(const nlohmann::json &actual, const nlohmann::json &expect)
{
	REQUIRE(actual.is_array());
	REQUIRE(actual.size() == expect.size());
	for (std::size_t i = 0; i < expect.size(); i++)
		for (const auto &[key, value] : expect[i].items()) {
			INFO(i << " " << key);
			REQUIRE(actual[i].contains(key));
			REQUIRE(actual[i][key] == value);
		}
}

bool hdr_is_dump(const FakeKernel &k)
{
	return k.requests.size() == 1 &&
	       (nlmsg_hdr(k.requests[0].get())->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

MsgPtr status_reply()
{
	Status s;
	s.api_version = 1;
	s.hooked = true;
	s.guard_action = NFKNOCK_ACTION_RESET;
	s.udp_idle_ms = 60000;
	s.grants_max = 65536;
	s.grants_count = 2;
	s.grant_buckets = 16384;
	s.guards_count = 1;
	s.stats = Stats{10, 2, 30, 8, 1, 5, 3, 0};

	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
	encode_status(m.get(), s);
	return m;
}

MsgPtr guard_entry(const Service &svc)
{
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_GUARDS);
	encode_service(m.get(), svc);
	return m;
}

MsgPtr grant_entry(const char *addr, uint8_t proto, uint16_t port,
		   uint32_t left_ms, uint32_t flags)
{
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_GRANTS);
	encode_grant(m.get(), Grant{parse_address(addr), proto, port, left_ms, flags});
	return m;
}

} // namespace

TEST_CASE("--version prints the version and opens nothing")
{
	FakeKernel k;
	Result r = run_knockctl(k, {"--version"});

	REQUIRE(r.code == 0);
	REQUIRE(r.out == "knockctl " KNOCKCTL_TEST_VERSION "\n");
	REQUIRE(r.err.empty());
	REQUIRE(k.opened == 0);
}

TEST_CASE("bad services are usage errors naming the input")
{
	SECTION("port out of range") {
		REQUIRE(usage_error({"guard", "add", "tcp/70000"}) ==
			"knockctl: tcp/70000: port out of range\n");
	}
	SECTION("unknown protocol") {
		REQUIRE(usage_error({"guard", "add", "sctp/1"}) ==
			"knockctl: sctp/1: unknown protocol (tcp or udp)\n");
	}
	SECTION("port not a number") {
		REQUIRE(usage_error({"guard", "del", "tcp/abc"}) ==
			"knockctl: tcp/abc: port is not a number\n");
	}
	SECTION("reversed range") {
		REQUIRE(usage_error({"guard", "add", "tcp/10-5"}) ==
			"knockctl: tcp/10-5: last port is below first port\n");
	}
	SECTION("no protocol") {
		REQUIRE(usage_error({"guard", "add", "22"}) ==
			"knockctl: 22: expected PROTO/PORT or PROTO/FIRST-LAST, e.g. tcp/22\n");
	}
	SECTION("port zero") {
		REQUIRE(usage_error({"grant", "10.0.0.2", "udp/0"}) ==
			"knockctl: udp/0: port out of range\n");
	}
	SECTION("in revoke") {
		REQUIRE(usage_error({"revoke", "10.0.0.2", "tcp/70000"}) ==
			"knockctl: tcp/70000: port out of range\n");
	}
}

TEST_CASE("grant and revoke refuse a port range")
{
	const std::string msg =
		"knockctl: tcp/22-23: a single port is needed here, not a range\n";

	REQUIRE(usage_error({"grant", "10.0.0.2", "tcp/22-23"}) == msg);
	REQUIRE(usage_error({"revoke", "10.0.0.2", "tcp/22-23"}) == msg);
}

TEST_CASE("bad addresses are usage errors naming the input")
{
	SECTION("grant") {
		REQUIRE(usage_error({"grant", "10.0.0.256", "tcp/22"}) ==
			"knockctl: 10.0.0.256: invalid address (expected IPv4 or IPv6)\n");
	}
	SECTION("revoke") {
		REQUIRE(usage_error({"revoke", "example.org"}) ==
			"knockctl: example.org: invalid address (expected IPv4 or IPv6)\n");
	}
	SECTION("prefix") {
		REQUIRE(usage_error({"grant", "10.0.0.0/8", "tcp/22"}) ==
			"knockctl: 10.0.0.0/8: invalid address (expected IPv4 or IPv6)\n");
	}
}

TEST_CASE("bad durations are usage errors naming the option and input")
{
	SECTION("unknown unit") {
		REQUIRE(usage_error({"grant", "10.0.0.2", "tcp/22", "--for", "9x"}) ==
			"knockctl: --for 9x: invalid duration\n");
	}
	SECTION("zero") {
		REQUIRE(usage_error({"grant", "10.0.0.2", "tcp/22", "--for", "0s"}) ==
			"knockctl: --for 0s: duration must be greater than zero\n");
	}
	SECTION("too long") {
		REQUIRE(usage_error({"grant", "10.0.0.2", "tcp/22", "--for=8d"}) ==
			"knockctl: --for 8d: duration too long (at most 7d)\n");
	}
	SECTION("udp idle") {
		REQUIRE(usage_error({"set", "udp-idle", "9x"}) ==
			"knockctl: udp-idle 9x: invalid duration\n");
	}
}

TEST_CASE("bad parameter values are usage errors")
{
	SECTION("guard action") {
		REQUIRE(usage_error({"set", "guard-action", "reject"}) ==
			"knockctl: guard-action reject: expected drop or reset\n");
	}
	SECTION("max grants zero") {
		REQUIRE(usage_error({"set", "max-grants", "0"}) ==
			"knockctl: max-grants 0: out of range (1 to 1048576)\n");
	}
	SECTION("max grants above the limit") {
		REQUIRE(usage_error({"set", "max-grants", "1048577"}) ==
			"knockctl: max-grants 1048577: out of range (1 to 1048576)\n");
	}
	SECTION("max grants not a number") {
		REQUIRE(usage_error({"set", "max-grants", "-1"}) ==
			"knockctl: max-grants -1: not a number\n");
		REQUIRE(usage_error({"set", "max-grants", "1k"}) ==
			"knockctl: max-grants 1k: not a number\n");
		REQUIRE(usage_error({"set", "max-grants", "99999999999"}) ==
			"knockctl: max-grants 99999999999: not a number\n");
	}
}

TEST_CASE("unknown options and words are usage errors")
{
	SECTION("unknown option") {
		REQUIRE(usage_error({"status", "--bogus"}) ==
			"knockctl: unexpected argument: --bogus\n");
	}
	SECTION("unknown command") {
		REQUIRE(usage_error({"frob"}) ==
			"knockctl: unexpected argument: frob\n");
	}
	SECTION("unknown subcommand") {
		REQUIRE(usage_error({"guard", "frob"}) ==
			"knockctl: unexpected argument: frob\n");
	}
	SECTION("extra argument") {
		REQUIRE(usage_error({"guard", "add", "tcp/22", "tcp/23"}) ==
			"knockctl: unexpected argument: tcp/23\n");
	}
	SECTION("two commands") {
		REQUIRE(usage_error({"status", "flush"}) ==
			"knockctl: unexpected argument: flush\n");
		REQUIRE(usage_error({"guard", "add", "tcp/22", "del", "tcp/23"}) ==
			"knockctl: unexpected arguments: del tcp/23\n");
	}
	SECTION("--json where it does not exist") {
		REQUIRE(usage_error({"flush", "--json"}) ==
			"knockctl: unexpected argument: --json\n");
	}
}

TEST_CASE("missing arguments are usage errors")
{
	SECTION("no command") {
		REQUIRE(usage_error({}) == "knockctl: missing command (see knockctl --help)\n");
	}
	SECTION("group without subcommand") {
		REQUIRE(usage_error({"guard"}) ==
			"knockctl: guard: missing subcommand (add, del, list)\n");
		REQUIRE(usage_error({"set"}) ==
			"knockctl: set: missing subcommand (guard-action, udp-idle, max-grants)\n");
	}
	SECTION("service") {
		REQUIRE(usage_error({"guard", "add"}) == "knockctl: SERVICE is required\n");
		REQUIRE(usage_error({"grant", "10.0.0.2"}) == "knockctl: SERVICE is required\n");
	}
	SECTION("source") {
		REQUIRE(usage_error({"grant"}) == "knockctl: SRC is required\n");
		REQUIRE(usage_error({"revoke"}) == "knockctl: SRC is required\n");
	}
	SECTION("option value") {
		REQUIRE(usage_error({"grant", "10.0.0.2", "tcp/22", "--for"}) ==
			"knockctl: --for: 1 required DURATION missing\n");
	}
	SECTION("parameter value") {
		REQUIRE(usage_error({"set", "guard-action"}) == "knockctl: ACTION is required\n");
		REQUIRE(usage_error({"set", "udp-idle"}) == "knockctl: DURATION is required\n");
		REQUIRE(usage_error({"set", "max-grants"}) == "knockctl: N is required\n");
	}
}

TEST_CASE("--help prints the command's help, exits 0 and opens nothing")
{
	const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
		{{"--help"}, "Usage: knockctl [OPTIONS] [SUBCOMMAND]"},
		{{"status", "--help"}, "Usage: knockctl status [OPTIONS]"},
		{{"guard", "--help"}, "Usage: knockctl guard [OPTIONS] [SUBCOMMAND]"},
		{{"guard", "add", "--help"}, "Usage: knockctl guard add [OPTIONS] SERVICE"},
		{{"guard", "del", "-h"}, "Usage: knockctl guard del [OPTIONS] SERVICE"},
		{{"guard", "list", "--help"}, "Usage: knockctl guard list [OPTIONS]"},
		{{"set", "--help"}, "Usage: knockctl set [OPTIONS] [SUBCOMMAND]"},
		{{"set", "guard-action", "--help"}, "Usage: knockctl set guard-action [OPTIONS] ACTION"},
		{{"set", "udp-idle", "--help"}, "Usage: knockctl set udp-idle [OPTIONS] DURATION"},
		{{"set", "max-grants", "--help"}, "Usage: knockctl set max-grants [OPTIONS] N"},
		{{"grant", "--help"}, "Usage: knockctl grant [OPTIONS] SRC SERVICE"},
		{{"revoke", "--help"}, "Usage: knockctl revoke [OPTIONS] SRC [SERVICE]"},
		{{"grants", "--help"}, "Usage: knockctl grants [OPTIONS]"},
		{{"flush", "--help"}, "Usage: knockctl flush [OPTIONS]"},
		{{"sequence", "--help"}, "Usage: knockctl sequence [OPTIONS] [HOST] [SERVICE]"},
	};

	for (const auto &[args, usage] : cases) {
		FakeKernel k;
		Result r = run_knockctl(k, args);

		INFO(r.out);
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
		REQUIRE(r.out.find(usage) != std::string::npos);
		REQUIRE(r.out.back() == '\n');
		REQUIRE(k.opened == 0);
	}
	SECTION("grant documents the default duration") {
		FakeKernel k;
		Result r = run_knockctl(k, {"grant", "--help"});
		REQUIRE(r.out.find("--for DURATION=30s") != std::string::npos);
		REQUIRE(r.out.find("--once") != std::string::npos);
	}
}

TEST_CASE("grant sends exactly the documented ADD_GRANT")
{
	FakeKernel k;

	SECTION("IPv4, once, 5s") {
		const nlmsghdr *h = sent(k, {"grant", "10.0.0.2", "tcp/22", "--for", "5s", "--once"},
					 NFKNOCK_CMD_ADD_GRANT);
		const Grant g = parse_grant(h);
		REQUIRE(g.addr.size() == 4);
		REQUIRE(format_address(g.addr) == "10.0.0.2");
		REQUIRE(g.proto == IPPROTO_TCP);
		REQUIRE(g.port == 22);
		REQUIRE(g.timeout_ms == 5000);
		REQUIRE(g.flags == NFKNOCK_GRANT_F_ONCE);
	}
	SECTION("default duration is 30s, no flags") {
		const Grant g = parse_grant(sent(k, {"grant", "10.0.0.2", "udp/53"},
						 NFKNOCK_CMD_ADD_GRANT));
		REQUIRE(g.proto == IPPROTO_UDP);
		REQUIRE(g.port == 53);
		REQUIRE(g.timeout_ms == 30000);
		REQUIRE(g.flags == 0);
	}
	SECTION("IPv6, 16 bytes") {
		const Grant g = parse_grant(sent(k, {"grant", "2001:db8::2", "tcp/443", "--for=2h"},
						 NFKNOCK_CMD_ADD_GRANT));
		REQUIRE(g.addr.size() == 16);
		REQUIRE(format_address(g.addr) == "2001:db8::2");
		REQUIRE(g.timeout_ms == 7200000);
	}
	SECTION("IPv4-mapped IPv6 is sent as IPv4") {
		const Grant g = parse_grant(sent(k, {"grant", "::ffff:10.0.0.2", "tcp/22"},
						 NFKNOCK_CMD_ADD_GRANT));
		REQUIRE(g.addr.size() == 4);
		REQUIRE(format_address(g.addr) == "10.0.0.2");
	}
	SECTION("options before positionals") {
		const Grant g = parse_grant(sent(k, {"grant", "--once", "--for", "500ms",
						     "10.0.0.2", "tcp/22"},
						 NFKNOCK_CMD_ADD_GRANT));
		REQUIRE(g.timeout_ms == 500);
		REQUIRE(g.flags == NFKNOCK_GRANT_F_ONCE);
	}
}

TEST_CASE("guard add and del send the service")
{
	FakeKernel k;

	SECTION("add range") {
		REQUIRE(parse_guard(sent(k, {"guard", "add", "tcp/8000-8100"},
					 NFKNOCK_CMD_ADD_GUARD)) ==
			Service{IPPROTO_TCP, 8000, 8100});
	}
	SECTION("add single") {
		REQUIRE(parse_guard(sent(k, {"guard", "add", "udp/5353"},
					 NFKNOCK_CMD_ADD_GUARD)) ==
			Service{IPPROTO_UDP, 5353, 5353});
	}
	SECTION("del") {
		REQUIRE(parse_guard(sent(k, {"guard", "del", "tcp/22"},
					 NFKNOCK_CMD_DEL_GUARD)) ==
			Service{IPPROTO_TCP, 22, 22});
	}
}

TEST_CASE("set sends one parameter")
{
	FakeKernel k;
	Params expect;
	std::vector<std::string> args;

	SECTION("guard-action reset") {
		args = {"set", "guard-action", "reset"};
		expect.guard_action = NFKNOCK_ACTION_RESET;
	}
	SECTION("guard-action drop") {
		args = {"set", "guard-action", "drop"};
		expect.guard_action = NFKNOCK_ACTION_DROP;
	}
	SECTION("udp-idle") {
		args = {"set", "udp-idle", "90s"};
		expect.udp_idle_ms = 90000;
	}
	SECTION("max-grants") {
		args = {"set", "max-grants", "1048576"};
		expect.grants_max = 1048576;
	}
	REQUIRE(parse_set_params(sent(k, args, NFKNOCK_CMD_SET_PARAMS)) == expect);
}

TEST_CASE("revoke sends the address and optionally the service")
{
	FakeKernel k;

	SECTION("every grant of an address") {
		const Revoke r = parse_del_grant(sent(k, {"revoke", "10.0.0.2"},
						      NFKNOCK_CMD_DEL_GRANT));
		REQUIRE(format_address(r.addr) == "10.0.0.2");
		REQUIRE(!r.service);
	}
	SECTION("one service") {
		const Revoke r = parse_del_grant(sent(k, {"revoke", "2001:db8::1", "udp/53"},
						      NFKNOCK_CMD_DEL_GRANT));
		REQUIRE(format_address(r.addr) == "2001:db8::1");
		REQUIRE(r.service == Service{IPPROTO_UDP, 53, 53});
	}
}

TEST_CASE("flush sends FLUSH")
{
	FakeKernel k;

	sent(k, {"flush"}, NFKNOCK_CMD_FLUSH);
}

TEST_CASE("status prints the module's state")
{
	FakeKernel k;
	k.replies[NFKNOCK_CMD_GET_STATUS] = [] {
		std::vector<MsgPtr> v;
		v.push_back(status_reply());
		return v;
	};

	SECTION("human") {
		Result r = run_knockctl(k, {"status"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out ==
			"api version    1\n"
			"hooked         yes\n"
			"guard action   reset\n"
			"udp idle       1m\n"
			"guards         1\n"
			"grants         2 of 65536 (16384 buckets)\n"
			"knock ports    0\n"
			"users          0\n"
			"skew           0ms\n"
			"knock packets  pass\n"
			"stats:\n"
			"  guarded                10\n"
			"  passed by grant        2\n"
			"  passed stateless       30\n"
			"  passed out of scope    0\n"
			"  refused                8\n"
			"    of which stray       0\n"
			"  truncated              1\n"
			"  grants added           5\n"
			"  grants expired         3\n"
			"  grants refused (full)  0\n"
			"  grants refused (user)  0\n"
			"  grants revoked         0\n"
			"  knocks accepted        0\n"
			"  knocks unknown         0\n"
			"  knocks bad auth        0\n"
			"  knocks stale           0\n"
			"  knocks replayed        0\n"
			"  knocks not allowed     0\n"
			"  knocks malformed       0\n"
			"  knocks unbound         0\n"
			"  sequence steps         0\n"
			"  sequences completed    0\n"
			"  sequences failed       0\n"
			"  sequences timed out    0\n"
			"  sequences evicted      0\n"
			"  sequences not allowed  0\n"
			"  lockouts started       0\n"
			"  lockout steps refused  0\n"
			"  lockout evictions      0\n");
	}
	SECTION("json") {
		Result r = run_knockctl(k, {"status", "--json"});
		REQUIRE(r.code == 0);
		const auto j = nlohmann::json::parse(r.out);
		REQUIRE(j["api_version"] == 1);
		REQUIRE(j["hooked"] == true);
		REQUIRE(j["guard_action"] == "reset");
		REQUIRE(j["udp_idle_ms"] == 60000);
		REQUIRE(j["grants_max"] == 65536);
		REQUIRE(j["grants_count"] == 2);
		REQUIRE(j["guards_count"] == 1);
		REQUIRE(j["stats"]["guarded"] == 10);
		REQUIRE(j["stats"]["passed_stateless"] == 30);
		REQUIRE(j["stats"]["grants_full"] == 0);
		REQUIRE(j["limited"] == false);
		REQUIRE(j["grant_buckets"] == 16384);
	}
	REQUIRE(k.requests.size() == 1);
	REQUIRE(message_cmd(nlmsg_hdr(k.requests[0].get())) == NFKNOCK_CMD_GET_STATUS);
}

TEST_CASE("status of a limited (unprivileged) namespace says so")
{
	FakeKernel k;
	k.replies[NFKNOCK_CMD_GET_STATUS] = [] {
		Status s;
		s.api_version = 1;
		s.grants_max = 4096;
		s.limited = true;
		s.stats.grants_user_full = 7;
		s.stats.grants_revoked = 9;
		s.stats.passed_scope = 13;
		s.stats.refused_stray = 15;
		MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		encode_status(m.get(), s);
		std::vector<MsgPtr> v;
		v.push_back(std::move(m));
		return v;
	};

	Result r = run_knockctl(k, {"status"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out.find("knock packets  pass\n"
			   "limits: unprivileged namespace (max 4096 grants, 1024 users)\n"
			   "stats:\n") != std::string::npos);
	REQUIRE(r.out.find("  grants refused (user)  7\n") != std::string::npos);
	REQUIRE(r.out.find("  grants revoked         9\n") != std::string::npos);

	const auto j = nlohmann::json::parse(run_knockctl(k, {"status", "--json"}).out);
	REQUIRE(j["limited"] == true);
	REQUIRE(j["stats"]["grants_user_full"] == 7);
	REQUIRE(j["stats"]["grants_revoked"] == 9);
	REQUIRE(j["stats"]["passed_scope"] == 13);
	REQUIRE(r.out.find("  passed out of scope    13\n") != std::string::npos);
	REQUIRE(j["stats"]["refused_stray"] == 15);
	REQUIRE(r.out.find("    of which stray       15\n") != std::string::npos);

	SECTION("not limited: no limits line") {
		FakeKernel n;
		n.replies[NFKNOCK_CMD_GET_STATUS] = [] {
			std::vector<MsgPtr> v;
			v.push_back(status_reply());
			return v;
		};
		REQUIRE(run_knockctl(n, {"status"}).out.find("limits") == std::string::npos);
	}
}

TEST_CASE("status and guard list need CAP_NET_ADMIN")
{
	// The generic netlink core refuses GENL_UNS_ADMIN_PERM operations with
	// a bare EPERM (no extack message).
	for (const std::vector<std::string> &args :
	     {std::vector<std::string>{"status"}, {"status", "--json"},
	      {"guard", "list"}, {"guard", "list", "--json"}}) {
		FakeKernel k;
		k.refuse_errno = EPERM;
		Result r = run_knockctl(k, args);
		INFO(args[0]);
		REQUIRE(r.code == 3);
		REQUIRE(r.out.empty());
		REQUIRE(r.err == "knockctl: permission denied: needs CAP_NET_ADMIN\n");
		REQUIRE(k.requests.size() == 1);
	}
}

TEST_CASE("a refusal with an extack message prints it, EPERM included")
{
	SECTION("a ceiling of an unprivileged namespace (EPERM with a message)") {
		FakeKernel k;
		k.refuse_errno = EPERM;
		k.refuse_extack = "grant cap above 4096 in a namespace of an "
				  "unprivileged user namespace";
		Result r = run_knockctl(k, {"set", "max-grants", "5000"});
		REQUIRE(r.code == 1);	// a refusal, not a missing capability
		REQUIRE(r.err == "knockctl: set max-grants 5000: grant cap above 4096 in a "
				 "namespace of an unprivileged user namespace (Operation "
				 "not permitted)\n");
	}
	SECTION("EACCES without a message is the permission text") {
		FakeKernel k;
		k.refuse_errno = EACCES;
		Result r = run_knockctl(k, {"flush"});
		REQUIRE(r.code == 3);
		REQUIRE(r.err == "knockctl: permission denied: needs CAP_NET_ADMIN\n");
	}
}

TEST_CASE("guard list and grants print dumps, sorted")
{
	FakeKernel k;
	k.replies[NFKNOCK_CMD_GET_GUARDS] = [] {
		std::vector<MsgPtr> v;
		v.push_back(guard_entry({IPPROTO_UDP, 5353, 5353}));
		v.push_back(guard_entry({IPPROTO_TCP, 8000, 8100}));
		v.push_back(guard_entry({IPPROTO_TCP, 22, 22}));
		return v;
	};
	k.replies[NFKNOCK_CMD_GET_GRANTS] = [] {
		std::vector<MsgPtr> v;
		v.push_back(grant_entry("2001:db8::1", IPPROTO_UDP, 53, 299500, 0));
		v.push_back(grant_entry("10.0.0.2", IPPROTO_TCP, 22, 12345,
					NFKNOCK_GRANT_F_ONCE | NFKNOCK_GRANT_F_USED));
		return v;
	};

	SECTION("guard list") {
		Result r = run_knockctl(k, {"guard", "list"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out ==
			"SERVICE        PORTS\n"
			"tcp/22         1\n"
			"tcp/8000-8100  101\n"
			"udp/5353       1\n");
		REQUIRE(hdr_is_dump(k));
	}
	SECTION("guard list --json") {
		Result r = run_knockctl(k, {"guard", "list", "--json"});
		REQUIRE(r.code == 0);
		require_json_subset(nlohmann::json::parse(r.out), nlohmann::json::parse(R"([
			{"service": "tcp/22", "proto": "tcp", "port": 22, "port_end": 22},
			{"service": "tcp/8000-8100", "proto": "tcp", "port": 8000, "port_end": 8100},
			{"service": "udp/5353", "proto": "udp", "port": 5353, "port_end": 5353}
		])"));
	}
	SECTION("grants") {
		Result r = run_knockctl(k, {"grants"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out ==
			"ADDRESS      SERVICE  LEFT  FLAGS      USER\n"
			"10.0.0.2     tcp/22   13s   once,used  admin\n"
			"2001:db8::1  udp/53   5m    -          admin\n");
		REQUIRE(hdr_is_dump(k));
	}
	SECTION("grants --json") {
		Result r = run_knockctl(k, {"grants", "--json"});
		REQUIRE(r.code == 0);
		require_json_subset(nlohmann::json::parse(r.out), nlohmann::json::parse(R"([
			{"address": "10.0.0.2", "family": "inet", "service": "tcp/22",
			 "proto": "tcp", "port": 22, "expires_ms": 12345,
			 "once": true, "used": true},
			{"address": "2001:db8::1", "family": "inet6", "service": "udp/53",
			 "proto": "udp", "port": 53, "expires_ms": 299500,
			 "once": false, "used": false}
		])"));
	}
}

TEST_CASE("empty dumps say so")
{
	FakeKernel k;

	SECTION("grants") {
		Result r = run_knockctl(k, {"grants"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "no grants\n");
	}
	SECTION("guards") {
		Result r = run_knockctl(k, {"guard", "list"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "no guards\n");
	}
	SECTION("json is an empty array") {
		REQUIRE(run_knockctl(k, {"grants", "--json"}).out == "[]\n");
		REQUIRE(run_knockctl(k, {"guard", "list", "--json"}).out == "[]\n");
	}
}

TEST_CASE("kernel errors map to exit codes and one line")
{
	FakeKernel k;

	SECTION("module not loaded: exit 3") {
		k.loaded = false;
		Result r = run_knockctl(k, {"status"});
		REQUIRE(r.code == 3);
		REQUIRE(r.err == "knockctl: nfknock module not loaded (modprobe nfknock)\n");
		REQUIRE(k.requests.empty());
	}
	SECTION("EPERM: exit 3, permission text") {
		k.refuse_errno = EPERM;
		Result r = run_knockctl(k, {"guard", "add", "tcp/22"});
		REQUIRE(r.code == 3);
		REQUIRE(r.err == "knockctl: permission denied: needs CAP_NET_ADMIN\n");
	}
	SECTION("EEXIST with extack: exit 1") {
		k.refuse_errno = EEXIST;
		k.refuse_extack = "guard already exists";
		Result r = run_knockctl(k, {"guard", "add", "tcp/22"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: guard add tcp/22: guard already exists (File exists)\n");
	}
	SECTION("ENOENT without extack: exit 1, errno text") {
		k.refuse_errno = ENOENT;
		Result r = run_knockctl(k, {"revoke", "10.0.0.2", "tcp/22"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: revoke 10.0.0.2 tcp/22: No such file or directory\n");
	}
	SECTION("ENOSPC on grant") {
		k.refuse_errno = ENOSPC;
		k.refuse_extack = "grant table full";
		Result r = run_knockctl(k, {"grant", "10.0.0.2", "tcp/22"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err ==
			"knockctl: grant 10.0.0.2 tcp/22: grant table full (No space left on device)\n");
	}
	SECTION("EINVAL on set") {
		k.refuse_errno = EINVAL;
		k.refuse_extack = "value out of range";
		Result r = run_knockctl(k, {"set", "max-grants", "5"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err ==
			"knockctl: set max-grants 5: value out of range (Invalid argument)\n");
	}
	SECTION("EPERM on a dump") {
		k.refuse_errno = EPERM;
		Result r = run_knockctl(k, {"grants", "--json"});
		REQUIRE(r.code == 3);
		REQUIRE(r.out.empty());
	}
}

TEST_CASE("a malformed reply is an error, not a crash")
{
	FakeKernel k;
	k.replies[NFKNOCK_CMD_GET_GUARDS] = [] {
		std::vector<MsgPtr> v;
		v.push_back(build_request(FAMILY, NFKNOCK_CMD_GET_GUARDS));
		return v;
	};

	Result r = run_knockctl(k, {"guard", "list"});
	REQUIRE(r.code == 1);
	REQUIRE(r.err == "knockctl: malformed reply from the kernel: missing service\n");
}
