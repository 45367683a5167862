// SPDX-License-Identifier: GPL-2.0 OR MIT
// RAII owners for libnl objects.
#pragma once

#include <memory>

#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

namespace knockctl {

struct MsgFree {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
struct SockFree {
	void operator()(nl_sock *s) const { nl_socket_free(s); }
};
struct CbFree {
	void operator()(nl_cb *c) const { nl_cb_put(c); }
};

using MsgPtr = std::unique_ptr<nl_msg, MsgFree>;
using SockPtr = std::unique_ptr<nl_sock, SockFree>;
using CbPtr = std::unique_ptr<nl_cb, CbFree>;

} // namespace knockctl
