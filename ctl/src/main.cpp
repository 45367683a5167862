// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl: registers the subcommands (cmd/) and runs the one asked for.
#include <iostream>

#include "app.hpp"
#include "commands.hpp"

int main(int argc, char **argv)
{
	knockctl::Context ctx(std::cout, std::cerr, knockctl::genl_factory());

	return knockctl::run(ctx, argc, argv, knockctl::register_all);
}
