// SPDX-License-Identifier: GPL-2.0 OR MIT
// Ending local TCP sessions the way "ss -K" does (revoke --kill): a
// NETLINK_SOCK_DIAG dump of TCP sockets (every state but LISTEN and
// TIME_WAIT), then SOCK_DESTROY for each one whose remote address (and local
// port, if given) matches. Needs CAP_NET_ADMIN and CONFIG_INET_DIAG_DESTROY.
#pragma once

#include <linux/inet_diag.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "model.hpp"

namespace knockctl {

// States dumped: all but TCP_LISTEN and TCP_TIME_WAIT.
uint32_t kill_states();

// SOCK_DIAG_BY_FAMILY dump request for TCP sockets of @family.
std::vector<uint8_t> build_tcp_dump(uint8_t family, uint32_t seq);

// SOCK_DESTROY request for the socket @m describes.
std::vector<uint8_t> build_tcp_destroy(const inet_diag_msg &m, uint32_t seq);

// True when @m's remote address is @remote (an IPv4 @remote also matches an
// IPv6 socket's IPv4-mapped remote) and, if given, its local port is @port.
bool session_matches(const inet_diag_msg &m, const Address &remote,
		     std::optional<uint16_t> port);

// Dump, match, destroy; returns how many sessions were ended. Throws Error
// (exit 3 for EPERM).
unsigned kill_tcp_sessions(const Address &remote, std::optional<uint16_t> port);

} // namespace knockctl
