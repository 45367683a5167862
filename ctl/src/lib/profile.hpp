// SPDX-License-Identifier: GPL-2.0 OR MIT
// Client profiles ($XDG_CONFIG_HOME/nfknock/client.toml, else
// ~/.config/nfknock/client.toml; docs/knockctl.md):
//
//   [[server]]
//   name = "home"                       # what "knockctl knock home" matches
//   address = "vpn.example.org"         # host name or literal address
//   public_key = "…base64…"             # the server's public key
//   knock_port = "udp/62201"            # default
//   key_file = "~/.config/nfknock/client.key"  # own private key (0600)
//   service = "tcp/22"                  # default for --open
//   client_address = "auto"             # default; or "observed" or an address
//   discover = "stun:stun.example.org"  # or "https://…", for auto behind NAT
//   sequence = { length = 4, range = "10000-65000", proto = "tcp",
//                window = "30s" }       # or true: the server's parameters
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keys.hpp"
#include "model.hpp"

namespace knockctl {

// Under $XDG_CONFIG_HOME, else under $HOME/.config.
inline constexpr const char *PROFILE_RELATIVE = "nfknock/client.toml";

struct ServerProfile {
	std::string name;
	std::string address;
	std::optional<PublicKey> public_key;
	Service knock_port;		// udp, single port
	std::string key_file;		// "~/" expanded against $HOME
	std::optional<Service> service;	// single port
	std::string client_address;	// "", auto, observed or an address
	std::string discover;		// "" or stun:HOST[:PORT] / https://URL
	// The parameters of the user's derived sequences, as the server's
	// config has them (sequence_config.hpp); absent: the defaults.
	std::optional<Sequence> sequence;
	bool sequence_off = false;	// sequence = false: the server has none
};

// Throws ConfigError (config.hpp) with "FILE:LINE: FIELD: PROBLEM" lines.
std::vector<ServerProfile> parse_profile(std::string_view text,
					 const std::string &name,
					 const std::string &home);

// The entry whose name, else whose address, equals @host.
const ServerProfile *find_profile(const std::vector<ServerProfile> &list,
				  const std::string &host);

// The profile file a client command reads: @file (--profile), else
// $XDG_CONFIG_HOME/nfknock/client.toml when that variable is an absolute
// path (the XDG base directory rule: a relative one is ignored), else
// $HOME/.config/nfknock/client.toml; "" when neither variable is set.
std::string profile_path(const std::optional<std::string> &file);

// A profile file as read: where it was looked for, whether it was there,
// and its profiles.
struct ProfileFile {
	std::string path;	// profile_path(); "" without $HOME
	bool found = false;
	std::vector<ServerProfile> profiles;
};

// Reads profile_path(@file). A missing default file is not an error
// (found false: knock and sequence then need their options); a missing
// --profile FILE is. Throws Error if unreadable, ConfigError if invalid.
ProfileFile read_profile_file(const std::optional<std::string> &file);

// read_profile_file(@file).profiles: what knock and sequence match HOST in.
std::vector<ServerProfile> load_profiles(const std::optional<std::string> &file);

// Where a client command's keys come from: the command line's, else the
// profile's.
struct ClientKeySource {
	PublicKey server_pk{};
	std::string key_file;
};

// @server_pk (--server-key) and @key_file (--key), else @prof's; UsageError
// "<what>: no server public key (--server-key or a profile)" or "... no
// private key file (--key or a profile)", @what naming the command
// ("knock home").
ClientKeySource client_key_source(const std::string &what,
				  const std::optional<PublicKey> &server_pk,
				  const std::optional<std::string> &key_file,
				  const ServerProfile *prof);

} // namespace knockctl
