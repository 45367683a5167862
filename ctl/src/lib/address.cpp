// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "errors.hpp"

namespace knockctl {

Address parse_address(std::string_view text)
{
	const std::string s(text);	// inet_pton wants a NUL-terminated string
	Address addr;

	if (s.find('\0') == std::string::npos) {
		if (inet_pton(AF_INET, s.c_str(), addr.bytes.data()) == 1) {
			addr.family = AF_INET;
			return addr;
		}
		struct in6_addr a6 {};
		if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
			if (IN6_IS_ADDR_V4MAPPED(&a6)) {
				addr.family = AF_INET;
				std::memcpy(addr.bytes.data(), &a6.s6_addr[12], 4);
			} else {
				addr.family = AF_INET6;
				std::memcpy(addr.bytes.data(), a6.s6_addr, 16);
			}
			return addr;
		}
	}
	throw UsageError(s + ": invalid address (expected IPv4 or IPv6)");
}

Address sockaddr_address(const sockaddr_storage &ss)
{
	Address addr;

	if (ss.ss_family == AF_INET) {
		const auto *in = reinterpret_cast<const sockaddr_in *>(&ss);
		addr.family = AF_INET;
		std::memcpy(addr.bytes.data(), &in->sin_addr, 4);
		return addr;
	}
	const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&ss);
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		addr.family = AF_INET;
		std::memcpy(addr.bytes.data(), &in6->sin6_addr.s6_addr[12], 4);
	} else {
		addr.family = AF_INET6;
		std::memcpy(addr.bytes.data(), in6->sin6_addr.s6_addr, 16);
	}
	return addr;
}

std::string format_address(const Address &addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(addr.family == AF_INET6 ? AF_INET6 : AF_INET,
		       addr.bytes.data(), buf, sizeof(buf)))
		return "?";
	return buf;
}

const char *family_name(const Address &addr)
{
	return addr.family == AF_INET6 ? "inet6" : "inet";
}

} // namespace knockctl
