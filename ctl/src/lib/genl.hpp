// SPDX-License-Identifier: GPL-2.0 OR MIT
// Thin libnl-genl client: one socket, family resolved on first use,
// extended acks on, kernel errors turned into KernelError with the extack.
#pragma once

#include <string>

#include "transport.hpp"

struct nlmsgerr;

namespace knockctl {

class GenlTransport : public Transport {
public:
	GenlTransport() = default;

	int family() override;
	std::vector<MsgPtr> exchange(nl_msg *request) override;

private:
	void connect();

	SockPtr sock_;
	int family_ = -1;
};

// The NLMSGERR_ATTR_MSG text of an error or NLMSG_DONE message, "" if none.
// @nlh is the whole message as received (header included).
std::string extack_message(const nlmsghdr *nlh);

} // namespace knockctl
