// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl profiles [--json | --names] [--profile FILE]
#include <memory>
#include <string>

#include "commands.hpp"
#include "profile_list.hpp"

namespace knockctl {

void register_profiles(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"profiles", "List the client profiles knock and sequence take "
			    "HOST from: name, address, service, knock port, "
			    "keys; needs no root");
	auto a = std::make_shared<ProfilesArgs>();
	auto file = std::make_shared<std::string>();

	auto *profile = sub->add_option("--profile", *file, PROFILE_OPTION_HELP)
				->type_name("FILE");
	auto *json = sub->add_flag("--json", a->json, "Print a JSON array");
	// For shell completion and scripts: quiet without a profile file.
	sub->add_flag("--names", a->names,
		      "Print only the HOST each profile gives knock (its name, "
		      "else its address), one per line; nothing, and exit 0, "
		      "when there is no profile file")
		->excludes(json);

	sub->callback([&ctx, a, file, profile] {
		ProfilesArgs args = *a;

		if (profile->count())
			args.profile = *file;
		do_profiles(ctx, args);
	});
}

} // namespace knockctl
