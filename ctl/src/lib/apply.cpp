// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "apply.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <ostream>

#include "errors.hpp"
#include "service.hpp"
#include "trial.hpp"

namespace knockctl {

namespace {

std::string plural(std::size_t n, const char *word)
{
	return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Static sequences only when there are some: most files have none; the
// kernel users only when they are more than the users (key rotation).
std::string summary(const LoadedConfig &cfg)
{
	const std::size_t users = config_user_count(cfg);

	return plural(users, "user") +
	       (cfg.users.size() == users ?
			std::string() :
			" (" + plural(cfg.users.size(), "kernel user") + ")") +
	       ", " +
	       plural(cfg.guards.size(), "guard") + ", " +
	       plural(cfg.knock_ports.size(), "knock port") +
	       (cfg.static_seqs.empty() ?
			std::string() :
			", " + plural(cfg.static_seqs.size(), "static sequence"));
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

std::vector<std::string> unbound_warnings(const std::vector<KernelUser> &users)
{
	std::vector<std::string> out;

	for (const KernelUser &ku : users)
		if (ku.key == 0 && !ku.next &&
		    !(ku.user.flags & NFKNOCK_USER_F_REQUIRE_ADDRESS))
			out.push_back("warning: user " + ku.user.name +
				      ": require_address = false: a knock of "
				      "this user caught on the way and re-sent "
				      "from another address opens the service "
				      "for that address");
	return out;
}

std::vector<std::string> sequence_warnings(const LoadedConfig &cfg)
{
	std::vector<std::string> out;

	// One warning per [[user]]: its other kernel users share its range.
	for (const KernelUser &ku : cfg.users) {
		const User &u = ku.user;

		if (!u.seq || ku.key != 0 || ku.next)
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

std::vector<std::string> static_sequence_warnings(const LoadedConfig &cfg)
{
	std::vector<std::string> out;

	for (const StaticSequence &s : cfg.static_seqs) {
		const std::string w = "warning: static sequence " + s.name + ": ";

		out.push_back(w + "its steps never change: anyone who sees them "
				  "(on the same network, or at any hop on the path) "
				  "can replay them from their own address at any "
				  "time and have " + format_service(s.opens) +
			      " opened for that address; a user's derived "
			      "sequence (sequence = true in [[user]]) changes "
			      "every window and opens one service for one "
			      "user's key: prefer it unless the clients can only "
			      "send fixed ports");
		for (std::size_t i = 0; i < s.steps.size(); i++) {
			const Service &step = s.steps[i];
			const std::string which = "knock[" + std::to_string(i) +
						  "] (" + format_service(step) + ")";

			for (const Service &g : cfg.guards)
				if (covers(g, step.proto, step.port))
					out.push_back(w + which + " is guarded (" +
						      format_service(g) +
						      "): the step still counts, "
						      "but the guard sees the packet "
						      "too and answers it as any "
						      "packet without a grant there "
						      "(guard_action)");
			for (const Service &k : cfg.knock_ports)
				if (covers(k, step.proto, step.port))
					out.push_back(w + which + " is a knock port: "
						      "the step still counts, and the "
						      "datagram is also read as a "
						      "single-packet knock");
		}
		if (std::none_of(cfg.guards.begin(), cfg.guards.end(),
				 [&](const Service &g) {
					 return covers(g, s.opens.proto, s.opens.port);
				 }))
			out.push_back(w + "opens " + format_service(s.opens) +
				      ", which no guard covers: the port is open "
				      "to everyone anyway, so the sequence does "
				      "nothing");
		if (s.steps.size() < 3)
			out.push_back(w + "only " + std::to_string(s.steps.size()) +
				      " steps: a port scan can hit them in order "
				      "by chance; use 3 or more");
		// Other ports do not disturb an attempt, so a scan that walks
		// the ports upwards sends such steps in order.
		const bool ascending =
			s.steps.size() >= 2 &&
			std::adjacent_find(s.steps.begin(), s.steps.end(),
					   [](const Service &a, const Service &b) {
						   return a.proto != b.proto ||
							  a.port >= b.port;
					   }) == s.steps.end();
		if (ascending)
			out.push_back(w + "its steps are all " +
				      proto_name(s.steps.front().proto) +
				      " and go up in port order: a scan that walks "
				      "the ports upwards (nc -z HOST 1-65535, nmap "
				      "-r) sends them in order");
	}
	return out;
}

std::vector<std::string> lockout_warnings(const LoadedConfig &cfg)
{
	if (cfg.params.lockout_threshold.value_or(1))
		return {};
	return {"warning: lockout is off (lockout.threshold = 0): nothing slows "
		"down a source that guesses sequences, static or derived"};
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
	for (const std::string &w : static_sequence_warnings(cfg))
		ctx.err << "knockctl: " << w << "\n";
	for (const std::string &w : lockout_warnings(cfg))
		ctx.err << "knockctl: " << w << "\n";
	for (const std::string &n : rotation_notes(cfg))
		ctx.err << "knockctl: " << n << "\n";
}

uint32_t apply_loaded(Context &ctx, const LoadedConfig &cfg,
		      std::optional<uint32_t> confirm_ms)
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
		for (const KernelUser &ku : cfg.users) {
			what = "apply: user " + ku.user.name;
			try {
				c.txn_add_user(ku.user, ku.keys);
			} catch (const KernelError &e) {
				// A limit on users that the keys crossed: say so.
				const std::string why = kernel_users_text(cfg);
				if (e.err() != ENOSPC || why.empty())
					throw;
				throw Error(std::string(e.with_context(what).what()) +
					    ": this file loads " + why);
			}
		}
		for (const StaticSequence &seq : cfg.static_seqs) {
			what = "apply: static sequence " + seq.name;
			c.txn_add_static_seq(seq);
		}
		what = "apply: commit";
		revoked = c.txn_commit(confirm_ms);
	} catch (const KernelError &e) {
		abort_quietly(c);
		throw e.with_context(what);
	} catch (...) {
		abort_quietly(c);
		throw;
	}
	return revoked;
}

void do_apply(Context &ctx, const std::string &file,
	      const std::optional<std::string> &confirm, const KeyLoader &load_key)
{
	std::optional<uint32_t> confirm_ms;
	if (confirm)
		confirm_ms = parse_confirm_ms(*confirm);
	const LoadedConfig cfg = load_config_file(file, load_key);

	const uint32_t revoked = apply_loaded(ctx, cfg, confirm_ms);

	ctx.out << "applied " << file << ": " << summary(cfg) << "\n";
	// Always "grants": scripts (tests/e2e) match "revoked N grants".
	if (revoked)
		ctx.out << "revoked " << revoked
			<< " grants that the new configuration no longer allows\n";
	if (confirm_ms)
		ctx.out << trial_line(*confirm_ms) << "\n"
			<< "nothing revoked yet: `knockctl confirm` revokes the "
			   "grants the new configuration no longer allows\n";
}

} // namespace knockctl
