// SPDX-License-Identifier: GPL-2.0 OR MIT
// The server configuration (/etc/nfknock/nfknock.conf, TOML, docs/config.md).
//
// Two pure steps, no kernel involved, so tests and fuzzers call them:
//   parse_config()  text -> ServerConfig, every syntax/type/range problem;
//   load_config()   ServerConfig + a key-file loader -> what apply sends
//                   (reads the server key, and the next one if given,
//                   derives every user's keys: one kernel user per
//                   public key and server key, key_rotation.cpp).
// Every problem is one line "FILE:LINE: FIELD: PROBLEM", e.g.
//   nfknock.conf:14: user[1].allow[0]: tcp/70000: port out of range
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <linux/nfknock.h>

#include "derive.hpp"
#include "errors.hpp"
#include "keys.hpp"
#include "model.hpp"

namespace knockctl {

inline constexpr const char *DEFAULT_CONFIG = "/etc/nfknock/nfknock.conf";
inline constexpr const char *DEFAULT_SERVER_KEY = "/etc/nfknock/server.key";
inline constexpr const char *DEFAULT_KNOCK_PORT = "udp/62201";
inline constexpr uint32_t DEFAULT_MAX_DURATION_S = 60;
// A static sequence's grant ([[sequence]] for) when not given.
inline constexpr uint32_t DEFAULT_STATIC_SEQ_FOR_S = 30;
// [lockout] when not given: the module's defaults (kmod/core/lockout.h).
inline constexpr uint32_t DEFAULT_LOCKOUT_THRESHOLD = 5;
inline constexpr uint32_t DEFAULT_LOCKOUT_WINDOW_MS = 60000;
inline constexpr uint32_t DEFAULT_LOCKOUT_DURATION_MS = 300000;
// At most this many problems are listed.
inline constexpr std::size_t CONFIG_MAX_ERRORS = 20;

// A user name is 1..NFKNOCK_NAME_MAX bytes of printable ASCII other than
// space (0x21..0x7e), as the module requires (it can then never forge a log
// line or a field). The one place knockctl checks it.
bool valid_user_name(std::string_view name);
inline constexpr const char *USER_NAME_RULE =
	"only printable ASCII without spaces (0x21-0x7e), 1..32 bytes";
static_assert(NFKNOCK_NAME_MAX == 32, "USER_NAME_RULE says 32");

// A [[user]] has one public key (public_key) or, while its clients move to
// a new one, two (public_keys = [OLD, NEW]): docs/config.md, "Key rotation".
inline constexpr std::size_t USER_KEYS_MAX = 2;

struct ConfigKey {
	PublicKey key{};
	std::string field;	// "user[0].public_key", "user[0].public_keys[1]"
	int line = 0;
};

struct ConfigUser {
	std::string name;
	std::vector<ConfigKey> keys;	// 1..USER_KEYS_MAX
	std::vector<Service> allow;
	std::vector<Prefix> sources;
	uint32_t max_duration_s = DEFAULT_MAX_DURATION_S;
	uint64_t expires_s = 0;		// unix seconds, 0 = never
	bool require_address = true;	// NFKNOCK_USER_F_REQUIRE_ADDRESS
	bool enabled = true;
	uint32_t max_grants = NFKNOCK_USER_GRANTS_DEFAULT;
	std::optional<Sequence> seq;	// sequence = true or a table
	int line = 0;			// of the [[user]] table
	int name_line = 0;		// of name
};

struct ServerConfig {
	std::string private_key_file = DEFAULT_SERVER_KEY;
	int key_file_line = 0;
	// server.next_private_key_file: a next server key that clients can
	// already knock with; every user's keys are also loaded derived with
	// it (docs/config.md, "Key rotation").
	std::optional<std::string> next_private_key_file;
	int next_key_file_line = 0;
	std::vector<Service> knock_ports;
	uint32_t skew_ms = NFKNOCK_SKEW_DEFAULT_MS;
	uint8_t knock_packets = NFKNOCK_KNOCK_PASS;
	uint8_t guard_action = NFKNOCK_ACTION_RESET;
	uint32_t udp_idle_ms = NFKNOCK_UDP_IDLE_DEFAULT_MS;
	// limits.grants; not given, TXN_BEGIN leaves the grant cap out and the
	// module takes its default (65536, or 4096 in an unprivileged
	// namespace, where a larger cap is refused).
	std::optional<uint32_t> grants;
	// limits.progress; not given, the module takes its default (4096,
	// also its ceiling in an unprivileged namespace).
	std::optional<uint32_t> progress;
	// limits.sources; not given, the module takes its default (16384, or
	// 4096 in an unprivileged namespace, where more is refused).
	std::optional<uint32_t> sources;
	// [lockout], each key optional; apply sends all three.
	uint32_t lockout_threshold = DEFAULT_LOCKOUT_THRESHOLD;	// 0: off
	uint32_t lockout_window_ms = DEFAULT_LOCKOUT_WINDOW_MS;
	uint32_t lockout_duration_ms = DEFAULT_LOCKOUT_DURATION_MS;
	std::vector<Service> guards;
	std::vector<ConfigUser> users;
	std::vector<StaticSequence> static_seqs;	// [[sequence]]
};

// One user as the module loads it: one public key of a [[user]], with the
// keys derived from it and the current or the next server key. The module
// keeps users by fingerprint and refuses two with the same name, so each
// has its own (kernel_user_name(), next_fingerprint()).
struct KernelUser {
	User user;
	UserKeys keys;
	std::size_t index = 0;	// of its [[user]] table
	std::size_t key = 0;	// of the table's public keys
	bool next = false;	// derived with server.next_private_key_file
};

// Everything apply sends, in order: TXN_BEGIN params, guards, knock ports,
// users with their derived keys, static sequences.
struct LoadedConfig {
	TxnParams params;
	std::vector<Service> guards;
	std::vector<Service> knock_ports;
	// Every [[user]]'s public keys with the current server key, in file
	// order, then the same with the next server key when there is one.
	std::vector<KernelUser> users;
	std::vector<StaticSequence> static_seqs;
	// server.next_private_key_file's public key.
	std::optional<PublicKey> next_server_key;
};

// Every problem found (one line each, without "knockctl: "). what() is all
// of them (up to CONFIG_MAX_ERRORS, then "N more errors") joined so that
// run() prints each on its own "knockctl: " line.
class ConfigError : public Error {
public:
	explicit ConfigError(std::vector<std::string> problems);
	const std::vector<std::string> &problems() const { return problems_; }

private:
	std::vector<std::string> problems_;
};

using KeyLoader = std::function<PrivateKey(const std::string &path)>;

// @name is the file name used in messages. Throws ConfigError.
ServerConfig parse_config(std::string_view text, const std::string &name);

// Throws ConfigError (key file unusable, weak user key).
LoadedConfig load_config(const ServerConfig &cfg, const std::string &name,
			 const KeyLoader &load_key);

// The name of the kernel user of public key @key (0-based) of the [[user]]
// @name, derived with the next server key when @next: NAME, NAME#2,
// NAME@next, NAME#2@next.
std::string kernel_user_name(const std::string &name, std::size_t key, bool next);

// The kernel users of @users [[user]] tables with @keys public keys in all
// and @server_keys server keys (1, or 2 with a next one): "1200 kernel
// users (600 users x 2 server keys)", "3 kernel users (3 public keys of 2
// users)"; empty when it is one per [[user]].
std::string kernel_users_text(std::size_t users, std::size_t keys,
			      std::size_t server_keys);
// The same for a loaded configuration.
std::string kernel_users_text(const LoadedConfig &cfg);
// The number of [[user]] tables of @cfg.
std::size_t config_user_count(const LoadedConfig &cfg);

// check's notes (without "knockctl: "): one per user with two public keys
// (drop the old one once its clients moved), one for a next server key
// (its public key, what to do once every client uses it), and one when
// the kernel users are more than the [[user]] tables and above what a
// namespace of an unprivileged user namespace takes.
std::vector<std::string> rotation_notes(const LoadedConfig &cfg);

// Read @path, parse, load. Throws Error if unreadable, else ConfigError.
LoadedConfig load_config_file(const std::string &path, const KeyLoader &load_key);

// "0.0.0.0/0", "2001:db8::/32", or an address alone (full length). Throws
// UsageError "<text>: <problem>" (invalid address, invalid prefix length,
// host bits set).
Prefix parse_prefix(std::string_view text);
std::string format_prefix(const Prefix &p);

// RFC 3339 date-time with Z or an offset ("2027-01-01T00:00:00Z") or a date
// ("2027-01-01", midnight UTC) -> unix seconds. Throws UsageError.
uint64_t parse_rfc3339(std::string_view text);
// "2027-01-01T00:00:00Z"
std::string format_rfc3339(uint64_t unix_s);

} // namespace knockctl
