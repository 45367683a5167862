// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock-ports [--json]
#include <memory>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_knock_ports(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"knock-ports", "List the UDP ports that receive knocks");
	auto json = std::make_shared<bool>(false);

	sub->add_flag("--json", *json, "Print a JSON array");
	sub->callback([&ctx, json] { do_knock_ports(ctx, *json); });
}

} // namespace knockctl
