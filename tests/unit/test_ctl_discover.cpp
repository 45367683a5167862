// SPDX-License-Identifier: GPL-2.0 OR MIT
// knock --discover: its text, STUN messages (RFC 5769's vectors), the
// https echo body, address classes, and a STUN round trip on loopback.
// Nothing here sends to any address but 127.0.0.1 and ::1.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "address.hpp"
#include "discover.hpp"
#include "errors.hpp"

using namespace knockctl;

namespace {

using Bytes = std::vector<uint8_t>;
using Txid = std::array<uint8_t, 12>;

// RFC 5769 2.2 and 2.3.
const Txid RFC5769_TXID = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
			   0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

std::string discovery_error(const std::string &text)
{
	try {
		parse_discovery(text);
	} catch (const UsageError &e) {
		return e.what();
	}
	return "no error";
}

// What stun_mapped_address says: "none", an address, or "error: ...".
std::string stun_result(const Bytes &m, const Txid &txid = RFC5769_TXID)
{
	try {
		const auto a = stun_mapped_address(m.data(), m.size(), txid, "stun:test");
		return a ? format_address(*a) : "none";
	} catch (const UsageError &e) {
		return std::string("usage error: ") + e.what();
	} catch (const Error &e) {
		return std::string("error: ") + e.what();
	}
}

void put16(Bytes &m, uint16_t v)
{
	m.push_back(uint8_t(v >> 8));
	m.push_back(uint8_t(v));
}

// A STUN message of @type for @txid; attributes added with add_attr.
Bytes stun_message(uint16_t type, const Txid &txid = RFC5769_TXID)
{
	Bytes m;

	put16(m, type);
	put16(m, 0);
	m.insert(m.end(), {0x21, 0x12, 0xa4, 0x42});
	m.insert(m.end(), txid.begin(), txid.end());
	return m;
}

// Appends a TLV padded to 4 bytes and fixes the length field.
void add_attr(Bytes &m, uint16_t type, const Bytes &value)
{
	put16(m, type);
	put16(m, uint16_t(value.size()));
	m.insert(m.end(), value.begin(), value.end());
	while (m.size() % 4)
		m.push_back(0);
	m[2] = uint8_t((m.size() - 20) >> 8);
	m[3] = uint8_t(m.size() - 20);
}

// (XOR-)MAPPED-ADDRESS value for @text:@port, xored as RFC 5389 15.2 says.
Bytes mapped_value(const std::string &text, uint16_t port, bool xored,
		   const Txid &txid = RFC5769_TXID)
{
	const Address a = parse_address(text);
	const uint8_t key[16] = {0x21, 0x12, 0xa4, 0x42, txid[0], txid[1], txid[2], txid[3],
				 txid[4], txid[5], txid[6], txid[7], txid[8], txid[9],
				 txid[10], txid[11]};
	Bytes v = {0, uint8_t(a.family == AF_INET6 ? 2 : 1)};

	put16(v, xored ? uint16_t(port ^ 0x2112) : port);
	for (std::size_t i = 0; i < a.size(); i++)
		v.push_back(a.bytes[i] ^ (xored ? key[i] : 0));
	return v;
}

Bytes ascii(const std::string &s) { return Bytes(s.begin(), s.end()); }

} // namespace

// ---- --discover text ---------------------------------------------------

TEST_CASE("--discover stun: forms parse")
{
	SECTION("name, default port") {
		const Discovery d = parse_discovery("stun:stun.example.net");
		REQUIRE(d.kind == Discovery::Kind::Stun);
		REQUIRE(d.host == "stun.example.net");
		REQUIRE(d.port == 3478);
		REQUIRE(d.text == "stun:stun.example.net");
		REQUIRE(d.url.empty());
	}
	SECTION("name and port") {
		const Discovery d = parse_discovery("stun:stun.example.net:19302");
		REQUIRE(d.host == "stun.example.net");
		REQUIRE(d.port == 19302);
	}
	SECTION("IPv4 literal, highest port") {
		const Discovery d = parse_discovery("stun:192.0.2.1:65535");
		REQUIRE(d.host == "192.0.2.1");
		REQUIRE(d.port == 65535);
	}
	SECTION("IPv6 literal in brackets, stored without") {
		const Discovery d = parse_discovery("stun:[2001:db8::1]:3479");
		REQUIRE(d.host == "2001:db8::1");
		REQUIRE(d.port == 3479);
		REQUIRE(parse_discovery("stun:[2001:db8::1]").port == 3478);
	}
	SECTION("scheme in capitals") {
		REQUIRE(parse_discovery("STUN:h").host == "h");
	}
}

TEST_CASE("--discover https: keeps the whole URL")
{
	const Discovery d = parse_discovery("https://ip.example.net/plain?v=4");

	REQUIRE(d.kind == Discovery::Kind::Https);
	REQUIRE(d.url == "https://ip.example.net/plain?v=4");
	REQUIRE(d.text == d.url);
	REQUIRE(parse_discovery("https://[2001:db8::1]:8443/").kind == Discovery::Kind::Https);
}

TEST_CASE("--discover rejects bad text, naming it")
{
	REQUIRE(discovery_error("stun:host:0") ==
		"--discover stun:host:0: port 0 is out of range (1 to 65535) "
		"(expected stun:HOST[:PORT] or https://URL)");
	REQUIRE(discovery_error("stun:2001:db8::1") ==
		"--discover stun:2001:db8::1: an IPv6 address is written in [brackets] "
		"(expected stun:HOST[:PORT] or https://URL)");

	const char *bad[][2] = {
		{"", "empty"},
		{"stun:", "empty host"},
		{"stun::3478", "empty host"},
		{"stun:[]:3478", "empty host"},
		{"stun:host:", "empty port"},
		{"stun:host:65536", "out of range"},
		{"stun:host:99999999999999999999", "out of range"},
		{"stun:host:12a", "not a number"},
		{"stun:host:-1", "not a number"},
		{"stun:[2001:db8::1", "without ']'"},
		{"stun:[2001:db8::1]3478", "after ']'"},
		{"stun:[stun.example.net]", "not an IPv6 address"},
		{"stun:[192.0.2.1]", "not an IPv6 address"},
		{"stun:ho st", "character other than"},
		{"stun://host", "without //"},
		{"https://", "empty host"},
		{"https:///path", "empty host"},
		{"https://:443/", "empty host"},
		{"https://h/a b", "space or control"},
		{"http://ip.example.net/", "plain http"},
		{"ftp://ip.example.net/", "unknown kind"},
		{"ip.example.net", "unknown kind"},
	};
	for (const auto &b : bad) {
		INFO(b[0]);
		const std::string msg = discovery_error(b[0]);
		REQUIRE(msg.find(std::string("--discover ") + b[0] + ": ") == 0);
		REQUIRE(msg.find(b[1]) != std::string::npos);
		REQUIRE(msg.find("(expected stun:HOST[:PORT] or https://URL)") != std::string::npos);
	}
}

// ---- STUN messages -----------------------------------------------------

TEST_CASE("STUN Binding request bytes")
{
	const Bytes req = stun_binding_request(RFC5769_TXID);

	REQUIRE(req == Bytes{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
			     0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
			     0xfa, 0x87, 0xdf, 0xae});
}

// The vectors as printed in RFC 5769, MESSAGE-INTEGRITY and FINGERPRINT
// included (skipped as unknown attributes). Their HMAC (password
// "VOkJxbRl1RmTxUk/WvJxBt") and CRC were checked when they were typed in.
TEST_CASE("STUN: RFC 5769 IPv4 response")
{
	const Bytes m = {
		0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
		0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
		0x80, 0x22, 0x00, 0x0b,	// SOFTWARE "test vector"
		0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
		0x00, 0x20, 0x00, 0x08,	// XOR-MAPPED-ADDRESS
		0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
		0x00, 0x08, 0x00, 0x14,	// MESSAGE-INTEGRITY
		0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74,
		0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
		0x80, 0x28, 0x00, 0x04,	// FINGERPRINT
		0xc0, 0x7d, 0x4c, 0x96,
	};

	REQUIRE(stun_result(m) == "192.0.2.1");
	// The same value, built by this file's encoder (port 32853).
	REQUIRE(mapped_value("192.0.2.1", 32853, true) == Bytes(m.begin() + 40, m.begin() + 48));
}

TEST_CASE("STUN: RFC 5769 IPv6 response")
{
	const Bytes m = {
		0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
		0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
		0x80, 0x22, 0x00, 0x0b,
		0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
		0x00, 0x20, 0x00, 0x14,
		0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
		0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
		0x00, 0x08, 0x00, 0x14,
		0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84,
		0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
		0x80, 0x28, 0x00, 0x04,
		0xc8, 0xfb, 0x0b, 0x4c,
	};

	REQUIRE(stun_result(m) == "2001:db8:1234:5678:11:2233:4455:6677");
	REQUIRE(mapped_value("2001:db8:1234:5678:11:2233:4455:6677", 32853, true) ==
		Bytes(m.begin() + 40, m.begin() + 60));
}

TEST_CASE("STUN: which mapped address is used")
{
	SECTION("MAPPED-ADDRESS alone (RFC 3489 servers)") {
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x0001, mapped_value("198.51.100.20", 5000, false));
		REQUIRE(stun_result(m) == "198.51.100.20");
	}
	SECTION("XOR-MAPPED-ADDRESS wins, wherever it is") {
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x0001, mapped_value("198.51.100.20", 5000, false));
		add_attr(m, 0x0020, mapped_value("203.0.113.5", 5000, true));
		REQUIRE(stun_result(m) == "203.0.113.5");
	}
	SECTION("unknown attributes, odd lengths, are skipped") {
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x8022, ascii("x"));	// SOFTWARE, padded 1 -> 4
		add_attr(m, 0x7777, {});		// empty
		add_attr(m, 0x0020, mapped_value("2001:db8::9", 1, true));
		REQUIRE(stun_result(m) == "2001:db8::9");
	}
	SECTION("an IPv4-mapped IPv6 address comes back as IPv4") {
		// parse_address unmaps, so the v6 form is built by hand.
		Bytes v = {0, 2, 0x21, 0x13};
		const uint8_t plain[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 5};
		const uint8_t key[16] = {0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
					 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
		for (int i = 0; i < 16; i++)
			v.push_back(plain[i] ^ key[i]);
		Bytes m6 = stun_message(0x0101);
		add_attr(m6, 0x0020, v);
		const auto a = stun_mapped_address(m6.data(), m6.size(), RFC5769_TXID, "s");
		REQUIRE(a);
		REQUIRE(a->family == AF_INET);
		REQUIRE(format_address(*a) == "203.0.113.5");
	}
}

TEST_CASE("STUN: datagrams that are not our answer are ignored")
{
	Bytes good = stun_message(0x0101);
	add_attr(good, 0x0020, mapped_value("203.0.113.5", 5000, true));
	REQUIRE(stun_result(good) == "203.0.113.5");

	SECTION("other txid") {
		Txid other = RFC5769_TXID;
		other[11] ^= 1;
		REQUIRE(stun_result(good, other) == "none");
	}
	SECTION("other cookie (RFC 3489 style)") {
		Bytes m = good;
		m[7] ^= 1;
		REQUIRE(stun_result(m) == "none");
	}
	SECTION("top bits set (not STUN)") {
		Bytes m = good;
		m[0] |= 0x80;
		REQUIRE(stun_result(m) == "none");
	}
	SECTION("a request, not a response") {
		Bytes m = good;
		m[1] = 0x01;
		m[0] = 0x00;
		REQUIRE(stun_result(m) == "none");
	}
	SECTION("too short") {
		REQUIRE(stun_result(Bytes(good.begin(), good.begin() + 19)) == "none");
		REQUIRE(stun_result(Bytes{}) == "none");
		REQUIRE(stun_mapped_address(nullptr, 0, RFC5769_TXID, "s") == std::nullopt);
	}
	SECTION("truncated datagram: length field does not match") {
		REQUIRE(stun_result(Bytes(good.begin(), good.end() - 4)) == "none");
		Bytes longer = good;
		longer.insert(longer.end(), 4, 0);
		REQUIRE(stun_result(longer) == "none");
	}
	SECTION("length not a multiple of 4") {
		Bytes m = good;
		m.push_back(0);
		m[3] = uint8_t(m.size() - 20);
		REQUIRE(stun_result(m) == "none");
	}
}

TEST_CASE("STUN: broken answers to our transaction are errors, not crashes")
{
	// The header matched, so the server did answer: an attribute that
	// runs past the end is reported (documented in discover.hpp).
	SECTION("attribute longer than the message") {
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x0020, mapped_value("203.0.113.5", 5000, true));
		m[23] = 20;	// claims 20 bytes, 8 present
		const std::string r = stun_result(m);
		REQUIRE(r.find("error: STUN server stun:test: malformed answer") == 0);
		REQUIRE(r.find("0x0020") != std::string::npos);
	}
	SECTION("attribute header cut short is a length mismatch") {
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x0020, mapped_value("203.0.113.5", 5000, true));
		m.resize(22);	// half an attribute header
		REQUIRE(stun_result(m) == "none");
	}
	SECTION("no mapped address") {
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x8022, ascii("srv"));
		REQUIRE(stun_result(m) ==
			"error: STUN server stun:test: the answer has no usable mapped address");
	}
	SECTION("mapped address of an unknown family") {
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x0020, {0, 3, 0, 0, 1, 2, 3, 4});
		const std::string r = stun_result(m);
		REQUIRE(r.find("no usable mapped address") != std::string::npos);
		REQUIRE(r.find("family 3") != std::string::npos);
	}
	SECTION("IPv4 family with IPv6 length") {
		Bytes v = mapped_value("2001:db8::1", 1, true);
		v[1] = 1;
		Bytes m = stun_message(0x0101);
		add_attr(m, 0x0020, v);
		REQUIRE(stun_result(m).find("no usable mapped address") != std::string::npos);
	}
	SECTION("every cut of a good answer") {
		Bytes good = stun_message(0x0101);
		add_attr(good, 0x8022, ascii("test vector"));
		add_attr(good, 0x0020, mapped_value("203.0.113.5", 5000, true));
		for (std::size_t n = 0; n <= good.size(); n++) {
			Bytes m(good.begin(), good.begin() + long(n));
			if (m.size() >= 4) {	// length field that fits the cut
				m[2] = uint8_t((n > 20 ? n - 20 : 0) >> 8);
				m[3] = uint8_t(n > 20 ? n - 20 : 0);
			}
			INFO(n);
			const std::string r = stun_result(m);
			REQUIRE((r == "none" || r == "203.0.113.5" || r.find("error: ") == 0));
		}
	}
}

TEST_CASE("STUN: a Binding error response is an error with its code")
{
	SECTION("420 with reason") {
		Bytes m = stun_message(0x0111);
		Bytes v = {0, 0, 4, 20};
		const Bytes reason = ascii("Unknown Attribute");
		v.insert(v.end(), reason.begin(), reason.end());
		add_attr(m, 0x0009, v);
		REQUIRE(stun_result(m) ==
			"error: STUN server stun:test: error response 420 (Unknown Attribute)");
	}
	SECTION("reason is shown as printable ASCII only") {
		Bytes m = stun_message(0x0111);
		add_attr(m, 0x0009, {0, 0, 5, 0, 'b', 0x1b, '[', 'x', 0xc3, 0xa9});
		REQUIRE(stun_result(m) ==
			"error: STUN server stun:test: error response 500 (b?[x?" "?)");
	}
	SECTION("no ERROR-CODE") {
		Bytes m = stun_message(0x0111);
		REQUIRE(stun_result(m).find("without an ERROR-CODE") != std::string::npos);
	}
	SECTION("the error wins over a mapped address") {
		Bytes m = stun_message(0x0111);
		add_attr(m, 0x0020, mapped_value("203.0.113.5", 5000, true));
		add_attr(m, 0x0009, {0, 0, 4, 0});
		REQUIRE(stun_result(m).find("error response 400") != std::string::npos);
	}
}

// ---- https echo body ------------------------------------------------------

TEST_CASE("https echo body")
{
	const std::string url = "https://ip.example.net/";

	REQUIRE(format_address(parse_echo_body("203.0.113.7\n", url)) == "203.0.113.7");
	REQUIRE(format_address(parse_echo_body(" \t2001:db8::7\r\n", url)) == "2001:db8::7");

	auto error = [&](const std::string &body) {
		try {
			parse_echo_body(body, url);
		} catch (const UsageError &e) {
			return std::string("usage error: ") + e.what();
		} catch (const Error &e) {
			return std::string(e.what());
		}
		return std::string("no error");
	};
	REQUIRE(error("<html>") ==
		"https://ip.example.net/: the answer is not an address: <html>");
	REQUIRE(error("") == "https://ip.example.net/: the answer is not an address: (empty)");
	REQUIRE(error("203.0.113.7 203.0.113.8").find("not an address") != std::string::npos);
	REQUIRE(error(std::string("203.0.113.7\0", 12)).find("not an address") !=
		std::string::npos);
	const std::string page = "<html>\n  <body>\x1b[31m" + std::string(100, 'x');
	REQUIRE(error(page) == "https://ip.example.net/: the answer is not an address: "
			       "<html> <body>[31m" + std::string(23, 'x') + "...");
}

// ---- address classes -----------------------------------------------------

TEST_CASE("private and unicast addresses")
{
	struct Row {
		const char *addr;
		bool is_private;
		bool unicast;
	};
	const Row rows[] = {
		{"0.0.0.0", true, false},
		{"0.1.2.3", true, true},
		{"10.0.0.1", true, true},
		{"11.0.0.1", false, true},
		{"100.63.255.255", false, true},
		{"100.64.0.1", true, true},
		{"100.127.255.255", true, true},
		{"100.128.0.0", false, true},
		{"127.0.0.1", true, true},
		{"169.254.1.1", true, true},
		{"169.255.0.1", false, true},
		{"172.15.255.255", false, true},
		{"172.16.0.1", true, true},
		{"172.31.255.255", true, true},
		{"172.32.0.0", false, true},
		{"192.168.1.1", true, true},
		{"192.169.0.1", false, true},
		{"192.0.2.1", false, true},		// documentation: "the internet"
		{"198.51.100.1", false, true},
		{"203.0.113.7", false, true},
		{"8.8.8.8", false, true},
		{"224.0.0.1", false, false},
		{"239.255.255.255", false, false},
		{"255.255.255.255", false, false},
		{"::", true, false},
		{"::1", true, true},
		{"::2", false, true},
		{"fc00::1", true, true},
		{"fdff::1", true, true},
		{"fe00::1", false, true},
		{"fe80::1", true, true},
		{"febf::1", true, true},
		{"fec0::1", false, true},
		{"ff02::1", false, false},
		{"2001:db8::1", false, true},
		{"2a00:1450::1", false, true},
	};
	for (const Row &r : rows) {
		INFO(r.addr);
		const Address a = parse_address(r.addr);
		REQUIRE(is_private_address(a) == r.is_private);
		REQUIRE(is_unicast_address(a) == r.unicast);
	}
	REQUIRE_FALSE(is_private_address(Address{}));
	REQUIRE_FALSE(is_unicast_address(Address{}));
}

// ---- IO on loopback only --------------------------------------------------

namespace {

// A UDP socket bound to @loopback port 0; -1 when the family is missing.
int loopback_socket(int family, uint16_t &port)
{
	const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sockaddr_storage ss{};
	socklen_t len;

	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if (bind(fd, reinterpret_cast<sockaddr *>(&ss), len) < 0 ||
	    getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) < 0) {
		close(fd);
		return -1;
	}
	port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in *>(&ss)->sin_port
				       : reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
	return fd;
}

// A one-shot STUN server: drops the first @drop requests (so the client
// retransmits), sends a stray datagram with another txid, then answers
// with @mapped. Gives up after 5 s. Records what it saw.
struct Responder {
	int fd = -1;
	int requests = 0;
	bool same_txid = true;
	bool well_formed = true;

	void run(int drop, const std::string &mapped)
	{
		Txid first{};
		for (;;) {
			pollfd p{fd, POLLIN, 0};
			if (poll(&p, 1, 5000) <= 0)
				return;
			uint8_t buf[512];
			sockaddr_storage from{};
			socklen_t flen = sizeof(from);
			const ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
						   reinterpret_cast<sockaddr *>(&from), &flen);
			if (n != 20 || buf[0] != 0 || buf[1] != 1 || buf[2] || buf[3]) {
				well_formed = false;
				return;
			}
			Txid txid;
			std::copy(buf + 8, buf + 20, txid.begin());
			if (requests == 0)
				first = txid;
			same_txid = same_txid && txid == first;
			if (requests++ < drop)
				continue;

			Txid other = txid;
			other[0] ^= 0xff;
			Bytes stray = stun_message(0x0101, other);
			add_attr(stray, 0x0020, mapped_value("198.51.100.66", 1, true, other));
			Bytes answer = stun_message(0x0101, txid);
			add_attr(answer, 0x0020, mapped_value(mapped, 4321, true, txid));
			const auto *to = reinterpret_cast<sockaddr *>(&from);
			sendto(fd, stray.data(), stray.size(), 0, to, flen);
			sendto(fd, answer.data(), answer.size(), 0, to, flen);
			return;
		}
	}
};

std::string discover_error(const Discovery &d, int family)
{
	try {
		discover_address(d, family);
	} catch (const UsageError &e) {
		return std::string("usage error: ") + e.what();
	} catch (const Error &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("STUN round trip on 127.0.0.1")
{
	uint16_t port = 0;
	Responder r;
	r.fd = loopback_socket(AF_INET, port);
	REQUIRE(r.fd >= 0);
	const Discovery d = parse_discovery("stun:127.0.0.1:" + std::to_string(port));

	SECTION("first request answered") {
		std::thread t([&] { r.run(0, "203.0.113.9"); });
		const Address a = discover_address(d, AF_INET);
		t.join();
		REQUIRE(format_address(a) == "203.0.113.9");
		REQUIRE(r.requests == 1);
	}
	SECTION("retransmitted with the same txid after 500 ms") {
		std::thread t([&] { r.run(1, "203.0.113.10"); });
		const Address a = discover_address(d, AF_INET);
		t.join();
		REQUIRE(format_address(a) == "203.0.113.10");
		REQUIRE(r.requests == 2);
		REQUIRE(r.same_txid);
	}
	SECTION("an answer that is not unicast is refused") {
		std::thread t([&] { r.run(0, "224.0.0.1"); });
		const std::string e = discover_error(d, AF_INET);
		t.join();
		REQUIRE(e == "STUN server stun:127.0.0.1:" + std::to_string(port) +
			     ": the answer 224.0.0.1 is not a unicast address");
	}
	SECTION("an answer of the other family is refused") {
		std::thread t([&] { r.run(0, "2001:db8::9"); });
		const std::string e = discover_error(d, AF_INET);
		t.join();
		REQUIRE(e.find("asked over IPv4, the answer is an IPv6 address (2001:db8::9)") !=
			std::string::npos);
	}
	REQUIRE(r.well_formed);
	close(r.fd);
}

TEST_CASE("STUN round trip on ::1")
{
	uint16_t port = 0;
	Responder r;
	r.fd = loopback_socket(AF_INET6, port);
	if (r.fd < 0) {
		WARN("no IPv6 loopback here; skipped");
		return;
	}
	std::thread t([&] { r.run(0, "2001:db8::42"); });
	const Address a = discover_address(
		parse_discovery("stun:[::1]:" + std::to_string(port)), AF_INET6);
	t.join();
	close(r.fd);
	REQUIRE(format_address(a) == "2001:db8::42");
	REQUIRE(r.well_formed);
}

TEST_CASE("STUN: refused port and wrong family are clear errors")
{
	uint16_t port = 0;
	const int fd = loopback_socket(AF_INET, port);
	REQUIRE(fd >= 0);
	close(fd);	// nothing listens there now: ICMP port unreachable

	const std::string e = discover_error(
		parse_discovery("stun:127.0.0.1:" + std::to_string(port)), AF_INET);
	REQUIRE(e == "STUN server stun:127.0.0.1:" + std::to_string(port) +
		     ": 127.0.0.1 port " + std::to_string(port) +
		     " refused the request (no STUN server listening there)");

	REQUIRE(discover_error(parse_discovery("stun:[::1]"), AF_INET) ==
		"STUN server stun:[::1]: ::1 is an IPv6 address, but the knock goes over "
		"IPv4, so the server must be asked over IPv4 too");
	REQUIRE(discover_error(parse_discovery("stun:127.0.0.1"), AF_INET6).find(
			"127.0.0.1 is an IPv4 address") != std::string::npos);
	REQUIRE(discover_error(parse_discovery("stun:127.0.0.1"), AF_UNIX).find(
			"neither AF_INET nor AF_INET6") != std::string::npos);
}

TEST_CASE("https discovery failing on loopback names the URL")
{
	uint16_t port = 0;
	const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	REQUIRE(fd >= 0);
	// A TCP port nobody listens on: bound, never listen()ed.
	sockaddr_in sin{};
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sin);
	REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&sin), len) == 0);
	REQUIRE(getsockname(fd, reinterpret_cast<sockaddr *>(&sin), &len) == 0);
	port = ntohs(sin.sin_port);

	const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/";
	const std::string e = discover_error(parse_discovery(url), AF_INET);
	close(fd);
	INFO(e);
	REQUIRE(e.find(url + ": ") == 0);
	REQUIRE(e.find("usage error") == std::string::npos);
	// libcurl was opened (dlopen) and tried: the error is its, not ours.
	REQUIRE(e.find("needs libcurl") == std::string::npos);
}
