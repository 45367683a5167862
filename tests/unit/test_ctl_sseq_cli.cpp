// SPDX-License-Identifier: GPL-2.0 OR MIT
// Static sequences through knockctl's real CLI (cli_harness.hpp): check's
// warnings, apply's STATIC_SEQ items, status listing what the module
// reports; and the STATIC_SEQ nest's round trip through the codec.
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

#include "apply.hpp"
#include "cli_harness.hpp"
#include "codec.hpp"
#include "config.hpp"
#include "output.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

const StaticSequence SSEQ_SSH{
	"knockd-ssh",
	{{IPPROTO_TCP, 9000, 9000}, {IPPROTO_UDP, 62201, 62201},
	 {IPPROTO_TCP, 7005, 7005}, {IPPROTO_TCP, 8000, 8000}},
	{IPPROTO_TCP, 22, 22},
	30};
const StaticSequence SSEQ_WEB{
	"sequence-2", {{IPPROTO_TCP, 1000, 1000}, {IPPROTO_TCP, 2000, 2000}},
	{IPPROTO_TCP, 80, 80}, 90};

// A server config of @s's key, two guards, the default knock port and
// the two sequences above; then @extra.
std::string sseq_conf(Setup &s, const std::string &file, const std::string &extra = "")
{
	return s.dir.write(
		file, "[server]\nprivate_key_file = \"" + s.server_key + "\"\n"
		      "[[guard]]\nservice = \"tcp/22\"\n"
		      "[[guard]]\nservice = \"tcp/7000-7010\"\n"
		      "[[sequence]]\nname = \"knockd-ssh\"\n"
		      "knock = [\"tcp/9000\", \"udp/62201\", \"tcp/7005\", \"tcp/8000\"]\n"
		      "opens = \"tcp/22\"\n"
		      "[[sequence]]\nknock = [\"tcp/1000\", \"tcp/2000\"]\n"
		      "opens = \"tcp/80\"\nfor = \"90s\"\n" + extra);
}

std::vector<StaticSequence> sseq_applied(const Harness &h)
{
	std::vector<StaticSequence> out;

	for (const TxnItem &it : h.txn_items(TxnItem::STATIC_SEQ))
		out.push_back(it.static_seq);
	return out;
}

// A fake module whose status counts @count static sequences (none: an
// older module) and whose dump gives @seqs.
void sseq_module(FakeKernel &k, std::optional<uint32_t> count,
		 std::vector<StaticSequence> seqs)
{
	Status s;
	s.api_version = 1;
	s.static_seqs_count = count;
	k.replies[NFKNOCK_CMD_GET_STATUS] =
		encoded_replies(NFKNOCK_CMD_GET_STATUS, encode_status, {s});
	k.replies[NFKNOCK_CMD_GET_STATIC_SEQS] =
		encoded_replies(NFKNOCK_CMD_GET_STATIC_SEQS, encode_static_seq, seqs);
}

} // namespace

TEST_CASE("check warns about every static sequence, and about its ports")
{
	Setup s;
	Harness h;
	const std::string conf = sseq_conf(s, "check.conf");

	Result r = h.run({"check", conf});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out == conf + ": ok (0 users, 2 guards, 1 knock port, 2 static "
				"sequences)\n");
	const std::string ssh = "knockctl: warning: static sequence knockd-ssh: ";
	const std::string web = "knockctl: warning: static sequence sequence-2: ";
	REQUIRE(r.err ==
		ssh + "its steps never change: anyone who sees them (on the same "
		      "network, or at any hop on the path) can replay them from "
		      "their own address at any time and have tcp/22 opened for "
		      "that address; a user's derived sequence (sequence = true in "
		      "[[user]]) changes every window and opens one service for one "
		      "user's key: prefer it unless the clients can only send fixed "
		      "ports\n" +
		ssh + "knock[1] (udp/62201) is a knock port: the step still counts, "
		      "and the datagram is also read as a single-packet knock\n" +
		ssh + "knock[2] (tcp/7005) is guarded (tcp/7000-7010): the step "
		      "still counts, but the guard sees the packet too and answers "
		      "it as any packet without a grant there (guard_action)\n" +
		web + "its steps never change: anyone who sees them (on the same "
		      "network, or at any hop on the path) can replay them from "
		      "their own address at any time and have tcp/80 opened for "
		      "that address; a user's derived sequence (sequence = true in "
		      "[[user]]) changes every window and opens one service for one "
		      "user's key: prefer it unless the clients can only send fixed "
		      "ports\n" +
		web + "opens tcp/80, which no guard covers: the port is open to "
		      "everyone anyway, so the sequence does nothing\n" +
		web + "only 2 steps: a port scan can hit them in order by chance; "
		      "use 3 or more\n" +
		web + "its steps are all tcp and go up in port order: a scan that "
		      "walks the ports upwards (nc -z HOST 1-65535, nmap -r) sends "
		      "them in order\n");
	REQUIRE(h.k.opened == 0);

	SECTION("the warnings alone, for a LoadedConfig") {
		LoadedConfig l;
		l.guards = {{IPPROTO_UDP, 5000, 6000}};
		l.static_seqs = {{"u", {{IPPROTO_UDP, 5353, 5353}, {IPPROTO_UDP, 100, 100},
					{IPPROTO_TCP, 5353, 5353}},
				  {IPPROTO_UDP, 5001, 5001}, 30}};
		const auto w = static_sequence_warnings(l);
		REQUIRE(w.size() == 2);	// static; knock[0] guarded; tcp/5353 is not
		REQUIRE(w[1] == "warning: static sequence u: knock[0] (udp/5353) is "
				"guarded (udp/5000-6000): the step still counts, but "
				"the guard sees the packet too and answers it as any "
				"packet without a grant there (guard_action)");
		// Up in port order but over two protocols: a one-protocol scan
		// does not send them in order.
		l.static_seqs[0].steps = {{IPPROTO_UDP, 1, 1}, {IPPROTO_TCP, 2, 2},
					  {IPPROTO_TCP, 3, 3}};
		REQUIRE(static_sequence_warnings(l).size() == 1);
	}
}

TEST_CASE("apply sends each static sequence after the users")
{
	Setup s;
	Harness h;
	const std::string conf = sseq_conf(
		s, "apply.conf",
		"[[user]]\nname = \"alice\"\npublic_key = \"" +
			key_to_base64(public_key(s.alice)) + "\"\nallow = [\"tcp/22\"]\n");

	Result r = h.run({"apply", conf});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.err.empty());	// apply does not warn
	REQUIRE(r.out == "applied " + conf + ": 1 user, 2 guards, 1 knock port, 2 "
					     "static sequences\n");
	REQUIRE(h.cmds() == std::vector<uint8_t>{
				    NFKNOCK_CMD_TXN_BEGIN, NFKNOCK_CMD_TXN_ADD,
				    NFKNOCK_CMD_TXN_ADD, NFKNOCK_CMD_TXN_ADD,
				    NFKNOCK_CMD_TXN_ADD, NFKNOCK_CMD_TXN_ADD,
				    NFKNOCK_CMD_TXN_ADD, NFKNOCK_CMD_TXN_COMMIT});
	REQUIRE(parse_txn_add(nlmsg_hdr(h.k.requests[4].get())).kind == TxnItem::USER);
	REQUIRE(sseq_applied(h) == std::vector<StaticSequence>{SSEQ_SSH, SSEQ_WEB});
	// As for derived sequences: the progress table's size only when
	// limits.progress is given.
	REQUIRE_FALSE(parse_txn_begin(nlmsg_hdr(h.k.requests[0].get())).progress_max);

	SECTION("limits.progress goes into TXN_BEGIN") {
		Harness t;
		REQUIRE(t.run({"apply", sseq_conf(s, "p.conf", "[limits]\nprogress = 128\n")})
				.code == 0);
		REQUIRE(parse_txn_begin(nlmsg_hdr(t.k.requests[0].get())).progress_max ==
			128u);
	}
	SECTION("a refusal names the sequence and aborts") {
		Harness t;
		t.k.refuse(6, ENOSPC, "too many static sequences");	// sequence-2
		Result e = t.run({"apply", conf});
		REQUIRE(e.code == 1);
		REQUIRE(e.err == "knockctl: apply: static sequence sequence-2: too many "
				 "static sequences (No space left on device)\n");
		REQUIRE(t.cmds().back() == NFKNOCK_CMD_TXN_ABORT);
	}
	SECTION("errors name the field; nothing is sent") {
		Harness t;
		const std::string bad = s.dir.write(
			"bad.conf", "[server]\nprivate_key_file = \"" + s.server_key +
					    "\"\n[[sequence]]\nknock = [\"tcp/1\"]\n"
					    "opens = \"tcp/22\"\n");
		Result e = t.run({"apply", bad});
		REQUIRE(e.code == 1);
		REQUIRE(e.err == "knockctl: " + bad + ":4: sequence[0].knock: 2 to 16 steps\n");
		REQUIRE(t.k.opened == 0);
	}
}

TEST_CASE("status lists the static sequences the module reports")
{
	Harness h;
	sseq_module(h.k, 2, {SSEQ_SSH, SSEQ_WEB});

	Result r = h.run({"status"});
	INFO(r.err);
	REQUIRE(r.code == 0);
	REQUIRE(r.out.find("knock packets     pass\n"
			   "static sequences  2\n"
			   "static sequence knockd-ssh: tcp/9000 udp/62201 tcp/7005 "
			   "tcp/8000 -> tcp/22 for 30s\n"
			   "static sequence sequence-2: tcp/1000 tcp/2000 -> tcp/80 "
			   "for 1m30s\n"
			   "stats:\n") != std::string::npos);
	REQUIRE(h.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_GET_STATUS,
						 NFKNOCK_CMD_GET_STATIC_SEQS});
	REQUIRE((nlmsg_hdr(h.k.requests[1].get())->nlmsg_flags & NLM_F_DUMP) ==
		NLM_F_DUMP);

	const auto j = nlohmann::json::parse(h.run({"status", "--json"}).out);
	REQUIRE(j["static_sequences_count"] == 2);
	REQUIRE(j["static_sequences"] == nlohmann::json::parse(R"([
		{"name": "knockd-ssh",
		 "knock": ["tcp/9000", "udp/62201", "tcp/7005", "tcp/8000"],
		 "opens": "tcp/22", "for_s": 30},
		{"name": "sequence-2", "knock": ["tcp/1000", "tcp/2000"],
		 "opens": "tcp/80", "for_s": 90}])"));

	SECTION("none: the count, no dump") {
		Harness n;
		sseq_module(n.k, 0, {});
		Result t = n.run({"status"});
		REQUIRE(t.out.find("static sequences  0\nstats:\n") != std::string::npos);
		REQUIRE(n.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_GET_STATUS});
		const auto nj = nlohmann::json::parse(n.run({"status", "--json"}).out);
		REQUIRE(nj["static_sequences_count"] == 0);
		REQUIRE(nj["static_sequences"] == nlohmann::json::array());
	}
	SECTION("an older module: no count, no dump, nulls in JSON") {
		Harness o;
		sseq_module(o.k, std::nullopt, {});
		REQUIRE(o.run({"status"}).out.find("static") == std::string::npos);
		REQUIRE(o.cmds() == std::vector<uint8_t>{NFKNOCK_CMD_GET_STATUS});
		const auto oj = nlohmann::json::parse(o.run({"status", "--json"}).out);
		REQUIRE(oj["static_sequences_count"] == nullptr);
		REQUIRE(oj["static_sequences"] == nullptr);
	}
	// status of a module that counts one static sequence and refuses
	// its dump with @err.
	const auto refused = [](int err) {
		Harness o;
		sseq_module(o.k, 1, {SSEQ_SSH});
		o.k.refuse(1, err);
		return o.run({"status"});
	};
	SECTION("a module that does not know the dump: nothing more") {
		for (const int err : {EOPNOTSUPP, EINVAL}) {
			Result t = refused(err);
			REQUIRE(t.code == 0);
			REQUIRE(t.err.empty());
			REQUIRE(t.out.find("static sequences  1\nstats:\n") != std::string::npos);
		}
	}
	SECTION("any other refusal of the dump is an error") {
		Result t = refused(ENOMEM);
		REQUIRE(t.code == 1);
		REQUIRE(t.out.empty());
		REQUIRE(t.err == "knockctl: status: static sequences: Cannot allocate memory\n");
	}
}

TEST_CASE("the STATIC_SEQ nest round-trips in TXN_ADD and in a dump entry")
{
	MsgPtr m = build_txn_add_static_seq(FAMILY, SSEQ_SSH);
	REQUIRE(message_cmd(nlmsg_hdr(m.get())) == NFKNOCK_CMD_TXN_ADD);
	const TxnItem it = parse_txn_add(nlmsg_hdr(m.get()));
	REQUIRE(it.kind == TxnItem::STATIC_SEQ);
	REQUIRE(it.static_seq == SSEQ_SSH);

	// Every nest flagged NLA_F_NESTED (the kernel validates strictly);
	// each port nest PROTO and PORT, a single port, no PORT_END.
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(m.get())));
	const nlattr *top = nla_find(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
				     NFKNOCK_A_STATIC_SEQ);
	REQUIRE(top);
	REQUIRE((top->nla_type & NLA_F_NESTED) != 0);
	const nlattr *a, *step, *f;
	int rem, rem2, rem3, ports = 0;
	nla_for_each_nested(a, top, rem) {
		const int type = a->nla_type & NLA_TYPE_MASK;
		const auto port_nest = [&](const nlattr *n) {
			REQUIRE((n->nla_type & NLA_F_NESTED) != 0);
			int fields = 0;
			nla_for_each_nested(f, n, rem3) {
				REQUIRE(nla_type(f) != NFKNOCK_SVC_A_PORT_END);
				fields++;
			}
			REQUIRE(fields == 2);
			ports++;
		};
		if (type == NFKNOCK_SSEQ_A_STEPS) {
			REQUIRE((a->nla_type & NLA_F_NESTED) != 0);
			nla_for_each_nested(step, a, rem2) {
				REQUIRE(nla_type(step) == NFKNOCK_A_SERVICE);
				port_nest(step);
			}
		} else if (type == NFKNOCK_SSEQ_A_OPENS) {
			port_nest(a);
		} else if (type == NFKNOCK_SSEQ_A_NAME) {
			REQUIRE(std::string(static_cast<const char *>(nla_data(a))) ==
				"knockd-ssh");
		} else {
			REQUIRE(type == NFKNOCK_SSEQ_A_DURATION_S);
			REQUIRE(nla_get_u32(const_cast<nlattr *>(a)) == 30u);
		}
	}
	REQUIRE(ports == 5);

	SECTION("a dump entry, as the kernel writes it (PORT_END too)") {
		MsgPtr d = build_request(FAMILY, NFKNOCK_CMD_GET_STATIC_SEQS);
		nlattr *nest = nla_nest_start(d.get(), NFKNOCK_A_STATIC_SEQ | NLA_F_NESTED);
		nla_put_string(d.get(), NFKNOCK_SSEQ_A_NAME, "web");
		nlattr *steps = nla_nest_start(d.get(), NFKNOCK_SSEQ_A_STEPS | NLA_F_NESTED);
		for (const uint16_t port : {1000, 2000}) {
			nlattr *svc = nla_nest_start(d.get(), NFKNOCK_A_SERVICE | NLA_F_NESTED);
			nla_put_u8(d.get(), NFKNOCK_SVC_A_PROTO, IPPROTO_UDP);
			nla_put_u16(d.get(), NFKNOCK_SVC_A_PORT, port);
			nla_put_u16(d.get(), NFKNOCK_SVC_A_PORT_END, port);
			nla_nest_end(d.get(), svc);
		}
		nla_nest_end(d.get(), steps);
		// From a newer module: skipped.
		nla_put_u32(d.get(), NFKNOCK_SSEQ_A_MAX + 1, 7);
		nlattr *opens = nla_nest_start(d.get(), NFKNOCK_SSEQ_A_OPENS | NLA_F_NESTED);
		nla_put_u8(d.get(), NFKNOCK_SVC_A_PROTO, IPPROTO_TCP);
		nla_put_u16(d.get(), NFKNOCK_SVC_A_PORT, 443);
		nla_put_u16(d.get(), NFKNOCK_SVC_A_PORT_END, 443);
		nla_nest_end(d.get(), opens);
		nla_put_u32(d.get(), NFKNOCK_SSEQ_A_DURATION_S, 3600);
		nla_nest_end(d.get(), nest);

		REQUIRE(parse_static_seq(nlmsg_hdr(d.get())) ==
			StaticSequence{"web",
				       {{IPPROTO_UDP, 1000, 1000}, {IPPROTO_UDP, 2000, 2000}},
				       {IPPROTO_TCP, 443, 443},
				       3600});
		REQUIRE(static_seq_text(parse_static_seq(nlmsg_hdr(d.get()))) ==
			"static sequence web: udp/1000 udp/2000 -> tcp/443 for 1h");
	}
	SECTION("the dump request carries NLM_F_DUMP and nothing else") {
		MsgPtr q = build_get_static_seqs(FAMILY);
		REQUIRE(message_cmd(nlmsg_hdr(q.get())) == NFKNOCK_CMD_GET_STATIC_SEQS);
		REQUIRE((nlmsg_hdr(q.get())->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
	}
	SECTION("a nest without a required attribute is malformed") {
		MsgPtr d = build_request(FAMILY, NFKNOCK_CMD_GET_STATIC_SEQS);
		nlattr *nest = nla_nest_start(d.get(), NFKNOCK_A_STATIC_SEQ | NLA_F_NESTED);
		nla_put_string(d.get(), NFKNOCK_SSEQ_A_NAME, "x");
		nla_nest_end(d.get(), nest);
		REQUIRE_THROWS_AS(parse_static_seq(nlmsg_hdr(d.get())), ProtocolError);
	}
	SECTION("with another item, TXN_ADD is refused") {
		MsgPtr two = build_txn_add_static_seq(FAMILY, SSEQ_WEB);
		encode_service(two.get(), {IPPROTO_TCP, 22, 22});
		REQUIRE_THROWS_AS(parse_txn_add(nlmsg_hdr(two.get())), ProtocolError);
	}
}

TEST_CASE("grants: a static sequence's grant is flagged static, no user's")
{
	Harness h;
	h.k.replies[NFKNOCK_CMD_GET_GRANTS] = [] {
		Grant a, b;
		a.addr = parse_address("10.0.0.1");
		a.proto = IPPROTO_TCP;
		a.port = 22;
		a.timeout_ms = 30000;
		b = a;
		b.addr = parse_address("10.0.0.2");
		b.flags = NFKNOCK_GRANT_F_STATIC;
		std::vector<MsgPtr> v;
		for (const Grant *g : {&a, &b}) {
			MsgPtr m = build_request(FAMILY, NFKNOCK_CMD_GET_GRANTS);
			encode_grant(m.get(), *g);
			v.push_back(std::move(m));
		}
		return v;
	};

	Result r = h.run({"grants"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out == "ADDRESS   SERVICE  LEFT  FLAGS   USER\n"
			 "10.0.0.1  tcp/22   30s   -       admin\n"
			 "10.0.0.2  tcp/22   30s   static  -\n");
	const auto j = nlohmann::json::parse(h.run({"grants", "--json"}).out);
	REQUIRE(j[0]["static"] == false);
	REQUIRE(j[1]["static"] == true);
	REQUIRE(j[1]["user"] == nullptr);
	REQUIRE(j[1]["user_name"] == nullptr);
}
