// SPDX-License-Identifier: GPL-2.0 OR MIT
// Where knockctl monitor reads events from: the real one is a generic
// netlink socket that joined the module's "events" multicast group; tests
// substitute a fake (Context::event_source).
#pragma once

#include <linux/nfknock.h>

#include <memory>

#include "netlink.hpp"

namespace knockctl {

// What one wait brought.
struct Received {
	enum Kind {
		MESSAGE,	// @msg: a message of the nfknock family
		LOST,		// the socket's buffer overran: events were lost
		TIMEOUT,	// the wait ended (a fake: nothing more to read)
	} kind = TIMEOUT;
	MsgPtr msg;
};

class EventSource {
public:
	virtual ~EventSource() = default;

	// Waits at most @timeout_ms (-1: without limit) for the next message.
	virtual Received next(int timeout_ms) = 0;
};

// Socket receive buffer the real source asks for: room for a burst of
// events while an --exec command runs (an event message is under 200
// bytes, about 1 KiB of buffer with the kernel's overhead).
inline constexpr int EVENTS_RCVBUF = 1 << 20;

// A socket of this network namespace in the nfknock family's "events"
// group (tests name another family's group), its receive buffer
// EVENTS_RCVBUF; it yields the family's messages only. Throws
// ModuleMissing when the family does not resolve, Error (exit 3) when
// joining needs CAP_NET_ADMIN, Error (exit 1) for a module without the
// group.
std::unique_ptr<EventSource> open_event_source(const char *family = NFKNOCK_GENL_NAME,
					       const char *group = NFKNOCK_MCGRP_EVENTS);

} // namespace knockctl
