// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Service text codec shared by knockctl and the tests. */
#include "service.h"

const char *nfk_proto_name(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return NULL;
	}
}

bool nfk_service_valid(const struct nfk_service *svc)
{
	return nfk_proto_name(svc->proto) && svc->port >= 1 &&
	       svc->port_end >= svc->port;
}

bool nfk_service_covers(const struct nfk_service *svc, u8 proto, u16 port)
{
	return svc->proto == proto && port >= svc->port &&
	       port <= svc->port_end;
}

bool nfk_service_overlaps(const struct nfk_service *a,
			  const struct nfk_service *b)
{
	/* Two ranges meet iff one of them holds the other's first port. */
	return nfk_service_covers(a, b->proto, b->port) ||
	       nfk_service_covers(b, a->proto, a->port);
}

/* Parse decimal digits of @s[0..len) into *@val; at most 5 digits. */
static int parse_port(const char *s, size_t len, u32 *val)
{
	size_t i;
	u32 v = 0;

	if (len == 0)
		return NFK_SVC_E_PORT;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return NFK_SVC_E_PORT;
		if (i >= 6)	/* any 7-digit number is out of range */
			return NFK_SVC_E_RANGE;
		v = v * 10 + (u32)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return NFK_SVC_E_RANGE;
	*val = v;
	return NFK_SVC_OK;
}

static size_t find_char(const char *s, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == c)
			return i;
	return len;
}

int nfk_service_parse(const char *s, size_t len, bool single,
		      struct nfk_service *out)
{
	size_t slash = find_char(s, len, '/');
	size_t dash;
	const char *ports;
	size_t plen;
	u32 lo, hi;
	u8 proto;
	int err;

	if (slash == len)
		return NFK_SVC_E_FORMAT;
	if (slash == 3 && !memcmp(s, "tcp", 3))
		proto = IPPROTO_TCP;
	else if (slash == 3 && !memcmp(s, "udp", 3))
		proto = IPPROTO_UDP;
	else
		return NFK_SVC_E_PROTO;

	ports = s + slash + 1;
	plen = len - slash - 1;
	dash = find_char(ports, plen, '-');
	err = parse_port(ports, dash, &lo);
	if (err)
		return err;
	hi = lo;
	if (dash < plen) {
		err = parse_port(ports + dash + 1, plen - dash - 1, &hi);
		if (err)
			return err;
		if (hi < lo)
			return NFK_SVC_E_ORDER;
		if (single && hi != lo)
			return NFK_SVC_E_SINGLE;
	}
	out->proto = proto;
	out->port = (u16)lo;
	out->port_end = (u16)hi;
	return NFK_SVC_OK;
}

const char *nfk_service_strerror(int err)
{
	switch (err) {
	case NFK_SVC_OK:
		return "ok";
	case NFK_SVC_E_FORMAT:
		return "expected PROTO/PORT or PROTO/FIRST-LAST, e.g. tcp/22";
	case NFK_SVC_E_PROTO:
		return "unknown protocol (tcp or udp)";
	case NFK_SVC_E_PORT:
		return "port is not a number";
	case NFK_SVC_E_RANGE:
		return "port out of range";
	case NFK_SVC_E_ORDER:
		return "last port is below first port";
	case NFK_SVC_E_SINGLE:
		return "a single port is needed here, not a range";
	default:
		return "invalid service";
	}
}

static size_t put_u16(char *buf, size_t size, size_t pos, u16 v)
{
	char tmp[5];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n--) {
		if (pos + 1 < size)
			buf[pos] = tmp[n];
		pos++;
	}
	return pos;
}

size_t nfk_service_format(const struct nfk_service *svc, char *buf,
			  size_t size)
{
	const char *name = nfk_proto_name(svc->proto);
	size_t pos = 0;

	if (!name)
		name = "???";
	while (*name) {
		if (pos + 1 < size)
			buf[pos] = *name;
		pos++;
		name++;
	}
	if (pos + 1 < size)
		buf[pos] = '/';
	pos++;
	pos = put_u16(buf, size, pos, svc->port);
	if (svc->port_end != svc->port) {
		if (pos + 1 < size)
			buf[pos] = '-';
		pos++;
		pos = put_u16(buf, size, pos, svc->port_end);
	}
	if (size)
		buf[pos < size ? pos : size - 1] = '\0';
	return pos;
}
