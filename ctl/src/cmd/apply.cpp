// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl apply [FILE]
#include <memory>
#include <string>

#include "apply.hpp"
#include "commands.hpp"

namespace knockctl {

void register_apply(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"apply", "Validate a server configuration, then replace the "
			 "module's whole configuration with it atomically "
			 "(an invalid file changes nothing)");
	auto file = std::make_shared<std::string>(DEFAULT_CONFIG);

	sub->add_option("FILE", *file, "Configuration file (TOML)")
		->capture_default_str();
	sub->callback([&ctx, file] { do_apply(ctx, *file); });
}

} // namespace knockctl
