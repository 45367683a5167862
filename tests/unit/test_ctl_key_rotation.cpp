// SPDX-License-Identifier: GPL-2.0 OR MIT
// Key rotation without a flag day (docs/config.md, "Key rotation"): a
// [[user]] with two public keys (public_keys), a next server key
// (server.next_private_key_file), every error text, and the kernel users
// apply sends for them (one per user, public key and server key: names,
// fingerprints, derived keys) through the real CLI with the fake module
// (cli_harness.hpp); a knock with either key and either server key is
// taken by exactly the kernel user made for that pair.
#include <catch2/catch.hpp>

#include <linux/nfknock.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "config.hpp"
#include "config_errors.hpp"
#include "derive.hpp"
#include "spa.h"

using namespace knockctl;
using namespace knockctl::test;

namespace {

// Server keys (current and next) and client keys; the fake loader knows
// the two server key files by name.
struct RotKeys {
	PrivateKey server = generate_private_key();
	PrivateKey next = generate_private_key();
	PrivateKey old_key = generate_private_key();
	PrivateKey new_key = generate_private_key();
	PrivateKey bob = generate_private_key();
	std::string old_pk = key_to_base64(public_key(old_key));
	std::string new_pk = key_to_base64(public_key(new_key));
	std::string bob_pk = key_to_base64(public_key(bob));
};

const RotKeys &rot_keys()
{
	static const RotKeys k;
	return k;
}

PrivateKey rot_loader(const std::string &path)
{
	if (path == "/etc/nfknock/server.key")
		return rot_keys().server;
	if (path == "/etc/nfknock/server-next.key")
		return rot_keys().next;
	throw Error(path + ": No such file or directory");
}

LoadedConfig rot_load(const std::string &text)
{
	return load_config(parse_config(text, "nfknock.conf"), "nfknock.conf", rot_loader);
}

std::string rot_problem(const std::string &text)
{
	return only_problem([&] { rot_load(text); });
}

const char *const NEXT = "[server]\nnext_private_key_file = \"/etc/nfknock/server-next.key\"\n";

// alice (line 1) with @keys (the TOML text after "public_keys = " or a
// whole "public_key = ..." line), allow on the line after it.
std::string rot_alice(const std::string &keys_line)
{
	return "[[user]]\nname = \"alice\"\n" + keys_line + "\nallow = [\"tcp/22\"]\n";
}

std::string rot_list(const std::vector<std::string> &keys)
{
	std::string s = "public_keys = [";
	for (std::size_t i = 0; i < keys.size(); i++)
		s += (i ? ", \"" : "\"") + keys[i] + "\"";
	return s + "]";
}

std::vector<std::string> rot_names(const LoadedConfig &l)
{
	std::vector<std::string> v;
	for (const KernelUser &ku : l.users)
		v.push_back(ku.user.name);
	return v;
}

// The module's rules for a user set (nfknock_userset_build): no two users
// with the same fingerprint or the same name.
void require_module_takes(const std::vector<User> &users)
{
	std::set<std::string> names;
	std::set<Fingerprint> fprs;

	for (const User &u : users) {
		INFO(u.name);
		REQUIRE(valid_user_name(u.name));
		REQUIRE(names.insert(u.name).second);
		REQUIRE(fprs.insert(u.fpr).second);
	}
}

// n [[user]] tables with distinct (not necessarily valid X25519) keys:
// parse_config derives nothing. @list: as public_keys with two keys each.
std::string rot_many_users(std::size_t n, bool two_keys)
{
	std::string text;

	for (std::size_t i = 0; i < n; i++) {
		PublicKey a{}, b{};
		for (std::size_t j = 0; j < 4; j++) {
			a[j] = uint8_t(i >> (8 * j));
			b[j] = uint8_t(i >> (8 * j));
		}
		a[31] = 1;
		b[31] = 2;
		text += "[[user]]\nname = \"u" + std::to_string(i) + "\"\n" +
			(two_keys ? rot_list({key_to_base64(a), key_to_base64(b)}) :
				    "public_key = \"" + key_to_base64(a) + "\"") +
			"\nallow = [\"tcp/22\"]\n";
	}
	return text;
}

} // namespace

TEST_CASE("key rotation: public_keys with one or two keys")
{
	const RotKeys &k = rot_keys();

	SECTION("one key in public_keys is public_key") {
		const LoadedConfig one = rot_load(rot_alice(rot_list({k.old_pk})));
		const LoadedConfig same = rot_load(rot_alice("public_key = \"" + k.old_pk + "\""));

		REQUIRE(rot_names(one) == std::vector<std::string>{"alice"});
		REQUIRE(one.users[0].user == same.users[0].user);
		REQUIRE(one.users[0].keys.k_aead == same.users[0].keys.k_aead);
		REQUIRE(one.users[0].user.fpr == fingerprint(public_key(k.old_key)));
		REQUIRE(kernel_users_text(one).empty());
		REQUIRE(rotation_notes(one).empty());
	}
	SECTION("two keys: two kernel users with the same policy") {
		const LoadedConfig l = rot_load(
			"[[user]]\nname = \"alice\"\n" + rot_list({k.old_pk, k.new_pk}) +
			"\nallow = [\"tcp/22\", \"udp/53\"]\nmax_grants = 3\n"
			"require_address = false\nsequence = true\n");

		REQUIRE(rot_names(l) == std::vector<std::string>{"alice", "alice#2"});
		const User &a = l.users[0].user, &b = l.users[1].user;
		REQUIRE(a.fpr == fingerprint(public_key(k.old_key)));
		REQUIRE(b.fpr == fingerprint(public_key(k.new_key)));
		REQUIRE(l.users[0].keys.k_hint ==
			client_side_keys(k.old_key, public_key(k.server)).k_hint);
		REQUIRE(l.users[1].keys.k_aead ==
			client_side_keys(k.new_key, public_key(k.server)).k_aead);
		REQUIRE(l.users[1].keys.k_seq ==
			client_side_keys(k.new_key, public_key(k.server)).k_seq);
		// Everything else is the table's.
		User b_as_a = b;
		b_as_a.name = a.name;
		b_as_a.fpr = a.fpr;
		REQUIRE(b_as_a == a);
		REQUIRE(b.max_grants == 3u);
		REQUIRE(b.flags == 0);
		REQUIRE(b.seq);
		REQUIRE(l.users[1].index == 0);
		REQUIRE(l.users[1].key == 1);
		REQUIRE_FALSE(l.users[1].next);
		require_module_takes({a, b});
		REQUIRE(config_user_count(l) == 1);
		REQUIRE(kernel_users_text(l) == "2 kernel users (2 public keys of 1 user)");
	}
}

TEST_CASE("key rotation: public_keys problems name file, line and field")
{
	const RotKeys &k = rot_keys();
	const std::string two = rot_list({k.old_pk, k.new_pk});

	SECTION("the same key twice in a user") {
		REQUIRE(rot_problem(rot_alice(rot_list({k.old_pk, k.old_pk}))) ==
			"nfknock.conf:3: user[0].public_keys[1]: duplicate public key "
			"(user[0].public_keys[0])");
	}
	SECTION("a key of another user") {
		REQUIRE(rot_problem(rot_alice(two) + "[[user]]\nname = \"bob\"\n"
						     "public_key = \"" + k.new_pk +
				    "\"\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:7: user[1].public_key: duplicate public key "
			"(user[0].public_keys[1])");
		REQUIRE(rot_problem(rot_alice("public_key = \"" + k.old_pk + "\"") +
				    "[[user]]\nname = \"bob\"\n" +
				    rot_list({k.bob_pk, k.old_pk}) +
				    "\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:7: user[1].public_keys[1]: duplicate public key "
			"(user[0])");
	}
	SECTION("public_key and public_keys both") {
		REQUIRE(rot_problem(rot_alice("public_key = \"" + k.old_pk + "\"\n" + two)) ==
			"nfknock.conf:4: user[0].public_keys: public_key is given too: "
			"one key goes in public_key, two (while clients move to a new "
			"key) in public_keys");
	}
	SECTION("neither: public_key is missing, as ever") {
		REQUIRE(rot_problem("[[user]]\nname = \"alice\"\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:1: user[0].public_key: missing");
	}
	SECTION("an empty list, three keys") {
		const std::string count = "nfknock.conf:3: user[0].public_keys: 1 to 2 "
					  "public keys (the old and the new one while "
					  "clients move)";
		REQUIRE(rot_problem(rot_alice("public_keys = []")) == count);
		REQUIRE(rot_problem(rot_alice(rot_list({k.old_pk, k.new_pk, k.bob_pk}))) ==
			count);
	}
	SECTION("types and key texts") {
		REQUIRE(rot_problem(rot_alice("public_keys = \"" + k.old_pk + "\"")) ==
			"nfknock.conf:3: user[0].public_keys: expected an array of strings");
		REQUIRE(rot_problem(rot_alice("public_keys = [\"" + k.old_pk + "\", 7]")) ==
			"nfknock.conf:3: user[0].public_keys[1]: expected a string");
		REQUIRE(rot_problem(rot_alice(rot_list({k.old_pk, "abc"}))) ==
			"nfknock.conf:3: user[0].public_keys[1]: invalid key (expected "
			"44 characters of base64)");
		REQUIRE(rot_problem(rot_alice(rot_list({"<alice's new key>"}))) ==
			"nfknock.conf:3: user[0].public_keys[0]: <alice's new key>: a "
			"placeholder: put the user's public key (what knockctl pubkey "
			"prints on the client) here");
		REQUIRE(rot_problem(rot_alice(rot_list({k.old_pk,
							key_to_base64(PublicKey{})}))) ==
			"nfknock.conf:3: user[0].public_keys[1]: weak public key "
			"(all-zero shared secret)");
	}
	SECTION("a kernel user's name: within 32 bytes, and unique") {
		const std::string n30(30, 'x');
		REQUIRE_NOTHROW(rot_load("[[user]]\nname = \"" + n30 + "\"\n" + two +
					 "\nallow = [\"tcp/22\"]\n"));
		REQUIRE(rot_problem(std::string(NEXT) + "[[user]]\nname = \"" + n30 +
				    "\"\n" + two + "\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:4: user[0].name: " + n30 + ": its second public "
			"key with the next server key is loaded as " + n30 + "#2@next, "
			"37 bytes (32 at most): shorten the name");
		REQUIRE(rot_problem(rot_alice(two) + "[[user]]\nname = \"alice#2\"\n"
						     "public_key = \"" + k.bob_pk +
				    "\"\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:2: user[0].name: alice: its second public key is "
			"loaded as alice#2, the name of user[1]");
		REQUIRE(rot_problem(std::string(NEXT) + rot_alice("public_key = \"" +
								  k.old_pk + "\"") +
				    "[[user]]\nname = \"alice@next\"\npublic_key = \"" +
				    k.bob_pk + "\"\nallow = [\"tcp/22\"]\n") ==
			"nfknock.conf:4: user[0].name: alice: its key with the next "
			"server key is loaded as alice@next, the name of user[1]");
		// Without a next server key there is no alice@next.
		REQUIRE_NOTHROW(rot_load(rot_alice("public_key = \"" + k.old_pk + "\"") +
					 "[[user]]\nname = \"alice@next\"\npublic_key = \"" +
					 k.bob_pk + "\"\nallow = [\"tcp/22\"]\n"));
	}
}

TEST_CASE("key rotation: next_private_key_file")
{
	const RotKeys &k = rot_keys();
	const std::string users = rot_alice(rot_list({k.old_pk, k.new_pk})) +
				  "[[user]]\nname = \"bob\"\npublic_key = \"" + k.bob_pk +
				  "\"\nallow = [\"udp/53\"]\n";

	SECTION("every user and key again, derived with the next key") {
		const LoadedConfig l = rot_load(NEXT + users);

		REQUIRE(rot_names(l) == std::vector<std::string>{
					  "alice", "alice#2", "bob", "alice@next",
					  "alice#2@next", "bob@next"});
		REQUIRE(l.next_server_key == public_key(k.next));
		const PrivateKey *client[] = {&k.old_key, &k.new_key, &k.bob};
		std::vector<User> all;
		for (std::size_t i = 0; i < l.users.size(); i++) {
			const KernelUser &ku = l.users[i];
			const PrivateKey &c = *client[i % 3];
			const PrivateKey &server = i < 3 ? k.server : k.next;

			INFO(ku.user.name);
			REQUIRE(ku.next == (i >= 3));
			REQUIRE(ku.user.fpr ==
				(i < 3 ? fingerprint(public_key(c)) :
					 next_fingerprint(public_key(c), public_key(k.next))));
			REQUIRE(ku.keys.k_aead == client_side_keys(c, public_key(server)).k_aead);
			REQUIRE(ku.keys.k_hint == client_side_keys(c, public_key(server)).k_hint);
			REQUIRE(ku.user.allow == l.users[i % 3].user.allow);
			all.push_back(ku.user);
		}
		require_module_takes(all);
		REQUIRE(config_user_count(l) == 2);
		REQUIRE(kernel_users_text(l) ==
			"6 kernel users (3 public keys of 2 users x 2 server keys)");
	}
	SECTION("the fingerprint with the next key is another") {
		const PublicKey c = public_key(k.old_key);
		REQUIRE(next_fingerprint(c, public_key(k.next)) != fingerprint(c));
		REQUIRE(next_fingerprint(c, public_key(k.next)) !=
			next_fingerprint(c, public_key(k.server)));
	}
	SECTION("a file that is not there, the same key, an empty path") {
		REQUIRE(rot_problem("[server]\nnext_private_key_file = \"/nope\"\n" + users) ==
			"nfknock.conf:2: server.next_private_key_file: /nope: No such "
			"file or directory");
		REQUIRE(rot_problem("[server]\nnext_private_key_file = "
				    "\"/etc/nfknock/server.key\"\n" + users) ==
			"nfknock.conf:2: server.next_private_key_file: "
			"/etc/nfknock/server.key: the same key as server.private_key_file");
		REQUIRE(rot_problem("[server]\nnext_private_key_file = \"\"\n") ==
			"nfknock.conf:2: server.next_private_key_file: empty path");
		REQUIRE(rot_problem("[server]\nnext_private_key_file = 1\n") ==
			"nfknock.conf:2: server.next_private_key_file: expected a string");
	}
	SECTION("above the 1024 users of an unprivileged namespace: check's note") {
		static_assert(NFKNOCK_USERNS_USERS_MAX == 1024, "the text");
		const LoadedConfig l = rot_load(NEXT + rot_many_users(513, false));
		const std::vector<std::string> notes = rotation_notes(l);
		REQUIRE(notes.size() == 2);
		REQUIRE(notes[1] == "note: 1026 kernel users (513 users x 2 server keys): "
				    "above 1024, the most the module takes in a namespace "
				    "of an unprivileged user namespace (apply fails there)");
		// 1024 are fine, and so are more users of their own.
		REQUIRE(rotation_notes(rot_load(NEXT + rot_many_users(512, false))).size() == 1);
		REQUIRE(rotation_notes(rot_load(rot_many_users(1025, false))).empty());
	}
	SECTION("both key files wrong: both said") {
		REQUIRE(all_problems([] {
				rot_load("[server]\nprivate_key_file = \"/a\"\n"
					 "next_private_key_file = \"/b\"\n");
			}) ==
			std::vector<std::string>{
				"nfknock.conf:2: server.private_key_file: /a: No such file "
				"or directory",
				"nfknock.conf:3: server.next_private_key_file: /b: No such "
				"file or directory"});
	}
}

TEST_CASE("key rotation: kernel users count toward the module's 65536")
{
	static_assert(NFKNOCK_USERS_MAX == 65536, "the texts");
	const std::size_t half = NFKNOCK_USERS_MAX / 2;

	SECTION("the next server key doubles them") {
		REQUIRE_NOTHROW(parse_config(std::string(NEXT) + rot_many_users(half, false),
					     "nfknock.conf"));
		const std::string text = std::string(NEXT) + rot_many_users(half + 1, false);
		REQUIRE(only_problem([&] { parse_config(text, "nfknock.conf"); }) ==
			"nfknock.conf:2: server.next_private_key_file: 65538 kernel users "
			"(32769 users x 2 server keys): too many users (65536 at most)");
	}
	SECTION("two keys a user") {
		REQUIRE_NOTHROW(parse_config(rot_many_users(half, true), "nfknock.conf"));
		// The user whose keys cross it: u32768, the last one, line 4 * 32768 + 1.
		REQUIRE(only_problem([&] {
				parse_config(rot_many_users(half + 1, true), "nfknock.conf");
			}) ==
			"nfknock.conf:131073: user: 65538 kernel users (65538 public keys "
			"of 32769 users): too many users (65536 at most)");
	}
}

TEST_CASE("key rotation: the texts")
{
	REQUIRE(kernel_user_name("alice", 0, false) == "alice");
	REQUIRE(kernel_user_name("alice", 1, false) == "alice#2");
	REQUIRE(kernel_user_name("alice", 0, true) == "alice@next");
	REQUIRE(kernel_user_name("alice", 1, true) == "alice#2@next");
	REQUIRE(kernel_users_text(5, 5, 1).empty());
	REQUIRE(kernel_users_text(600, 600, 2) == "1200 kernel users (600 users x 2 server keys)");
	REQUIRE(kernel_users_text(1, 2, 1) == "2 kernel users (2 public keys of 1 user)");
	REQUIRE(kernel_users_text(1, 1, 2) == "2 kernel users (1 user x 2 server keys)");
}

TEST_CASE("key rotation through the CLI: check's notes, apply's users")
{
	const RotKeys &k = rot_keys();
	TempDir dir;
	const std::string server = dir.write("server.key", key_to_base64(k.server) + "\n", 0600);
	const std::string next = dir.write("next.key", key_to_base64(k.next) + "\n", 0600);
	const std::string old_key = dir.write("old.key", key_to_base64(k.old_key) + "\n", 0600);
	const std::string new_key = dir.write("new.key", key_to_base64(k.new_key) + "\n", 0600);
	const auto conf = [&](const std::string &name, const std::string &server_extra,
			      const std::string &alice_keys) {
		return dir.write(name, "[server]\nprivate_key_file = \"" + server + "\"\n" +
					       server_extra + "[[guard]]\nservice = \"tcp/22\"\n" +
					       rot_alice(alice_keys) +
					       "[[user]]\nname = \"bob\"\npublic_key = \"" +
					       k.bob_pk + "\"\nallow = [\"tcp/22\"]\n");
	};
	const std::string two = rot_list({k.old_pk, k.new_pk});
	const std::string both = conf("both.conf", "next_private_key_file = \"" + next + "\"\n",
				      two);
	const std::string fpr_old = fingerprint_hex(fingerprint(public_key(k.old_key)));
	const std::string fpr_new = fingerprint_hex(fingerprint(public_key(k.new_key)));

	SECTION("check: the summary and a note for each rotation") {
		Harness h;
		const Result r = h.run({"check", both});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.out == both + ": ok (2 users (6 kernel users), 1 guard, 1 knock port)\n");
		const std::string npk = key_to_base64(public_key(k.next));
		REQUIRE(r.err ==
			"knockctl: note: user alice: 2 public keys, loaded as alice "
			"(fingerprint " + fpr_old + ") and alice#2 (fingerprint " +
			fpr_new + "), each with its own replay floor and max_grants: "
			"remove the old key once its clients have moved to the new one "
			"(knockctl users shows each one's last knock)\n"
			"knockctl: note: next server key " + npk +
			" (server.next_private_key_file): every user's keys are also "
			"loaded with it (NAME@next), so clients can already knock with "
			"--server-key " + npk + "; once they all do, make it "
			"private_key_file and remove next_private_key_file\n");
		REQUIRE(h.k.opened == 0);
	}
	SECTION("check: a next key file that is no key, by name") {
		const std::string bad = dir.write("bad.key", "abc\n", 0600);
		Harness h;
		const Result r = h.run({"check", conf("bad.conf", "next_private_key_file = \"" +
									  bad + "\"\n", two)});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: " + dir.file("bad.conf") +
					 ":3: server.next_private_key_file: " + bad +
					 ": invalid key (expected 44 characters of base64)\n");
	}
	SECTION("apply: one TXN_ADD per user, key and server key") {
		Harness h;
		const Result r = h.run({"apply", both});
		INFO(r.err);
		REQUIRE(r.code == 0);
		REQUIRE(r.err.empty());
		REQUIRE(r.out == "applied " + both + ": 2 users (6 kernel users), 1 guard, 1 "
					     "knock port\n");
		const std::vector<TxnItem> users = h.txn_items(TxnItem::USER);
		std::vector<std::string> names;
		std::vector<User> sent;
		for (const TxnItem &it : users) {
			names.push_back(it.user.name);
			sent.push_back(it.user);
		}
		REQUIRE(names == std::vector<std::string>{"alice", "alice#2", "bob",
							  "alice@next", "alice#2@next",
							  "bob@next"});
		require_module_takes(sent);
		REQUIRE(users[1].user.fpr == fingerprint(public_key(k.new_key)));
		REQUIRE(users[4].user.fpr ==
			next_fingerprint(public_key(k.new_key), public_key(k.next)));
		REQUIRE(users[4].keys.k_aead ==
			client_side_keys(k.new_key, public_key(k.next)).k_aead);

		// A knock with each client key and each server key: exactly the
		// kernel user of that pair takes it (hint, then AEAD).
		const auto taker = [&](const std::string &key, const PrivateKey &srv) {
			Harness c;
			const Result kr = c.run({"knock", "10.0.0.1", "--open", "tcp/22",
						 "--server-key", key_to_base64(public_key(srv)),
						 "--key", key});
			INFO(kr.err);
			REQUIRE(kr.code == 0);
			REQUIRE(c.sent.size() == 1);
			const std::vector<uint8_t> &d = c.sent[0];
			struct nfk_spa_frame f {};
			REQUIRE(nfk_spa_split(d.data(), d.size(), &f));
			std::vector<std::string> by;
			for (const TxnItem &it : users) {
				if (std::memcmp(spa_hint(it.keys.k_hint,
							 nfk_spa_window(c.now)).data(),
						f.hint, 8) != 0)
					continue;
				std::vector<uint8_t> pt(f.pt_len);
				unsigned long long len = 0;
				if (crypto_aead_xchacha20poly1305_ietf_decrypt(
					    pt.data(), &len, nullptr, f.sealed, f.sealed_len,
					    f.hint, NFK_SPA_HINT_LEN, f.nonce,
					    it.keys.k_aead.data()) == 0)
					by.push_back(it.user.name);
			}
			return by;
		};
		REQUIRE(taker(old_key, k.server) == std::vector<std::string>{"alice"});
		REQUIRE(taker(new_key, k.server) == std::vector<std::string>{"alice#2"});
		REQUIRE(taker(old_key, k.next) == std::vector<std::string>{"alice@next"});
		REQUIRE(taker(new_key, k.next) == std::vector<std::string>{"alice#2@next"});
	}
	SECTION("apply after the rotations: one kernel user each, as before") {
		Harness h;
		const std::string done = conf("done.conf", "", "public_key = \"" + k.new_pk + "\"");
		const Result r = h.run({"apply", done});
		INFO(r.err);
		REQUIRE(r.out == "applied " + done + ": 2 users, 1 guard, 1 knock port\n");
		const std::vector<TxnItem> users = h.txn_items(TxnItem::USER);
		REQUIRE(users.size() == 2);
		REQUIRE(users[0].user.name == "alice");
		REQUIRE(users[0].user.fpr == fingerprint(public_key(k.new_key)));
	}
	SECTION("a limit on users crossed by the keys: the kernel's words and why") {
		Harness h;
		h.k.refuse_at = 6;	// alice@next
		h.k.refuse_errno = ENOSPC;
		h.k.refuse_extack = "too many users for a namespace of an unprivileged "
				    "user namespace (1024)";
		const Result r = h.run({"apply", both});
		REQUIRE(r.code == 1);
		REQUIRE(r.err == "knockctl: apply: user alice@next: too many users for a "
				 "namespace of an unprivileged user namespace (1024) (No "
				 "space left on device): this file loads 6 kernel users (3 "
				 "public keys of 2 users x 2 server keys)\n");
		REQUIRE(h.cmds().back() == NFKNOCK_CMD_TXN_ABORT);
		// BEGIN, guard, knock port, alice, alice#2, bob, alice@next, ABORT
		REQUIRE(h.cmds().size() == 8);
	}
}
