// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl unlock SRC
#include <memory>
#include <string>

#include "commands.hpp"
#include "lockouts.hpp"

namespace knockctl {

void register_unlock(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"unlock", "Forget SRC's failures and end its lockout (an IPv6 "
			  "address: its /64)");
	auto src = std::make_shared<std::string>();

	sub->add_option("SRC", *src, "Source address, IPv4 or IPv6")->required();
	sub->callback([&ctx, src] { do_unlock(ctx, *src); });
}

} // namespace knockctl
