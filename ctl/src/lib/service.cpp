// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "service.hpp"

#include "errors.hpp"
#include "service.h"

namespace knockctl {

namespace {

nfk_service core_service(const Service &s)
{
	return nfk_service{s.proto, s.port, s.port_end};
}

} // namespace

Service parse_service(std::string_view text, bool single)
{
	struct nfk_service svc {};
	int err = nfk_service_parse(text.data(), text.size(), single, &svc);

	if (err != NFK_SVC_OK)
		throw UsageError(std::string(text) + ": " +
				 nfk_service_strerror(err));
	return Service{svc.proto, svc.port, svc.port_end};
}

std::string format_service(const Service &s)
{
	const nfk_service svc = core_service(s);
	char buf[NFK_SERVICE_STRLEN + 8];

	if (!nfk_proto_name(s.proto))
		return proto_name(s.proto) + "/" + std::to_string(s.port) +
		       (s.port_end != s.port ? "-" + std::to_string(s.port_end) : "");
	nfk_service_format(&svc, buf, sizeof(buf));
	return buf;
}

// The core's rule, the one the kernel applies to the same configuration.
bool covers(const Service &svc, uint8_t proto, uint16_t port)
{
	const nfk_service s = core_service(svc);

	return nfk_service_covers(&s, proto, port);
}

bool overlaps(const Service &a, const Service &b)
{
	const nfk_service x = core_service(a), y = core_service(b);

	return nfk_service_overlaps(&x, &y);
}

std::string proto_name(uint8_t proto)
{
	const char *name = nfk_proto_name(proto);

	return name ? name : "proto-" + std::to_string(proto);
}

} // namespace knockctl
