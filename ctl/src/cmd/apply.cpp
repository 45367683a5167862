// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl apply [FILE] [--confirm DUR]
#include <memory>
#include <optional>
#include <string>

#include "apply.hpp"
#include "commands.hpp"

namespace knockctl {

namespace {

struct ApplyArgs {
	std::string file = DEFAULT_CONFIG;
	std::string confirm;
};

} // namespace

void register_apply(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"apply", "Validate a server configuration, then replace the "
			 "module's whole configuration with it atomically "
			 "(an invalid file changes nothing)");
	auto a = std::make_shared<ApplyArgs>();

	sub->add_option("FILE", a->file, "Configuration file (TOML)")
		->capture_default_str();
	auto *confirm = sub->add_option(
		"--confirm", a->confirm,
		"Apply on trial: unless `knockctl confirm` comes within "
		"DURATION (1s to 1h: 60s, 5m), the kernel puts the previous "
		"configuration back by itself; grants are revoked only once "
		"confirmed")
		->type_name("DURATION");
	sub->callback([&ctx, a, confirm] {
		do_apply(ctx, a->file,
			 *confirm ? std::optional<std::string>(a->confirm) : std::nullopt);
	});
}

} // namespace knockctl
