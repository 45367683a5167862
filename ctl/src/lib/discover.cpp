// SPDX-License-Identifier: GPL-2.0 OR MIT
// --discover text, the https echo body, the address classes, and the
// checks every discovered address passes (the IO is in discover_stun.cpp
// and discover_https.cpp).
#include "discover.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "address.hpp"
#include "discover_internal.hpp"
#include "errors.hpp"

namespace knockctl {

namespace discover_detail {

const char *family_label(int family) { return family == AF_INET6 ? "IPv6" : "IPv4"; }

std::string stun_label(const Discovery &d)
{
	if (!d.text.empty())
		return d.text;
	const bool v6 = d.host.find(':') != std::string::npos;
	return "stun:" + (v6 ? "[" + d.host + "]" : d.host) + ":" + std::to_string(d.port);
}

} // namespace discover_detail

namespace {

using namespace discover_detail;

// ---- --discover text -------------------------------------------------

[[noreturn]] void bad_discovery(const std::string &text, const std::string &why)
{
	throw UsageError("--discover " + text + ": " + why +
			 " (expected stun:HOST[:PORT] or https://URL)");
}

bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

// What a DNS name or an IPv4 literal is made of (locale-free on purpose).
bool host_char(char c)
{
	return ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '.' || c == '_';
}

// Schemes are case-insensitive (RFC 3986 3.1); the rest of the text is not.
bool has_scheme(const std::string &text, const std::string &scheme)
{
	if (text.size() < scheme.size())
		return false;
	for (std::size_t i = 0; i < scheme.size(); i++) {
		char c = text[i];
		if (c >= 'A' && c <= 'Z')
			c = char(c - 'A' + 'a');
		if (c != scheme[i])
			return false;
	}
	return true;
}

uint16_t parse_stun_port(const std::string &text, const std::string &port)
{
	unsigned long v = 0;

	if (port.empty())
		bad_discovery(text, "empty port after ':'");
	for (char c : port) {
		if (!ascii_digit(c))
			bad_discovery(text, "port " + port + " is not a number");
		v = std::min(v * 10 + unsigned(c - '0'), 100000ul);	// no overflow
	}
	if (v == 0 || v > 65535)
		bad_discovery(text, "port " + port + " is out of range (1 to 65535)");
	return uint16_t(v);
}

Discovery parse_stun(const std::string &text, const std::string &rest)
{
	Discovery d{Discovery::Kind::Stun, {}, STUN_DEFAULT_PORT, {}, text};
	std::string port;
	bool has_port = false;

	if (rest.starts_with("//"))
		bad_discovery(text, "a stun: server is written without //");
	if (!rest.empty() && rest[0] == '[') {
		const std::size_t close = rest.find(']');
		if (close == std::string::npos)
			bad_discovery(text, "'[' without ']'");
		d.host = rest.substr(1, close - 1);
		const std::string after = rest.substr(close + 1);
		if (!after.empty()) {
			if (after[0] != ':')
				bad_discovery(text, "'" + after + "' after ']' (expected :PORT)");
			has_port = true;
			port = after.substr(1);
		}
		if (d.host.empty())
			bad_discovery(text, "empty host");
		in6_addr a6{};
		if (d.host.find('\0') != std::string::npos ||
		    inet_pton(AF_INET6, d.host.c_str(), &a6) != 1)
			bad_discovery(text, "[" + d.host + "] is not an IPv6 address");
	} else {
		const std::size_t colon = rest.find(':');
		// "stun:2001:db8::1" cannot tell address from port.
		if (colon != std::string::npos && rest.find(':', colon + 1) != std::string::npos)
			bad_discovery(text, "an IPv6 address is written in [brackets]");
		d.host = rest.substr(0, colon);
		if (colon != std::string::npos) {
			has_port = true;
			port = rest.substr(colon + 1);
		}
		if (d.host.empty())
			bad_discovery(text, "empty host");
		for (char c : d.host)
			if (!host_char(c))
				bad_discovery(text, "host " + d.host + " has a character other "
					      "than letters, digits, '-', '.' and '_'");
	}
	if (has_port)
		d.port = parse_stun_port(text, port);
	return d;
}

Discovery parse_https(const std::string &text)
{
	const std::size_t start = std::strlen("https://");
	const std::size_t end = text.find_first_of("/?#", start);
	const std::string authority = text.substr(start, end == std::string::npos ?
						  std::string::npos : end - start);
	const std::size_t at = authority.rfind('@');
	const std::string hostport = at == std::string::npos ? authority : authority.substr(at + 1);

	for (char c : text)
		if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
			bad_discovery(text, "the URL has a space or control character");
	if (hostport.empty() || hostport[0] == ':')
		bad_discovery(text, "empty host");
	return Discovery{Discovery::Kind::Https, {}, STUN_DEFAULT_PORT, text, text};
}

// ---- https echo body --------------------------------------------------

constexpr const char *SPACES = " \t\r\n\v\f";
constexpr std::size_t ECHO_SNIPPET_MAX = 40;

// The first printable characters of an answer that is not an address
// (an HTML page, say), whitespace runs as one space.
std::string snippet(const std::string &text)
{
	std::string s;
	bool cut = false;

	for (unsigned char c : text) {
		if (s.size() == ECHO_SNIPPET_MAX) {
			cut = true;
			break;
		}
		if (c != '\0' && std::strchr(SPACES, c)) {
			if (!s.empty() && s.back() != ' ')
				s += ' ';
		} else if (c >= 0x20 && c < 0x7f) {
			s += char(c);
		}
	}
	if (s.empty())
		return "(empty)";
	return cut ? s + "..." : s;
}

} // namespace

Discovery parse_discovery(const std::string &text)
{
	if (text.empty())
		bad_discovery(text, "empty");
	if (has_scheme(text, "stun:"))
		return parse_stun(text, text.substr(std::strlen("stun:")));
	if (has_scheme(text, "https://"))
		return parse_https(text);
	if (has_scheme(text, "http://"))
		bad_discovery(text, "plain http is not accepted: the answer must be "
			      "authenticated (use https://)");
	bad_discovery(text, "unknown kind of server");
}

Address parse_echo_body(const std::string &body, const std::string &url)
{
	const std::size_t b = body.find_first_not_of(SPACES);
	const std::size_t e = body.find_last_not_of(SPACES);
	const std::string text = b == std::string::npos ? "" : body.substr(b, e - b + 1);

	try {
		return parse_address(text);
	} catch (const UsageError &) {
		// Not the user's text: a plain Error, not a usage one.
		throw Error(url + ": the answer is not an address: " + snippet(text));
	}
}

Address discover_address(const Discovery &d, int family)
{
	if (family != AF_INET && family != AF_INET6)
		throw Error("address discovery: family " + std::to_string(family) +
			    " is neither AF_INET nor AF_INET6");

	const bool stun = d.kind == Discovery::Kind::Stun;
	const std::string who = stun ? "STUN server " + stun_label(d) : d.url;
	const Address a = stun ? stun_discover(d, family) : https_discover(d, family);

	if (a.family != family)
		throw Error(who + ": asked over " + family_label(family) + ", the answer is an " +
			    family_label(a.family) + " address (" + format_address(a) +
			    "); a knock sent over " + family_label(family) +
			    " needs an address of that family");
	if (!is_unicast_address(a))
		throw Error(who + ": the answer " + format_address(a) +
			    " is not a unicast address");
	return a;
}

bool is_private_address(const Address &a)
{
	const auto &b = a.bytes;

	if (a.family == AF_INET)
		return b[0] == 0 || b[0] == 10 || b[0] == 127 ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64) ||		// 100.64/10 (CGN)
		       (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168);
	if (a.family == AF_INET6) {
		static const uint8_t zero[15] = {};
		if (std::memcmp(b.data(), zero, 15) == 0 && b[15] <= 1)	// ::, ::1
			return true;
		return (b[0] & 0xfe) == 0xfc ||				// fc00::/7 (ULA)
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);		// fe80::/10
	}
	return false;
}

bool is_unicast_address(const Address &a)
{
	const auto &b = a.bytes;
	static const uint8_t zero[16] = {};

	if (a.family == AF_INET)
		return std::memcmp(b.data(), zero, 4) != 0 && (b[0] & 0xf0) != 0xe0 &&
		       !(b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255);
	if (a.family == AF_INET6)
		return std::memcmp(b.data(), zero, 16) != 0 && b[0] != 0xff;
	return false;
}

} // namespace knockctl
