// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "show_sequence.hpp"

#include <ostream>

#include <nlohmann/json.hpp>

#include "derive.hpp"
#include "errors.hpp"
#include "keys.hpp"
#include "profile.hpp"
#include "sequence.hpp"
#include "service.hpp"

namespace knockctl {

void do_sequence(Context &ctx, const SequenceArgs &in)
{
	SequenceArgs a = in;

	// One word: a service has a slash, a host name or address never.
	if (a.host && !a.service && a.host->find('/') != std::string::npos) {
		a.service = a.host;
		a.host.reset();
	}
	const std::string what = "sequence" + (a.host ? " " + *a.host : std::string());

	// Command-line text first: a usage error reads no file.
	if (a.window != "current" && a.window != "next")
		throw UsageError("--window " + a.window + ": expected current or next");
	std::optional<Service> svc;
	if (a.service)
		svc = parse_service(*a.service, true);
	std::optional<PublicKey> server_pk;
	if (a.server_key) {
		server_pk = decode_public_key(*a.server_key);
		if (!server_pk)
			throw UsageError(std::string("--server-key: ") + KEY_FORMAT_ERROR);
	}

	const std::vector<ServerProfile> profiles = load_profiles(a.profile);
	const ServerProfile *prof = a.host ? find_profile(profiles, *a.host) : nullptr;
	if (!svc && prof && prof->service)
		svc = prof->service;
	if (!svc)
		throw UsageError(what + ": SERVICE is needed (tcp/PORT or udp/PORT), "
					"or a profile with a service");
	if (prof && prof->sequence_off)
		throw UsageError(what + ": the profile says sequence = false (the "
					"server has no sequences for this user)");
	const Sequence params = prof && prof->sequence ? *prof->sequence :
							 default_sequence();
	const ClientKeySource src = client_key_source(what, server_pk, a.key_file, prof);

	const UserKeys keys = client_side_keys(read_private_key_file(src.key_file),
					       src.server_pk);
	const uint64_t now = ctx.unix_ms();
	const uint64_t window_ms = uint64_t(params.window_s) * 1000;
	const uint64_t window = sequence_window(params, now / 1000) +
				(a.window == "next" ? 1 : 0);
	const std::vector<uint16_t> ports =
		sequence_ports(keys.k_seq, params, window, svc->proto, svc->port);
	// Whole seconds, rounded down: what is sure to be left.
	const uint64_t starts_in = window * window_ms > now ?
					   (window * window_ms - now) / 1000 : 0;
	const uint64_t left = ((window + 1) * window_ms - now) / 1000;

	if (a.json) {
		ctx.out << nlohmann::json{
				   {"service", format_service(*svc)},
				   {"proto", proto_name(params.proto)},
				   {"ports", ports},
				   {"window", window},
				   {"window_s", params.window_s},
				   {"starts_in", starts_in},
				   {"seconds_left", left},
			   }.dump(2)
			<< "\n";
		return;
	}
	ctx.out << proto_name(params.proto);
	for (uint16_t p : ports)
		ctx.out << " " << p;
	ctx.out << "  (window " << window << ", ";
	if (a.window == "next")
		ctx.out << "starts in " << starts_in << " s)\n";
	else
		ctx.out << left << " s left)\n";
}

} // namespace knockctl
