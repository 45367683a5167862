// SPDX-License-Identifier: GPL-2.0 OR MIT
// What each subcommand does, from argument text to output. Every argument
// is validated in full before anything is sent; errors are thrown (see
// errors.hpp) and printed by run() in app.hpp.
#pragma once

#include <optional>
#include <string>

#include "context.hpp"

namespace knockctl {

// Default of "grant --for".
inline constexpr const char *GRANT_DEFAULT_FOR = "30s";

void do_status(Context &ctx, bool json);
void do_guard_add(Context &ctx, const std::string &service);
void do_guard_del(Context &ctx, const std::string &service);
void do_guard_list(Context &ctx, bool json);
void do_set_guard_action(Context &ctx, const std::string &action);
void do_set_udp_idle(Context &ctx, const std::string &duration);
void do_set_max_grants(Context &ctx, const std::string &count);
void do_grant(Context &ctx, const std::string &src, const std::string &service,
	      const std::string &duration, bool once);
// With @kill, also end the matching local TCP sessions (sock_diag.hpp) and
// print how many; a revoke that finds no grant is then not an error.
void do_revoke(Context &ctx, const std::string &src,
	       const std::optional<std::string> &service, bool kill = false);
void do_grants(Context &ctx, bool json);
void do_flush(Context &ctx);

// Prints a new private key, or writes it to @out_file (0600, never
// overwriting) when given.
void do_genkey(Context &ctx, const std::optional<std::string> &out_file);
// Reads a private key on stdin (ctx.in), prints its public key.
void do_pubkey(Context &ctx);
void do_users(Context &ctx, bool json);
// The counters grouped, and each user's knocks and live grants.
void do_stats(Context &ctx, bool json);
void do_knock_ports(Context &ctx, bool json);

} // namespace knockctl
