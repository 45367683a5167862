// SPDX-License-Identifier: GPL-2.0 OR MIT
// The real event source: libnl resolves the family and its group, joins
// it, then the socket is read directly (poll + recvmsg), which tells a
// buffer overrun (ENOBUFS) from everything else.
#include "event_source.hpp"

#include <linux/netlink.h>
#include <linux/nfknock.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <new>
#include <string>
#include <vector>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "errors.hpp"

namespace knockctl {

namespace {

class GenlEventSource : public EventSource {
public:
	GenlEventSource(const char *family, const char *group);
	Received next(int timeout_ms) override;

private:
	// Reads one datagram (the socket is readable): its messages of the
	// family into pending_; false on ENOBUFS.
	bool read_datagram();

	SockPtr sock_;
	int fd_ = -1;
	int family_ = -1;
	std::deque<MsgPtr> pending_;
	std::vector<char> buf_ = std::vector<char>(65536);
};

GenlEventSource::GenlEventSource(const char *family, const char *group)
{
	SockPtr sock(nl_socket_alloc());

	if (!sock)
		throw std::bad_alloc();
	int err = genl_connect(sock.get());
	if (err < 0)
		throw Error(std::string("cannot open generic netlink socket: ") +
			    nl_geterror(err));
	err = genl_ctrl_resolve(sock.get(), family);
	if (err == -NLE_OBJ_NOTFOUND)
		throw ModuleMissing();
	if (err < 0)
		throw Error(std::string("cannot resolve generic netlink family ") +
			    family + ": " + nl_geterror(err));
	family_ = err;
	const int grp = genl_ctrl_resolve_grp(sock.get(), family, group);
	if (grp == -NLE_OBJ_NOTFOUND)
		throw Error(std::string("this module sends no events (family ") +
			    family + " has no group \"" + group + "\"): update it");
	if (grp < 0)
		throw Error(std::string("cannot resolve the events group: ") +
			    nl_geterror(grp));

	// Notifications carry no sequence numbers of ours.
	nl_socket_disable_seq_check(sock.get());
	fd_ = nl_socket_get_fd(sock.get());
	// Room for a burst: past net.core.rmem_max with CAP_NET_ADMIN (which
	// joining needs anyway), else as much as rmem_max allows.
	const int size = EVENTS_RCVBUF;
	if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));

	err = nl_socket_add_membership(sock.get(), grp);
	if (err == -NLE_PERM)
		throw Error("joining the events group needs CAP_NET_ADMIN in this "
			    "network namespace", EXIT_UNAVAILABLE);
	if (err < 0)
		throw Error(std::string("cannot join the events group: ") +
			    nl_geterror(err));
	sock_ = std::move(sock);
}

bool GenlEventSource::read_datagram()
{
	sockaddr_nl from{};
	iovec iov{buf_.data(), buf_.size()};
	msghdr mh{};

	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	const ssize_t n = recvmsg(fd_, &mh, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == ENOBUFS)
			return false;
		if (errno == EINTR || errno == EAGAIN)
			return true;
		throw Error(std::string("receiving events failed: ") +
			    std::strerror(errno));
	}
	// Only the kernel's, whole.
	if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
		return true;
	int len = int(n);
	for (auto *nlh = reinterpret_cast<nlmsghdr *>(buf_.data());
	     NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_type != family_)
			continue;
		MsgPtr copy(nlmsg_convert(nlh));
		if (!copy)
			throw std::bad_alloc();
		pending_.push_back(std::move(copy));
	}
	return true;
}

Received GenlEventSource::next(int timeout_ms)
{
	using namespace std::chrono;
	const auto deadline = steady_clock::now() + milliseconds(timeout_ms);

	while (pending_.empty()) {
		int wait = -1;

		if (timeout_ms >= 0) {
			const auto left = duration_cast<milliseconds>(
				deadline - steady_clock::now()).count();
			if (left <= 0)
				return {Received::TIMEOUT, nullptr};
			wait = int(left);
		}
		pollfd p{fd_, POLLIN, 0};
		const int r = poll(&p, 1, wait);
		if (r < 0 && errno != EINTR)
			throw Error(std::string("waiting for events failed: ") +
				    std::strerror(errno));
		if (r > 0 && !read_datagram())
			return {Received::LOST, nullptr};
	}
	Received out{Received::MESSAGE, std::move(pending_.front())};
	pending_.pop_front();
	return out;
}

} // namespace

std::unique_ptr<EventSource> open_event_source(const char *family, const char *group)
{
	return std::make_unique<GenlEventSource>(family, group);
}

} // namespace knockctl
