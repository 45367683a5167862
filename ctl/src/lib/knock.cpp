// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "knock.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/nfknock.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>

#include "address.hpp"
#include "derive.hpp"
#include "duration.hpp"
#include "errors.hpp"
#include "keys.hpp"
#include "profile.hpp"
#include "service.hpp"
#include "spa.h"
#include "spa_client.hpp"

namespace knockctl {

namespace {

struct AddrInfoFree {
	void operator()(addrinfo *ai) const { freeaddrinfo(ai); }
};

struct Resolved {
	sockaddr_storage addr{};
	socklen_t len = 0;
	std::string text;	// numeric address
};

Resolved resolve(const std::string &host, uint16_t port)
{
	addrinfo hints{};
	addrinfo *res = nullptr;
	const std::string service = std::to_string(port);

	hints.ai_family = AF_UNSPEC;
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
		throw Error(host + ": cannot resolve: " + gai_strerror(rc));
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

std::string home_dir()
{
	const char *h = std::getenv("HOME");

	return h ? h : "";
}

// The profile list, or none: --profile must exist, the default may not.
std::vector<ServerProfile> load_profiles(const KnockArgs &a)
{
	const std::string home = home_dir();
	std::string path;

	if (a.profile)
		path = *a.profile;
	else if (!home.empty())
		path = home + "/" + PROFILE_RELATIVE;
	else
		return {};

	std::ifstream in(path, std::ios::binary);
	if (!in) {
		if (!a.profile && errno == ENOENT)
			return {};
		throw Error(path + ": " + std::strerror(errno));
	}
	std::ostringstream text;
	text << in.rdbuf();
	return parse_profile(text.str(), path, home);
}

uint64_t unix_ms_now()
{
	using namespace std::chrono;

	return uint64_t(duration_cast<milliseconds>(
				system_clock::now().time_since_epoch()).count());
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

void do_knock(Context &ctx, const KnockArgs &a)
{
	KnockRequest req;

	// Command-line text first: a usage error reads no file.
	if (a.open && a.close)
		throw UsageError("knock: --open and --close exclude each other");
	req.duration_s = parse_knock_duration(a.duration);
	req.once = a.once;
	if (a.address)
		req.address = parse_address(*a.address);
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

	std::optional<Service> svc;
	if (a.open || a.close) {
		svc = parse_service(a.open ? *a.open : *a.close, true);
		req.type = a.open ? NFK_SPA_OPEN : NFK_SPA_CLOSE;
	}

	const std::vector<ServerProfile> profiles = load_profiles(a);
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
	if (!server_pk && prof)
		server_pk = prof->public_key;
	if (!server_pk)
		throw UsageError("knock " + a.host + ": no server public key "
				 "(--server-key or a profile)");
	std::string key_file = a.key_file.value_or(prof ? prof->key_file : "");
	if (key_file.empty())
		throw UsageError("knock " + a.host + ": no private key file "
				 "(--key or a profile)");
	if (!knock_port)
		knock_port = prof ? prof->knock_port : parse_service("udp/62201", true);
	const std::string target = prof && !prof->address.empty() ? prof->address :
								   a.host;

	const PrivateKey sk = read_private_key_file(key_file);
	const UserKeys keys = client_side_keys(sk, *server_pk);
	const Resolved to = resolve(target, knock_port->port);
	const uint64_t now = ctx.now_ms ? ctx.now_ms() : unix_ms_now();
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
				    " for " + std::to_string(req.duration_s) + "s" : "")
			<< (req.once ? " once" : "")
			<< (req.address ? " for " + format_address(*req.address) : "")
			<< ", " << dgram.size() << " bytes, user "
			<< fingerprint_hex(fingerprint(public_key(sk))) << "\n";
}

} // namespace knockctl
