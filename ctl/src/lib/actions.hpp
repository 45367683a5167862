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
void do_revoke(Context &ctx, const std::string &src,
	       const std::optional<std::string> &service);
void do_grants(Context &ctx, bool json);
void do_flush(Context &ctx);

} // namespace knockctl
