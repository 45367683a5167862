// SPDX-License-Identifier: GPL-2.0 OR MIT
// A commit on trial (include/uapi/linux/nfknock.h, NFKNOCK_A_CONFIRM_MS) as
// knockctl handles it: the value of apply --confirm, the line apply and
// status print while a configuration is on trial, and knockctl confirm.
// docs/knockctl.md, "apply" and "confirm".
#pragma once

#include <cstdint>
#include <string>

#include "context.hpp"

namespace knockctl {

// --confirm's DURATION in milliseconds: a whole number of seconds from
// NFKNOCK_CONFIRM_MIN_MS to NFKNOCK_CONFIRM_MAX_MS (1s to 1h). Else a
// UsageError naming the option and the text ("--confirm 2h: duration too
// long (at most 1h)", "--confirm 1500ms: not a whole number of seconds").
uint32_t parse_confirm_ms(const std::string &text);

// "on trial: rolls back in N s unless `knockctl confirm`", N the whole
// seconds of @left_ms rounded up (without a newline).
std::string trial_line(uint64_t left_ms);

// CONFIRM; prints "confirmed; N grants revoked", or with @json
// {"confirmed": true, "revoked": N}. Nothing on trial (ENOENT): the Error
// "nothing to confirm: no configuration is on trial", exit 1.
void do_confirm(Context &ctx, bool json);

} // namespace knockctl
