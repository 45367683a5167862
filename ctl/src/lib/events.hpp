// SPDX-License-Identifier: GPL-2.0 OR MIT
// The module's events (NFKNOCK_CMD_EVENT on the "events" multicast group,
// include/uapi/linux/nfknock.h): the message read into an Event, and the
// Event rendered for knockctl monitor as a text line (the kernel log's
// key=value format, docs/knockctl.md "monitor"), a JSON object, and the
// environment of an --exec command.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <linux/netlink.h>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace knockctl {

// One event; a fact the message did not carry stays unset.
struct Event {
	uint8_t type = 0;		// enum nfknock_event
	uint64_t time_ms = 0;		// unix milliseconds
	std::optional<uint8_t> reason;	// enum nfknock_reject
	std::optional<Address> source;	// the packet's source
	bool unverified = false;	// @source may be spoofed
	std::optional<std::string> user;
	std::optional<std::array<uint8_t, 8>> fpr;
	std::optional<std::string> sequence;	// a static sequence's name
	std::optional<Address> addr;	// the grant's address
	std::optional<uint8_t> proto;	// the service: both or neither
	std::optional<uint16_t> port;
	std::optional<uint32_t> duration_s;
	uint32_t flags = 0;		// NFKNOCK_EV_F_*
	std::optional<uint32_t> count;

	bool operator==(const Event &) const = default;
};

// An NFKNOCK_CMD_EVENT message. Strict: TYPE and TIME_MS are required;
// every attribute this version knows must have its exact size (addresses
// 4 or 16 bytes, FPR 8), appear once, and names be 1..NFKNOCK_NAME_MAX
// printable characters without spaces (so no line or field can be
// forged); PROTO and PORT come together; no bytes may trail the last
// attribute. Attributes above NFKNOCK_EV_A_MAX (a newer module's) are
// skipped. Anything else: ProtocolError.
Event parse_event(const nlmsghdr *nlh);

// "knock_accepted", ...; "event_N" for a type this version does not know.
std::string event_name(uint8_t type);
// "bad_auth", ...; "reason_N" for one this version does not know.
std::string reject_name(uint8_t reason);

// "2026-12-03T07:20:01.123Z knock_accepted user=alice source=10.0.0.2 ..."
// without a newline: the fields of the kernel log's lines, in its order
// (nfknock(4), KERNEL LOG), with fpr= after user= and count= last. The
// configuration events (config_applied, config_confirmed,
// config_rolled_back) say revoked= instead of count= (always: a missing
// COUNT is 0), and a config_applied on trial trial=yes confirm=Ns (its
// DURATION_S) in the place of duration=.
std::string event_text(const Event &ev);

// {"time_ms", "time", "event", "unverified", then each fact the event
// has}; keys in that order. config_applied has "trial" (true or false),
// and "confirm_s" instead of "duration_s".
nlohmann::ordered_json event_json(const Event &ev);

// NFKNOCK_EVENT=..., NFKNOCK_TIME=... and the other NFKNOCK_* variables
// that apply to @ev (NFKNOCK_UNVERIFIED always, 1 or 0; NFKNOCK_TRIAL, 1
// or 0, and NFKNOCK_CONFIRM, seconds, for config_applied), for --exec.
std::vector<std::string> event_env(const Event &ev);

// @inherited (NAME=VALUE strings, as environ) without any variable
// event_env() may set, then @vars: what an --exec command gets, so a
// variable that does not apply to this event is unset rather than
// inherited from knockctl's environment.
std::vector<std::string> child_environment(const std::vector<std::string> &inherited,
					   const std::vector<std::string> &vars);

} // namespace knockctl
