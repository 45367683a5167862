// SPDX-License-Identifier: GPL-2.0 OR MIT
// Static sequences in the server configuration ([[sequence]] tables): a
// valid file with every key, the defaults, and each problem with its exact
// "file:line: field:" text. No kernel; the key loader is a fake.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config.hpp"
#include "config_errors.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

LoadedConfig sseq_load(const std::string &text)
{
	static const PrivateKey server = generate_private_key();

	return load_config(parse_config(text, "nfknock.conf"), "nfknock.conf",
			   [](const std::string &) { return server; });
}

// The one problem of @text.
std::string sseq_problem(const std::string &text)
{
	return only_problem([&] { parse_config(text, "nfknock.conf"); });
}

// All problems of @text.
std::vector<std::string> sseq_problems(const std::string &text)
{
	try {
		parse_config(text, "nfknock.conf");
	} catch (const ConfigError &e) {
		return e.problems();
	}
	FAIL("no error");
	return {};
}

// A [[sequence]] table (line 1) with @body after knock (line 2) and opens
// (line 3).
std::string sseq_table(const std::string &body,
		       const std::string &knock = "[\"tcp/7000\", \"tcp/8000\", \"tcp/9000\"]")
{
	return "[[sequence]]\nknock = " + knock + "\nopens = \"tcp/22\"\n" + body;
}

} // namespace

TEST_CASE("static sequences: every key, and the defaults")
{
	const LoadedConfig l = sseq_load(
		"[[guard]]\n"
		"service = \"tcp/22\"\n"
		"[[sequence]]\n"
		"name = \"knockd-ssh\"\n"
		"knock = [\"tcp/7000\", \"udp/8000\", \"tcp/9000\"]\n"
		"opens = \"tcp/22\"\n"
		"for = \"2m\"\n"
		"[[sequence]]\n"
		"knock = [\"udp/7000\", \"udp/7001\", \"udp/7000\", \"tcp/7000\"]\n"
		"opens = \"udp/51820\"\n");

	REQUIRE(l.static_seqs == std::vector<StaticSequence>{
		{"knockd-ssh",
		 {{IPPROTO_TCP, 7000, 7000}, {IPPROTO_UDP, 8000, 8000},
		  {IPPROTO_TCP, 9000, 9000}},
		 {IPPROTO_TCP, 22, 22},
		 120},
		// Named by its place among the [[sequence]] tables, 30 s.
		{"sequence-2",
		 {{IPPROTO_UDP, 7000, 7000}, {IPPROTO_UDP, 7001, 7001},
		  {IPPROTO_UDP, 7000, 7000}, {IPPROTO_TCP, 7000, 7000}},
		 {IPPROTO_UDP, 51820, 51820},
		 30}});
	REQUIRE(DEFAULT_STATIC_SEQ_FOR_S == 30);
	// Nothing else changes: no progress table size unless given.
	REQUIRE_FALSE(l.params.progress_max);
	REQUIRE(sseq_load("").static_seqs.empty());

	SECTION("the limits: 16 steps, 65535 s, 64 sequences") {
		std::string knock = "[";
		for (int i = 1; i <= NFKNOCK_STATIC_STEPS_MAX; i++)
			knock += std::string(i > 1 ? ", " : "") + "\"tcp/" +
				 std::to_string(i) + "\"";
		const LoadedConfig m = sseq_load(sseq_table("for = \"65535s\"\n", knock + "]"));
		REQUIRE(m.static_seqs[0].steps.size() == 16);
		REQUIRE(m.static_seqs[0].duration_s == 65535);

		std::string many;
		for (int i = 1; i <= NFKNOCK_STATIC_SEQS_MAX; i++)
			many += sseq_table("", "[\"tcp/" + std::to_string(1000 + i) +
						       "\", \"tcp/1\", \"tcp/2\"]");
		REQUIRE(sseq_load(many).static_seqs.size() == 64);
		REQUIRE(sseq_problem(many + sseq_table("", "[\"tcp/99\", \"tcp/98\"]")) ==
			"nfknock.conf:193: sequence: too many static sequences (64 at most)");
	}
	SECTION("a default name taken by an explicit one is a duplicate") {
		REQUIRE(sseq_problem(sseq_table("name = \"sequence-2\"\n") +
				     sseq_table("", "[\"tcp/1\", \"tcp/2\", \"tcp/3\"]")) ==
			"nfknock.conf:5: sequence[1].name: sequence-2 (the default "
			"name): duplicate name (sequence[0])");
	}
}

TEST_CASE("static sequence problems name file, line and field")
{
	SECTION("keys and types") {
		REQUIRE(sseq_problem(sseq_table("open = \"tcp/22\"\n")) ==
			"nfknock.conf:4: sequence[0].open: unknown key");
		REQUIRE(sseq_problem("sequence = 1\n") ==
			"nfknock.conf:1: sequence: expected [[sequence]] tables");
		REQUIRE(sseq_problems("[[sequence]]\n") ==
			std::vector<std::string>{
				"nfknock.conf:1: sequence[0].knock: missing",
				"nfknock.conf:1: sequence[0].opens: missing"});
		REQUIRE(sseq_problem(sseq_table("", "\"tcp/7000\"")) ==
			"nfknock.conf:2: sequence[0].knock: expected an array of strings");
		REQUIRE(sseq_problem(sseq_table("", "[\"tcp/7000\", 8000]")) ==
			"nfknock.conf:2: sequence[0].knock[1]: expected a string");
		REQUIRE(sseq_problem(sseq_table("for = 30\n")) ==
			"nfknock.conf:4: sequence[0].for: expected a string");
	}
	SECTION("name") {
		const std::string rule =
			": only printable ASCII without spaces (0x21-0x7e), 1..32 bytes";
		REQUIRE(sseq_problem(sseq_table("name = \"knockd ssh\"\n")) ==
			"nfknock.conf:4: sequence[0].name: \"knockd ssh\"" + rule);
		REQUIRE(sseq_problem(sseq_table("name = \"\"\n")) ==
			"nfknock.conf:4: sequence[0].name: \"\"" + rule);
		REQUIRE(sseq_problem(sseq_table("name = \"" + std::string(33, 'x') + "\"\n")) ==
			"nfknock.conf:4: sequence[0].name: \"" + std::string(33, 'x') +
				"\"" + rule);
		REQUIRE(sseq_problem(sseq_table("name = \"ssh\"\n") +
				     sseq_table("name = \"ssh\"\n",
						"[\"tcp/1\", \"tcp/2\", \"tcp/3\"]")) ==
			"nfknock.conf:8: sequence[1].name: ssh: duplicate name (sequence[0])");
		// A user may have the same name: they are apart.
		REQUIRE_NOTHROW(parse_config(sseq_table("name = \"alice\"\n") +
						     "[[user]]\nname = \"alice\"\npublic_key = \"" +
						     key_to_base64(public_key(generate_private_key())) +
						     "\"\nallow = [\"tcp/22\"]\n",
					     "c"));
	}
	SECTION("knock") {
		REQUIRE(sseq_problem(sseq_table("", "[\"tcp/7000\"]")) ==
			"nfknock.conf:2: sequence[0].knock: 2 to 16 steps");
		REQUIRE(sseq_problem(sseq_table("", "[]")) ==
			"nfknock.conf:2: sequence[0].knock: 2 to 16 steps");
		std::string seventeen = "[";
		for (int i = 1; i <= 17; i++)
			seventeen += std::string(i > 1 ? ", " : "") + "\"udp/" +
				     std::to_string(i) + "\"";
		REQUIRE(sseq_problem(sseq_table("", seventeen + "]")) ==
			"nfknock.conf:2: sequence[0].knock: 2 to 16 steps");
		REQUIRE(sseq_problem(sseq_table("", "[\"tcp/7000\", \"tcp/8000-8001\"]")) ==
			"nfknock.conf:2: sequence[0].knock[1]: tcp/8000-8001: a single port "
			"is needed here, not a range");
		REQUIRE(sseq_problem(sseq_table("", "[\"tcp/7000\", \"tcp/70000\"]")) ==
			"nfknock.conf:2: sequence[0].knock[1]: tcp/70000: port out of range");
		REQUIRE(sseq_problem(sseq_table("", "[\"icmp/1\", \"tcp/7\"]")).rfind(
				"nfknock.conf:2: sequence[0].knock[0]: icmp/1: ", 0) == 0);
		REQUIRE(sseq_problem(sseq_table("", "[\"tcp/7000\", \"tcp/8000\", "
						    "\"tcp/8000\"]")) ==
			"nfknock.conf:2: sequence[0].knock[2]: tcp/8000: same as the step "
			"before it (a repeat is taken for a retransmission of that step)");
		// The same port again later, or over the other protocol, is a step.
		REQUIRE_NOTHROW(parse_config(sseq_table("", "[\"tcp/1\", \"udp/1\", \"tcp/1\"]"),
					     "c"));
		REQUIRE(sseq_problem(sseq_table("") + sseq_table("name = \"b\"\n")) ==
			"nfknock.conf:5: sequence[1].knock: the same steps as sequence[0]");
	}
	SECTION("opens") {
		REQUIRE(sseq_problem("[[sequence]]\nknock = [\"tcp/1\", \"tcp/2\"]\n"
				     "opens = \"tcp/22-23\"\n") ==
			"nfknock.conf:3: sequence[0].opens: tcp/22-23: a single port is "
			"needed here, not a range");
		REQUIRE(sseq_problem("[[sequence]]\nknock = [\"tcp/1\", \"tcp/2\"]\n"
				     "opens = \"tcp/0\"\n") ==
			"nfknock.conf:3: sequence[0].opens: tcp/0: port out of range");
		REQUIRE(sseq_problem("[[sequence]]\nknock = [\"tcp/1\", \"tcp/2\"]\n"
				     "opens = [\"tcp/22\"]\n") ==
			"nfknock.conf:3: sequence[0].opens: expected a string");
	}
	SECTION("for") {
		const std::pair<const char *, const char *> bad[] = {
			{"0s", "0s: duration must be greater than zero"},
			{"19h", "19h: out of range (1s to 65535s)"},
			{"500ms", "500ms: out of range (1s to 65535s)"},
			{"1500ms", "1500ms: not a whole number of seconds"},
			{"soon", "soon: invalid duration"},
		};
		for (const auto &[value, why] : bad)
			REQUIRE(sseq_problem(sseq_table("for = \"" + std::string(value) + "\"\n")) ==
				std::string("nfknock.conf:4: sequence[0].for: ") + why);
	}
	SECTION("every problem of every table, in line order") {
		REQUIRE(sseq_problems("[[sequence]]\nname = \"a b\"\nknock = [\"tcp/1\"]\n"
				      "opens = \"tcp/22\"\nfor = \"0s\"\n[[sequence]]\n"
				      "opens = \"udp/0\"\n") ==
			std::vector<std::string>{
				"nfknock.conf:2: sequence[0].name: \"a b\": only printable "
				"ASCII without spaces (0x21-0x7e), 1..32 bytes",
				"nfknock.conf:3: sequence[0].knock: 2 to 16 steps",
				"nfknock.conf:5: sequence[0].for: 0s: duration must be "
				"greater than zero",
				"nfknock.conf:6: sequence[1].knock: missing",
				"nfknock.conf:7: sequence[1].opens: udp/0: port out of range"});
	}
}

TEST_CASE("the example's commented-out [[sequence]] parses once uncommented")
{
	std::istringstream in(docs_text("nfknock.conf.example"));
	std::string line, text;
	bool in_table = false;

	while (std::getline(in, line)) {
		if (line == "# [[sequence]]")
			in_table = true;
		if (in_table && line.rfind("# ", 0) == 0)
			text += line.substr(2) + "\n";
	}
	const ServerConfig cfg = parse_config(text, "example");
	REQUIRE(cfg.static_seqs == std::vector<StaticSequence>{
		{"knockd-ssh",
		 {{IPPROTO_TCP, 7000, 7000}, {IPPROTO_UDP, 8000, 8000},
		  {IPPROTO_TCP, 9000, 9000}},
		 {IPPROTO_TCP, 22, 22},
		 30}});
}
