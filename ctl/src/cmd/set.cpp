// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl set guard-action drop|reset | udp-idle DUR | max-grants N
#include <memory>
#include <string>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_set(CLI::App &app, Context &ctx)
{
	auto *set = app.add_subcommand("set", "Change a module parameter");

	auto *action = set->add_subcommand(
		"guard-action",
		"What happens to a connection attempt without a grant");
	auto action_val = std::make_shared<std::string>();
	action->add_option("ACTION", *action_val,
			   "reset (the default: the answer of an unused port, "
			   "TCP RST / ICMP port unreachable) or drop (silence)")
		->required();
	action->callback([&ctx, action_val] { do_set_guard_action(ctx, *action_val); });

	auto *idle = set->add_subcommand(
		"udp-idle", "Idle time after which a UDP grant closes");
	auto idle_val = std::make_shared<std::string>();
	idle->add_option("DURATION", *idle_val,
			 "500ms, 30s, 5m, 2h, 1d, or a number of seconds; "
			 "at most 7d")
		->required();
	idle->callback([&ctx, idle_val] { do_set_udp_idle(ctx, *idle_val); });

	auto *max = set->add_subcommand(
		"max-grants", "Capacity of the grant table");
	auto max_val = std::make_shared<std::string>();
	max->add_option("N", *max_val,
			"1 to 1048576 (default 65536); in an unprivileged "
			"namespace 4096 at most, also its default")
		->required();
	max->callback([&ctx, max_val] { do_set_max_grants(ctx, *max_val); });
}

} // namespace knockctl
