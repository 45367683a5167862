// SPDX-License-Identifier: GPL-2.0 OR MIT
// Durations on the command line: "500ms", "30s", "5m", "2h", "1d", or a bare
// number of seconds. Always > 0 and <= NFKNOCK_TIMEOUT_MAX_MS (or a lower
// maximum of the caller's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <linux/nfknock.h>

namespace knockctl {

// Milliseconds, at most @max_ms. Throws UsageError "<text>: invalid
// duration", "<text>: duration too long (at most 7d)" etc.
uint32_t parse_duration_ms(std::string_view text,
			   uint32_t max_ms = NFKNOCK_TIMEOUT_MAX_MS);

// Compact human text: "500ms", "30s", "5m", "1h30m", "2d3h". Seconds are
// rounded up so a grant with 100 ms left shows "1s", not "0s".
std::string format_duration_ms(uint64_t ms);

} // namespace knockctl
