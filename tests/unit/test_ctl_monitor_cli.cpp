// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl monitor through the real CLI with a fake event source (messages
// as the module sends them, a buffer overrun, the end of a wait), --exec
// with real /bin/sh commands; knockctl stats with a fake module.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>
#include <stdlib.h>

#include <cerrno>
#include <deque>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "event_source.hpp"
#include "fakes.hpp"
#include "kernel_events.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace monitor_test {

// What the fake source gives, and how long monitor asked it to wait.
struct FakeEvents {
	std::deque<Received> items;
	std::vector<int> waits;
	int opened = 0;
	// Thrown when monitor opens the source (module missing, no CAP).
	std::optional<Error> open_error;

	void add(const KernelEv &ev, uint64_t time_ms = EV_TIME)
	{
		items.push_back({Received::MESSAGE, kernel_event(ev, time_ms)});
	}
	void lost() { items.push_back({Received::LOST, nullptr}); }
};

class FakeSource : public EventSource {
public:
	explicit FakeSource(FakeEvents &e) : e_(e) {}

	// Nothing left: the wait ended (a real source would block).
	Received next(int timeout_ms) override
	{
		e_.waits.push_back(timeout_ms);
		if (e_.items.empty())
			return {Received::TIMEOUT, nullptr};
		Received r = std::move(e_.items.front());
		e_.items.pop_front();
		return r;
	}

private:
	FakeEvents &e_;
};

// A standard output whose reader went away: every write fails with EPIPE.
class ClosedPipe : public std::streambuf {
protected:
	int_type overflow(int_type) override
	{
		errno = EPIPE;
		return traits_type::eof();
	}
	std::streamsize xsputn(const char *, std::streamsize) override
	{
		errno = EPIPE;
		return 0;
	}
};

Result monitor_run(FakeEvents &e, const std::vector<std::string> &args,
		   std::streambuf *out_buf = nullptr)
{
	std::ostringstream out, err;
	std::ostream closed(out_buf);
	FakeKernel k;
	Context ctx(out_buf ? closed : out, err,
		    [&k] { return std::make_unique<FakeTransport>(k); });

	ctx.now_ms = [] { return EV_TIME + 877; };
	ctx.event_source = [&e]() -> std::unique_ptr<EventSource> {
		e.opened++;
		if (e.open_error)
			throw *e.open_error;
		return std::make_unique<FakeSource>(e);
	};
	std::vector<std::string> argv{"monitor"};
	argv.insert(argv.end(), args.begin(), args.end());
	const int code = run(ctx, argv, register_all);
	REQUIRE(k.opened == 0);	// monitor never uses the request socket
	return {code, out.str(), err.str()};
}

const KernelEv ACCEPTED{.type = NFKNOCK_EVENT_KNOCK_ACCEPTED, .source = "10.0.0.2",
			.user = "alice", .fpr = EV_FPR, .addr = "10.0.0.2",
			.proto = IPPROTO_TCP, .port = 22, .duration_s = 30};
const KernelEv REJECTED{.type = NFKNOCK_EVENT_KNOCK_REJECTED,
			.reason = NFKNOCK_REJ_BAD_AUTH, .source = "203.0.113.9",
			.unverified = true};
const char *ACCEPTED_LINE =
	"2026-12-03T07:20:01.123Z knock_accepted user=alice fpr=0102030405060708 "
	"source=10.0.0.2 service=tcp/22 address=10.0.0.2 duration=30s\n";
const char *REJECTED_LINE =
	"2026-12-03T07:20:01.123Z knock_rejected source=203.0.113.9 "
	"unverified=yes reason=bad_auth\n";

std::string read_file(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream s;

	s << in.rdbuf();
	return s.str();
}


TEST_CASE("monitor prints one line per event until the source ends")
{
	FakeEvents e;
	e.add(ACCEPTED);
	e.add(REJECTED);

	SECTION("text") {
		Result r = monitor_run(e, {});
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
		REQUIRE(r.out == std::string(ACCEPTED_LINE) + REJECTED_LINE);
		REQUIRE(e.waits == std::vector<int>{-1, -1, -1});
	}
	SECTION("json") {
		Result r = monitor_run(e, {"--json"});
		REQUIRE(r.code == 0);
		std::istringstream lines(r.out);
		std::string line;
		std::vector<nlohmann::json> got;
		while (std::getline(lines, line))
			got.push_back(nlohmann::json::parse(line));
		REQUIRE(got.size() == 2);
		REQUIRE(got[0]["event"] == "knock_accepted");
		REQUIRE(got[0]["user"] == "alice");
		REQUIRE(got[0]["duration_s"] == 30);
		REQUIRE(got[1]["event"] == "knock_rejected");
		REQUIRE(got[1]["unverified"] == true);
		REQUIRE(got[1]["reason"] == "bad_auth");
		// Keys in a fixed order, the time first.
		REQUIRE(r.out.rfind("{\"time_ms\":1796282401123,\"time\":"
				    "\"2026-12-03T07:20:01.123Z\",\"event\":"
				    "\"knock_accepted\",", 0) == 0);
	}
	SECTION("--count stops after N events") {
		Result r = monitor_run(e, {"--count", "1"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == ACCEPTED_LINE);
		REQUIRE(e.items.size() == 1);
	}
	SECTION("--timeout bounds every wait") {
		Result r = monitor_run(e, {"--timeout", "5s"});
		REQUIRE(r.code == 0);
		REQUIRE(e.waits.size() == 3);
		for (int w : e.waits) {
			REQUIRE(w > 0);
			REQUIRE(w <= 5000);
		}
	}
}

TEST_CASE("monitor: lost events, malformed and foreign messages")
{
	FakeEvents e;
	e.lost();
	MsgPtr bad = build_request(FAMILY, NFKNOCK_CMD_EVENT);
	REQUIRE(nla_put_u8(bad.get(), NFKNOCK_EV_A_TYPE, 1) == 0);
	e.items.push_back({Received::MESSAGE, std::move(bad)});
	e.items.push_back({Received::MESSAGE, build_request(FAMILY, NFKNOCK_CMD_GET_STATUS)});
	e.add(REJECTED);

	SECTION("text: said on stderr, monitoring goes on") {
		Result r = monitor_run(e, {"--count", "1"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == REJECTED_LINE);
		REQUIRE(r.err == "knockctl: events lost (socket buffer overrun)\n"
				 "knockctl: malformed reply from the kernel: event without "
				 "its type or time (event skipped)\n");
	}
	SECTION("json: a line for the loss too") {
		Result r = monitor_run(e, {"--json"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out.rfind("{\"time_ms\":1796282402000,\"time\":"
				    "\"2026-12-03T07:20:02.000Z\",\"event\":\"lost\"}\n", 0) == 0);
		REQUIRE(r.err.find("events lost (socket buffer overrun)") != std::string::npos);
	}
}

TEST_CASE("monitor ends quietly when its reader goes away (EPIPE)")
{
	FakeEvents e;
	e.add(ACCEPTED);
	e.add(REJECTED);
	ClosedPipe pipe;

	Result r = monitor_run(e, {}, &pipe);
	REQUIRE(r.code == 0);
	REQUIRE(r.err.empty());
	REQUIRE(e.items.size() == 1);	// stopped at the first line
}

TEST_CASE("monitor --exec runs a command per event with its facts")
{
	TempDir dir;
	const std::string log = dir.file("log");
	FakeEvents e;
	e.add(ACCEPTED);
	e.add(REJECTED);
	e.add({.type = NFKNOCK_EVENT_SUPPRESSED, .count = 12});
	// Inherited values of variables that do not apply are unset.
	REQUIRE(setenv("NFKNOCK_COUNT", "inherited", 1) == 0);
	REQUIRE(setenv("NFKNOCK_TEST_KEPT", "kept", 1) == 0);

	SECTION("environment, in order, lines still printed") {
		Result r = monitor_run(
			e, {"--exec",
			    "echo \"$NFKNOCK_EVENT|$NFKNOCK_TIME|${NFKNOCK_USER-}|"
			    "${NFKNOCK_FPR-}|${NFKNOCK_SOURCE-}|$NFKNOCK_UNVERIFIED|"
			    "${NFKNOCK_REASON-}|${NFKNOCK_SERVICE-}|${NFKNOCK_ADDRESS-}|"
			    "${NFKNOCK_DURATION-}|${NFKNOCK_COUNT-unset}|"
			    "$NFKNOCK_TEST_KEPT\" >> " + log});
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
		REQUIRE(r.out.find(ACCEPTED_LINE) == 0);
		REQUIRE(read_file(log) ==
			"knock_accepted|2026-12-03T07:20:01.123Z|alice|0102030405060708|"
			"10.0.0.2|0||tcp/22|10.0.0.2|30|unset|kept\n"
			"knock_rejected|2026-12-03T07:20:01.123Z|||203.0.113.9|1|bad_auth"
			"||||unset|kept\n"
			"suppressed|2026-12-03T07:20:01.123Z||||0|||||12|kept\n");
	}
	SECTION("--quiet prints nothing, the commands still run") {
		Result r = monitor_run(e, {"--exec", "echo $NFKNOCK_EVENT >> " + log,
					   "--quiet"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out.empty());
		REQUIRE(read_file(log) == "knock_accepted\nknock_rejected\nsuppressed\n");
	}
	SECTION("a failing command is reported, monitoring goes on") {
		Result r = monitor_run(
			e, {"--exec",
			    "echo $NFKNOCK_EVENT >> " + log + "; "
			    "case $NFKNOCK_EVENT in knock_accepted) exit 3;; "
			    "suppressed) kill -9 $$;; esac"});
		REQUIRE(r.code == 0);
		REQUIRE(read_file(log) == "knock_accepted\nknock_rejected\nsuppressed\n");
		REQUIRE(r.err ==
			"knockctl: --exec: exited with status 3 (knock_accepted at "
			"2026-12-03T07:20:01.123Z)\n"
			"knockctl: --exec: killed by signal 9 (suppressed at "
			"2026-12-03T07:20:01.123Z)\n");
	}
	unsetenv("NFKNOCK_COUNT");
	unsetenv("NFKNOCK_TEST_KEPT");
}

TEST_CASE("monitor: usage errors open nothing; a missing module or CAP is exit 3")
{
	const std::vector<std::pair<std::vector<std::string>, std::string>> usage{
		{{"--count", "0"}, "knockctl: --count 0: expected a whole number above 0\n"},
		{{"--count", "-1"}, "knockctl: --count -1: expected a whole number above 0\n"},
		{{"--count", "3x"}, "knockctl: --count 3x: expected a whole number above 0\n"},
		{{"--count", "99999999999999999999"},
		 "knockctl: --count 99999999999999999999: expected a whole number above 0\n"},
		{{"--timeout", "9d"}, "knockctl: --timeout 9d: duration too long (at most 7d)\n"},
		{{"--timeout", "soon"}, "knockctl: --timeout soon: invalid duration\n"},
		{{"--quiet"}, "knockctl: --quiet requires --exec\n"},
		{{"extra"}, "knockctl: unexpected argument: extra\n"},
	};
	for (const auto &[args, msg] : usage) {
		FakeEvents e;
		Result r = monitor_run(e, args);
		INFO(args[0]);
		REQUIRE(r.code == 2);
		REQUIRE(r.err == msg);
		REQUIRE(e.opened == 0);
	}

	FakeEvents missing;
	missing.open_error = ModuleMissing();
	Result r = monitor_run(missing, {});
	REQUIRE(r.code == 3);
	REQUIRE(r.err == "knockctl: nfknock module not loaded (modprobe nfknock)\n");

	FakeEvents denied;
	denied.open_error = Error("joining the events group needs CAP_NET_ADMIN in "
				  "this network namespace", EXIT_UNAVAILABLE);
	r = monitor_run(denied, {"--json"});
	REQUIRE(r.code == 3);
	REQUIRE(r.err == "knockctl: joining the events group needs CAP_NET_ADMIN in "
			 "this network namespace\n");
	REQUIRE(r.out.empty());
}

// --- stats ---


Result stats_run(FakeKernel &k, const std::vector<std::string> &args)
{
	std::ostringstream out, err;
	Context ctx(out, err, [&k] { return std::make_unique<FakeTransport>(k); });
	const int code = run(ctx, args, register_all);

	return {code, out.str(), err.str()};
}

void stats_replies(FakeKernel &k, std::vector<User> users)
{
	k.replies[NFKNOCK_CMD_GET_STATUS] = [] {
		Status s;
		s.api_version = 1;
		s.stats = Stats{14, 3, 120, 11, 0, 4, 3, 0, 1, 2, 6, 5};
		s.knocks = KnockStats{4, 9, 0, 1, 0, 0, 0, 2};
		s.seq = SeqStats{8, 2, 1, 0, 0, 0};
		std::vector<MsgPtr> v;
		v.push_back(build_request(FAMILY, NFKNOCK_CMD_GET_STATUS));
		encode_status(v.back().get(), s);
		return v;
	};
	k.replies[NFKNOCK_CMD_GET_USERS] = [users] {
		std::vector<MsgPtr> v;
		for (const User &u : users) {
			v.push_back(build_request(FAMILY, NFKNOCK_CMD_GET_USERS));
			encode_user(v.back().get(), u, nullptr);
		}
		return v;
	};
}

User stats_user(const char *name, uint8_t fpr0, uint64_t knocks,
		std::optional<uint32_t> grants)
{
	User u;
	u.name = name;
	u.fpr = {fpr0, 2, 3, 4, 5, 6, 7, 8};
	u.allow = {{IPPROTO_TCP, 22, 22}};
	u.sources = {parse_prefix("0.0.0.0/0")};
	u.max_duration_s = 60;
	u.knocks = knocks;
	u.grants = grants;
	if (grants)
		u.max_grants = 16;
	return u;
}

TEST_CASE("stats groups the counters and lists each user's knocks and grants")
{
	FakeKernel k;
	stats_replies(k, {stats_user("zed", 0xde, 3, 2), stats_user("alice", 0x01, 0, 0)});

	SECTION("text") {
		Result r = stats_run(k, {"stats"});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out ==
			"guards:\n"
			"  guarded              14\n"
			"  passed by grant      3\n"
			"  passed stateless     120\n"
			"  passed out of scope  6\n"
			"  refused              11\n"
			"    of which stray     5\n"
			"  truncated            0\n"
			"grants:\n"
			"  added                4\n"
			"  expired              3\n"
			"  refused (full)       0\n"
			"  refused (user)       1\n"
			"  revoked              2\n"
			"knocks:\n"
			"  accepted             4\n"
			"  unknown              9\n"
			"  bad auth             0\n"
			"  stale                1\n"
			"  replayed             0\n"
			"  not allowed          0\n"
			"  malformed            0\n"
			"  unbound              2\n"
			"sequences:\n"
			"  steps                8\n"
			"  completed            2\n"
			"  failed               1\n"
			"  timed out            0\n"
			"  evicted              0\n"
			"  not allowed          0\n"
			"lockout:\n"
			"  started              0\n"
			"  steps refused        0\n"
			"  sources evicted      0\n"
			"users:\n"
			"  NAME   FINGERPRINT       KNOCKS  GRANTS\n"
			"  alice  0102030405060708  0       0\n"
			"  zed    de02030405060708  3       2\n");
	}
	SECTION("json: status's counters, the users by name") {
		Result r = stats_run(k, {"stats", "--json"});
		REQUIRE(r.code == 0);
		const auto j = nlohmann::json::parse(r.out);
		REQUIRE(j["counters"]["guarded"] == 14);
		REQUIRE(j["counters"]["refused_stray"] == 5);
		REQUIRE(j["counters"]["knocks_unbound"] == 2);
		REQUIRE(j["counters"]["seq_failed"] == 1);
		REQUIRE(j["users"] == nlohmann::json::parse(
			R"([{"name": "alice", "fingerprint": "0102030405060708",
			     "knocks": 0, "grants": 0},
			    {"name": "zed", "fingerprint": "de02030405060708",
			     "knocks": 3, "grants": 2}])"));

		// The same counters, under the same keys, as status --json.
		FakeKernel s;
		stats_replies(s, {});
		const auto st = nlohmann::json::parse(stats_run(s, {"status", "--json"}).out);
		REQUIRE(st["stats"] == j["counters"]);
	}
	REQUIRE(k.requests.size() == 2);
	REQUIRE(message_cmd(nlmsg_hdr(k.requests[0].get())) == NFKNOCK_CMD_GET_STATUS);
	REQUIRE(message_cmd(nlmsg_hdr(k.requests[1].get())) == NFKNOCK_CMD_GET_USERS);
}

TEST_CASE("stats without users, from a module without per-user grants")
{
	FakeKernel k;
	stats_replies(k, {});
	Result r = stats_run(k, {"stats"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out.find("  sources evicted      0\nusers: none\n") != std::string::npos);

	FakeKernel old;
	stats_replies(old, {stats_user("alice", 1, 7, std::nullopt)});
	r = stats_run(old, {"stats"});
	REQUIRE(r.out.find("  alice  0102030405060708  7       -\n") != std::string::npos);
	const auto j = nlohmann::json::parse(stats_run(old, {"stats", "--json"}).out);
	REQUIRE(j["users"][0]["grants"] == nullptr);
}

TEST_CASE("stats: errors")
{
	FakeKernel denied;
	denied.refuse(-1, EPERM);
	Result r = stats_run(denied, {"stats"});
	REQUIRE(r.code == 3);
	REQUIRE(r.err == "knockctl: permission denied: needs CAP_NET_ADMIN\n");

	FakeKernel users;
	stats_replies(users, {});
	users.refuse(1, EINVAL, "bad dump");
	r = stats_run(users, {"stats"});
	REQUIRE(r.code == 1);
	REQUIRE(r.err == "knockctl: stats: users: bad dump (Invalid argument)\n");

	FakeKernel missing;
	missing.loaded = false;
	r = stats_run(missing, {"stats", "--json"});
	REQUIRE(r.code == 3);
	REQUIRE(r.out.empty());
}

TEST_CASE("monitor and stats have their help")
{
	for (const auto &[args, usage] :
	     std::vector<std::pair<std::vector<std::string>, std::string>>{
		     {{"monitor", "--help"}, "Usage: knockctl monitor [OPTIONS]"},
		     {{"stats", "--help"}, "Usage: knockctl stats [OPTIONS]"}}) {
		FakeKernel k;
		Result r = stats_run(k, args);
		REQUIRE(r.code == 0);
		REQUIRE(r.out.find(usage) != std::string::npos);
		REQUIRE(k.opened == 0);
	}
	FakeKernel k;
	const std::string help = stats_run(k, {"--help"}).out;
	REQUIRE(help.find("  stats ") != std::string::npos);
	REQUIRE(help.find("  monitor ") != std::string::npos);
}

} // namespace monitor_test
