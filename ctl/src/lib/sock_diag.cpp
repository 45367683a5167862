// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "sock_diag.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.hpp"
#include "fd.hpp"

#ifndef SOCK_DESTROY
#define SOCK_DESTROY 21
#endif

namespace knockctl {

namespace {

struct Request {
	nlmsghdr nlh;
	inet_diag_req_v2 req;
};

std::vector<uint8_t> to_bytes(const Request &r)
{
	const auto *p = reinterpret_cast<const uint8_t *>(&r);

	return std::vector<uint8_t>(p, p + sizeof(r));
}

Error diag_error(int err)
{
	if (err == EPERM || err == EACCES)
		return Error("revoke --kill: permission denied: needs CAP_NET_ADMIN",
			     EXIT_UNAVAILABLE);
	if (err == EOPNOTSUPP)
		return Error("revoke --kill: the kernel cannot end sockets "
			     "(CONFIG_INET_DIAG_DESTROY)");
	return Error(std::string("revoke --kill: sock_diag: ") + std::strerror(err));
}

void send_all(int fd, const std::vector<uint8_t> &msg)
{
	sockaddr_nl kernel{};

	kernel.nl_family = AF_NETLINK;
	if (sendto(fd, msg.data(), msg.size(), 0,
		   reinterpret_cast<const sockaddr *>(&kernel), sizeof(kernel)) < 0)
		throw diag_error(errno);
}

// Dump TCP sockets of @family and keep the matching ones.
std::vector<inet_diag_msg> dump(int fd, uint8_t family, const Address &remote,
				std::optional<uint16_t> port, uint32_t seq)
{
	std::vector<inet_diag_msg> out;
	alignas(nlmsghdr) char buf[32768];

	send_all(fd, build_tcp_dump(family, seq));
	for (;;) {
		const ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw diag_error(errno);
		int len = int(n);
		for (auto *h = reinterpret_cast<nlmsghdr *>(buf); NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const auto *e = static_cast<const nlmsgerr *>(NLMSG_DATA(h));
				throw diag_error(-e->error);
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg)))
				continue;
			inet_diag_msg m;
			std::memcpy(&m, NLMSG_DATA(h), sizeof(m));
			if (session_matches(m, remote, port))
				out.push_back(m);
		}
		if (n == 0)
			return out;
	}
}

// 0 or a positive errno.
int destroy(int fd, const inet_diag_msg &m, uint32_t seq)
{
	alignas(nlmsghdr) char buf[4096];

	send_all(fd, build_tcp_destroy(m, seq));
	for (;;) {
		const ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		int len = int(n);
		for (auto *h = reinterpret_cast<nlmsghdr *>(buf); NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq == seq && h->nlmsg_type == NLMSG_ERROR)
				return -static_cast<const nlmsgerr *>(NLMSG_DATA(h))->error;
		}
	}
}

} // namespace

uint32_t kill_states()
{
	constexpr uint32_t all = (1U << 12) - 1;	// TCP_ESTABLISHED .. TCP_CLOSING

	return all & ~((1U << TCP_LISTEN) | (1U << TCP_TIME_WAIT));
}

std::vector<uint8_t> build_tcp_dump(uint8_t family, uint32_t seq)
{
	Request r{};

	r.nlh.nlmsg_len = sizeof(r);
	r.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.nlh.nlmsg_seq = seq;
	r.req.sdiag_family = family;
	r.req.sdiag_protocol = IPPROTO_TCP;
	r.req.idiag_states = kill_states();
	return to_bytes(r);
}

std::vector<uint8_t> build_tcp_destroy(const inet_diag_msg &m, uint32_t seq)
{
	Request r{};

	r.nlh.nlmsg_len = sizeof(r);
	r.nlh.nlmsg_type = SOCK_DESTROY;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.nlh.nlmsg_seq = seq;
	r.req.sdiag_family = m.idiag_family;
	r.req.sdiag_protocol = IPPROTO_TCP;
	r.req.idiag_states = 1U << m.idiag_state;
	r.req.id = m.id;
	return to_bytes(r);
}

bool session_matches(const inet_diag_msg &m, const Address &remote,
		     std::optional<uint16_t> port)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const auto *dst = reinterpret_cast<const uint8_t *>(m.id.idiag_dst);

	if (port && ntohs(m.id.idiag_sport) != *port)
		return false;
	if (remote.family == AF_INET) {
		if (m.idiag_family == AF_INET)
			return std::memcmp(dst, remote.bytes.data(), 4) == 0;
		return m.idiag_family == AF_INET6 && std::memcmp(dst, mapped, 12) == 0 &&
		       std::memcmp(dst + 12, remote.bytes.data(), 4) == 0;
	}
	return m.idiag_family == AF_INET6 &&
	       std::memcmp(dst, remote.bytes.data(), 16) == 0;
}

unsigned kill_tcp_sessions(const Address &remote, std::optional<uint16_t> port)
{
	Fd f{socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)};
	uint32_t seq = 1;
	unsigned ended = 0;

	if (f.fd < 0)
		throw diag_error(errno);

	std::vector<inet_diag_msg> found = dump(f.fd, AF_INET6, remote, port, seq++);
	if (remote.family == AF_INET) {
		auto v4 = dump(f.fd, AF_INET, remote, port, seq++);
		found.insert(found.end(), v4.begin(), v4.end());
	}
	for (const inet_diag_msg &m : found) {
		const int err = destroy(f.fd, m, seq++);

		if (err == 0)
			ended++;
		else if (err != ENOENT)	// gone meanwhile
			throw diag_error(err);
	}
	return ended;
}

} // namespace knockctl
