// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl lockouts [--json]
#include <memory>

#include "commands.hpp"
#include "lockouts.hpp"

namespace knockctl {

void register_lockouts(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"lockouts", "List the sources (IPv4 addresses, IPv6 /64s) with "
			    "failures in their window or locked out, and the "
			    "time their lockout has left");
	auto json = std::make_shared<bool>(false);

	sub->add_flag("--json", *json, "Print a JSON array");
	sub->callback([&ctx, json] { do_lockouts(ctx, *json); });
}

} // namespace knockctl
