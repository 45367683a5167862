// SPDX-License-Identifier: GPL-2.0 OR MIT
// Owners of what must be released on every path: a file descriptor and a
// getaddrinfo() list.
#pragma once

#include <netdb.h>
#include <unistd.h>

namespace knockctl {

// Closes on every path. Fd f{open(...)}; -1 means none.
struct Fd {
	int fd = -1;
	~Fd()
	{
		if (fd >= 0)
			close(fd);
	}
};

// For std::unique_ptr<addrinfo, AddrInfoFree>.
struct AddrInfoFree {
	void operator()(addrinfo *ai) const { freeaddrinfo(ai); }
};

} // namespace knockctl
