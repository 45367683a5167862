// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl monitor: one line per event of this namespace (events.hpp),
// optionally a command run for each. docs/knockctl.md, "monitor".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "context.hpp"

namespace knockctl {

struct MonitorOptions {
	bool json = false;
	std::optional<std::string> exec;	// run by /bin/sh -c per event
	bool quiet = false;			// with exec: print no lines
	std::optional<std::string> count;	// exit after this many events
	std::optional<std::string> timeout;	// exit after this long
};

// Validates the options (usage errors name them), joins the events group
// (ModuleMissing; exit 3 without CAP_NET_ADMIN) and prints until --count,
// --timeout, or a closed standard output (then quietly, exit 0).
void do_monitor(Context &ctx, const MonitorOptions &opts);

// Runs @cmd with /bin/sh -c, environment @env, standard streams inherited,
// signals knockctl ignores back to their defaults; waits for it. Returns
// "" when it exited 0, else what happened ("exited with status 3",
// "killed by signal 9", "could not be started: ...").
std::string run_event_command(const std::string &cmd, const std::vector<std::string> &env);

} // namespace knockctl
