// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "knock.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/nfknock.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <ostream>

#include "address.hpp"
#include "derive.hpp"
#include "discover.hpp"
#include "duration.hpp"
#include "fd.hpp"
#include "errors.hpp"
#include "keys.hpp"
#include "knock_sequence.hpp"
#include "knock_wait.hpp"
#include "profile.hpp"
#include "sequence.hpp"
#include "service.hpp"
#include "spa.h"
#include "spa_client.hpp"

namespace knockctl {

namespace {

struct Resolved {
	sockaddr_storage addr{};
	socklen_t len = 0;
	std::string text;	// numeric address
};

// The first address getaddrinfo() gives (RFC 6724 order): the one ssh and
// most clients try first, so the knock, --wait and the user's next
// connection use one family. @family: AF_INET, AF_INET6 or 0 (either).
Resolved resolve(const std::string &host, uint16_t port, int family)
{
	addrinfo hints{};
	addrinfo *res = nullptr;
	const std::string service = std::to_string(port);

	hints.ai_family = family ? family : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
	if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
		// AI_ADDRCONFIG hides literals of a family without an address
		// configured (e.g. ::1 on a host with only loopback); retry.
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
	}
	if (rc != 0)
		throw Error(host + ": cannot resolve" +
			    (family == AF_INET ? " to an IPv4 address (-4)" :
			     family == AF_INET6 ? " to an IPv6 address (-6)" : "") +
			    ": " + gai_strerror(rc));
	std::unique_ptr<addrinfo, AddrInfoFree> owner(res);

	Resolved r;
	std::memcpy(&r.addr, res->ai_addr, res->ai_addrlen);
	r.len = res->ai_addrlen;
	char buf[NI_MAXHOST];
	if (getnameinfo(res->ai_addr, res->ai_addrlen, buf, sizeof(buf), nullptr, 0,
			NI_NUMERICHOST) == 0)
		r.text = buf;
	return r;
}

void send_datagram(const std::string &host, const sockaddr_storage &to,
		   socklen_t len, const std::vector<uint8_t> &dgram)
{
	const int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		throw Error(host + ": socket: " + std::strerror(errno));
	const ssize_t n = sendto(fd, dgram.data(), dgram.size(), 0,
				 reinterpret_cast<const sockaddr *>(&to), len);
	const int err = errno;
	close(fd);
	if (n < 0)
		throw Error(host + ": send: " + std::strerror(err));
	if (std::size_t(n) != dgram.size())
		throw Error(host + ": send: short write");
}

// What connect() picks as the source toward @to; nothing is sent.
Address route_source(const sockaddr_storage &to, socklen_t len)
{
	const Fd s{socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
	sockaddr_storage local{};
	socklen_t llen = sizeof(local);

	if (s.fd < 0)
		throw Error(std::string("socket: ") + std::strerror(errno));
	if (connect(s.fd, reinterpret_cast<const sockaddr *>(&to), len) < 0 ||
	    getsockname(s.fd, reinterpret_cast<sockaddr *>(&local), &llen) < 0)
		throw Error(std::string("no route to the server: ") +
			    std::strerror(errno));
	return sockaddr_address(local);
}

// "2026-12-01T10:28:51.123Z" for -v.
std::string utc_text(uint64_t ms)
{
	const time_t s = time_t(ms / 1000);
	tm t{};
	char buf[32];

	gmtime_r(&s, &t);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &t);
	char frac[8];
	snprintf(frac, sizeof(frac), ".%03uZ", unsigned(ms % 1000));
	return std::string(buf) + frac;
}

} // namespace

uint16_t parse_knock_duration(const std::string &text)
{
	uint32_t ms;

	try {
		ms = parse_duration_ms(text);
	} catch (const UsageError &e) {
		throw UsageError(std::string("--for ") + e.what());
	}
	if (ms % 1000)
		throw UsageError("--for " + text + ": not a whole number of seconds");
	if (ms / 1000 > NFKNOCK_DURATION_MAX_S)
		throw UsageError("--for " + text + ": too long (at most " +
				 std::to_string(NFKNOCK_DURATION_MAX_S) + "s)");
	return uint16_t(ms / 1000);
}

namespace {

// The address the server will see, for the plaintext; nullopt for
// "observed". @note says where it came from (-v).
std::optional<Address> knock_address(Context &ctx, const std::string &mode,
				     const std::optional<Discovery> &disc,
				     const std::string &host,
				     const sockaddr_storage &to, socklen_t len,
				     std::string &note)
{
	if (mode == KNOCK_ADDRESS_OBSERVED) {
		note = "no address: the server grants the datagram's source, "
		       "and anyone who sees the datagram on the way can send "
		       "it first from their own address and take the grant";
		return std::nullopt;
	}
	if (mode != KNOCK_ADDRESS_AUTO) {
		note = "address " + mode + " (given)";
		return parse_address(mode);
	}
	const Address server = sockaddr_address(to);
	const Address src = ctx.source_address ? ctx.source_address(to, len) :
						 route_source(to, len);
	// A private source reaches a public server through a NAT; toward a
	// private server (same site) it is what the server sees.
	if (!is_private_address(src) || is_private_address(server)) {
		note = "address " + format_address(src) +
		       " (this host's source toward the server)";
		return src;
	}
	if (!disc)
		throw Error("knock " + host + ": this host's source address " +
			    format_address(src) + " is a private one and the "
			    "server's (" + format_address(server) + ") is not, "
			    "so a NAT will change it: give --discover "
			    "stun:HOST[:PORT] or https://URL (or discover in "
			    "the profile) to learn the address the server will "
			    "see, --address IP, or --address observed");
	const Address seen = ctx.discover ? ctx.discover(*disc, server.family) :
					    discover_address(*disc, server.family);
	if (seen.family != server.family || !is_unicast_address(seen))
		throw Error(disc->text + ": answered " + format_address(seen) +
			    ", not a unicast " + family_name(server) +
			    " address");
	note = "address " + format_address(seen) + " (from " + disc->text + ")";
	return seen;
}

// knock --sequence with an option of single-packet knocks: refused by
// name rather than ignored.
void refuse_sequence_options(const KnockArgs &a)
{
	const auto refuse = [](const char *option, const std::string &why) {
		throw UsageError(std::string("knock --sequence: ") + option +
				 " does not apply (" + why + ")");
	};
	const std::string lasts = "a completed sequence opens the service for the "
				  "user's max_duration";
	const std::string from = "a sequence opens the service for the address "
				 "its steps come from";

	if (a.close)
		refuse("--close", "a sequence only opens");
	if (a.once)
		refuse("--once", lasts);
	if (a.duration_given)
		refuse("--for", lasts);
	if (a.address)
		refuse("--address", from);
	if (a.discover)
		refuse("--discover", from);
	if (a.port)
		refuse("--port", "the steps go to the sequence's ports, not to a "
				 "knock port");
}

} // namespace

void do_knock(Context &ctx, const KnockArgs &a)
{
	KnockRequest req;

	// Command-line text first: a usage error reads no file.
	if (a.sequence)
		refuse_sequence_options(a);
	else if (a.gap)
		throw UsageError("knock: --gap is the pause between --sequence "
				 "steps; give --sequence too");
	const uint32_t gap_ms =
		a.sequence ? parse_sequence_gap(a.gap.value_or(SEQUENCE_GAP_DEFAULT)) : 0;
	if (a.open && a.close)
		throw UsageError("knock: --open and --close exclude each other");
	req.duration_s = parse_knock_duration(a.duration);
	req.once = a.once;
	if (a.address)
		check_knock_address(*a.address, "--address");
	std::optional<Discovery> disc;
	if (a.discover)
		disc = parse_discovery(*a.discover);
	std::optional<Service> knock_port;
	if (a.port) {
		knock_port = parse_service(*a.port, true);
		if (knock_port->proto != IPPROTO_UDP)
			throw UsageError("--port " + *a.port + ": a knock port must be udp");
	}
	std::optional<PublicKey> server_pk;
	if (a.server_key) {
		server_pk = decode_public_key(*a.server_key);
		if (!server_pk)
			throw UsageError(std::string("--server-key: ") + KEY_FORMAT_ERROR);
	}

	std::optional<uint32_t> wait_ms;
	if (a.wait) {
		wait_ms = parse_knock_wait(*a.wait);
		if (a.close)
			throw UsageError("knock: --wait probes the service a knock "
					 "opens, not one it closes");
		if (a.once)
			throw UsageError("knock: --wait with --once would spend the "
					 "one-shot grant on its own probe");
	}
	std::vector<uint8_t> probe;
	if (a.probe) {
		if (!a.wait)
			throw UsageError("knock: --probe is the payload of --wait's "
					 "UDP probe; give --wait too");
		probe = parse_probe_payload(*a.probe);
	}

	std::optional<Service> svc;
	if (a.open || a.close) {
		svc = parse_service(a.open ? *a.open : *a.close, true);
		req.type = a.open ? NFK_SPA_OPEN : NFK_SPA_CLOSE;
	}

	const std::vector<ServerProfile> profiles = load_profiles(a.profile);
	const ServerProfile *prof = find_profile(profiles, a.host);
	if (!svc && prof && prof->service) {
		svc = prof->service;
		req.type = NFK_SPA_OPEN;
	} else if (!svc) {
		throw UsageError("knock: --open SERVICE or --close SERVICE is needed "
				 "(or a profile with a service)");
	}
	req.proto = svc->proto;
	req.port = svc->port;
	if (wait_ms && svc->proto == IPPROTO_UDP && probe.empty())
		throw UsageError("knock: --wait on " + format_service(*svc) +
				 " needs --probe PAYLOAD (a UDP service is open "
				 "when it answers; silence says nothing)");
	const ClientKeySource src =
		client_key_source("knock " + a.host, server_pk, a.key_file, prof);
	if (a.sequence && prof && prof->sequence_off)
		throw UsageError("knock " + a.host + ": --sequence, but the profile "
				 "says sequence = false (the server has no "
				 "sequences for this user)");
	if (!knock_port)
		knock_port = prof ? prof->knock_port : parse_service("udp/62201", true);
	const std::string target = prof && !prof->address.empty() ? prof->address :
								   a.host;

	const PrivateKey sk = read_private_key_file(src.key_file);
	const UserKeys keys = client_side_keys(sk, src.server_pk);
	// A sequence's steps each get their own port.
	const Resolved to = resolve(target, a.sequence ? 0 : knock_port->port,
				    a.family);
	if (a.sequence) {
		SequenceKnock k;
		k.params = prof && prof->sequence ? *prof->sequence : default_sequence();
		k.service = *svc;
		k.to = to.addr;
		k.len = to.len;
		k.gap_ms = gap_ms;
		k.target = target;
		k.target_addr = to.text;
		k.verbose = a.verbose;
		knock_sequence(ctx, keys.k_seq, k);
	} else {
		const std::string mode = a.address ? *a.address :
					 prof && !prof->client_address.empty() ?
							 prof->client_address :
							 KNOCK_ADDRESS_AUTO;
		if (!disc && prof && !prof->discover.empty())
			disc = parse_discovery(prof->discover);
		std::string note;
		req.address = knock_address(ctx, mode, disc, a.host, to.addr, to.len,
					    note);
		const uint64_t now = ctx.unix_ms();
		const std::vector<uint8_t> dgram = make_knock(keys, req, now);

		if (ctx.send_udp)
			ctx.send_udp(to.addr, to.len, dgram);
		else
			send_datagram(target, to.addr, to.len, dgram);
		if (a.verbose)
			ctx.out << "knocked " << target << " (" << to.text << ") "
				<< format_service(*knock_port) << ": "
				<< (req.type == NFK_SPA_OPEN ? "open " : "close ")
				<< format_service(*svc)
				<< (req.type == NFK_SPA_OPEN ?
					    " for " + std::to_string(req.duration_s) + "s" :
					    "")
				<< (req.once ? " once" : "")
				<< (req.address ? " for " + format_address(*req.address) :
						  "")
				<< ", " << dgram.size() << " bytes, user "
				<< fingerprint_hex(fingerprint(public_key(sk))) << "\n"
				<< "  " << note << "\n"
				<< "  timestamp " << utc_text(now) << " (this host's "
				<< "clock; the server refuses it outside its skew)\n";
	}
	if (!wait_ms)
		return;

	const std::optional<uint32_t> took =
		ctx.probe ? ctx.probe(to.addr, to.len, *svc, probe, *wait_ms) :
			    wait_open(to.addr, to.len, *svc, probe, *wait_ms);
	if (!took)
		throw Error(format_service(*svc) + " on " + target + " (" + to.text +
			    "): not open after " +
			    (*wait_ms % 1000 ? std::to_string(*wait_ms) + "ms" :
					       format_duration_ms(*wait_ms)) +
			    (a.sequence ?
				     " (the sequence was lost or refused: a wrong "
				     "key, service or sequence parameters, or "
				     "this host's clock is off; " :
				     " (the knock was lost or refused: a wrong key, "
				     "service or address, or this host's clock is "
				     "off; ") +
			    "the server's knockctl status counts why)");
	ctx.out << format_service(*svc) << " on " << target << " open after "
		<< *took << " ms\n";
}

} // namespace knockctl
