// SPDX-License-Identifier: GPL-2.0 OR MIT
// The libnl client: extack parsing on hand-built error messages, and the
// socket against the running kernel's own "nlctrl" family (always there),
// so errors, doit replies and dumps are exercised without nfknock.
#include <catch2/catch.hpp>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "codec.hpp"
#include "errors.hpp"
#include "genl.hpp"

using namespace knockctl;

namespace {

// An NLMSG_ERROR (or NLMSG_DONE) message as the kernel builds it.
class ErrorMsg {
public:
	ErrorMsg(uint16_t type, int error, uint16_t flags, uint32_t echoed_len,
		 bool fill_echo = true)
	{
		nlmsghdr h{};
		h.nlmsg_type = type;
		h.nlmsg_flags = flags;
		append(&h, sizeof(h));
		if (type == NLMSG_DONE) {
			append(&error, sizeof(error));
		} else {
			nlmsgerr e{};
			e.error = error;
			e.msg.nlmsg_len = echoed_len;
			e.msg.nlmsg_type = 0x1d;
			append(&e, sizeof(e));
			if (fill_echo && !(flags & NLM_F_CAPPED) &&
			    echoed_len > NLMSG_HDRLEN)
				buf_.resize(buf_.size() + NLMSG_ALIGN(echoed_len) - NLMSG_HDRLEN, 0xaa);
		}
	}

	void tlv(uint16_t type, const std::string &payload, bool nul = true)
	{
		nlattr a{};
		tlv_start_ = buf_.size();
		a.nla_type = type;
		a.nla_len = uint16_t(NLA_HDRLEN + payload.size() + (nul ? 1 : 0));
		append(&a, sizeof(a));
		append(payload.data(), payload.size());
		if (nul)
			buf_.push_back(0);
		buf_.resize(NLMSG_ALIGN(buf_.size()), 0);
	}

	// Claim more TLV bytes than there are (a truncated buffer).
	void truncate_last_tlv(uint16_t claimed)
	{
		nlattr a;
		std::memcpy(&a, buf_.data() + tlv_start_, sizeof(a));
		a.nla_len = claimed;
		std::memcpy(buf_.data() + tlv_start_, &a, sizeof(a));
	}

	const nlmsghdr *hdr()
	{
		nlmsghdr h;
		std::memcpy(&h, buf_.data(), sizeof(h));
		h.nlmsg_len = uint32_t(buf_.size());
		std::memcpy(buf_.data(), &h, sizeof(h));
		// Keep the buffer 4-aligned as a receive buffer is.
		aligned_.assign((buf_.size() + 3) / 4, 0);
		std::memcpy(aligned_.data(), buf_.data(), buf_.size());
		return reinterpret_cast<const nlmsghdr *>(aligned_.data());
	}

private:
	void append(const void *p, std::size_t n)
	{
		const auto *b = static_cast<const uint8_t *>(p);
		buf_.insert(buf_.end(), b, b + n);
	}

	std::vector<uint8_t> buf_;
	std::vector<uint32_t> aligned_;
	std::size_t tlv_start_ = 0;
};

constexpr uint16_t TLVS = NLM_F_ACK_TLVS;

} // namespace

TEST_CASE("extack text is read from error messages")
{
	SECTION("capped ack") {
		ErrorMsg m(NLMSG_ERROR, -EEXIST, NLM_F_CAPPED | TLVS, 36);
		m.tlv(NLMSGERR_ATTR_MSG, "guard already exists");
		REQUIRE(extack_message(m.hdr()) == "guard already exists");
	}
	SECTION("uncapped ack echoing the whole request") {
		ErrorMsg m(NLMSG_ERROR, -EINVAL, TLVS, 45);
		m.tlv(NLMSGERR_ATTR_MSG, "bad port");
		REQUIRE(extack_message(m.hdr()) == "bad port");
	}
	SECTION("message after an offset attribute") {
		ErrorMsg m(NLMSG_ERROR, -EINVAL, NLM_F_CAPPED | TLVS, 20);
		m.tlv(NLMSGERR_ATTR_OFFS, std::string("\x14\0\0\0", 4), false);
		m.tlv(NLMSGERR_ATTR_MSG, "Attribute failed policy validation");
		REQUIRE(extack_message(m.hdr()) == "Attribute failed policy validation");
	}
	SECTION("dump error in NLMSG_DONE") {
		ErrorMsg m(NLMSG_DONE, -ENOBUFS, NLM_F_MULTI | TLVS, 0);
		m.tlv(NLMSGERR_ATTR_MSG, "dump interrupted");
		REQUIRE(extack_message(m.hdr()) == "dump interrupted");
	}
}

TEST_CASE("missing or damaged extack gives no text")
{
	SECTION("no NLM_F_ACK_TLVS flag") {
		ErrorMsg m(NLMSG_ERROR, -EEXIST, NLM_F_CAPPED, 20);
		m.tlv(NLMSGERR_ATTR_MSG, "ignored");
		REQUIRE(extack_message(m.hdr()).empty());
	}
	SECTION("flag but no TLVs") {
		ErrorMsg m(NLMSG_ERROR, -EEXIST, NLM_F_CAPPED | TLVS, 20);
		REQUIRE(extack_message(m.hdr()).empty());
	}
	SECTION("TLV longer than the message") {
		ErrorMsg m(NLMSG_ERROR, -EEXIST, NLM_F_CAPPED | TLVS, 20);
		m.tlv(NLMSGERR_ATTR_MSG, "abc");
		m.truncate_last_tlv(200);
		REQUIRE(extack_message(m.hdr()).empty());
	}
	SECTION("echoed length beyond the message") {
		// Uncapped, claims a 1000-byte echo that is not there.
		ErrorMsg m(NLMSG_ERROR, -EEXIST, TLVS, 1000, false);
		m.tlv(NLMSGERR_ATTR_MSG, "abc");
		REQUIRE(extack_message(m.hdr()).empty());
	}
	SECTION("message without NUL") {
		ErrorMsg m(NLMSG_ERROR, -EEXIST, NLM_F_CAPPED | TLVS, 20);
		m.tlv(NLMSGERR_ATTR_MSG, "no nul", false);
		REQUIRE(extack_message(m.hdr()) == "no nul");
	}
}

TEST_CASE("kernel errors carry the operation, the extack and the errno text")
{
	SECTION("with extack") {
		KernelError e = KernelError(EEXIST, "guard already exists")
					.with_context("guard add tcp/22");
		REQUIRE(std::string(e.what()) ==
			"guard add tcp/22: guard already exists (File exists)");
		REQUIRE(e.exit_code() == EXIT_ERROR);
	}
	SECTION("without extack") {
		KernelError e = KernelError(ENOENT, "").with_context("guard del tcp/22");
		REQUIRE(std::string(e.what()) == "guard del tcp/22: No such file or directory");
	}
	SECTION("EPERM means no CAP_NET_ADMIN, exit 3") {
		KernelError e = KernelError(EPERM, "").with_context("flush");
		REQUIRE(std::string(e.what()) == "permission denied: needs CAP_NET_ADMIN");
		REQUIRE(e.exit_code() == EXIT_UNAVAILABLE);
	}
}

// From here on the running kernel answers: its nlctrl family always exists.
TEST_CASE("generic netlink socket against the kernel's nlctrl family")
{
	SECTION("resolving a family that does not exist gives -1") {
		GenlSocket sock;
		REQUIRE(sock.resolve("nfk-no-such-family") == -1);
		REQUIRE(sock.resolve("nlctrl") == GENL_ID_CTRL);
	}
	SECTION("a doit request returns its reply") {
		GenlSocket sock;
		MsgPtr req = build_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
		REQUIRE(nla_put_string(req.get(), CTRL_ATTR_FAMILY_NAME, "nlctrl") == 0);

		auto replies = sock.exchange(req.get());
		REQUIRE(replies.size() == 1);
		REQUIRE(message_cmd(nlmsg_hdr(replies[0].get())) == CTRL_CMD_NEWFAMILY);
	}
	SECTION("a dump returns every entry") {
		GenlSocket sock;
		MsgPtr req = build_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, true);

		auto replies = sock.exchange(req.get());
		REQUIRE(!replies.empty());
	}
	for (bool capped : {true, false}) {
		DYNAMIC_SECTION("a refused request throws errno and extack, capped " << capped) {
			GenlSocket sock(capped);
			MsgPtr req = build_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
			// Longer than GENL_NAMSIZ: fails the policy, with extack.
			REQUIRE(nla_put_string(req.get(), CTRL_ATTR_FAMILY_NAME,
					       std::string(40, 'a').c_str()) == 0);
			try {
				sock.exchange(req.get());
				FAIL("no error");
			} catch (const KernelError &e) {
				REQUIRE((e.err() == EINVAL || e.err() == ERANGE));
				REQUIRE(!e.extack().empty());
			}
		}
	}
	SECTION("the socket keeps working after an error") {
		GenlSocket sock;
		MsgPtr bad = build_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
		nla_put_string(bad.get(), CTRL_ATTR_FAMILY_NAME, "nfk-no-such-family");
		REQUIRE_THROWS_AS(sock.exchange(bad.get()), KernelError);

		MsgPtr good = build_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
		nla_put_string(good.get(), CTRL_ATTR_FAMILY_NAME, "nlctrl");
		REQUIRE(sock.exchange(good.get()).size() == 1);
	}
}
