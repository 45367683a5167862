// SPDX-License-Identifier: GPL-2.0 OR MIT
// IPv4 / IPv6 source addresses for grant and revoke.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "model.hpp"

namespace knockctl {

// inet_pton as IPv4, else IPv6; an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
// becomes the IPv4 address. Throws UsageError
// "<text>: invalid address (expected IPv4 or IPv6)".
Address parse_address(std::string_view text);

// The address of a sockaddr_in / sockaddr_in6 (IPv4-mapped becomes IPv4).
Address sockaddr_address(const sockaddr_storage &ss);

// inet_ntop text.
std::string format_address(const Address &addr);

// "inet" or "inet6".
const char *family_name(const Address &addr);

} // namespace knockctl
