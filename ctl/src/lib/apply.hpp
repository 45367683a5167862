// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl check FILE / apply FILE: validate the server configuration in
// full (server key read, every user's keys derived), then, for apply, load
// it in one staged transaction on one socket: TXN_BEGIN, TXN_ADD per guard,
// knock port and user, TXN_COMMIT; TXN_ABORT on any refusal.
#pragma once

#include <string>

#include "config.hpp"
#include "context.hpp"

namespace knockctl {

// Prints "FILE: ok (N users, M guards, K knock ports)".
void do_check(Context &ctx, const std::string &file,
	      const KeyLoader &load_key = read_private_key_file);

// Prints "applied FILE: N users, M guards, K knock ports".
void do_apply(Context &ctx, const std::string &file,
	      const KeyLoader &load_key = read_private_key_file);

// The transaction itself (tests call it with a LoadedConfig of their own).
void apply_loaded(Context &ctx, const LoadedConfig &cfg);

} // namespace knockctl
