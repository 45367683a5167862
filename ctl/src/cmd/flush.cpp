// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl flush
#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_flush(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"flush", "Remove every guard and grant, restore default "
			 "parameters and unhook this network namespace");

	sub->callback([&ctx] { do_flush(ctx); });
}

} // namespace knockctl
