// SPDX-License-Identifier: GPL-2.0 OR MIT
// What knockctl knock --address (and a profile's client_address) accepts.
#pragma once

#include <string>

namespace knockctl {

inline constexpr const char *KNOCK_ADDRESS_AUTO = "auto";
inline constexpr const char *KNOCK_ADDRESS_OBSERVED = "observed";

// "auto", "observed" or a unicast address (unspecified, broadcast and
// multicast ones are refused); throws UsageError naming @what (if not
// empty) and the input.
void check_knock_address(const std::string &text, const std::string &what);

} // namespace knockctl
