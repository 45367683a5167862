// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl confirm [--json]
#include <memory>

#include "commands.hpp"
#include "trial.hpp"

namespace knockctl {

void register_confirm(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"confirm", "Keep the configuration that apply --confirm put on "
			   "trial, revoking the grants it no longer allows "
			   "(without it, the kernel rolls back at the deadline)");
	auto json = std::make_shared<bool>(false);

	sub->add_flag("--json", *json, "Print a JSON object");
	sub->callback([&ctx, json] { do_confirm(ctx, *json); });
}

} // namespace knockctl
