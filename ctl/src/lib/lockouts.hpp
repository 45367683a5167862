// SPDX-License-Identifier: GPL-2.0 OR MIT
// Lockout of failing sources as knockctl shows and edits it: the status
// line, knockctl lockouts (the sources failing or locked out) and knockctl
// unlock SRC. The JSON shapes are documented in docs/knockctl.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "model.hpp"

namespace knockctl {

// The key of @addr in the module's source table: an IPv4 address as is,
// an IPv6 address cut to its /64.
SourceLockout lockout_source(const Address &addr);

// "10.0.0.3", "2001:db8:1:2::/64": the address, with the prefix length
// when it is not the whole address.
std::string format_source(const SourceLockout &l);

// status's "lockout" value: "5 failures in 1m lock a source out for 5m (0
// locked now, table of 16384 sources)", or "off (threshold 0)".
std::string lockout_status_text(const LockoutStatus &s);
// {"threshold", "window_s", "duration_s", "sources_max", "locked"}; null
// from a module without lockout.
nlohmann::json lockout_status_json(const std::optional<LockoutStatus> &s);

// SOURCE, FAILURES, LOCKED (time left, or "-"), in the order given; a
// line saying there are none when empty.
std::string lockouts_text(const std::vector<SourceLockout> &list);
// [{"source", "prefix_len", "failures", "locked_ms"}]
nlohmann::json lockouts_json(const std::vector<SourceLockout> &list);

// GET_LOCKOUTS, sorted by family and address.
void do_lockouts(Context &ctx, bool json);
// DEL_LOCKOUT of @src (usage error when it is no address); prints
// "unlocked SRC" (an IPv6 address's /64); ENOENT is an error saying that
// nothing was recorded for it.
void do_unlock(Context &ctx, const std::string &src);

} // namespace knockctl
