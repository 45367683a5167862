// SPDX-License-Identifier: GPL-2.0 OR MIT
// libFuzzer: the server configuration parser (/etc/nfknock/nfknock.conf)
// from an in-memory buffer, toml++ included (built header-only so it is
// instrumented too). The only exception allowed out of parse_config() and
// load_config() is ConfigError; a file that parses must hold only what the
// kernel accepts (counts, ranges), and load_config() must then succeed with
// a fixed server key (any 32-byte public key derives, weak ones are errors).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <linux/nfknock.h>

#include "config.hpp"
#include "keys.hpp"

using namespace knockctl;

namespace {

void check(bool ok)
{
	if (!ok)
		abort();
}

void check_service(const Service &s)
{
	check(s.port != 0 && s.port <= s.port_end);
}

void check_parsed(const ServerConfig &cfg)
{
	check(!cfg.private_key_file.empty());
	check(!cfg.knock_ports.empty() &&
	      cfg.knock_ports.size() <= NFKNOCK_KNOCK_PORTS_MAX);
	for (const Service &s : cfg.knock_ports)
		check_service(s);
	check(cfg.guards.size() <= NFKNOCK_GUARDS_MAX);
	for (const Service &s : cfg.guards)
		check_service(s);
	check(cfg.skew_ms >= 1 && cfg.skew_ms <= NFKNOCK_SKEW_MAX_MS);
	check(cfg.udp_idle_ms >= 1 && cfg.udp_idle_ms <= NFKNOCK_TIMEOUT_MAX_MS);
	// limits.grants is optional: left out, the kernel keeps its own cap.
	check(!cfg.grants ||
	      (*cfg.grants >= 1 && *cfg.grants <= NFKNOCK_GRANTS_LIMIT));
	check(cfg.users.size() <= NFKNOCK_USERS_MAX);
	for (const ConfigUser &u : cfg.users) {
		check(!u.name.empty() && u.name.size() <= NFKNOCK_NAME_MAX);
		check(!u.allow.empty() && u.allow.size() <= NFKNOCK_USER_SERVICES_MAX);
		for (const Service &s : u.allow)
			check_service(s);
		check(!u.sources.empty() &&
		      u.sources.size() <= NFKNOCK_USER_PREFIXES_MAX);
		check(u.max_duration_s >= 1 &&
		      u.max_duration_s <= NFKNOCK_DURATION_MAX_S);
		check(u.max_grants >= 1 &&
		      u.max_grants <= NFKNOCK_USER_GRANTS_LIMIT);
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const PrivateKey server = [] {
		PrivateKey k{};
		for (std::size_t i = 0; i < k.size(); i++)
			k[i] = uint8_t(i * 7 + 1);
		k[0] &= 248;
		k[31] = (k[31] & 127) | 64;
		return k;
	}();
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	ServerConfig cfg;

	try {
		cfg = parse_config(text, "fuzz.conf");
	} catch (const ConfigError &e) {
		check(!e.problems().empty());
		return 0;
	}
	check_parsed(cfg);
	try {
		const LoadedConfig loaded = load_config(
			cfg, "fuzz.conf",
			[](const std::string &) -> PrivateKey { return server; });
		check(loaded.users.size() == cfg.users.size());
	} catch (const ConfigError &e) {
		check(!e.problems().empty());
	}
	return 0;
}
