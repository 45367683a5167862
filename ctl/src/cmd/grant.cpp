// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl grant SRC SERVICE [--for DUR] [--once]
#include <memory>
#include <string>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

namespace {

struct GrantArgs {
	std::string src;
	std::string service;
	std::string duration = GRANT_DEFAULT_FOR;
	bool once = false;
};

} // namespace

void register_grant(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"grant", "Let SRC open new connections to SERVICE for a while "
			 "(replaces an existing grant for the same address and port)");
	auto a = std::make_shared<GrantArgs>();

	sub->add_option("SRC", a->src, "Source address, IPv4 or IPv6")->required();
	sub->add_option("SERVICE", a->service,
			"tcp/PORT or udp/PORT (a single port)")
		->required();
	sub->add_option("--for", a->duration,
			"How long: 500ms, 30s, 5m, 2h, 1d, or a number of "
			"seconds; at most 7d")
		->type_name("DURATION")
		->capture_default_str();
	sub->add_flag("--once", a->once,
		      "One-shot: consumed by the first new connection");
	sub->callback([&ctx, a] {
		do_grant(ctx, a->src, a->service, a->duration, a->once);
	});
}

} // namespace knockctl
