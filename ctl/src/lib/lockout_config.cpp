// SPDX-License-Identifier: GPL-2.0 OR MIT
// The [lockout] table of nfknock.conf: lockout of failing sources
// (docs/config.md, "Lockout"):
//
//   [lockout]
//   threshold = 5        # failures of a source within window; 0 = off
//   window = "60s"
//   duration = "5m"      # how long the source is locked out
//
// The limits are the uapi's, the ones the kernel checks; the defaults the
// core's (kmod/core/lockout.h).
#include <linux/nfknock.h>

#include "config_internal.hpp"
#include "lockout.h"

namespace knockctl::config_detail {

static_assert(DEFAULT_LOCKOUT_THRESHOLD == NFK_LOCKOUT_THRESHOLD_DEFAULT &&
		      DEFAULT_LOCKOUT_WINDOW_MS == NFK_LOCKOUT_WINDOW_DEFAULT_MS &&
		      DEFAULT_LOCKOUT_DURATION_MS == NFK_LOCKOUT_DURATION_DEFAULT_MS,
	      "the module's defaults");
static_assert(NFKNOCK_TIMEOUT_MAX_MS == 7U * 24 * 3600 * 1000, "the range text");

void parse_lockout(Problems &p, const toml::node &n, ServerConfig &cfg)
{
	const toml::table *t = n.as_table();

	if (!t) {
		p.add(line_of(n), "lockout", "expected a table ([lockout])");
		return;
	}
	check_keys(p, *t, "lockout", {"threshold", "window", "duration"});
	if (auto v = get_integer(p, t->get("threshold"), "lockout.threshold", 0,
				 NFKNOCK_LOCKOUT_THRESHOLD_MAX))
		cfg.lockout_threshold = *v;
	if (auto ms = get_whole_seconds(p, t->get("window"), "lockout.window", 1000,
					NFKNOCK_TIMEOUT_MAX_MS, "1s to 7d"))
		cfg.lockout_window_ms = *ms;
	if (auto ms = get_whole_seconds(p, t->get("duration"), "lockout.duration",
					1000, NFKNOCK_TIMEOUT_MAX_MS, "1s to 7d"))
		cfg.lockout_duration_ms = *ms;
}

} // namespace knockctl::config_detail
