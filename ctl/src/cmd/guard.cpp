// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl guard add|del SERVICE, knockctl guard list [--json]
#include <memory>
#include <string>

#include "actions.hpp"
#include "commands.hpp"

namespace knockctl {

void register_guard(CLI::App &app, Context &ctx)
{
	auto *guard = app.add_subcommand(
		"guard", "Add, remove or list guarded services");

	auto *add = guard->add_subcommand(
		"add", "Guard SERVICE: new connections need a grant");
	auto add_svc = std::make_shared<std::string>();
	add->add_option("SERVICE", *add_svc,
			"tcp/PORT, udp/PORT or PROTO/FIRST-LAST, e.g. tcp/22, "
			"udp/5353, tcp/8000-8100")
		->required();
	add->callback([&ctx, add_svc] { do_guard_add(ctx, *add_svc); });

	auto *del = guard->add_subcommand(
		"del", "Stop guarding SERVICE (must match an existing guard exactly)");
	auto del_svc = std::make_shared<std::string>();
	del->add_option("SERVICE", *del_svc,
			"tcp/PORT, udp/PORT or PROTO/FIRST-LAST, as given to "
			"guard add")
		->required();
	del->callback([&ctx, del_svc] { do_guard_del(ctx, *del_svc); });

	auto *list = guard->add_subcommand("list", "List guarded services");
	auto json = std::make_shared<bool>(false);
	list->add_flag("--json", *json, "Print a JSON array");
	list->callback([&ctx, json] { do_guard_list(ctx, *json); });
}

} // namespace knockctl
