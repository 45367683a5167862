// SPDX-License-Identifier: GPL-2.0 OR MIT
/* libFuzzer: service text parsing and formatting round trip. */
#include <stdlib.h>

#include "service.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct nfk_service svc, back;
	char buf[NFK_SERVICE_STRLEN];
	size_t n;

	if (nfk_service_parse((const char *)data, size, size & 1, &svc))
		return 0;
	if (!nfk_service_valid(&svc))
		abort();
	n = nfk_service_format(&svc, buf, sizeof(buf));
	if (n >= sizeof(buf) || nfk_service_parse(buf, n, false, &back) ||
	    svc.proto != back.proto || svc.port != back.port ||
	    svc.port_end != back.port_end)
		abort();
	return 0;
}
