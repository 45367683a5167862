// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl genkey [--out FILE]
#include <memory>
#include <optional>
#include <string>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_genkey(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"genkey", "Make a new X25519 private key (base64, like wg genkey)");
	auto out = std::make_shared<std::string>();

	auto *out_opt = sub->add_option(
		"--out", *out,
		"Write it to FILE, created with mode 0600; an existing file is "
		"never overwritten")
		->type_name("FILE");
	sub->callback([&ctx, out, out_opt] {
		do_genkey(ctx, out_opt->count() ? std::optional<std::string>(*out) :
						  std::nullopt);
	});
}

} // namespace knockctl
