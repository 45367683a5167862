// SPDX-License-Identifier: GPL-2.0 OR MIT
// What every command gets: output streams and a lazily opened connection
// to the module. Tests build one with string streams and a fake transport.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client.hpp"
#include "discover.hpp"
#include "transport.hpp"

namespace knockctl {

class EventSource;

class Context {
public:
	using TransportFactory = std::function<std::unique_ptr<Transport>()>;

	Context(std::ostream &out, std::ostream &err, TransportFactory factory)
		: out(out), err(err), factory_(std::move(factory)) {}

	// Opens the transport on first use (nothing is opened for --help or a
	// usage error).
	Client &client();

	// now_ms, else the system clock.
	uint64_t unix_ms() const;
	// sleep_ms, else a real pause.
	void sleep(uint32_t ms) const;

	std::ostream &out;
	std::ostream &err;
	// Set by a command that ended because the reader of @out went away
	// (monitor | head): a normal end, not an output failure.
	bool reader_gone = false;

	// What tests replace; left empty, the real thing is used.
	// Standard input (pubkey); null: std::cin.
	std::istream *in = nullptr;
	// Send one UDP datagram to @to (knock).
	std::function<void(const sockaddr_storage &to, socklen_t len,
			   const std::vector<uint8_t> &datagram)> send_udp;
	// End local TCP sessions from @remote, to local @port if given
	// (revoke --kill); returns how many were ended.
	std::function<unsigned(const Address &remote,
			       std::optional<uint16_t> port)> kill_sessions;
	// The source address this host uses toward @to (knock --address auto).
	std::function<Address(const sockaddr_storage &to, socklen_t len)>
		source_address;
	// This host's address as a discovery service sees it (knock --discover).
	std::function<Address(const Discovery &d, int family)> discover;
	// Try @svc at @to until open or @wait_ms passed; milliseconds it took
	// (knock --wait; see knock_wait.hpp).
	std::function<std::optional<uint32_t>(const sockaddr_storage &to,
					      socklen_t len, const Service &svc,
					      const std::vector<uint8_t> &payload,
					      uint32_t wait_ms)>
		probe;
	// Unix time in milliseconds (knock, sequence).
	std::function<uint64_t()> now_ms;
	// Send one step of a derived sequence to @to (knock --sequence): a
	// TCP SYN (@proto IPPROTO_TCP) or an empty UDP datagram.
	std::function<void(const sockaddr_storage &to, socklen_t len,
			   uint8_t proto)>
		send_step;
	// Pause @ms (knock --sequence: between steps, and until a window
	// that leaves time for all of them).
	std::function<void(uint32_t ms)> sleep_ms;
	// Where monitor reads events (event_source.hpp); null: the module's
	// events group.
	std::function<std::unique_ptr<EventSource>()> event_source;
	// This host's ephemeral port range, "FIRST\tLAST" (check warns about
	// guards inside it).
	std::string port_range_file = "/proc/sys/net/ipv4/ip_local_port_range";

private:
	TransportFactory factory_;
	std::unique_ptr<Transport> transport_;
	std::unique_ptr<Client> client_;
};

// The real thing: a GenlTransport.
Context::TransportFactory genl_factory();

} // namespace knockctl
