// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "apply.hpp"

#include <netinet/in.h>

#include <fstream>
#include <ostream>

#include "errors.hpp"
#include "service.hpp"

namespace knockctl {

namespace {

std::string plural(std::size_t n, const char *word)
{
	return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string summary(const LoadedConfig &cfg)
{
	return plural(cfg.users.size(), "user") + ", " +
	       plural(cfg.guards.size(), "guard") + ", " +
	       plural(cfg.knock_ports.size(), "knock port");
}

// Nothing may be staged any more, or the socket may be gone (closing it
// drops the staging too): the first error is the one reported.
void abort_quietly(Client &c)
{
	try {
		c.txn_abort();
	} catch (const std::exception &) {
	}
}

} // namespace

std::optional<PortRange> read_port_range(const std::string &path)
{
	std::ifstream in(path);
	long first = 0, last = 0;
	std::string rest;

	if (!(in >> first >> last) || (in >> rest) || first < 1 || last > 65535 ||
	    first > last)
		return std::nullopt;
	return PortRange{uint16_t(first), uint16_t(last)};
}

std::vector<std::string> ephemeral_warnings(const std::vector<Service> &guards,
					    const PortRange &ephemeral)
{
	std::vector<std::string> out;
	const std::string range = std::to_string(ephemeral.first) + "-" +
				  std::to_string(ephemeral.last);

	for (const Service &g : guards) {
		if (!overlaps(g, Service{g.proto, ephemeral.first, ephemeral.last}))
			continue;
		std::string w = "warning: guard " + format_service(g) +
				" overlaps this host's ephemeral port range " + range +
				" (net.ipv4.ip_local_port_range): ";
		if (g.proto == IPPROTO_UDP)
			w += "every datagram to a guarded UDP port needs a grant, "
			     "so replies to this host's own UDP traffic there "
			     "(DNS, say) are refused";
		else
			w += "the kernel lets replies (SYN+ACK) through, but a "
			     "guard there is rarely what you want";
		out.push_back(std::move(w));
	}
	return out;
}

std::vector<std::string> unbound_warnings(
	const std::vector<std::pair<User, UserKeys>> &users)
{
	std::vector<std::string> out;

	for (const auto &[u, keys] : users)
		if (!(u.flags & NFKNOCK_USER_F_REQUIRE_ADDRESS))
			out.push_back("warning: user " + u.name +
				      ": require_address = false: a knock of "
				      "this user caught on the way and re-sent "
				      "from another address opens the service "
				      "for that address");
	return out;
}

std::vector<std::string> sequence_warnings(const LoadedConfig &cfg)
{
	std::vector<std::string> out;

	for (const auto &[u, keys] : cfg.users) {
		if (!u.seq)
			continue;
		const Service range{u.seq->proto, u.seq->lo, u.seq->hi};
		const auto warn = [&](const std::string &what, const char *then) {
			out.push_back("warning: user " + u.name + ": sequence range " +
				      format_service(range) + " overlaps " + what +
				      ": a step that lands there still counts, " +
				      then + " (which may confuse a client)");
		};
		for (const Service &g : cfg.guards)
			if (overlaps(g, range))
				warn("guard " + format_service(g),
				     "then the guard answers it as any packet there");
		for (const Service &k : cfg.knock_ports)
			if (overlaps(k, range))
				warn("knock port " + format_service(k),
				     "and the datagram is also read as a knock");
	}
	return out;
}

void do_check(Context &ctx, const std::string &file, const KeyLoader &load_key)
{
	const LoadedConfig cfg = load_config_file(file, load_key);

	ctx.out << file << ": ok (" << summary(cfg) << ")\n";
	if (const auto range = read_port_range(ctx.port_range_file))
		for (const std::string &w : ephemeral_warnings(cfg.guards, *range))
			ctx.err << "knockctl: " << w << "\n";
	for (const std::string &w : unbound_warnings(cfg.users))
		ctx.err << "knockctl: " << w << "\n";
	for (const std::string &w : sequence_warnings(cfg))
		ctx.err << "knockctl: " << w << "\n";
}

uint32_t apply_loaded(Context &ctx, const LoadedConfig &cfg)
{
	Client &c = ctx.client();
	uint32_t revoked = 0;

	try {
		c.txn_begin(cfg.params);
	} catch (const KernelError &e) {
		throw e.with_context("apply");
	}

	std::string what = "apply";
	try {
		for (const Service &g : cfg.guards) {
			what = "apply: guard " + format_service(g);
			c.txn_add_guard(g);
		}
		for (const Service &k : cfg.knock_ports) {
			what = "apply: knock port " + format_service(k);
			c.txn_add_knock_port(k);
		}
		for (const auto &[user, keys] : cfg.users) {
			what = "apply: user " + user.name;
			c.txn_add_user(user, keys);
		}
		what = "apply: commit";
		revoked = c.txn_commit();
	} catch (const KernelError &e) {
		abort_quietly(c);
		throw e.with_context(what);
	} catch (...) {
		abort_quietly(c);
		throw;
	}
	return revoked;
}

void do_apply(Context &ctx, const std::string &file, const KeyLoader &load_key)
{
	const LoadedConfig cfg = load_config_file(file, load_key);

	const uint32_t revoked = apply_loaded(ctx, cfg);

	ctx.out << "applied " << file << ": " << summary(cfg) << "\n";
	// Always "grants": scripts (tests/e2e) match "revoked N grants".
	if (revoked)
		ctx.out << "revoked " << revoked
			<< " grants that the new configuration no longer allows\n";
}

} // namespace knockctl
