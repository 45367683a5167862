// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock: the client side of single-packet knocks. Arguments and
// the client profile are checked in full, then one UDP datagram is sent;
// with --sequence the derived port sequence instead (knock_sequence.hpp).
#pragma once

#include <optional>
#include <string>

#include "context.hpp"
#include "knock_address.hpp"

namespace knockctl {

inline constexpr const char *KNOCK_DEFAULT_FOR = "30s";

struct KnockArgs {
	std::string host;
	std::optional<std::string> open;	// SERVICE
	std::optional<std::string> close;	// SERVICE
	std::string duration = KNOCK_DEFAULT_FOR;
	bool duration_given = false;		// --for on the command line
	bool once = false;
	std::optional<std::string> address;	// auto, observed or an address
	std::optional<std::string> discover;	// stun:HOST[:PORT] or https://URL
	std::optional<std::string> port;	// udp/N
	std::optional<std::string> server_key;	// base64
	std::optional<std::string> key_file;
	std::optional<std::string> profile;	// file
	std::optional<std::string> wait;	// --wait given: "" or a duration
	std::optional<std::string> probe;	// UDP probe payload
	int family = 0;				// AF_INET (-4), AF_INET6 (-6), 0
	bool verbose = false;
	bool sequence = false;			// --sequence
	std::optional<std::string> gap;		// between sequence steps
};

void do_knock(Context &ctx, const KnockArgs &args);

// "--for" text -> whole seconds 1..65535; UsageError naming the input.
uint16_t parse_knock_duration(const std::string &text);

} // namespace knockctl
