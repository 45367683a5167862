// SPDX-License-Identifier: GPL-2.0 OR MIT
// Inside the server configuration's parser: the problem list and the value
// readers that config.cpp, static_sequence_config.cpp and
// lockout_config.cpp share, as
// codec_internal.hpp is inside the codec. Not for other callers; they use
// config.hpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config.hpp"

namespace knockctl::config_detail {

// Problems with the line they are on, sorted by line at the end (a toml++
// table iterates its keys in name order, not file order).
class Problems {
public:
	explicit Problems(const std::string &name) : name_(name) {}

	void add(int line, const std::string &field, const std::string &problem)
	{
		std::string text = name_ + ":" + std::to_string(line) + ": ";
		if (!field.empty())
			text += field + ": ";
		list_.push_back({line, seq_++, text + problem});
	}

	bool empty() const { return list_.empty(); }

	[[noreturn]] void raise()
	{
		std::sort(list_.begin(), list_.end(), [](const Item &a, const Item &b) {
			return a.line != b.line ? a.line < b.line : a.seq < b.seq;
		});
		std::vector<std::string> out;
		for (Item &i : list_)
			out.push_back(std::move(i.text));
		throw ConfigError(std::move(out));
	}

private:
	struct Item {
		int line;
		int seq;
		std::string text;
	};
	const std::string &name_;
	std::vector<Item> list_;
	int seq_ = 0;
};

int line_of(const toml::node &n);
// "prefix.key" ("key" at the top level).
std::string sub(const std::string &prefix, std::string_view key);
// "field[i]"
std::string at(const std::string &field, std::size_t i);

// Every key of @t that is not @known is a problem: "unknown key".
void check_keys(Problems &p, const toml::table &t, const std::string &prefix,
		std::initializer_list<std::string_view> known);

// Each reads an optional value: nullptr / nullopt when @n is absent or
// (after saying so) of the wrong type or out of range.
const std::string *get_string(Problems &p, const toml::node *n,
			      const std::string &field);
std::optional<bool> get_bool(Problems &p, const toml::node *n,
			     const std::string &field);
// An integer within [min, max].
std::optional<uint32_t> get_integer(Problems &p, const toml::node *n,
				    const std::string &field, int64_t min,
				    int64_t max);
const toml::array *get_array(Problems &p, const toml::node *n,
			     const std::string &field);
// A duration string within [min_ms, max_ms]; @range is the text of the
// bounds for the message.
std::optional<uint32_t> get_duration(Problems &p, const toml::node *n,
				     const std::string &field, uint32_t min_ms,
				     uint32_t max_ms, const char *range);
// A duration of whole seconds within [min_ms, max_ms], in milliseconds.
std::optional<uint32_t> get_whole_seconds(Problems &p, const toml::node *n,
					  const std::string &field, uint32_t min_ms,
					  uint32_t max_ms, const char *range);
// A grant's duration: whole seconds, 1s..NFKNOCK_DURATION_MAX_S; seconds.
std::optional<uint32_t> get_grant_seconds(Problems &p, const toml::node *n,
					  const std::string &field);

// Strings of an array, each with its node; non-strings are reported.
std::vector<std::pair<std::string, const toml::node *>>
string_items(Problems &p, const toml::array *a, const std::string &field);

// Tables of an array of tables ([[guard]], [[user]], [[sequence]]).
std::vector<const toml::table *> tables(Problems &p, const toml::node *n,
					const std::string &field);

// @s in double quotes, every byte outside 0x20..0x7e, the quote and the
// backslash escaped, so a message never carries control characters.
std::string quoted(std::string_view s);

// static_sequence_config.cpp: the [[sequence]] tables of @n into
// cfg.static_seqs.
void parse_static_sequences(Problems &p, const toml::node *n, ServerConfig &cfg);

// lockout_config.cpp: the [lockout] table @n into cfg.lockout_*.
void parse_lockout(Problems &p, const toml::node &n, ServerConfig &cfg);

// kernel_users.cpp: public_key or public_keys of the [[user]] @t into
// u.keys.
void parse_user_keys(Problems &p, const toml::table &t, const std::string &field,
		     ConfigUser &u);
// kernel_users.cpp: what the kernel users of cfg.users must be, seen from
// the file: no public key twice (within a user or across users), every
// kernel user's name (kernel_user_name) within NFKNOCK_NAME_MAX and
// unique, at most NFKNOCK_USERS_MAX of them.
void check_user_keys(Problems &p, const ServerConfig &cfg);
// kernel_users.cpp: the kernel users of cfg.users into out.users, derived
// with @sk, then with @next when given (out.next_server_key its public
// key); a weak public key is a problem.
void load_users(Problems &p, const ServerConfig &cfg, const PrivateKey &sk,
		const std::optional<PrivateKey> &next, LoadedConfig &out);

} // namespace knockctl::config_detail
