// SPDX-License-Identifier: GPL-2.0 OR MIT
// Service text ("tcp/22", "udp/8000-8100") via the pure-C core codec.
#pragma once

#include <string>
#include <string_view>

#include "model.hpp"

namespace knockctl {

// Parse @text; with @single a range is refused. Throws UsageError
// "<text>: <reason>" (the core's nfk_service_strerror text).
Service parse_service(std::string_view text, bool single = false);

// "tcp/22" or "tcp/8000-8100".
std::string format_service(const Service &svc);

// True when @svc is of protocol @proto and its range holds @port.
bool covers(const Service &svc, uint8_t proto, uint16_t port);

// True when @a and @b are of one protocol and share a port (one of them
// covers the other's first port).
bool overlaps(const Service &a, const Service &b);

// "tcp", "udp", or "proto-N" for anything else.
std::string proto_name(uint8_t proto);

} // namespace knockctl
