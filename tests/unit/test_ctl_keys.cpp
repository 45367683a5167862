// SPDX-License-Identifier: GPL-2.0 OR MIT
// X25519 keys in base64, private key files (mode 0600, O_EXCL), and the
// per-user key derivation from both ends.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "derive.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "fakes.hpp"
#include "keys.hpp"

using namespace knockctl;
using namespace knockctl::test;

namespace {

void write_file(const std::string &path, const std::string &text, mode_t mode)
{
	std::ofstream(path) << text;
	REQUIRE(chmod(path.c_str(), mode) == 0);
}

std::string what(const std::function<void()> &fn)
{
	try {
		fn();
	} catch (const Error &e) {
		return e.what();
	}
	return "";
}

} // namespace

TEST_CASE("keys are 44 characters of standard base64 and round-trip")
{
	const PrivateKey sk = generate_private_key();
	const std::string text = key_to_base64(sk);

	REQUIRE(text.size() == KEY_B64_LEN);
	REQUIRE(text.back() == '=');
	PrivateKey back;
	REQUIRE(decode_private_key(text + "\n", back));
	REQUIRE(back == sk);
	// Clamped like wg genkey.
	REQUIRE((sk[0] & 7) == 0);
	REQUIRE((sk[31] & 0xc0) == 0x40);

	const PublicKey pk = public_key(sk);
	REQUIRE(decode_public_key(key_to_base64(pk)) == pk);

	SECTION("bad text is refused") {
		REQUIRE_FALSE(decode_public_key(""));
		REQUIRE_FALSE(decode_public_key(text.substr(1)));
		REQUIRE_FALSE(decode_public_key(text + "A"));
		std::string urlsafe = text;
		urlsafe[0] = '-';
		REQUIRE_FALSE(decode_public_key(urlsafe));
		// 44 characters but decoding to 33 bytes.
		REQUIRE_FALSE(decode_public_key(std::string(43, 'A') + "A"));
	}
}

TEST_CASE("private key files: mode 0600, never overwritten")
{
	TempDir dir;
	const PrivateKey sk = generate_private_key();
	const std::string path = dir.file("k");
	struct stat st {};

	write_private_key_file(path, sk);
	REQUIRE(stat(path.c_str(), &st) == 0);
	REQUIRE((st.st_mode & 0777) == 0600);
	REQUIRE(read_private_key_file(path) == sk);

	SECTION("an existing file is not overwritten") {
		REQUIRE(what([&] { write_private_key_file(path, generate_private_key()); }) ==
			path + ": file exists (refusing to overwrite)");
		REQUIRE(read_private_key_file(path) == sk);
	}
	SECTION("a key readable by group or others is refused") {
		for (mode_t m : {0640, 0604, 0644}) {
			REQUIRE(chmod(path.c_str(), m) == 0);
			REQUIRE(what([&] { read_private_key_file(path); }) ==
				path + ": private key file is readable by group or "
				       "others (chmod 600)");
		}
		REQUIRE(chmod(path.c_str(), 0620) == 0);
		REQUIRE(what([&] { read_private_key_file(path); }) ==
			path + ": private key file is writable by group or others "
			       "(chmod 600)");
		REQUIRE(chmod(path.c_str(), 0400) == 0);
		REQUIRE(read_private_key_file(path) == sk);
	}
	SECTION("missing and malformed files name the path") {
		REQUIRE(what([&] { read_private_key_file(dir.file("none")); }) ==
			dir.file("none") + ": No such file or directory");
		write_file(dir.file("bad"), "not a key\n", 0600);
		REQUIRE(what([&] { read_private_key_file(dir.file("bad")); }) ==
			dir.file("bad") + ": invalid key (expected 44 characters of base64)");
		REQUIRE(what([&] { read_private_key_file(dir.path); }) ==
			dir.path + ": not a regular file or a pipe");
	}
}

TEST_CASE("a private key from a pipe: /dev/fd/N and - (standard input)")
{
	const PrivateKey sk = generate_private_key();
	const std::string text = key_to_base64(sk) + "\n";
	int p[2];

	REQUIRE(pipe(p) == 0);
	REQUIRE(write(p[1], text.data(), text.size()) == ssize_t(text.size()));
	close(p[1]);
	SECTION("/dev/fd/N") {
		CHECK(read_private_key_file("/dev/fd/" + std::to_string(p[0])) == sk);
		close(p[0]);
	}
	SECTION("- reads standard input") {
		const int saved = dup(STDIN_FILENO);
		REQUIRE(saved >= 0);
		REQUIRE(dup2(p[0], STDIN_FILENO) == STDIN_FILENO);
		close(p[0]);
		PrivateKey got{};
		std::string err = what([&] { got = read_private_key_file("-"); });
		dup2(saved, STDIN_FILENO);
		close(saved);
		CHECK(err.empty());
		CHECK(got == sk);
	}
	SECTION("a pipe with something else in it is refused by name") {
		int q[2];
		REQUIRE(pipe(q) == 0);
		REQUIRE(write(q[1], "nope\n", 5) == 5);
		close(q[1]);
		const std::string path = "/dev/fd/" + std::to_string(q[0]);
		CHECK(what([&] { read_private_key_file(path); }) ==
		      path + ": invalid key (expected 44 characters of base64)");
		close(q[0]);
		close(p[0]);
	}
}

TEST_CASE("server and client derive the same user keys")
{
	const PrivateKey server_sk = generate_private_key();
	const PrivateKey client_sk = generate_private_key();
	const PublicKey server_pk = public_key(server_sk);
	const PublicKey client_pk = public_key(client_sk);

	const UserKeys a = server_side_keys(server_sk, client_pk);
	const UserKeys b = client_side_keys(client_sk, server_pk);
	REQUIRE(a.k_aead == b.k_aead);
	REQUIRE(a.k_hint == b.k_hint);
	REQUIRE(a.k_seq == b.k_seq);
	REQUIRE_FALSE(a.k_hint == Secret<16>());
	REQUIRE(spa_hint(a.k_hint, 7) == spa_hint(b.k_hint, 7));
	REQUIRE(spa_hint(a.k_hint, 7) != spa_hint(a.k_hint, 8));

	SECTION("another client gets other keys") {
		const UserKeys c = server_side_keys(server_sk,
						    public_key(generate_private_key()));
		REQUIRE_FALSE(c.k_aead == a.k_aead);
	}
	SECTION("fingerprints are 16 lowercase hex characters") {
		const std::string f = fingerprint_hex(fingerprint(client_pk));
		REQUIRE(f.size() == 16);
		REQUIRE(f.find_first_not_of("0123456789abcdef") == std::string::npos);
	}
	SECTION("a low-order public key (all-zero shared secret) is refused") {
		const PublicKey zero{};
		REQUIRE(what([&] { server_side_keys(server_sk, zero); }) ==
			"weak public key (all-zero shared secret)");
		PublicKey one{};
		one[0] = 1;
		REQUIRE(what([&] { client_side_keys(client_sk, one); }) ==
			"weak public key (all-zero shared secret)");
	}
}

TEST_CASE("genkey > FILE: a warning when group or others may read FILE")
{
	TempDir dir;
	const std::string open_file = dir.file("open"), own = dir.file("own");
	write_file(open_file, "", 0644);
	write_file(own, "", 0600);
	Fd a{open(open_file.c_str(), O_WRONLY | O_CLOEXEC)};
	Fd b{open(own.c_str(), O_WRONLY | O_CLOEXEC)};
	int p[2];

	REQUIRE(a.fd >= 0);
	REQUIRE(b.fd >= 0);
	CHECK(key_output_warning(a.fd) ==
	      "warning: the key goes to a file that group or others may use "
	      "(mode 0644); knockctl will refuse it as a key file: chmod 600 "
	      "it, or use --out FILE (or umask 077 first)");
	CHECK(key_output_warning(b.fd).empty());
	REQUIRE(pipe(p) == 0);
	CHECK(key_output_warning(p[1]).empty());
	close(p[0]);
	close(p[1]);
}
