// SPDX-License-Identifier: GPL-2.0 OR MIT
// STUN (RFC 5389): the Binding request, its answer, and one exchange over
// UDP for knockctl knock --discover stun:HOST[:PORT].
#include "discover.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

#include "discover_internal.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "secret.hpp"

namespace knockctl {

namespace {

using namespace discover_detail;

// ---- STUN messages (RFC 5389) ----------------------------------------

constexpr std::size_t STUN_HEADER_LEN = 20;
constexpr uint32_t STUN_COOKIE = 0x2112A442;
constexpr uint16_t STUN_BINDING_REQUEST = 0x0001;
constexpr uint16_t STUN_BINDING_SUCCESS = 0x0101;
constexpr uint16_t STUN_BINDING_ERROR = 0x0111;
constexpr uint16_t STUN_ATTR_MAPPED_ADDRESS = 0x0001;
constexpr uint16_t STUN_ATTR_ERROR_CODE = 0x0009;
constexpr uint16_t STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020;
constexpr uint8_t STUN_FAMILY_IPV4 = 0x01;
constexpr uint8_t STUN_FAMILY_IPV6 = 0x02;
// A reason phrase may be 763 bytes; a message line needs far less.
constexpr std::size_t STUN_REASON_MAX = 128;

uint16_t get16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }

uint32_t get32(const uint8_t *p)
{
	return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

std::string hex16(uint16_t v)
{
	char buf[8];

	std::snprintf(buf, sizeof(buf), "0x%04x", v);
	return buf;
}

// Text from the network goes to a terminal: printable ASCII only.
std::string printable(const uint8_t *p, std::size_t n, std::size_t max)
{
	std::string s;

	for (std::size_t i = 0; i < n && s.size() < max; i++)
		s += (p[i] >= 0x20 && p[i] < 0x7f) ? char(p[i]) : '?';
	if (n > max)
		s += "...";
	return s;
}

// MAPPED-ADDRESS and XOR-MAPPED-ADDRESS share a layout: reserved (1),
// family (1), port (2), address (4 or 16). The XOR form exists because
// some NATs rewrite addresses they find in payloads; it xors the port and
// an IPv4 address with the cookie, an IPv6 address with cookie || txid.
// Empty result with @why set when the value is unusable.
std::optional<Address> decode_mapped(const uint8_t *v, std::size_t len, bool xored,
				     const uint8_t *header, std::string &why)
{
	Address a;

	if (len < 4) {
		why = "address attribute of " + std::to_string(len) + " bytes";
		return std::nullopt;
	}
	if (v[1] == STUN_FAMILY_IPV4 && len == 8) {
		a.family = AF_INET;
	} else if (v[1] == STUN_FAMILY_IPV6 && len == 20) {
		a.family = AF_INET6;
	} else {
		why = "address attribute of family " + std::to_string(v[1]) + " and " +
		      std::to_string(len) + " bytes";
		return std::nullopt;
	}
	for (std::size_t i = 0; i < a.size(); i++)
		a.bytes[i] = v[4 + i] ^ (xored ? header[4 + i] : 0);	// cookie, txid
	// Address never holds the mapped form (see address.hpp).
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (a.family == AF_INET6 && std::memcmp(a.bytes.data(), v4mapped, 12) == 0) {
		Address v4;
		v4.family = AF_INET;
		std::memcpy(v4.bytes.data(), &a.bytes[12], 4);
		return v4;
	}
	return a;
}

// ERROR-CODE: reserved (2), class (low 3 bits), number (0..99), reason.
std::string describe_error_code(const uint8_t *v, std::size_t len)
{
	if (len < 4)
		return "an error response with a malformed ERROR-CODE";
	const unsigned code = (v[2] & 0x07) * 100u + v[3];
	std::string s = "error response " + std::to_string(code);
	if (len > 4)
		s += " (" + printable(v + 4, len - 4, STUN_REASON_MAX) + ")";
	return s;
}

} // namespace

namespace discover_detail {

std::string numeric_host(const sockaddr *sa, socklen_t len)
{
	char buf[NI_MAXHOST];

	if (getnameinfo(sa, len, buf, sizeof(buf), nullptr, 0, NI_NUMERICHOST) != 0)
		return "?";
	return buf;
}

// RFC 5389 7.2.1 retransmits at 500 ms doubling, 7 times; a knock is
// interactive, so 3 tries (3.5 s) and then a clear error.
constexpr int STUN_WAITS_MS[] = {500, 1000, 2000};

Address stun_discover(const Discovery &d, int family)
{
	const std::string label = stun_label(d);
	const std::string who = "STUN server " + label;

	// A literal of the other family would fail in getaddrinfo with a
	// message that does not say why it matters.
	uint8_t probe[16];
	const int other = family == AF_INET ? AF_INET6 : AF_INET;
	if (d.host.find('\0') == std::string::npos &&
	    inet_pton(other, d.host.c_str(), probe) == 1)
		throw Error(who + ": " + d.host + " is an " + family_label(other) +
			    " address, but the knock goes over " + family_label(family) +
			    ", so the server must be asked over " + family_label(family) + " too");

	addrinfo hints{};
	addrinfo *res = nullptr;
	hints.ai_family = family;	// no fallback: see discover.hpp
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_NUMERICSERV;
	const int rc = getaddrinfo(d.host.c_str(), std::to_string(d.port).c_str(), &hints, &res);
	if (rc != 0)
		throw Error(who + ": cannot resolve " + d.host + " to an " +
			    family_label(family) + " address: " + gai_strerror(rc));
	std::unique_ptr<addrinfo, AddrInfoFree> owner(res);
	const std::string where = numeric_host(res->ai_addr, res->ai_addrlen) + " port " +
				  std::to_string(d.port);

	// Connected, so the kernel hands us datagrams from the server only
	// and turns an ICMP port unreachable into ECONNREFUSED.
	Fd s;
	s.fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s.fd < 0)
		throw Error(who + ": socket: " + std::strerror(errno));
	if (connect(s.fd, res->ai_addr, res->ai_addrlen) < 0)
		throw Error(who + ": cannot reach " + where + ": " + std::strerror(errno));

	// Random: the txid is all that tells our answer from a forged one.
	std::array<uint8_t, 12> txid;
	sodium_ready();
	randombytes_buf(txid.data(), txid.size());
	const std::vector<uint8_t> req = stun_binding_request(txid);

	auto io_error = [&](const char *what, int err) {
		if (err == ECONNREFUSED)
			return Error(who + ": " + where + " refused the request (no STUN "
				     "server listening there)");
		return Error(who + ": " + what + " " + where + ": " + std::strerror(err));
	};

	for (const int wait_ms : STUN_WAITS_MS) {
		// Retransmissions keep the txid (RFC 5389 7.2.1).
		const ssize_t sent = send(s.fd, req.data(), req.size(), 0);
		if (sent < 0)
			throw io_error("send to", errno);
		const auto deadline = std::chrono::steady_clock::now() +
				      std::chrono::milliseconds(wait_ms);
		for (;;) {
			const auto left = std::chrono::ceil<std::chrono::milliseconds>(
				deadline - std::chrono::steady_clock::now());
			if (left.count() <= 0)
				break;
			pollfd p{s.fd, POLLIN, 0};
			const int n = poll(&p, 1, int(left.count()));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				throw Error(who + ": poll: " + std::strerror(errno));
			if (n == 0)
				break;
			// A Binding answer is small; anything larger is not it.
			uint8_t buf[1500];
			const ssize_t got = recv(s.fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got < 0)
				throw io_error("receive from", errno);
			if (std::size_t(got) > sizeof(buf))
				continue;
			if (auto a = stun_mapped_address(buf, std::size_t(got), txid, label))
				return *a;
		}
	}
	throw Error(who + ": no answer after 3 tries (3.5 s)");
}

} // namespace discover_detail

std::vector<uint8_t> stun_binding_request(const std::array<uint8_t, 12> &txid)
{
	std::vector<uint8_t> m(STUN_HEADER_LEN, 0);	// length 0: no attributes

	m[0] = STUN_BINDING_REQUEST >> 8;
	m[1] = STUN_BINDING_REQUEST & 0xff;
	for (int i = 0; i < 4; i++)
		m[4 + i] = uint8_t(STUN_COOKIE >> (24 - 8 * i));
	std::copy(txid.begin(), txid.end(), m.begin() + 8);
	return m;
}

std::optional<Address> stun_mapped_address(const uint8_t *data, std::size_t len,
					   const std::array<uint8_t, 12> &txid,
					   const std::string &server_text)
{
	// Header checks: a mismatch is somebody else's datagram (or a
	// truncated one), never an answer to report.
	if (!data || len < STUN_HEADER_LEN)
		return std::nullopt;
	const uint16_t type = get16(data);
	const std::size_t body_len = get16(data + 2);
	if ((type & 0xc000) != 0 || body_len % 4 != 0 || body_len != len - STUN_HEADER_LEN)
		return std::nullopt;
	if (get32(data + 4) != STUN_COOKIE || std::memcmp(data + 8, txid.data(), 12) != 0)
		return std::nullopt;
	if (type != STUN_BINDING_SUCCESS && type != STUN_BINDING_ERROR)
		return std::nullopt;

	const std::string who = "STUN server " + server_text;
	std::optional<Address> xor_mapped, mapped;
	std::optional<std::string> error_code;
	std::string unusable;
	std::size_t off = STUN_HEADER_LEN;

	// Only the first of each attribute counts (RFC 5389 15). Unknown
	// ones are skipped: only the address matters to us.
	while (len - off >= 4) {
		const uint16_t atype = get16(data + off);
		const std::size_t alen = get16(data + off + 2);
		const uint8_t *v = data + off + 4;
		if (alen > len - off - 4)
			throw Error(who + ": malformed answer: attribute " + hex16(atype) + " of " +
				    std::to_string(alen) + " bytes runs past the end of the message");
		if (atype == STUN_ATTR_XOR_MAPPED_ADDRESS && !xor_mapped)
			xor_mapped = decode_mapped(v, alen, true, data, unusable);
		else if (atype == STUN_ATTR_MAPPED_ADDRESS && !mapped)
			mapped = decode_mapped(v, alen, false, data, unusable);
		else if (atype == STUN_ATTR_ERROR_CODE && !error_code)
			error_code = describe_error_code(v, alen);
		// Values are padded to 4 bytes; the total is a multiple of 4,
		// so the padding is inside the message when the value is.
		off += 4 + std::min((alen + 3) & ~std::size_t(3), len - off - 4);
	}

	if (type == STUN_BINDING_ERROR)
		throw Error(who + ": " + error_code.value_or("error response without an ERROR-CODE"));
	if (xor_mapped)
		return xor_mapped;
	if (mapped)
		return mapped;
	throw Error(who + ": the answer has no usable mapped address" +
		    (unusable.empty() ? "" : " (" + unusable + ")"));
}

} // namespace knockctl
