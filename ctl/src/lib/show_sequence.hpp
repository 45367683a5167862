// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl sequence [HOST] SERVICE: the ports of this client's derived
// sequence that opens SERVICE, in the current window or the next, with the
// keys and parameters knock --sequence would use (command line, else the
// profile HOST names). For any client that can open connections: nc -z,
// a browser, a phone app.
#pragma once

#include <optional>
#include <string>

#include "context.hpp"

namespace knockctl {

struct SequenceArgs {
	std::optional<std::string> host;	// profile name or address
	std::optional<std::string> service;	// tcp/PORT or udp/PORT
	std::optional<std::string> server_key;	// base64
	std::optional<std::string> key_file;
	std::optional<std::string> profile;	// file
	std::string window = "current";		// or "next"
	bool json = false;
};

// Prints "tcp 41234 10022 58120 33001  (window 59011234, 17 s left)", or
// for the next window "(window N, starts in 17 s)"; with json an object
// (docs/knockctl.md).
void do_sequence(Context &ctx, const SequenceArgs &args);

} // namespace knockctl
