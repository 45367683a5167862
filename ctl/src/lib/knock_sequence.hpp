// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock --sequence: the user's derived port sequence for a service
// (docs/protocol.md "Derived sequences") sent to the server, one step every
// gap: TCP steps are SYNs (a non-blocking connect, closed as soon as the
// SYN is out, so no root is needed and no handshake is waited for), UDP
// steps empty datagrams.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "context.hpp"
#include "keys.hpp"
#include "model.hpp"

namespace knockctl {

inline constexpr const char *SEQUENCE_GAP_DEFAULT = "200ms";
// The server drops an attempt whose next step is 10 s late; half of that
// leaves room for the network.
inline constexpr uint32_t SEQUENCE_GAP_MAX_MS = 5000;
// What must be left of a window after the last step, else the next window
// is waited for: a sequence belongs to its window.
inline constexpr uint32_t SEQUENCE_MARGIN_MS = 1000;

// "--gap" text -> milliseconds 1..SEQUENCE_GAP_MAX_MS; UsageError naming
// the input.
uint32_t parse_sequence_gap(const std::string &text);

struct SequenceKnock {
	Sequence params;
	Service service;		// single port: what the sequence opens
	sockaddr_storage to{};		// the server (its port is replaced)
	socklen_t len = 0;
	uint32_t gap_ms = 0;
	std::string target;		// for -v: what was resolved, and to what
	std::string target_addr;
	bool verbose = false;
};

// Sends the sequence of the current window, or of the next one (after
// waiting for it) when the current one would end before all steps are out
// and SEQUENCE_MARGIN_MS more; returns when the last step is sent. With
// k.verbose, says on ctx.out what it sent and any wait.
void knock_sequence(Context &ctx, const Secret<16> &k_seq, const SequenceKnock &k);

// One step to @to, the real thing (ctx.send_step replaces it in tests).
void send_step(const sockaddr_storage &to, socklen_t len, uint8_t proto);

} // namespace knockctl
