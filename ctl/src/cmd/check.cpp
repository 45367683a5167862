// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl check [FILE]
#include <memory>
#include <string>

#include "apply.hpp"
#include "commands.hpp"

namespace knockctl {

void register_check(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"check", "Validate a server configuration without loading it "
			 "(reads the server key, derives every user's keys; "
			 "warns about guards in the ephemeral port range, users "
			 "whose knocks are not bound to their sender, "
			 "sequence ranges over guards or knock ports, "
			 "every static sequence, and lockout turned off)");
	auto file = std::make_shared<std::string>(DEFAULT_CONFIG);

	sub->add_option("FILE", *file, "Configuration file (TOML)")
		->capture_default_str();
	sub->callback([&ctx, file] { do_check(ctx, *file); });
}

} // namespace knockctl
