// SPDX-License-Identifier: GPL-2.0 OR MIT
// Pieces of discover.cpp shared by its STUN and https halves.
#pragma once

#include <string>

#include "discover.hpp"

namespace knockctl::discover_detail {

// "IPv4" or "IPv6".
const char *family_label(int family);

// How a STUN server is named in messages: the text given, else stun:HOST:PORT.
std::string stun_label(const Discovery &d);

// The IO of discover_address(), checked by it afterwards.
Address stun_discover(const Discovery &d, int family);
Address https_discover(const Discovery &d, int family);

} // namespace knockctl::discover_detail
