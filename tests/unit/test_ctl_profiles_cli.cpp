// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl profiles through the real CLI: the table, the JSON array and
// the hidden --names of completion; which file it reads ($XDG_CONFIG_HOME,
// else ~/.config, else --profile: the file knock reads); no file, an
// invalid file. $HOME and $XDG_CONFIG_HOME point into a temporary
// directory in every test, never at the user's own profiles.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "fakes.hpp"
#include "keys.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

// A temporary $HOME (and no $XDG_CONFIG_HOME unless a test sets one), a
// server key for the profiles, and a client key file.
struct ProfilesHome {
	TempDir dir;
	ScopedEnv home{"HOME", dir.path};
	ScopedEnv xdg{"XDG_CONFIG_HOME", std::nullopt};
	std::string server_pk = key_to_base64(public_key(generate_private_key()));
	std::string key_file =
		dir.write("client.key", key_to_base64(generate_private_key()) + "\n", 0600);

	// Writes @text to DIR/nfknock/client.toml (DIR under the temporary
	// directory, created) and returns its path.
	std::string write_in(const std::string &config_dir, const std::string &text)
	{
		const std::string d = dir.file(config_dir) + "/nfknock";
		std::filesystem::create_directories(d);
		return dir.write(config_dir + "/nfknock/client.toml", text);
	}

	// Two profiles: one with a name and most keys, one by address only.
	std::string two() const
	{
		return "[[server]]\n"
		       "name = \"home\"\n"
		       "address = \"vpn.example.org\"\n"
		       "public_key = \"" + server_pk + "\"\n"
		       "key_file = \"~/client.key\"\n"
		       "service = \"tcp/22\"\n"
		       "discover = \"stun:stun.example.org\"\n"
		       "[[server]]\n"
		       "address = \"192.0.2.1\"\n"
		       "knock_port = \"udp/4000\"\n"
		       "client_address = \"observed\"\n";
	}
};

} // namespace

TEST_CASE("profiles: a table of the profile file, never contacting the module")
{
	ProfilesHome p;
	Harness h;
	const std::string file = p.write_in(".config", p.two());

	Result r = h.run({"profiles"});
	REQUIRE(r.err == "");
	REQUIRE(r.code == 0);
	REQUIRE(r.out ==
		"NAME  ADDRESS          SERVICE  KNOCK PORT  CLIENT ADDRESS  DISCOVER               KEY FILE\n"
		"home  vpn.example.org  tcp/22   udp/62201   auto            stun:stun.example.org  " +
			p.key_file + "\n"
		"-     192.0.2.1        -        udp/4000    observed        -                      -\n");
	REQUIRE(h.k.opened == 0);

	SECTION("a SEQUENCE column once a profile sets sequence: the parameters "
		"knock --sequence uses") {
		p.write_in(".config", p.two() +
					      "[[server]]\nname = \"seq\"\n"
					      "sequence = { length = 6, proto = \"udp\" }\n"
					      "[[server]]\nname = \"off\"\nsequence = false\n");
		r = h.run({"profiles"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out ==
			"NAME  ADDRESS          SERVICE  KNOCK PORT  CLIENT ADDRESS  DISCOVER               "
			"SEQUENCE               KEY FILE\n"
			"home  vpn.example.org  tcp/22   udp/62201   auto            stun:stun.example.org  "
			"4 tcp 10000-65000 30s  " + p.key_file + "\n"
			"-     192.0.2.1        -        udp/4000    observed        -                      "
			"4 tcp 10000-65000 30s  -\n"
			"seq   -                -        udp/62201   auto            -                      "
			"6 udp 10000-65000 30s  -\n"
			"off   -                -        udp/62201   auto            -                      "
			"-                      -\n");
	}

	SECTION("--profile FILE: that file, as for knock") {
		const std::string other = p.dir.write("other.toml", "[[server]]\nname = \"x\"\n");
		r = h.run({"profiles", "--profile", other});
		REQUIRE(r.code == 0);
		REQUIRE(r.out.find("\nx  ") != std::string::npos);
		REQUIRE(r.out.find("home") == std::string::npos);
	}

	SECTION("a file without profiles") {
		p.write_in(".config", "# nothing yet\n");
		r = h.run({"profiles"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "no profiles in " + file + "\n");
		r = h.run({"profiles", "--json"});
		REQUIRE(r.out == "[]\n");
	}
}

TEST_CASE("profiles --json: the profiles' keys, in the vocabulary of the other JSON")
{
	ProfilesHome p;
	Harness h;
	p.write_in(".config", p.two() + "[[server]]\nname = \"off\"\nsequence = false\n");

	Result r = h.run({"profiles", "--json"});
	REQUIRE(r.err == "");
	REQUIRE(r.code == 0);
	const nlohmann::json j = nlohmann::json::parse(r.out);
	REQUIRE(j.is_array());
	REQUIRE(j.size() == 3);
	REQUIRE(j[0] == nlohmann::json{
				{"name", "home"},
				{"address", "vpn.example.org"},
				{"service", "tcp/22"},
				{"knock_port", "udp/62201"},
				{"public_key", p.server_pk},
				{"key_file", p.key_file},
				{"client_address", "auto"},
				{"discover", "stun:stun.example.org"},
				// users --json's shape; the defaults when unset.
				{"sequence", {{"length", 4},
					      {"range", "10000-65000"},
					      {"proto", "tcp"},
					      {"window_s", 30}}},
			});
	REQUIRE(j[1]["name"].is_null());
	REQUIRE(j[1]["address"] == "192.0.2.1");
	REQUIRE(j[1]["service"].is_null());
	REQUIRE(j[1]["knock_port"] == "udp/4000");
	REQUIRE(j[1]["public_key"].is_null());
	REQUIRE(j[1]["key_file"].is_null());
	REQUIRE(j[1]["client_address"] == "observed");
	REQUIRE(j[1]["discover"].is_null());
	REQUIRE(j[2]["name"] == "off");
	REQUIRE(j[2]["sequence"].is_null());
	// 2-space indented, as every --json.
	REQUIRE(r.out.rfind("[\n  {\n    \"", 0) == 0);
}

TEST_CASE("profiles: $XDG_CONFIG_HOME, else ~/.config: the file knock reads")
{
	ProfilesHome p;
	Harness h;
	p.write_in(".config", "[[server]]\nname = \"dotconfig\"\n");
	const std::string xdg = p.dir.file("xdg");

	SECTION("$XDG_CONFIG_HOME/nfknock/client.toml, not ~/.config's") {
		const std::string file = p.write_in(
			"xdg", "[[server]]\nname = \"xdg\"\naddress = \"10.0.0.7\"\n"
			       "public_key = \"" + p.server_pk + "\"\n"
			       "key_file = \"" + p.key_file + "\"\nservice = \"tcp/22\"\n");
		ScopedEnv set{"XDG_CONFIG_HOME", xdg};

		Result r = h.run({"profiles", "--names"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "xdg\n");
		// knock xdg: that profile's address, service and keys.
		r = h.run({"knock", "xdg"});
		REQUIRE(r.err == "");
		REQUIRE(r.code == 0);
		REQUIRE(h.sent.size() == 1);
		const auto &to = reinterpret_cast<const sockaddr_in &>(h.sent_to[0]);
		char text[INET_ADDRSTRLEN];
		REQUIRE(inet_ntop(AF_INET, &to.sin_addr, text, sizeof(text)));
		REQUIRE(std::string(text) == "10.0.0.7");

		SECTION("and when it has no profile file, the error names that path") {
			std::filesystem::remove(file);
			r = h.run({"profiles"});
			REQUIRE(r.code == 1);
			REQUIRE(r.err == "knockctl: no profile file: " + xdg +
						 "/nfknock/client.toml does not exist (write "
						 "it: knockctl(8), client.toml.example; or give "
						 "--profile FILE)\n");
		}
	}

	SECTION("a relative $XDG_CONFIG_HOME is ignored (the XDG rule)") {
		ScopedEnv set{"XDG_CONFIG_HOME", "relative/dir"};
		Result r = h.run({"profiles", "--names"});
		REQUIRE(r.out == "dotconfig\n");
	}

	SECTION("an empty $XDG_CONFIG_HOME is as unset") {
		ScopedEnv set{"XDG_CONFIG_HOME", ""};
		Result r = h.run({"profiles", "--names"});
		REQUIRE(r.out == "dotconfig\n");
	}
}

TEST_CASE("profiles without a profile file, or with an invalid one")
{
	ProfilesHome p;
	Harness h;
	const std::string path = p.dir.path + "/.config/nfknock/client.toml";

	SECTION("no file: the path looked at, exit 1") {
		for (const auto &args : {std::vector<std::string>{"profiles"},
					 std::vector<std::string>{"profiles", "--json"}}) {
			Result r = h.run(args);
			REQUIRE(r.code == 1);
			REQUIRE(r.out == "");
			REQUIRE(r.err == "knockctl: no profile file: " + path +
						 " does not exist (write it: knockctl(8), "
						 "client.toml.example; or give --profile FILE)\n");
		}
		// Completion asks quietly: no names, no error.
		Result r = h.run({"profiles", "--names"});
		REQUIRE(r.code == 0);
		REQUIRE(r.out == "");
		REQUIRE(r.err == "");
	}

	SECTION("a missing --profile FILE is an error, as for knock") {
		const std::string missing = p.dir.file("missing.toml");
		for (const auto &args : {std::vector<std::string>{"profiles", "--profile", missing},
					 std::vector<std::string>{"profiles", "--names", "--profile",
								  missing}}) {
			Result r = h.run(args);
			REQUIRE(r.code == 1);
			REQUIRE(r.err == "knockctl: " + missing + ": No such file or directory\n");
		}
	}

	SECTION("neither $HOME nor $XDG_CONFIG_HOME") {
		ScopedEnv no_home{"HOME", std::nullopt};
		Result r = h.run({"profiles"});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: no profile file: neither $XDG_CONFIG_HOME nor "
				 "$HOME is set (give --profile FILE)\n");
	}

	SECTION("an invalid file: the loader's errors, one line each") {
		p.write_in(".config", "[[server]]\nname = \"a\"\nport = 1\n"
				      "[[server]]\nservice = \"tcp/22\"\n");
		for (const auto &args : {std::vector<std::string>{"profiles"},
					 std::vector<std::string>{"profiles", "--json"},
					 std::vector<std::string>{"profiles", "--names"}}) {
			Result r = h.run(args);
			REQUIRE(r.code == 1);
			REQUIRE(r.out == "");
			REQUIRE(r.err == "knockctl: " + path + ":3: server[0].port: unknown key\n"
					 "knockctl: " + path + ":4: server[1]: needs a name or "
					 "an address\n");
		}
	}
}

TEST_CASE("profiles --names: what knock HOST takes, one per line")
{
	ProfilesHome p;
	Harness h;
	p.write_in(".config", p.two());

	Result r = h.run({"profiles", "--names"});
	REQUIRE(r.code == 0);
	REQUIRE(r.out == "home\n192.0.2.1\n");

	r = h.run({"profiles", "--names", "--json"});
	REQUIRE(r.code == 2);
	REQUIRE(r.err == "knockctl: --json excludes --names\n");

	r = h.run({"profiles", "--help"});
	REQUIRE(r.code == 0);
	for (const char *opt : {"--json", "--names", "--profile FILE"})
		REQUIRE(r.out.find(opt) != std::string::npos);
	REQUIRE(h.run({"--help"}).out.find("\n  profiles ") != std::string::npos);
}
