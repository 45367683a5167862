// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl grants [--json]
#include <memory>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_grants(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"grants", "List live grants with the time they have left");
	auto json = std::make_shared<bool>(false);

	sub->add_flag("--json", *json, "Print a JSON array");
	sub->callback([&ctx, json] { do_grants(ctx, *json); });
}

} // namespace knockctl
