// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "knock_wait.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "duration.hpp"
#include "errors.hpp"
#include "fd.hpp"

namespace knockctl {

uint32_t parse_knock_wait(const std::string &text)
{
	const std::string t = text.empty() ? KNOCK_WAIT_DEFAULT : text;
	uint32_t ms;

	try {
		ms = parse_duration_ms(t);
	} catch (const UsageError &e) {
		throw UsageError(std::string("--wait ") + e.what());
	}
	if (ms > KNOCK_WAIT_MAX_MS)
		throw UsageError("--wait " + t + ": too long (at most " +
				 std::to_string(KNOCK_WAIT_MAX_MS / 1000) + "s)");
	return ms;
}

std::vector<uint8_t> parse_probe_payload(const std::string &text)
{
	static constexpr std::string_view hex_prefix = "hex:";

	if (text.compare(0, hex_prefix.size(), hex_prefix) != 0) {
		if (text.empty())
			throw UsageError("--probe: empty payload");
		return {text.begin(), text.end()};
	}
	const std::string hex = text.substr(hex_prefix.size());
	const auto nibble = [&](char c) {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
		throw UsageError("--probe " + text + ": '" + std::string(1, c) +
				 "' is not a hex digit");
	};
	if (hex.empty() || hex.size() % 2)
		throw UsageError("--probe " + text + ": hex: needs an even, "
				 "non-zero number of hex digits");
	std::vector<uint8_t> out;
	for (std::size_t i = 0; i < hex.size(); i += 2)
		out.push_back(uint8_t(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
	return out;
}

namespace {

using Clock = std::chrono::steady_clock;

// One attempt may take this long before a fresh one starts: a SYN the
// guard dropped before the grant existed is not retransmitted for a
// second by the kernel, and a lost UDP probe is never resent.
constexpr int ATTEMPT_MS = 1000;
// Pause after a refusal (RST or ICMP unreachable) before trying again.
constexpr int RETRY_MS = 100;

int remaining_ms(Clock::time_point deadline)
{
	const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
		deadline - Clock::now());
	return int(std::max<long long>(0, left.count()));
}

// One TCP connection attempt: true when established within @ms.
bool tcp_attempt(const sockaddr_storage &to, socklen_t len, int ms)
{
	const Fd s{socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};

	if (s.fd < 0)
		throw Error(std::string("socket: ") + std::strerror(errno));
	if (connect(s.fd, reinterpret_cast<const sockaddr *>(&to), len) == 0)
		return true;
	if (errno != EINPROGRESS)
		return false;
	pollfd p{s.fd, POLLOUT, 0};
	if (poll(&p, 1, ms) <= 0)
		return false;
	int err = 0;
	socklen_t elen = sizeof(err);
	return getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0;
}

// One UDP probe: true when anything comes back within @ms.
bool udp_attempt(const sockaddr_storage &to, socklen_t len,
		 const std::vector<uint8_t> &payload, int ms)
{
	const Fd s{socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)};

	if (s.fd < 0)
		throw Error(std::string("socket: ") + std::strerror(errno));
	if (connect(s.fd, reinterpret_cast<const sockaddr *>(&to), len) < 0 ||
	    send(s.fd, payload.data(), payload.size(), 0) < 0)
		return false;
	pollfd p{s.fd, POLLIN, 0};
	if (poll(&p, 1, ms) <= 0)
		return false;
	uint8_t buf[1];
	// A refusal (ICMP unreachable) arrives as an error, not as data.
	return recv(s.fd, buf, sizeof(buf), MSG_TRUNC) >= 0;
}

} // namespace

std::optional<uint32_t> wait_open(const sockaddr_storage &to_in, socklen_t len,
				  const Service &svc,
				  const std::vector<uint8_t> &payload,
				  uint32_t wait_ms)
{
	sockaddr_storage to = to_in;
	if (to.ss_family == AF_INET6)
		reinterpret_cast<sockaddr_in6 &>(to).sin6_port = htons(svc.port);
	else
		reinterpret_cast<sockaddr_in &>(to).sin_port = htons(svc.port);

	const Clock::time_point start = Clock::now();
	const Clock::time_point deadline = start + std::chrono::milliseconds(wait_ms);
	for (;;) {
		const int left = remaining_ms(deadline);
		if (left == 0)
			return std::nullopt;
		const Clock::time_point tried = Clock::now();
		const int ms = std::min(left, ATTEMPT_MS);
		const bool open = svc.proto == IPPROTO_TCP ?
					  tcp_attempt(to, len, ms) :
					  udp_attempt(to, len, payload, ms);
		if (open)
			return uint32_t(std::chrono::duration_cast<std::chrono::milliseconds>(
				Clock::now() - start).count());
		// A quick refusal: pause, so a closed port is not hammered.
		if (Clock::now() - tried < std::chrono::milliseconds(RETRY_MS))
			std::this_thread::sleep_for(std::chrono::milliseconds(
				std::min(RETRY_MS, remaining_ms(deadline))));
	}
}

} // namespace knockctl
