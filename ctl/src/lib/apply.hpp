// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl check FILE / apply FILE: validate the server configuration in
// full (server key read, every user's keys derived), then, for apply, load
// it in one staged transaction on one socket: TXN_BEGIN, TXN_ADD per guard,
// knock port, user and static sequence, TXN_COMMIT; TXN_ABORT on any
// refusal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "context.hpp"

namespace knockctl {

// Prints "FILE: ok (N users[ (U kernel users)], M guards, K knock ports[,
// S static sequences])", and on ctx.err a warning for each guard inside the
// ephemeral port range (ctx.port_range_file; none if that cannot be read),
// each user whose knocks are not bound to their sender, each sequence range
// that overlaps a guard or a knock port, the static sequences', and when
// lockout is off; then the notes of key rotation (rotation_notes).
void do_check(Context &ctx, const std::string &file,
	      const KeyLoader &load_key = read_private_key_file);

// Prints "applied FILE: N users[ (U kernel users)], M guards, K knock
// ports[, S static sequences]", then "revoked N grants that the new configuration no longer
// allows" when N > 0. With @confirm (--confirm's text, checked before the
// file is read: trial.hpp) the commit is on trial, and two lines follow:
// trial_line() and that nothing is revoked before the confirmation.
void do_apply(Context &ctx, const std::string &file,
	      const std::optional<std::string> &confirm = std::nullopt,
	      const KeyLoader &load_key = read_private_key_file);

// The transaction itself (tests call it with a LoadedConfig of their own),
// on trial for @confirm_ms when given. Returns how many grants the commit
// revoked.
uint32_t apply_loaded(Context &ctx, const LoadedConfig &cfg,
		      std::optional<uint32_t> confirm_ms = std::nullopt);

// An inclusive range of local ports.
struct PortRange {
	uint16_t first = 0;
	uint16_t last = 0;
};

// The range in an ip_local_port_range file ("32768\t60999\n"), or nothing
// if it cannot be read or is not two ports in order.
std::optional<PortRange> read_port_range(const std::string &path);

// One warning line (without "knockctl: ") per guard that shares a port
// with @ephemeral, this host's ephemeral port range.
std::vector<std::string> ephemeral_warnings(const std::vector<Service> &guards,
					    const PortRange &ephemeral);

// One warning line per user with require_address = false: its knocks can
// be taken over by whoever sees them on the way.
std::vector<std::string> unbound_warnings(const std::vector<KernelUser> &users);

// One warning line per user and guard or knock port that shares ports,
// of the user's step protocol, with the user's sequence range: a step
// there still counts, but the port's own handling follows it.
std::vector<std::string> sequence_warnings(const LoadedConfig &cfg);

// The warnings of each static sequence: one that it is static (replayable
// by whoever sees it; a derived sequence is better), and one for each step
// on a guarded port or a knock port, an opens that no guard covers, fewer
// than 3 steps, and steps of one protocol in ascending port order.
std::vector<std::string> static_sequence_warnings(const LoadedConfig &cfg);

// One warning line when lockout is off (lockout.threshold = 0): nothing
// slows down a source that guesses sequences.
std::vector<std::string> lockout_warnings(const LoadedConfig &cfg);

} // namespace knockctl
