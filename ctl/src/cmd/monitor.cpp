// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl monitor [--json] [--exec CMD [--quiet]] [--count N] [--timeout DUR]
#include <memory>
#include <string>

#include "commands.hpp"
#include "monitor.hpp"

namespace knockctl {

void register_monitor(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"monitor", "Print the module's events as they happen, one line "
			   "each (knocks, grants, sequences, lockouts, "
			   "configuration), optionally running a command for "
			   "each; needs CAP_NET_ADMIN");
	struct Text {
		std::string exec, count, timeout;
		MonitorOptions opts;
	};
	auto t = std::make_shared<Text>();

	sub->add_flag("--json", t->opts.json, "One JSON object per line");
	auto *exec = sub->add_option(
		"--exec", t->exec,
		"Run CMD with /bin/sh -c for each event, its facts in NFKNOCK_* "
		"environment variables; the next event waits for it (the "
		"kernel never does)")
		->type_name("CMD");
	sub->add_flag("--quiet", t->opts.quiet, "With --exec: print no lines")
		->needs(exec);
	auto *count = sub->add_option("--count", t->count,
				      "Exit after N events")
		->type_name("N");
	auto *timeout = sub->add_option(
		"--timeout", t->timeout,
		"Exit after DURATION: 500ms, 30s, 5m, 2h, 1d, or a number of "
		"seconds; at most 7d")
		->type_name("DURATION");
	sub->callback([&ctx, t, exec, count, timeout] {
		if (*exec)
			t->opts.exec = t->exec;
		if (*count)
			t->opts.count = t->count;
		if (*timeout)
			t->opts.timeout = t->timeout;
		do_monitor(ctx, t->opts);
	});
}

} // namespace knockctl
