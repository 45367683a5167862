// SPDX-License-Identifier: GPL-2.0 OR MIT
// The lockout in the server configuration: the [lockout] table and
// limits.sources, their defaults, what load_config() makes of them for
// TXN_BEGIN, and each problem with its exact "file:line: field:" text. No
// kernel; the key loader is a fake.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>

#include <sstream>
#include <string>
#include <vector>

#include "config.hpp"
#include "config_errors.hpp"
#include "lockout.h"

using namespace knockctl;
using namespace knockctl::test;

namespace {

TxnParams lcfg_params(const std::string &text)
{
	static const PrivateKey server = generate_private_key();

	return load_config(parse_config(text, "nfknock.conf"), "nfknock.conf",
			   [](const std::string &) { return server; })
		.params;
}

// The one problem of @text.
std::string lcfg_problem(const std::string &text)
{
	return only_problem([&] { parse_config(text, "nfknock.conf"); });
}

} // namespace

TEST_CASE("lockout config: the module's defaults without [lockout]")
{
	const TxnParams p = lcfg_params("");

	// Sent always, so that status shows what the file says.
	REQUIRE(p.lockout_threshold == 5u);
	REQUIRE(p.lockout_window_ms == 60000u);
	REQUIRE(p.lockout_duration_ms == 300000u);
	// The source table's size only when given: the module's default is
	// 16384, or 4096 in an unprivileged namespace (where more is refused).
	REQUIRE_FALSE(p.sources_max);
	STATIC_REQUIRE(DEFAULT_LOCKOUT_THRESHOLD == NFK_LOCKOUT_THRESHOLD_DEFAULT);
	STATIC_REQUIRE(DEFAULT_LOCKOUT_WINDOW_MS == NFK_LOCKOUT_WINDOW_DEFAULT_MS);
	STATIC_REQUIRE(DEFAULT_LOCKOUT_DURATION_MS == NFK_LOCKOUT_DURATION_DEFAULT_MS);

	// An empty table: the same.
	REQUIRE(lcfg_params("[lockout]\n") == p);
}

TEST_CASE("lockout config: every key, and the limits")
{
	const TxnParams p = lcfg_params("[limits]\n"
					"sources = 4096\n"
					"[lockout]\n"
					"threshold = 3\n"
					"window = \"10m\"\n"
					"duration = \"1h\"\n");
	REQUIRE(p.lockout_threshold == 3u);
	REQUIRE(p.lockout_window_ms == 600000u);
	REQUIRE(p.lockout_duration_ms == 3600000u);
	REQUIRE(p.sources_max == 4096u);

	// Each key alone; the others keep their defaults.
	REQUIRE(lcfg_params("[lockout]\nthreshold = 0\n").lockout_threshold == 0u);
	REQUIRE(lcfg_params("[lockout]\nthreshold = 1000\n").lockout_threshold == 1000u);
	REQUIRE(lcfg_params("[lockout]\nwindow = \"1s\"\n").lockout_window_ms == 1000u);
	REQUIRE(lcfg_params("[lockout]\nduration = \"7d\"\n").lockout_duration_ms ==
		NFKNOCK_TIMEOUT_MAX_MS);
	REQUIRE(lcfg_params("[lockout]\nwindow = \"90\"\n").lockout_duration_ms ==
		300000u);
	REQUIRE(lcfg_params("[limits]\nsources = 64\n").sources_max == 64u);
	REQUIRE(lcfg_params("[limits]\nsources = 65536\n").sources_max == 65536u);
	// A table written inline is the same table.
	REQUIRE(lcfg_params("lockout = { threshold = 2 }\n").lockout_threshold == 2u);
	static_assert(NFKNOCK_LOCKOUT_THRESHOLD_MAX == 1000 &&
			      NFKNOCK_SOURCES_MIN == 64 && NFKNOCK_SOURCES_LIMIT == 65536,
		      "the messages below");
}

TEST_CASE("lockout config: problems name file, line and field")
{
	const std::vector<std::pair<std::string, std::string>> cases = {
		{"[lockout]\nthreshold = 1001\n",
		 "nfknock.conf:2: lockout.threshold: 1001: out of range (0 to 1000)"},
		{"[lockout]\nthreshold = -1\n",
		 "nfknock.conf:2: lockout.threshold: -1: out of range (0 to 1000)"},
		{"[lockout]\nthreshold = \"5\"\n",
		 "nfknock.conf:2: lockout.threshold: expected an integer"},
		{"[lockout]\nwindow = \"500ms\"\n",
		 "nfknock.conf:2: lockout.window: 500ms: out of range (1s to 7d)"},
		{"[lockout]\nwindow = \"1500ms\"\n",
		 "nfknock.conf:2: lockout.window: 1500ms: not a whole number of seconds"},
		{"[lockout]\nwindow = 60\n",
		 "nfknock.conf:2: lockout.window: expected a string"},
		{"[lockout]\nduration = \"8d\"\n",
		 "nfknock.conf:2: lockout.duration: 8d: duration too long (at most 7d)"},
		{"[lockout]\nduration = \"0s\"\n",
		 "nfknock.conf:2: lockout.duration: 0s: duration must be greater than zero"},
		{"[lockout]\nduration = \"soon\"\n",
		 "nfknock.conf:2: lockout.duration: soon: invalid duration"},
		{"[lockout]\nthreshold = 5\nsources = 100\n",
		 "nfknock.conf:3: lockout.sources: unknown key"},
		{"lockout = 5\n", "nfknock.conf:1: lockout: expected a table ([lockout])"},
		{"[[lockout]]\nthreshold = 5\n",
		 "nfknock.conf:1: lockout: expected a table ([lockout])"},
		{"[limits]\nsources = 63\n",
		 "nfknock.conf:2: limits.sources: 63: out of range (64 to 65536)"},
		{"[limits]\nsources = 65537\n",
		 "nfknock.conf:2: limits.sources: 65537: out of range (64 to 65536)"},
		{"[limits]\nsources = \"16384\"\n",
		 "nfknock.conf:2: limits.sources: expected an integer"},
	};
	for (const auto &[text, want] : cases) {
		INFO(text);
		REQUIRE(lcfg_problem(text) == want);
	}

	SECTION("all of them at once, in line order") {
		try {
			parse_config("[lockout]\nthreshold = 1001\nwindow = \"0\"\n"
				     "duration = \"x\"\nfoo = 1\n",
				     "nfknock.conf");
			FAIL("no error");
		} catch (const ConfigError &e) {
			REQUIRE(e.problems() ==
				std::vector<std::string>{
					"nfknock.conf:2: lockout.threshold: 1001: out of "
					"range (0 to 1000)",
					"nfknock.conf:3: lockout.window: 0: duration must "
					"be greater than zero",
					"nfknock.conf:4: lockout.duration: x: invalid duration",
					"nfknock.conf:5: lockout.foo: unknown key"});
		}
	}
}

TEST_CASE("lockout config: the example's [lockout] is the defaults")
{
	std::istringstream in(docs_text("nfknock.conf.example"));
	std::string line, text;
	bool in_table = false;

	while (std::getline(in, line)) {
		if (line.rfind("[", 0) == 0)
			in_table = line == "[lockout]";
		if (in_table)
			text += line + "\n";
		// limits.sources, commented out with its default.
		if (line.rfind("# sources = ", 0) == 0)
			text = "[limits]\n" + line.substr(2) + "\n" + text;
	}
	REQUIRE(text.find("threshold") != std::string::npos);
	const ServerConfig cfg = parse_config(text, "example");
	REQUIRE(cfg.lockout_threshold == DEFAULT_LOCKOUT_THRESHOLD);
	REQUIRE(cfg.lockout_window_ms == DEFAULT_LOCKOUT_WINDOW_MS);
	REQUIRE(cfg.lockout_duration_ms == DEFAULT_LOCKOUT_DURATION_MS);
	REQUIRE(cfg.sources == uint32_t(NFKNOCK_SOURCES_DEFAULT));
}
