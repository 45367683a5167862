// SPDX-License-Identifier: GPL-2.0 OR MIT
// libFuzzer: the server configuration parser (/etc/nfknock/nfknock.conf)
// from an in-memory buffer, toml++ included (built header-only so it is
// instrumented too). The only exception allowed out of parse_config() and
// load_config() is ConfigError; a file that parses must hold only what the
// kernel accepts (counts, ranges), and load_config() must then succeed with
// a fixed server key (any 32-byte public key derives, weak ones are errors).
// Static sequences: within the uapi's limits, no step equal to the one
// before it, names and step lists unique. The lockout within the kernel's
// ranges, and all of it in TXN_BEGIN. Key rotation: one kernel user per
// public key and server key, each name one the module takes. The fixed
// loader gives the same key for next_private_key_file, which load_config
// refuses.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <linux/nfknock.h>
#include <netinet/in.h>

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

// A single port of tcp or udp (a static sequence's step or opens).
void check_port(const Service &s)
{
	check(s.port != 0 && s.port == s.port_end &&
	      (s.proto == IPPROTO_TCP || s.proto == IPPROTO_UDP));
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
	check(!cfg.sources || (*cfg.sources >= NFKNOCK_SOURCES_MIN &&
			       *cfg.sources <= NFKNOCK_SOURCES_LIMIT));
	// The lockout: the kernel's ranges, whole seconds.
	check(cfg.lockout_threshold <= NFKNOCK_LOCKOUT_THRESHOLD_MAX);
	for (const uint32_t ms : {cfg.lockout_window_ms, cfg.lockout_duration_ms})
		check(ms >= 1000 && ms <= NFKNOCK_TIMEOUT_MAX_MS && ms % 1000 == 0);
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
		// Key rotation: 1 or 2 public keys; every kernel user's name
		// is one the module takes.
		check(!u.keys.empty() && u.keys.size() <= USER_KEYS_MAX);
		for (std::size_t k = 0; k < u.keys.size(); k++) {
			check(valid_user_name(kernel_user_name(u.name, k, false)));
			check(!cfg.next_private_key_file ||
			      valid_user_name(kernel_user_name(u.name, k, true)));
		}
	}
	check(cfg.static_seqs.size() <= NFKNOCK_STATIC_SEQS_MAX);
	for (std::size_t i = 0; i < cfg.static_seqs.size(); i++) {
		const StaticSequence &s = cfg.static_seqs[i];

		check(valid_user_name(s.name));
		check(s.steps.size() >= NFKNOCK_STATIC_STEPS_MIN &&
		      s.steps.size() <= NFKNOCK_STATIC_STEPS_MAX);
		for (std::size_t j = 0; j < s.steps.size(); j++) {
			check_port(s.steps[j]);
			check(j == 0 || !(s.steps[j] == s.steps[j - 1]));
		}
		check_port(s.opens);
		check(s.duration_s >= 1 && s.duration_s <= NFKNOCK_DURATION_MAX_S);
		for (std::size_t j = 0; j < i; j++)
			check(s.name != cfg.static_seqs[j].name &&
			      s.steps != cfg.static_seqs[j].steps);
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
		// One kernel user per public key and server key.
		std::size_t keys = 0;
		for (const ConfigUser &u : cfg.users)
			keys += u.keys.size();
		check(loaded.users.size() == keys * (cfg.next_private_key_file ? 2 : 1));
		check(keys * (cfg.next_private_key_file ? 2 : 1) <= NFKNOCK_USERS_MAX);
		check(loaded.static_seqs == cfg.static_seqs);
		check(loaded.params.lockout_threshold == cfg.lockout_threshold &&
		      loaded.params.lockout_window_ms == cfg.lockout_window_ms &&
		      loaded.params.lockout_duration_ms == cfg.lockout_duration_ms &&
		      loaded.params.sources_max == cfg.sources);
	} catch (const ConfigError &e) {
		check(!e.problems().empty());
	}
	return 0;
}
