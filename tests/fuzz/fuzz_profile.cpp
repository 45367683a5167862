// SPDX-License-Identifier: GPL-2.0 OR MIT
// libFuzzer: the client profile parser (~/.config/nfknock/client.toml) from
// an in-memory buffer, toml++ included. The only exception allowed out is
// ConfigError; every profile returned has a name or an address, a single
// udp knock port and, if set, a single-port service; lookup by name and by
// address finds an entry.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <netinet/in.h>

#include "config.hpp"
#include "profile.hpp"

using namespace knockctl;

namespace {

void check(bool ok)
{
	if (!ok)
		abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	std::vector<ServerProfile> list;

	try {
		list = parse_profile(text, "client.toml", "/home/u");
	} catch (const ConfigError &e) {
		check(!e.problems().empty());
		return 0;
	}
	for (const ServerProfile &p : list) {
		check(!p.name.empty() || !p.address.empty());
		check(p.knock_port.proto == IPPROTO_UDP && p.knock_port.port != 0 &&
		      p.knock_port.port == p.knock_port.port_end);
		if (p.service)
			check(p.service->port != 0 &&
			      p.service->port == p.service->port_end);
		check(find_profile(list, p.name.empty() ? p.address : p.name) != nullptr);
	}
	return 0;
}
