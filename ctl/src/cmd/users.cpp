// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl users [--json]
#include <memory>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_users(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"users", "List knock users: fingerprint, policy, last knock "
			 "(never key bytes)");
	auto json = std::make_shared<bool>(false);

	sub->add_flag("--json", *json, "Print a JSON array");
	sub->callback([&ctx, json] { do_users(ctx, *json); });
}

} // namespace knockctl
