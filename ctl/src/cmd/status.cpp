// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl status [--json]
#include <memory>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_status(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"status", "Show the module's parameters, table sizes, static "
			  "sequences, lockout and counters");
	auto json = std::make_shared<bool>(false);

	sub->add_flag("--json", *json, "Print a JSON object");
	sub->callback([&ctx, json] { do_status(ctx, *json); });
}

} // namespace knockctl
