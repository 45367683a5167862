// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl revoke SRC [SERVICE] [--kill]
#include <memory>
#include <optional>
#include <string>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_revoke(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"revoke", "Remove the grants of SRC: all of them, or the one for "
			  "SERVICE (established connections stay up unless --kill)");
	auto src = std::make_shared<std::string>();
	auto svc = std::make_shared<std::string>();
	auto kill = std::make_shared<bool>(false);

	sub->add_option("SRC", *src, "Source address, IPv4 or IPv6")->required();
	auto *svc_opt = sub->add_option("SERVICE", *svc,
					"tcp/PORT or udp/PORT (a single port)");
	sub->add_flag("--kill", *kill,
		      "Also end SRC's local TCP sessions (to SERVICE's port if "
		      "given), like ss -K; needs CAP_NET_ADMIN");
	sub->callback([&ctx, src, svc, svc_opt, kill] {
		std::optional<std::string> service;

		if (svc_opt->count())
			service = *svc;
		do_revoke(ctx, *src, service, *kill);
	});
}

} // namespace knockctl
