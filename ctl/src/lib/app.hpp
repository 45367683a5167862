// SPDX-License-Identifier: GPL-2.0 OR MIT
// Build the CLI11 app, parse, run the chosen command, map every error to
// one "knockctl: ..." line on stderr and the exit code of docs/protocol.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "context.hpp"

namespace knockctl {

using Registrar = std::function<void(CLI::App &, Context &)>;

// The root app with its description; @registrar adds the subcommands.
void build_app(CLI::App &app, Context &ctx, const Registrar &registrar);

// Returns the exit code. argv[0] is the program name.
int run(Context &ctx, int argc, const char *const *argv,
	const Registrar &registrar);

// Same with argv given as strings (tests); the program name is added.
int run(Context &ctx, const std::vector<std::string> &args,
	const Registrar &registrar);

} // namespace knockctl
