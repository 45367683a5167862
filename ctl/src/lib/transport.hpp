// SPDX-License-Identifier: GPL-2.0 OR MIT
// How requests reach the module. The real one is GenlTransport (genl.hpp);
// tests substitute a fake that records requests and returns canned replies.
#pragma once

#include <vector>

#include "netlink.hpp"

namespace knockctl {

class Transport {
public:
	virtual ~Transport() = default;

	// Generic netlink family id of "nfknock"; throws ModuleMissing.
	virtual int family() = 0;

	// Send one request built by the codec (NLM_F_DUMP in its header makes
	// it a dump) and return the reply messages: none for a plain ack, one
	// for a doit reply, any number for a dump. A kernel refusal throws
	// KernelError (errno + extack text). A dump any message of which
	// (NLMSG_DONE included) carried NLM_F_DUMP_INTR throws DumpInterrupted
	// once it has been read in full; a transport may instead return the
	// flagged messages as they are (Client checks both, see dump()).
	virtual std::vector<MsgPtr> exchange(nl_msg *request) = 0;
};

} // namespace knockctl
