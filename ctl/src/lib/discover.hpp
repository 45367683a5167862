// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock --discover: which source address will the server see?
// Behind a NAT the client's own address is not the one a knock arrives
// from, and the knock has to name (NFK_SPA_F_ADDRESS) the address the
// grant is for. A STUN server (RFC 5389 Binding) or an https "what is my
// address" echo service tells it. Pure parsing is apart from the IO so the
// wire handling is tested without a network.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace knockctl {

inline constexpr uint16_t STUN_DEFAULT_PORT = 3478;

struct Discovery {
	enum class Kind { Stun, Https } kind;
	std::string host;	// stun: host name or literal (IPv6 without [])
	uint16_t port = STUN_DEFAULT_PORT;	// stun only
	std::string url;	// https only: the whole URL
	std::string text;	// as given, for messages
};

// "stun:HOST[:PORT]" (HOST may be "[v6literal]"), or "https://...".
// Anything else, an empty host, a bad port (0, > 65535, not digits) ->
// UsageError "--discover TEXT: <why> (expected stun:HOST[:PORT] or
// https://URL)".
Discovery parse_discovery(const std::string &text);

// RFC 5389 Binding request: 20 bytes, type 0x0001, length 0, the magic
// cookie 0x2112A442, then @txid.
std::vector<uint8_t> stun_binding_request(const std::array<uint8_t, 12> &txid);

// One received datagram. nullopt when it is not a STUN response to this
// transaction (too short, top two bits set, other cookie or txid, length
// field not the datagram's or not a multiple of 4, not a Binding
// response): the caller keeps waiting. A Binding success response gives
// its XOR-MAPPED-ADDRESS, else its MAPPED-ADDRESS; an IPv4-mapped IPv6
// address comes back as IPv4. Throws Error "STUN server @server_text: ..."
// for a Binding error response (with its ERROR-CODE and reason), a success
// response without a usable mapped address, and an attribute that runs
// past the end of the message (the header matched our transaction, so the
// server did answer, badly: saying so beats timing out in silence).
// Unknown attributes are skipped.
std::optional<Address> stun_mapped_address(const uint8_t *data, std::size_t len,
					   const std::array<uint8_t, 12> &txid,
					   const std::string &server_text);

// The body of an https echo service: an IPv4 or IPv6 address with
// whitespace around it. Else Error "@url: the answer is not an address:
// <first 40 printable characters>".
Address parse_echo_body(const std::string &body, const std::string &url);

// Asks the server of @d over @family (AF_INET or AF_INET6: the knock goes
// out in that family, so the address must be of it; no fallback). STUN: 3
// tries over UDP (500 ms, 1 s, 2 s). https: libcurl, https only (also on
// redirects, at most 3), no proxy, TLS verified, 5 s, body at most 256
// bytes. Throws Error naming the server for every failure, for an address
// of the other family, and for an address that is not unicast.
Address discover_address(const Discovery &d, int family);

// Behind a NAT or never off the host: IPv4 0/8, 10/8, 100.64/10, 127/8,
// 169.254/16, 172.16/12, 192.168/16; IPv6 ::, ::1, fc00::/7, fe80::/10.
// Documentation ranges are not private: tests use them as "the internet".
bool is_private_address(const Address &a);

// Not unspecified, not multicast (224/4, ff00::/8), not 255.255.255.255.
bool is_unicast_address(const Address &a);

} // namespace knockctl
