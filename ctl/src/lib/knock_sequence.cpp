// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "knock_sequence.hpp"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "duration.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "sequence.hpp"
#include "service.hpp"

namespace knockctl {

namespace {

sockaddr_storage with_port(const sockaddr_storage &to, uint16_t port)
{
	sockaddr_storage out = to;

	if (out.ss_family == AF_INET6)
		reinterpret_cast<sockaddr_in6 &>(out).sin6_port = htons(port);
	else
		reinterpret_cast<sockaddr_in &>(out).sin_port = htons(port);
	return out;
}

std::string ports_text(const std::vector<uint16_t> &ports)
{
	std::string out;

	for (uint16_t p : ports)
		out += " " + std::to_string(p);
	return out;
}

} // namespace

uint32_t parse_sequence_gap(const std::string &text)
{
	uint32_t ms;

	try {
		ms = parse_duration_ms(text);
	} catch (const UsageError &e) {
		throw UsageError(std::string("--gap ") + e.what());
	}
	if (ms > SEQUENCE_GAP_MAX_MS)
		throw UsageError("--gap " + text + ": too long (at most " +
				 format_duration_ms(SEQUENCE_GAP_MAX_MS) +
				 ": the server waits 10s at most for each next step)");
	return ms;
}

void send_step(const sockaddr_storage &to, socklen_t len, uint8_t proto)
{
	const auto *addr = reinterpret_cast<const sockaddr *>(&to);

	if (proto == IPPROTO_TCP) {
		const Fd s{socket(to.ss_family,
				  SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};

		if (s.fd < 0)
			throw Error(std::string("socket: ") + std::strerror(errno));
		// The SYN leaves within connect(): EINPROGRESS (or an answer
		// already there, on loopback) means it is out; closing the
		// socket then sends nothing more.
		if (connect(s.fd, addr, len) == 0 || errno == EINPROGRESS ||
		    errno == ECONNREFUSED)
			return;
		throw Error("connect: " + std::string(std::strerror(errno)));
	}
	const Fd s{socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)};

	if (s.fd < 0)
		throw Error(std::string("socket: ") + std::strerror(errno));
	if (sendto(s.fd, "", 0, 0, addr, len) < 0)
		throw Error("send: " + std::string(std::strerror(errno)));
}

void knock_sequence(Context &ctx, const Secret<16> &k_seq, const SequenceKnock &k)
{
	const Sequence &p = k.params;
	const uint64_t window_ms = uint64_t(p.window_s) * 1000;
	const uint64_t now = ctx.unix_ms();
	uint64_t window = sequence_window(p, now / 1000);
	const uint64_t left = (window + 1) * window_ms - now;
	const uint64_t needed = uint64_t(p.length) * k.gap_ms + SEQUENCE_MARGIN_MS;

	if (left < needed) {
		if (k.verbose)
			ctx.out << "window " << window << " ends in " << left
				<< " ms, too soon for "
				<< unsigned(p.length) << " steps "
				<< format_duration_ms(k.gap_ms) << " apart: waiting for "
				<< "window " << window + 1 << "\n";
		ctx.sleep(uint32_t(left));
		window++;
	}

	const std::vector<uint16_t> ports =
		sequence_ports(k_seq, p, window, k.service.proto, k.service.port);
	for (std::size_t i = 0; i < ports.size(); i++) {
		if (i)
			ctx.sleep(k.gap_ms);
		const sockaddr_storage to = with_port(k.to, ports[i]);
		try {
			if (ctx.send_step)
				ctx.send_step(to, k.len, p.proto);
			else
				send_step(to, k.len, p.proto);
		} catch (const Error &e) {
			throw Error(k.target + ": step " + std::to_string(i + 1) + " (" +
				    proto_name(p.proto) + "/" + std::to_string(ports[i]) +
				    "): " + e.what());
		}
	}
	if (k.verbose)
		ctx.out << "sent the sequence for " << format_service(k.service)
			<< " to " << k.target << " (" << k.target_addr << "): "
			<< proto_name(p.proto) << ports_text(ports) << ", window "
			<< window << ", " << format_duration_ms(k.gap_ms) << " apart\n";
}

} // namespace knockctl
