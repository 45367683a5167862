// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "errors.hpp"
#include "fd.hpp"

namespace knockctl {

namespace {

std::string_view trim(std::string_view s)
{
	const char *blanks = " \t\r\n";
	const auto b = s.find_first_not_of(blanks);

	if (b == std::string_view::npos)
		return {};
	return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

bool decode(std::string_view text, uint8_t *out)
{
	std::size_t len = 0;

	sodium_ready();
	text = trim(text);
	if (text.size() != KEY_B64_LEN)
		return false;
	if (sodium_base642bin(out, KEY_LEN, text.data(), text.size(), nullptr,
			      &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len != KEY_LEN) {
		sodium_memzero(out, KEY_LEN);
		return false;
	}
	return true;
}

Error file_error(const std::string &path, int err)
{
	return Error(path + ": " + std::strerror(err));
}

} // namespace

void sodium_ready()
{
	static const int rc = sodium_init();

	if (rc < 0)
		throw Error("cannot initialise libsodium");
}

PrivateKey generate_private_key()
{
	PrivateKey sk;

	sodium_ready();
	randombytes_buf(sk.data(), sk.size());
	sk[0] &= 248;
	sk[31] &= 127;
	sk[31] |= 64;
	return sk;
}

PublicKey public_key(const PrivateKey &sk)
{
	PublicKey pk{};

	sodium_ready();
	if (crypto_scalarmult_base(pk.data(), sk.data()) != 0)
		throw Error("invalid private key");
	return pk;
}

std::string key_to_base64(const uint8_t *key)
{
	char buf[sodium_base64_ENCODED_LEN(KEY_LEN, sodium_base64_VARIANT_ORIGINAL)];

	sodium_ready();
	sodium_bin2base64(buf, sizeof(buf), key, KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
	std::string out(buf);
	sodium_memzero(buf, sizeof(buf));
	return out;
}

std::string public_key_problem(std::string_view text, const std::string &what)
{
	if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
		return std::string(text) + ": a placeholder: put " + what + " here";
	return KEY_FORMAT_ERROR;
}

std::optional<PublicKey> decode_public_key(std::string_view text)
{
	PublicKey pk{};

	if (!decode(text, pk.data()))
		return std::nullopt;
	return pk;
}

bool decode_private_key(std::string_view text, PrivateKey &out)
{
	return decode(text, out.data());
}

PrivateKey read_private_key_file(const std::string &path_arg)
{
	// "-" is standard input: a key piped from a secret manager (pass, a
	// keyring) never touches the disk; so does /dev/fd/N.
	const bool std_in = path_arg == "-";
	const std::string path = std_in ? "standard input" : path_arg;
	Fd f{std_in ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0) :
		      open(path.c_str(), O_RDONLY | O_CLOEXEC)};
	struct stat st {};

	if (f.fd < 0)
		throw file_error(path, errno);
	if (fstat(f.fd, &st) != 0)
		throw file_error(path, errno);
	// A pipe's or socket's mode says nothing about who can read what
	// flows through it: only a file's mode is checked.
	const bool stream = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
	if (!stream) {
		if (!S_ISREG(st.st_mode))
			throw Error(path + ": not a regular file or a pipe");
		if (st.st_mode & (S_IRGRP | S_IROTH))
			throw Error(path + ": private key file is readable by "
					   "group or others (chmod 600)");
		if (st.st_mode & (S_IWGRP | S_IWOTH))
			throw Error(path + ": private key file is writable by "
					   "group or others (chmod 600)");
	}

	Secret<128> buf;
	std::size_t len = 0;
	for (;;) {
		const ssize_t n = read(f.fd, buf.data() + len, buf.size() - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw file_error(path, errno);
		if (n == 0)
			break;
		len += std::size_t(n);
		if (len == buf.size())
			throw Error(path + ": " + KEY_FORMAT_ERROR);
	}

	PrivateKey sk;
	if (!decode_private_key(std::string_view(reinterpret_cast<const char *>(buf.data()), len), sk))
		throw Error(path + ": " + KEY_FORMAT_ERROR);
	return sk;
}

namespace {

// mkdir -p of @path's folder: each missing one 0700 (a key's folder is
// nobody else's business; existing ones are left as they are).
void make_parents(const std::string &path)
{
	for (std::size_t i = path.find('/', 1); i != std::string::npos;
	     i = path.find('/', i + 1)) {
		const std::string dir = path.substr(0, i);

		struct stat st {};

		if (mkdir(dir.c_str(), 0700) == 0)
			continue;
		if (errno != EEXIST)
			throw file_error(dir, errno);
		if (stat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
			throw file_error(dir, ENOTDIR);
	}
}

// Removes the file it was given unless disarmed: a failed write leaves no
// partial key behind.
struct UnlinkOnError {
	const std::string &path;
	bool armed = true;
	~UnlinkOnError()
	{
		if (armed)
			unlink(path.c_str());
	}
};

} // namespace

void write_private_key_file(const std::string &path, const PrivateKey &key)
{
	make_parents(path);
	Fd f{open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600)};

	if (f.fd < 0) {
		if (errno == EEXIST)
			throw Error(path + ": file exists (refusing to overwrite)");
		throw file_error(path, errno);
	}
	UnlinkOnError created{path};
	if (fchmod(f.fd, 0600) != 0)
		throw file_error(path, errno);

	std::string text = key_to_base64(key) + "\n";
	std::size_t off = 0;
	while (off < text.size()) {
		const ssize_t n = write(f.fd, text.data() + off, text.size() - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			const int err = errno;
			sodium_memzero(text.data(), text.size());
			throw file_error(path, err);
		}
		off += std::size_t(n);
	}
	sodium_memzero(text.data(), text.size());
	if (fsync(f.fd) != 0)
		throw file_error(path, errno);
	created.armed = false;
}

std::string key_output_warning(int fd)
{
	struct stat st {};

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & (S_IRWXG | S_IRWXO)))
		return "";
	char mode[8];
	snprintf(mode, sizeof(mode), "%04o", unsigned(st.st_mode & 07777));
	return std::string("warning: the key goes to a file that group or "
			   "others may use (mode ") + mode +
	       "); knockctl will refuse it as a key file: chmod 600 it, or "
	       "use --out FILE (or umask 077 first)";
}

} // namespace knockctl
