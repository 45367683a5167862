// SPDX-License-Identifier: GPL-2.0 OR MIT
// The module's counters, one list that status and stats both print: status
// in one block ("stats:"), stats grouped (guards, grants, knocks,
// sequences, lockout) with each user's knocks and live grants after them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace knockctl {

struct Counter {
	const char *group;	// "guards", "grants", "knocks", "sequences",
				// "lockout"
	const char *key;	// JSON: "knocks_bad_auth"
	const char *label;	// status: "knocks bad auth"
	const char *item;	// stats, under its group: "bad auth"
	bool part;		// a part of the counter before it ("of which stray")
	uint64_t value;
};

// Every counter of @s, in the order status prints them.
std::vector<Counter> counters(const Status &s);

// {"guarded": N, ...}: status --json's "stats", stats --json's "counters".
nlohmann::json counters_json(const Status &s);

// One indented, aligned line per counter; @grouped: a "GROUP:" line
// before each group and the counters' short names (stats), else status's
// names.
std::string counters_text(const Status &s, bool grouped);

// The counters grouped, then "users:" and a table of each user's name,
// fingerprint, accepted knocks and live grants ("users: none" without).
std::string stats_text(const Status &s, const std::vector<User> &users);
// {"counters": counters_json, "users": [{name, fingerprint, knocks,
// grants}]}; grants null from a module that does not report them.
nlohmann::json stats_json(const Status &s, const std::vector<User> &users);

} // namespace knockctl
