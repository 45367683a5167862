// SPDX-License-Identifier: GPL-2.0 OR MIT
// Lockout of failing sources through knockctl's real CLI (cli_harness.hpp):
// check's warning, apply's TXN_BEGIN attributes, status's lockout line and
// counters, the lockouts dump and unlock with their errors; and the
// messages' round trips through the codec.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "address.hpp"
#include "cli_harness.hpp"
#include "codec.hpp"
#include "lockouts.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

const char *const LCLI_OFF_WARNING =
	"knockctl: warning: lockout is off (lockout.threshold = 0): nothing slows "
	"down a source that guesses sequences, static or derived\n";

// A GET_LOCKOUTS entry.
SourceLockout lcli_entry(const std::string &addr, uint8_t prefix_len,
			 uint32_t failures, uint32_t locked_ms)
{
	SourceLockout l;
	l.addr = parse_address(addr);
	l.prefix_len = prefix_len;
	l.failures = failures;
	l.locked_ms = locked_ms;
	return l;
}

// A fake module whose status reports @lockout (none: an older module) and
// the lockout counters 7, 8, 9, and whose GET_LOCKOUTS dump gives @list.
void lcli_module(FakeKernel &k, std::optional<LockoutStatus> lockout,
		 std::vector<SourceLockout> list = {})
{
	Status s;
	s.api_version = 1;
	s.lockout = lockout;
	s.lockouts = {7, 8, 9};
	k.replies[NFKNOCK_CMD_GET_STATUS] =
		encoded_replies(NFKNOCK_CMD_GET_STATUS, encode_status, {s});
	k.replies[NFKNOCK_CMD_GET_LOCKOUTS] =
		encoded_replies(NFKNOCK_CMD_GET_LOCKOUTS, encode_lockout, list);
}

// The attributes of the LOCKOUT nest of @m's request: type -> payload.
std::vector<std::pair<int, std::vector<uint8_t>>> lcli_nest(const MsgPtr &m)
{
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(m.get())));
	const nlattr *top = nla_find(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
				     NFKNOCK_A_LOCKOUT);
	std::vector<std::pair<int, std::vector<uint8_t>>> out;
	const nlattr *a;
	int rem;

	REQUIRE(top);
	REQUIRE((top->nla_type & NLA_F_NESTED) != 0);
	REQUIRE(genlmsg_attrlen(gh, 0) == int(NLA_ALIGN(top->nla_len)));
	nla_for_each_nested(a, top, rem) {
		const auto *p = static_cast<const uint8_t *>(nla_data(a));
		out.push_back({nla_type(a), std::vector<uint8_t>(p, p + nla_len(a))});
	}
	return out;
}

} // namespace

TEST_CASE("knockctl lockout: check warns when it is off")
{
	Setup s;
	Harness h;

	Result r = h.run({"check", s.users_conf("off.conf", "[lockout]\nthreshold = 0\n",
						false)});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.err == LCLI_OFF_WARNING);

	// On (the default, or any threshold): no warning.
	Result on = h.run({"check", s.users_conf("on.conf", "[lockout]\nthreshold = 1\n",
						 false)});
	REQUIRE(on.code == 0);
	REQUIRE(on.err.empty());
	REQUIRE(h.run({"check", s.conf}).err.empty());
	// apply does not warn.
	Result a = h.run({"apply", s.users_conf("off.conf", "[lockout]\nthreshold = 0\n",
						false)});
	REQUIRE(a.code == 0);
	REQUIRE(a.err.empty());
}

TEST_CASE("knockctl lockout: apply sends the lockout at TXN_BEGIN")
{
	Setup s;

	SECTION("without [lockout]: the defaults, no source table size") {
		Harness h;
		REQUIRE(h.run({"apply", s.conf}).code == 0);
		const TxnParams p = parse_txn_begin(nlmsg_hdr(h.k.requests[0].get()));
		REQUIRE(p.lockout_threshold == 5u);
		REQUIRE(p.lockout_window_ms == 60000u);
		REQUIRE(p.lockout_duration_ms == 300000u);
		REQUIRE_FALSE(p.sources_max);
	}
	SECTION("the file's, limits.sources included") {
		Harness h;
		const std::string conf = s.users_conf(
			"lock.conf", "[limits]\nsources = 1024\n"
				     "[lockout]\nthreshold = 3\nwindow = \"2m\"\n"
				     "duration = \"10s\"\n");
		REQUIRE(h.run({"apply", conf}).code == 0);
		REQUIRE(h.cmds().front() == NFKNOCK_CMD_TXN_BEGIN);
		const TxnParams p = parse_txn_begin(nlmsg_hdr(h.k.requests[0].get()));
		REQUIRE(p.lockout_threshold == 3u);
		REQUIRE(p.lockout_window_ms == 120000u);
		REQUIRE(p.lockout_duration_ms == 10000u);
		REQUIRE(p.sources_max == 1024u);
	}
	SECTION("threshold = 0 is sent as 0 (the module frees its table)") {
		Harness h;
		REQUIRE(h.run({"apply", s.users_conf("off.conf", "[lockout]\nthreshold = 0\n")})
				.code == 0);
		REQUIRE(parse_txn_begin(nlmsg_hdr(h.k.requests[0].get())).lockout_threshold ==
			0u);
	}
	SECTION("a refusal of TXN_BEGIN is the module's words") {
		Harness h;
		h.k.refuse(0, EINVAL, "source table above 4096 in a namespace of an "
				      "unprivileged user namespace");
		Result r = h.run({"apply", s.users_conf("big.conf", "[limits]\nsources = 8192\n")});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: apply: source table above 4096 in a namespace "
				 "of an unprivileged user namespace (Invalid argument)\n");
		REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_TXN_BEGIN});
	}
}

TEST_CASE("knockctl lockout: TXN_BEGIN and status round-trip the lockout")
{
	TxnParams p;
	p.lockout_threshold = 0;
	p.lockout_window_ms = 1000;
	p.lockout_duration_ms = NFKNOCK_TIMEOUT_MAX_MS;
	p.sources_max = 65536;
	MsgPtr m = build_txn_begin(FAMILY, p);
	REQUIRE(parse_txn_begin(nlmsg_hdr(m.get())) == p);
	// Each alone.
	TxnParams one;
	one.sources_max = 64;
	REQUIRE(parse_txn_begin(nlmsg_hdr(build_txn_begin(FAMILY, one).get())) == one);

	Status s;
	s.api_version = 1;
	s.lockout = LockoutStatus{5, 60000, 300000, 16384, 2};
	s.lockouts = {1, 2, 3};
	MsgPtr st = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
	encode_status(st.get(), s);
	REQUIRE(parse_status(nlmsg_hdr(st.get())) == s);

	SECTION("an older module: no lockout, counters 0") {
		Status old;
		old.api_version = 1;
		MsgPtr o = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		encode_status(o.get(), old);
		const Status back = parse_status(nlmsg_hdr(o.get()));
		REQUIRE_FALSE(back.lockout);
		REQUIRE(back.lockouts == LockoutStats{});
	}
	SECTION("a short attribute is malformed") {
		MsgPtr bad = build_request(FAMILY, NFKNOCK_CMD_GET_STATUS);
		nla_put_u32(bad.get(), NFKNOCK_A_API_VERSION, 1);
		nla_put_u8(bad.get(), NFKNOCK_A_LOCKED_COUNT, 1);
		REQUIRE_THROWS_AS(parse_status(nlmsg_hdr(bad.get())), ProtocolError);
	}
}

TEST_CASE("knockctl lockout: status shows the lockout and its counters")
{
	Harness h;
	lcli_module(h.k, LockoutStatus{5, 60000, 300000, 16384, 2});

	Result r = h.run({"status"});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out.find("knock packets  pass\n"
			   "lockout        5 failures in 1m lock a source out for 5m "
			   "(2 locked now, table of 16384 sources)\n"
			   "stats:\n") != std::string::npos);
	REQUIRE(r.out.find("  lockouts started       7\n"
			   "  lockout steps refused  8\n"
			   "  lockout evictions      9\n") != std::string::npos);
	REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_GET_STATUS});

	const auto j = nlohmann::json::parse(h.run({"status", "--json"}).out);
	REQUIRE(j["lockout"] == nlohmann::json::parse(R"(
		{"threshold": 5, "window_s": 60, "duration_s": 300,
		 "sources_max": 16384, "locked": 2})"));
	REQUIRE(j["stats"]["lockouts"] == 7);
	REQUIRE(j["stats"]["lockout_refused"] == 8);
	REQUIRE(j["stats"]["lockout_evicted"] == 9);

	SECTION("off, and before the first apply (no table)") {
		REQUIRE(lockout_status_text({0, 60000, 300000, 0, 0}) == "off (threshold 0)");
		REQUIRE(lockout_status_text({1, 1000, 604800000, 0, 0}) ==
			"1 failure in 1s lock a source out for 7d (no source table "
			"until a configuration is applied)");
		Harness o;
		lcli_module(o.k, LockoutStatus{0, 60000, 300000, 0, 0});
		REQUIRE(o.run({"status"}).out.find("lockout        off (threshold 0)\n") !=
			std::string::npos);
	}
	SECTION("an older module: no line, null in JSON") {
		Harness o;
		lcli_module(o.k, std::nullopt);
		Result t = o.run({"status"});
		REQUIRE(t.out.find("lockout  ") == std::string::npos);
		const auto oj = nlohmann::json::parse(o.run({"status", "--json"}).out);
		REQUIRE(oj["lockout"] == nullptr);
	}
}

TEST_CASE("knockctl lockouts: the dump, sorted, as a table and as JSON")
{
	Harness h;
	lcli_module(h.k, std::nullopt,
		    {lcli_entry("2001:db8:1:2::", 64, 2, 0),
		     lcli_entry("10.0.0.3", 32, 0, 9500),
		     lcli_entry("192.0.2.1", 32, 4, 0)});

	Result r = h.run({"lockouts"});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out == "SOURCE             FAILURES  LOCKED\n"
			 "10.0.0.3           0         10s\n"
			 "192.0.2.1          4         -\n"
			 "2001:db8:1:2::/64  2         -\n");
	REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_GET_LOCKOUTS});
	REQUIRE((nlmsg_hdr(h.k.requests[0].get())->nlmsg_flags & NLM_F_DUMP) ==
		NLM_F_DUMP);

	const auto j = nlohmann::json::parse(h.run({"lockouts", "--json"}).out);
	REQUIRE(j == nlohmann::json::parse(R"([
		{"source": "10.0.0.3", "prefix_len": 32, "failures": 0, "locked_ms": 9500},
		{"source": "192.0.2.1", "prefix_len": 32, "failures": 4, "locked_ms": 0},
		{"source": "2001:db8:1:2::", "prefix_len": 64, "failures": 2,
		 "locked_ms": 0}])"));

	SECTION("none") {
		Harness n;
		lcli_module(n.k, std::nullopt);
		REQUIRE(n.run({"lockouts"}).out == "no sources failing or locked out\n");
		REQUIRE(n.run({"lockouts", "--json"}).out == "[]\n");
	}
	SECTION("needs CAP_NET_ADMIN") {
		Harness n;
		n.k.refuse(-1, EPERM);
		Result e = n.run({"lockouts"});
		REQUIRE(e.code == 3);
		REQUIRE(e.err == "knockctl: permission denied: needs CAP_NET_ADMIN\n");
	}
	SECTION("another refusal names the command") {
		Harness n;
		n.k.refuse(-1, EOPNOTSUPP);
		Result e = n.run({"lockouts", "--json"});
		REQUIRE(e.code == 1);
		REQUIRE(e.out.empty());
		REQUIRE(e.err == "knockctl: lockouts: Operation not supported\n");
	}
}

TEST_CASE("knockctl lockouts: a dump entry parses as the kernel writes it")
{
	const SourceLockout l = lcli_entry("2001:db8::", 64, 3, 1500);
	MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_LOCKOUTS);
	encode_lockout(m.get(), l);
	REQUIRE(parse_lockout(nlmsg_hdr(m.get())) == l);
	REQUIRE(format_source(l) == "2001:db8::/64");

	SECTION("without PREFIX_LEN (and with an attribute from a newer module)") {
		MsgPtr d = build_request(FAMILY, NFKNOCK_CMD_GET_LOCKOUTS);
		nlattr *nest = nla_nest_start(d.get(), NFKNOCK_A_LOCKOUT | NLA_F_NESTED);
		const uint8_t a4[4] = {198, 51, 100, 7};
		nla_put(d.get(), NFKNOCK_LOCK_A_ADDR, 4, a4);
		nla_put_u32(d.get(), NFKNOCK_LOCK_A_FAILURES, 1);
		nla_put_u32(d.get(), NFKNOCK_LOCK_A_MAX + 1, 7);
		nla_nest_end(d.get(), nest);
		const SourceLockout p = parse_lockout(nlmsg_hdr(d.get()));
		REQUIRE(p == lcli_entry("198.51.100.7", 32, 1, 0));
		REQUIRE(format_source(p) == "198.51.100.7");
	}
	SECTION("malformed entries") {
		MsgPtr d = build_request(FAMILY, NFKNOCK_CMD_GET_LOCKOUTS);
		nlattr *nest = nla_nest_start(d.get(), NFKNOCK_A_LOCKOUT | NLA_F_NESTED);
		const uint8_t a8[8] = {};
		nla_put(d.get(), NFKNOCK_LOCK_A_ADDR, 8, a8);
		nla_nest_end(d.get(), nest);
		REQUIRE_THROWS_WITH(parse_lockout(nlmsg_hdr(d.get())),
				    "malformed reply from the kernel: lockout address "
				    "of 8 bytes");
		MsgPtr none = build_request(FAMILY, NFKNOCK_CMD_GET_LOCKOUTS);
		REQUIRE_THROWS_WITH(parse_lockout(nlmsg_hdr(none.get())),
				    "malformed reply from the kernel: missing lockout");
	}
}

TEST_CASE("knockctl unlock: DEL_LOCKOUT with the address alone")
{
	Harness h;

	Result r = h.run({"unlock", "10.0.0.3"});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out == "unlocked 10.0.0.3\n");
	REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_DEL_LOCKOUT});
	REQUIRE(lcli_nest(h.k.requests[0]) ==
		std::vector<std::pair<int, std::vector<uint8_t>>>{
			{NFKNOCK_LOCK_A_ADDR, {10, 0, 0, 3}}});
	REQUIRE(parse_del_lockout(nlmsg_hdr(h.k.requests[0].get())) ==
		parse_address("10.0.0.3"));

	SECTION("IPv6: the whole address goes, the module forgets its /64") {
		Harness t;
		Result u = t.run({"unlock", "2001:db8:1:2:aa::1"});
		REQUIRE(u.code == 0);
		REQUIRE(u.out == "unlocked 2001:db8:1:2::/64\n");
		const auto nest = lcli_nest(t.k.requests[0]);
		REQUIRE(nest.size() == 1);
		REQUIRE(nest[0].second.size() == 16);
		REQUIRE(parse_del_lockout(nlmsg_hdr(t.k.requests[0].get())) ==
			parse_address("2001:db8:1:2:aa::1"));
	}
	SECTION("an IPv4-mapped address is the IPv4 address") {
		Harness t;
		REQUIRE(t.run({"unlock", "::ffff:192.0.2.9"}).out == "unlocked 192.0.2.9\n");
		REQUIRE(lcli_nest(t.k.requests[0])[0].second ==
			std::vector<uint8_t>{192, 0, 2, 9});
	}
}

TEST_CASE("knockctl unlock: errors")
{
	SECTION("nothing recorded (ENOENT): exit 1, the source named") {
		for (const auto &[src, shown] :
		     std::vector<std::pair<std::string, std::string>>{
			     {"10.0.0.9", "10.0.0.9"},
			     {"2001:db8::7", "2001:db8::/64"}}) {
			Harness h;
			h.k.refuse(0, ENOENT, "no failures or lockout recorded for that source");
			Result r = h.run({"unlock", src});
			REQUIRE(r.code == 1);
			REQUIRE(r.out.empty());
			REQUIRE(r.err == "knockctl: no failures or lockout recorded for " +
						 shown + "\n");
		}
	}
	SECTION("not an address: a usage error naming it, nothing sent") {
		for (const std::string bad : {"10.0.0.256", "10.0.0.0/8", "host.example"}) {
			Harness h;
			Result r = h.run({"unlock", bad});
			REQUIRE(r.code == 2);
			REQUIRE(r.err == "knockctl: " + bad +
						 ": invalid address (expected IPv4 or IPv6)\n");
			REQUIRE(h.k.opened == 0);
		}
		Harness h;
		REQUIRE(h.run({"unlock"}).code == 2);
		REQUIRE(h.k.opened == 0);
	}
	SECTION("no permission: exit 3") {
		Harness h;
		h.k.refuse(0, EPERM);
		Result r = h.run({"unlock", "10.0.0.9"});
		REQUIRE(r.code == 3);
		REQUIRE(r.err == "knockctl: permission denied: needs CAP_NET_ADMIN\n");
	}
	SECTION("other refusals: the command, the module's words, exit 1") {
		Harness h;
		h.k.refuse(0, EINVAL, "address must be 4 or 16 bytes");
		Result r = h.run({"unlock", "10.0.0.9"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: unlock 10.0.0.9: address must be 4 or 16 bytes "
				 "(Invalid argument)\n");
	}
	SECTION("the module is not loaded: exit 3") {
		Harness h;
		h.k.loaded = false;
		Result r = h.run({"unlock", "10.0.0.9"});
		REQUIRE(r.code == 3);
		REQUIRE(r.err == "knockctl: nfknock module not loaded (modprobe nfknock)\n");
	}
}
