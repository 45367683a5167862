// SPDX-License-Identifier: GPL-2.0 OR MIT
// From [[user]] tables to the module's users, and key rotation without a
// flag day (docs/config.md, "Key rotation"):
//
//   [server]
//   next_private_key_file = "/etc/nfknock/server-next.key"   # optional
//   [[user]]
//   name = "alice"
//   public_keys = ["OLD", "NEW"]      # or public_key = "KEY"
//
// Each public key of a user, with each server key (the current one and the
// next one), is one user of the module, with its own derived keys, replay
// floor and max_grants count. The module keeps users by fingerprint and
// refuses two with the same name, so each gets its own: NAME, NAME#2,
// NAME@next, NAME#2@next, and BLAKE2b-64(client_pk) or, with the next
// server key, BLAKE2b-64(client_pk || next_server_pk).
#include <algorithm>
#include <map>

#include "config_internal.hpp"

namespace knockctl {

namespace {

std::string plural(std::size_t n, const char *word)
{
	return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// "its second public key", "its key with the next server key", ...
std::string kernel_user_role(std::size_t key, bool next)
{
	std::string r = key ? "its second public key" : "its key";
	return next ? r + " with the next server key" : r;
}

} // namespace

std::string kernel_user_name(const std::string &name, std::size_t key, bool next)
{
	std::string n = name;

	if (key)
		n += "#" + std::to_string(key + 1);
	if (next)
		n += "@next";
	return n;
}

std::string kernel_users_text(std::size_t users, std::size_t keys,
			      std::size_t server_keys)
{
	if (keys == users && server_keys == 1)
		return {};
	std::string text = plural(keys * server_keys, "kernel user") + " (" +
			   (keys == users ? plural(users, "user") :
					    plural(keys, "public key") + " of " +
						    plural(users, "user"));
	if (server_keys > 1)
		text += " x " + std::to_string(server_keys) + " server keys";
	return text + ")";
}

std::size_t config_user_count(const LoadedConfig &cfg)
{
	std::size_t n = 0;

	for (const KernelUser &ku : cfg.users)
		n += ku.key == 0 && !ku.next;
	return n;
}

std::string kernel_users_text(const LoadedConfig &cfg)
{
	std::size_t keys = 0;

	for (const KernelUser &ku : cfg.users)
		keys += !ku.next;
	return kernel_users_text(config_user_count(cfg), keys,
				 cfg.next_server_key ? 2 : 1);
}

std::vector<std::string> rotation_notes(const LoadedConfig &cfg)
{
	std::vector<std::string> out;
	const KernelUser *first = nullptr;

	for (const KernelUser &ku : cfg.users) {
		if (ku.next)
			break;
		if (ku.key == 0) {
			first = &ku;
			continue;
		}
		out.push_back("note: user " + first->user.name + ": 2 public keys, "
			      "loaded as " + first->user.name + " (fingerprint " +
			      fingerprint_hex(first->user.fpr) + ") and " +
			      ku.user.name + " (fingerprint " +
			      fingerprint_hex(ku.user.fpr) + "), each with its own "
			      "replay floor and max_grants: remove the old key "
			      "once its clients have moved to the new one "
			      "(knockctl users shows each one's last knock)");
	}
	if (cfg.next_server_key) {
		const std::string pk = key_to_base64(*cfg.next_server_key);

		out.push_back("note: next server key " + pk +
			      " (server.next_private_key_file): every user's "
			      "keys are also loaded with it (NAME@next), so "
			      "clients can already knock with --server-key " + pk +
			      "; once they all do, make it private_key_file and "
			      "remove next_private_key_file");
	}
	const std::size_t users = config_user_count(cfg);
	if (cfg.users.size() > NFKNOCK_USERNS_USERS_MAX &&
	    users <= NFKNOCK_USERNS_USERS_MAX)
		out.push_back("note: " + kernel_users_text(cfg) + ": above " +
			      std::to_string(NFKNOCK_USERNS_USERS_MAX) +
			      ", the most the module takes in a namespace of an "
			      "unprivileged user namespace (apply fails there)");
	return out;
}

namespace config_detail {

void parse_user_keys(Problems &p, const toml::table &t, const std::string &field,
		     ConfigUser &u)
{
	const toml::node *one = t.get("public_key");
	const toml::node *list = t.get("public_keys");
	const auto add = [&](const toml::node &n, const std::string &f) {
		const std::string *s = get_string(p, &n, f);

		if (!s)
			return;
		if (auto pk = decode_public_key(*s))
			u.keys.push_back({*pk, f, line_of(n)});
		else
			p.add(line_of(n), f,
			      public_key_problem(*s, "the user's public key (what "
						     "knockctl pubkey prints on the "
						     "client)"));
	};

	if (one && list) {
		p.add(line_of(*list), field + ".public_keys",
		      "public_key is given too: one key goes in public_key, two "
		      "(while clients move to a new key) in public_keys");
		return;
	}
	if (one) {
		add(*one, field + ".public_key");
		return;
	}
	if (!list) {
		p.add(u.line, field + ".public_key", "missing");
		return;
	}
	const toml::array *a = get_array(p, list, field + ".public_keys");
	if (!a)
		return;
	static_assert(USER_KEYS_MAX == 2, "the message");
	if (a->empty() || a->size() > USER_KEYS_MAX)
		p.add(line_of(*list), field + ".public_keys",
		      "1 to 2 public keys (the old and the new one while clients "
		      "move)");
	for (std::size_t i = 0; i < a->size(); i++)
		add((*a)[i], at(field + ".public_keys", i));
}

void check_user_keys(Problems &p, const ServerConfig &cfg)
{
	const bool next = cfg.next_private_key_file.has_value();
	std::map<Fingerprint, std::string> fprs;
	std::map<std::string, std::size_t> plain, derived;
	std::size_t keys = 0, crossed = 0;

	for (std::size_t i = 0; i < cfg.users.size(); i++) {
		const ConfigUser &u = cfg.users[i];

		for (const ConfigKey &k : u.keys) {
			// An all-zero key is refused when loaded (weak).
			if (k.key == PublicKey{})
				continue;
			const std::string self = k.field == at("user", i) + ".public_key" ?
							 at("user", i) : k.field;
			const auto [it, fresh] = fprs.emplace(fingerprint(k.key), self);
			if (!fresh)
				p.add(k.line, k.field,
				      "duplicate public key (" + it->second + ")");
		}
		keys += u.keys.size();
		if (!crossed && keys > NFKNOCK_USERS_MAX)
			crossed = i + 1;
		if (!u.name.empty())
			plain.emplace(u.name, i);
	}

	// The names of the other kernel users: within the module's limit, and
	// none equal to another's (a user's own name was checked by then).
	for (std::size_t i = 0; i < cfg.users.size(); i++) {
		const ConfigUser &u = cfg.users[i];
		const std::string field = at("user", i) + ".name";

		// More keys than USER_KEYS_MAX are refused already.
		const std::size_t n_keys = std::min(u.keys.size(), USER_KEYS_MAX);

		if (u.name.empty() || !n_keys)
			continue;
		// The longest of its names, said once.
		const std::size_t last = n_keys - 1;
		if (const std::string name = kernel_user_name(u.name, last, next);
		    name.size() > NFKNOCK_NAME_MAX) {
			p.add(u.name_line, field,
			      u.name + ": " + kernel_user_role(last, next) +
				      " is loaded as " + name + ", " +
				      std::to_string(name.size()) + " bytes (" +
				      std::to_string(NFKNOCK_NAME_MAX) +
				      " at most): shorten the name");
			continue;
		}
		for (std::size_t key = 0; key < n_keys; key++) {
			for (const bool with_next : {false, true}) {
				if ((key == 0 && !with_next) || (with_next && !next))
					continue;
				const std::string name = kernel_user_name(u.name, key, with_next);
				const std::string role = u.name + ": " +
							 kernel_user_role(key, with_next) +
							 " is loaded as " + name;

				if (const auto it = plain.find(name); it != plain.end())
					p.add(u.name_line, field,
					      role + ", the name of " + at("user", it->second));
				const auto [it, fresh] = derived.emplace(name, i);
				if (!fresh && it->second != i)
					p.add(u.name_line, field,
					      role + ", a name " + at("user", it->second) +
						      " also loads");
			}
		}
	}

	// The module takes NFKNOCK_USERS_MAX users: past it by a user's own
	// count, parse_users says so.
	const std::size_t servers = next ? 2 : 1;
	if (cfg.users.size() <= NFKNOCK_USERS_MAX && keys * servers > NFKNOCK_USERS_MAX) {
		const std::string text =
			kernel_users_text(cfg.users.size(), keys, servers) +
			": too many users (" + std::to_string(NFKNOCK_USERS_MAX) +
			" at most)";
		if (crossed)
			p.add(cfg.users[crossed - 1].line, "user", text);
		else
			p.add(cfg.next_key_file_line, "server.next_private_key_file", text);
	}
}

void load_users(Problems &p, const ServerConfig &cfg, const PrivateKey &sk,
		const std::optional<PrivateKey> &next, LoadedConfig &out)
{
	for (const bool with_next : {false, true}) {
		if (with_next && !next)
			break;
		const PrivateKey &server = with_next ? *next : sk;
		const PublicKey server_pk = public_key(server);

		for (std::size_t i = 0; i < cfg.users.size(); i++) {
			const ConfigUser &cu = cfg.users[i];

			for (std::size_t key = 0; key < cu.keys.size(); key++) {
				const ConfigKey &k = cu.keys[key];
				KernelUser ku;
				User &u = ku.user;

				ku.index = i;
				ku.key = key;
				ku.next = with_next;
				u.name = kernel_user_name(cu.name, key, with_next);
				u.fpr = with_next ? next_fingerprint(k.key, server_pk) :
						    fingerprint(k.key);
				u.allow = cu.allow;
				u.sources = cu.sources;
				u.max_duration_s = cu.max_duration_s;
				u.expires_s = cu.expires_s;
				u.max_grants = cu.max_grants;
				u.seq = cu.seq;
				u.flags = (cu.enabled ? 0 : NFKNOCK_USER_F_DISABLED) |
					  (cu.require_address ?
						   NFKNOCK_USER_F_REQUIRE_ADDRESS : 0);
				try {
					ku.keys = server_side_keys(server, k.key);
				} catch (const Error &e) {
					// Weak whatever the server key: said once.
					if (!with_next)
						p.add(k.line, k.field, e.what());
					continue;
				}
				out.users.push_back(std::move(ku));
			}
		}
	}
	if (next)
		out.next_server_key = public_key(*next);
}

} // namespace config_detail

} // namespace knockctl
