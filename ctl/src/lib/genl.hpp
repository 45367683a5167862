// SPDX-License-Identifier: GPL-2.0 OR MIT
// Thin libnl-genl client: one socket, family resolved on first use,
// extended acks on, kernel errors turned into KernelError with the extack.
#pragma once

#include <memory>
#include <string>

#include "transport.hpp"

struct nlmsgerr;

namespace knockctl {

// A connected generic netlink socket with extended acks switched on.
class GenlSocket {
public:
	// @capped: ask for error replies without the echoed request
	// (NETLINK_CAP_ACK); the extack parser handles both forms.
	explicit GenlSocket(bool capped = true);

	// Family id, or -1 when no such family is registered.
	int resolve(const char *name);

	// See Transport::exchange.
	std::vector<MsgPtr> exchange(nl_msg *request);

private:
	SockPtr sock_;
};

// Transport to the nfknock module; connects and resolves on first use.
class GenlTransport : public Transport {
public:
	int family() override;
	std::vector<MsgPtr> exchange(nl_msg *request) override;

private:
	std::unique_ptr<GenlSocket> sock_;
	int family_ = -1;
};

// The NLMSGERR_ATTR_MSG text of an error or NLMSG_DONE message, "" if none.
// @nlh is the whole message as received (header included).
std::string extack_message(const nlmsghdr *nlh);

} // namespace knockctl
