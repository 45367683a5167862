// SPDX-License-Identifier: GPL-2.0 OR MIT
// Human tables and JSON for what knockctl reads from the module.
// The JSON shapes are documented in docs/knockctl.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace knockctl {

// "drop", "reset", or "unknown-N" for a value this version does not know.
std::string action_name(uint8_t action);

// "pass", "drop", or "unknown-N".
std::string knock_packets_name(uint8_t value);

// 16 hex digits of a key fingerprint.
std::string fpr_hex(const std::array<uint8_t, 8> &fpr);

// "2026-11-25T15:00:00.123Z"
std::string format_unix_ms(uint64_t ms);

// The all-zero fingerprint of a grant made by an administrator.
bool is_admin(const std::array<uint8_t, 8> &fpr);

// User names by fingerprint (from GET_USERS), to name a grant's user.
using UserNames = std::map<std::array<uint8_t, 8>, std::string>;
UserNames user_names(const std::vector<User> &users);

// The name of a grant's user if @names knows its fingerprint, else 16 hex
// characters of the fingerprint; "admin" for the all-zero fingerprint of a
// grant made by an administrator.
std::string grant_user(const std::array<uint8_t, 8> &fpr, const UserNames &names = {});

// The module's static sequences (GET_STATIC_SEQS), or nothing from a
// module without them.
using StaticSeqs = std::optional<std::vector<StaticSequence>>;

// "static sequence NAME: tcp/7000 udp/8000 -> tcp/22 for 30s"
std::string static_seq_text(const StaticSequence &s);

// With @seqs, "static_sequences": [{name, knock, opens, for_s}, ...];
// null without. "confirm_left_ms": the time left to confirm a
// configuration on trial, null when none is.
nlohmann::json status_json(const Status &s, const StaticSeqs &seqs = std::nullopt);
// Sequence parameters, {"length", "range", "proto", "window_s"}; null for
// none (a user's, a profile's).
nlohmann::json sequence_json(const std::optional<Sequence> &s);
nlohmann::json users_json(const std::vector<User> &users);
nlohmann::json knock_ports_json(const std::vector<Service> &ports);
nlohmann::json guards_json(const std::vector<Service> &guards);
// "user" is the fingerprint (null for admin), "user_name" the name when known.
nlohmann::json grants_json(const std::vector<Grant> &grants, const UserNames &names = {});

// Each ends with a newline; empty lists give "no guards" / "no grants".
// After the parameters, trial_line() (trial.hpp) while a configuration is
// on trial, then each of @seqs on a line of its own.
std::string status_text(const Status &s, const StaticSeqs &seqs = std::nullopt);
std::string guards_text(const std::vector<Service> &guards);
std::string grants_text(const std::vector<Grant> &grants, const UserNames &names = {});
std::string users_text(const std::vector<User> &users);
std::string knock_ports_text(const std::vector<Service> &ports);

// Left-aligned columns separated by two spaces, no trailing blanks.
std::string table(const std::vector<std::vector<std::string>> &rows);

} // namespace knockctl
