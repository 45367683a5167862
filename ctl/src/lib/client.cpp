// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "client.hpp"

#include "codec.hpp"
#include "errors.hpp"

namespace knockctl {

Status Client::status()
{
	auto replies = t_.exchange(build_get_status(t_.family()).get());

	if (replies.empty())
		throw ProtocolError("no status reply");
	return parse_status(nlmsg_hdr(replies.front().get()));
}

void Client::set_params(const Params &params)
{
	t_.exchange(build_set_params(t_.family(), params).get());
}

void Client::add_guard(const Service &svc)
{
	t_.exchange(build_add_guard(t_.family(), svc).get());
}

void Client::del_guard(const Service &svc)
{
	t_.exchange(build_del_guard(t_.family(), svc).get());
}

std::vector<Service> Client::guards()
{
	std::vector<Service> out;

	for (const MsgPtr &m : t_.exchange(build_get_guards(t_.family()).get()))
		out.push_back(parse_guard(nlmsg_hdr(m.get())));
	return out;
}

void Client::add_grant(const Grant &grant)
{
	t_.exchange(build_add_grant(t_.family(), grant).get());
}

void Client::del_grant(const Revoke &revoke)
{
	t_.exchange(build_del_grant(t_.family(), revoke).get());
}

std::vector<Grant> Client::grants()
{
	std::vector<Grant> out;

	for (const MsgPtr &m : t_.exchange(build_get_grants(t_.family()).get()))
		out.push_back(parse_grant(nlmsg_hdr(m.get())));
	return out;
}

void Client::flush()
{
	t_.exchange(build_flush(t_.family()).get());
}

} // namespace knockctl
