// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl stats [--json]
#include <memory>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_stats(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"stats", "Show the counters by group (guards, grants, knocks by "
			 "reason, sequences, lockout) and each user's knocks "
			 "and live grants");
	auto json = std::make_shared<bool>(false);

	sub->add_flag("--json", *json, "Print a JSON object");
	sub->callback([&ctx, json] { do_stats(ctx, *json); });
}

} // namespace knockctl
