// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "genl.hpp"

#include <linux/netlink.h>
#include <linux/nfknock.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <new>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "errors.hpp"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace knockctl {

namespace {

// State of one request/reply exchange, shared with the libnl callbacks.
struct Exchange {
	std::vector<MsgPtr> replies;
	bool done = false;
	bool oom = false;
	bool intr = false;	// a message carried NLM_F_DUMP_INTR
	int err = 0;		// positive errno from the kernel
	std::string extack;
};

int on_valid(nl_msg *msg, void *arg)
{
	auto *ex = static_cast<Exchange *>(arg);
	MsgPtr copy(nlmsg_convert(nlmsg_hdr(msg)));

	if (!copy) {
		ex->oom = true;
		return NL_STOP;
	}
	try {	// no exception may cross libnl's C frames
		ex->replies.push_back(std::move(copy));
	} catch (...) {
		ex->oom = true;
		return NL_STOP;
	}
	return NL_OK;
}

// A dump whose state changed between two rounds: note it and read on to
// NLMSG_DONE (which may carry the flag too), so the socket stays in step.
// Without this callback libnl would fail the whole receive.
int on_dump_intr(nl_msg *, void *arg)
{
	static_cast<Exchange *>(arg)->intr = true;
	return NL_OK;
}

int on_ack(nl_msg *, void *arg)
{
	static_cast<Exchange *>(arg)->done = true;
	return NL_STOP;
}

// NLMSG_DONE ends a dump; since Linux 4.x it can carry an error (int) and
// extack TLVs when the dump failed part-way.
int on_finish(nl_msg *msg, void *arg)
{
	auto *ex = static_cast<Exchange *>(arg);
	nlmsghdr *nlh = nlmsg_hdr(msg);

	ex->done = true;
	if (nlmsg_datalen(nlh) >= int(sizeof(int))) {
		int err;

		std::memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			ex->err = -err;
			try {
				ex->extack = extack_message(nlh);
			} catch (...) {
			}
		}
	}
	return NL_STOP;
}

// libnl hands us nlmsg_data() of the NLMSG_ERROR message; the header sits
// right in front of it in the receive buffer.
int on_error(sockaddr_nl *, nlmsgerr *e, void *arg)
{
	auto *ex = static_cast<Exchange *>(arg);
	auto *nlh = reinterpret_cast<const nlmsghdr *>(
		reinterpret_cast<const char *>(e) - NLMSG_HDRLEN);

	ex->done = true;
	ex->err = e->error < 0 ? -e->error : e->error;
	try {	// no exception may cross libnl's C frames
		ex->extack = extack_message(nlh);
	} catch (...) {
	}
	return NL_STOP;
}

} // namespace

std::string extack_message(const nlmsghdr *nlh)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return {};

	const char *payload = reinterpret_cast<const char *>(nlh) + NLMSG_HDRLEN;
	const std::size_t len = nlh->nlmsg_len >= NLMSG_HDRLEN ?
					nlh->nlmsg_len - NLMSG_HDRLEN : 0;
	std::size_t off;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		off = NLMSG_ALIGN(sizeof(int));
	} else {
		nlmsgerr e;

		if (len < sizeof(e))
			return {};
		std::memcpy(&e, payload, sizeof(e));
		// Without NLM_F_CAPPED the whole request is echoed after the
		// error code; with it only the request's header.
		off = sizeof(e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e.msg.nlmsg_len < NLMSG_HDRLEN)
				return {};
			off += NLMSG_ALIGN(e.msg.nlmsg_len) - NLMSG_HDRLEN;
		}
	}
	if (off >= len)
		return {};

	// Walk the TLVs; the buffer is 4-aligned as received from the kernel.
	const char *p = payload + off;
	std::size_t rem = len - off;
	while (rem >= NLA_HDRLEN) {
		nlattr a;

		std::memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > rem)
			break;
		if ((a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			const char *s = p + NLA_HDRLEN;
			std::size_t n = a.nla_len - NLA_HDRLEN;

			while (n > 0 && s[n - 1] == '\0')
				n--;
			return std::string(s, strnlen(s, n));
		}
		const std::size_t step = NLA_ALIGN(a.nla_len);
		if (step >= rem)
			break;
		p += step;
		rem -= step;
	}
	return {};
}

GenlSocket::GenlSocket(bool capped)
{
	SockPtr sock(nl_socket_alloc());

	if (!sock)
		throw std::bad_alloc();
	const int err = genl_connect(sock.get());
	if (err < 0)
		throw Error(std::string("cannot open generic netlink socket: ") +
			    nl_geterror(err));

	// Ask for extack messages (best effort: kernels before 4.12 lack it).
	const int one = 1;
	const int fd = nl_socket_get_fd(sock.get());
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (capped)
		setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_enable_msg_peek(sock.get());
	sock_ = std::move(sock);
}

int GenlSocket::resolve(const char *name)
{
	const int err = genl_ctrl_resolve(sock_.get(), name);

	if (err == -NLE_OBJ_NOTFOUND)
		return -1;
	if (err < 0)
		throw Error(std::string("cannot resolve generic netlink family ") +
			    name + ": " + nl_geterror(err));
	return err;
}

std::vector<MsgPtr> GenlSocket::exchange(nl_msg *request)
{
	CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
	if (!cb)
		throw std::bad_alloc();

	Exchange ex;
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ex);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ex);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &ex);
	nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &ex);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &ex);

	int err = nl_send_auto(sock_.get(), request);
	if (err < 0)
		throw Error(std::string("netlink send failed: ") + nl_geterror(err));

	while (!ex.done) {
		err = nl_recvmsgs(sock_.get(), cb.get());
		if (ex.oom)
			throw std::bad_alloc();
		if (ex.err)
			break;
		if (err < 0)
			throw Error(std::string("netlink receive failed: ") +
				    nl_geterror(err));
	}
	if (ex.err)
		throw KernelError(ex.err, ex.extack);
	if (ex.intr)
		throw DumpInterrupted();
	return std::move(ex.replies);
}

int GenlTransport::family()
{
	if (!sock_) {
		auto sock = std::make_unique<GenlSocket>();
		const int id = sock->resolve(NFKNOCK_GENL_NAME);

		if (id < 0)
			throw ModuleMissing();
		family_ = id;
		sock_ = std::move(sock);
	}
	return family_;
}

std::vector<MsgPtr> GenlTransport::exchange(nl_msg *request)
{
	family();
	return sock_->exchange(request);
}

} // namespace knockctl
