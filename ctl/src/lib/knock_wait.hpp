// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock --wait: after the knock, try the service itself until it
// answers or the wait is over. A TCP service is open when a connection is
// established (and closed again at once); a UDP one when it answers the
// --probe payload. Nothing here touches the module.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace knockctl {

inline constexpr const char *KNOCK_WAIT_DEFAULT = "5s";
inline constexpr uint32_t KNOCK_WAIT_MAX_MS = 300000;

// "--wait" text (empty: the default) -> milliseconds 1..KNOCK_WAIT_MAX_MS;
// UsageError naming the input.
uint32_t parse_knock_wait(const std::string &text);

// "--probe" text -> the bytes sent: "hex:0a1b..." as those bytes, anything
// else as its own characters; UsageError naming a bad hex payload.
std::vector<uint8_t> parse_probe_payload(const std::string &text);

// Tries @svc at @to (its port replaced by the service's) until it is open
// or @wait_ms have passed since the call; the milliseconds it took, or
// nullopt. @payload: what a UDP probe sends (ignored for TCP).
std::optional<uint32_t> wait_open(const sockaddr_storage &to, socklen_t len,
				  const Service &svc,
				  const std::vector<uint8_t> &payload,
				  uint32_t wait_ms);

} // namespace knockctl
