// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl pubkey < private-key
#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_pubkey(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"pubkey", "Read a private key on standard input, print its public key");

	sub->callback([&ctx] { do_pubkey(ctx); });
}

} // namespace knockctl
