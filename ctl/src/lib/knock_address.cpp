// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "knock_address.hpp"

#include "address.hpp"
#include "discover.hpp"
#include "errors.hpp"

namespace knockctl {

void check_knock_address(const std::string &text, const std::string &what)
{
	const std::string input = what.empty() ? text : what + " " + text;

	if (text == KNOCK_ADDRESS_AUTO || text == KNOCK_ADDRESS_OBSERVED)
		return;
	Address addr;
	try {
		addr = parse_address(text);
	} catch (const UsageError &) {
		throw UsageError(input + ": expected auto, observed, or an IPv4 "
			       "or IPv6 address");
	}
	if (!is_unicast_address(addr))
		throw UsageError(input + ": not an address a grant can name "
			       "(unspecified, broadcast or multicast)");
}

} // namespace knockctl
