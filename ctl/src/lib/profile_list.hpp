// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl profiles: the client profiles knock and sequence match HOST in,
// read with the same loader (profile.hpp) from the same file, as a table,
// a JSON array (docs/knockctl.md) or, for shell completion, their names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "profile.hpp"

namespace knockctl {

struct ProfilesArgs {
	std::optional<std::string> profile;	// --profile FILE
	bool json = false;
	bool names = false;	// --names: one HOST word per line (completion)
};

// What knock HOST matches a profile by: its name, else its address.
std::string profile_host(const ServerProfile &p);

// NAME, ADDRESS, SERVICE, KNOCK PORT, CLIENT ADDRESS, DISCOVER, SEQUENCE
// (only when a profile sets one), KEY FILE; "-" for what a profile leaves
// unset. "no profiles in FILE" when @list is empty.
std::string profiles_text(const std::vector<ServerProfile> &list,
			  const std::string &file);
// [{"name", "address", "service", "knock_port", "public_key", "key_file",
//   "client_address", "discover", "sequence"}]: null for what is unset;
// "sequence" the parameters knock --sequence uses (the defaults when the
// profile has none), null for sequence = false.
nlohmann::json profiles_json(const std::vector<ServerProfile> &list);

// Lists the profile file's profiles. Without the file: an Error naming
// the path looked at (with names: nothing, exit 0, as there is nothing
// to complete); an invalid file: the loader's ConfigError.
void do_profiles(Context &ctx, const ProfilesArgs &args);

} // namespace knockctl
