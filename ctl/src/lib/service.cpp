// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "service.hpp"

#include "errors.hpp"
#include "service.h"

namespace knockctl {

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
	struct nfk_service svc {};
	char buf[NFK_SERVICE_STRLEN + 8];

	if (!nfk_proto_name(s.proto))
		return proto_name(s.proto) + "/" + std::to_string(s.port) +
		       (s.port_end != s.port ? "-" + std::to_string(s.port_end) : "");
	svc.proto = s.proto;
	svc.port = s.port;
	svc.port_end = s.port_end;
	nfk_service_format(&svc, buf, sizeof(buf));
	return buf;
}

bool covers(const Service &svc, uint8_t proto, uint16_t port)
{
	return svc.proto == proto && port >= svc.port && port <= svc.port_end;
}

bool overlaps(const Service &a, const Service &b)
{
	return covers(a, b.proto, b.port) || covers(b, a.proto, a.port);
}

std::string proto_name(uint8_t proto)
{
	const char *name = nfk_proto_name(proto);

	return name ? name : "proto-" + std::to_string(proto);
}

} // namespace knockctl
