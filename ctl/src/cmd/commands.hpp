// SPDX-License-Identifier: GPL-2.0 OR MIT
// One register_<name>() per file in cmd/: each adds its subcommand(s) and
// hands off to a do_*() function of the library (actions.hpp).
#pragma once

#include <CLI/CLI.hpp>

#include "context.hpp"

namespace knockctl {

void register_status(CLI::App &app, Context &ctx);
void register_guard(CLI::App &app, Context &ctx);
void register_set(CLI::App &app, Context &ctx);
void register_grant(CLI::App &app, Context &ctx);
void register_revoke(CLI::App &app, Context &ctx);
void register_grants(CLI::App &app, Context &ctx);
void register_flush(CLI::App &app, Context &ctx);
void register_genkey(CLI::App &app, Context &ctx);
void register_pubkey(CLI::App &app, Context &ctx);
void register_check(CLI::App &app, Context &ctx);
void register_apply(CLI::App &app, Context &ctx);
void register_confirm(CLI::App &app, Context &ctx);
void register_users(CLI::App &app, Context &ctx);
void register_knock_ports(CLI::App &app, Context &ctx);
void register_knock(CLI::App &app, Context &ctx);
void register_sequence(CLI::App &app, Context &ctx);
void register_profiles(CLI::App &app, Context &ctx);
void register_lockouts(CLI::App &app, Context &ctx);
void register_unlock(CLI::App &app, Context &ctx);
void register_stats(CLI::App &app, Context &ctx);
void register_monitor(CLI::App &app, Context &ctx);

// --profile's help, for every command that reads the profile file
// (profile.hpp, profile_path()).
inline constexpr const char *PROFILE_OPTION_HELP =
	"Client profile (default $XDG_CONFIG_HOME/nfknock/client.toml, else "
	"~/.config/nfknock/client.toml)";

// The options naming a client's keys (knock and sequence): the server's
// public key, the own private key file, the profile that may give both.
struct ClientKeyOptions {
	CLI::Option *server_key, *key, *profile;
};

inline ClientKeyOptions add_client_key_options(CLI::App *sub,
					       std::string &server_key,
					       std::string &key,
					       std::string &profile)
{
	return {
		sub->add_option("--server-key", server_key,
				"The server's public key (base64)")
			->type_name("B64"),
		sub->add_option("--key", key,
				"Own private key file (mode 0600), - for "
				"standard input, or a pipe (/dev/fd/N)")
			->type_name("FILE"),
		sub->add_option("--profile", profile, PROFILE_OPTION_HELP)
			->type_name("FILE"),
	};
}

// Every subcommand, in the order --help lists them.
inline void register_all(CLI::App &app, Context &ctx)
{
	register_status(app, ctx);
	register_stats(app, ctx);
	register_monitor(app, ctx);
	register_check(app, ctx);
	register_apply(app, ctx);
	register_confirm(app, ctx);
	register_users(app, ctx);
	register_knock_ports(app, ctx);
	register_guard(app, ctx);
	register_set(app, ctx);
	register_grant(app, ctx);
	register_revoke(app, ctx);
	register_grants(app, ctx);
	register_lockouts(app, ctx);
	register_unlock(app, ctx);
	register_flush(app, ctx);
	register_genkey(app, ctx);
	register_pubkey(app, ctx);
	register_knock(app, ctx);
	register_sequence(app, ctx);
	register_profiles(app, ctx);
}

} // namespace knockctl
