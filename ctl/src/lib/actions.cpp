// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "actions.hpp"

#include <linux/nfknock.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <iterator>
#include <ostream>
#include <tuple>

#include "address.hpp"
#include "duration.hpp"
#include "errors.hpp"
#include "keys.hpp"
#include "output.hpp"
#include "service.hpp"
#include "sock_diag.hpp"
#include "stats.hpp"

namespace knockctl {

namespace {

// Run @fn; a kernel refusal gets @what in front of its text.
template <typename Fn>
auto kernel(const std::string &what, Fn fn)
{
	try {
		return fn();
	} catch (const KernelError &e) {
		throw e.with_context(what);
	}
}

void print_json(Context &ctx, const nlohmann::json &j)
{
	ctx.out << j.dump(2) << "\n";
}

} // namespace

void do_status(Context &ctx, bool json)
{
	const Status s = kernel("status", [&] { return ctx.client().status(); });
	StaticSeqs seqs;

	// A module with static sequences counts them in its status; the dump
	// is only asked for when there are some. A module that does not know
	// it (EOPNOTSUPP, or EINVAL) leaves them out; any other refusal is an
	// error.
	if (s.static_seqs_count) {
		seqs.emplace();
		if (*s.static_seqs_count) {
			try {
				seqs = ctx.client().static_seqs();
			} catch (const KernelError &e) {
				if (e.err() != EOPNOTSUPP && e.err() != EINVAL)
					throw e.with_context("status: static sequences");
				seqs.reset();
			}
		}
	}
	if (json)
		print_json(ctx, status_json(s, seqs));
	else
		ctx.out << status_text(s, seqs);
}

void do_guard_add(Context &ctx, const std::string &text)
{
	const Service svc = parse_service(text);

	kernel("guard add " + text, [&] { ctx.client().add_guard(svc); });
}

void do_guard_del(Context &ctx, const std::string &text)
{
	const Service svc = parse_service(text);

	kernel("guard del " + text, [&] { ctx.client().del_guard(svc); });
}

void do_guard_list(Context &ctx, bool json)
{
	auto guards = kernel("guard list", [&] { return ctx.client().guards(); });

	std::sort(guards.begin(), guards.end(), [](const Service &a, const Service &b) {
		return std::tie(a.proto, a.port, a.port_end) <
		       std::tie(b.proto, b.port, b.port_end);
	});
	if (json)
		print_json(ctx, guards_json(guards));
	else
		ctx.out << guards_text(guards);
}

void do_set_guard_action(Context &ctx, const std::string &text)
{
	Params p;

	if (text == "drop")
		p.guard_action = NFKNOCK_ACTION_DROP;
	else if (text == "reset")
		p.guard_action = NFKNOCK_ACTION_RESET;
	else
		throw UsageError("guard-action " + text + ": expected drop or reset");
	kernel("set guard-action " + text, [&] { ctx.client().set_params(p); });
}

void do_set_udp_idle(Context &ctx, const std::string &text)
{
	Params p;

	try {
		p.udp_idle_ms = parse_duration_ms(text);
	} catch (const UsageError &e) {
		throw UsageError(std::string("udp-idle ") + e.what());
	}
	kernel("set udp-idle " + text, [&] { ctx.client().set_params(p); });
}

void do_set_max_grants(Context &ctx, const std::string &text)
{
	const std::string limit = std::to_string(NFKNOCK_GRANTS_LIMIT);
	uint64_t n = 0;
	Params p;

	if (text.empty() || text.size() > 10 ||
	    !std::all_of(text.begin(), text.end(),
			 [](char c) { return c >= '0' && c <= '9'; }))
		throw UsageError("max-grants " + text + ": not a number");
	n = std::stoull(text);
	if (n < 1 || n > NFKNOCK_GRANTS_LIMIT)
		throw UsageError("max-grants " + text +
				 ": out of range (1 to " + limit + ")");
	p.grants_max = uint32_t(n);
	kernel("set max-grants " + text, [&] { ctx.client().set_params(p); });
}

void do_grant(Context &ctx, const std::string &src, const std::string &service,
	      const std::string &duration, bool once)
{
	Grant g;

	g.addr = parse_address(src);
	const Service svc = parse_service(service, true);
	try {
		g.timeout_ms = parse_duration_ms(duration);
	} catch (const UsageError &e) {
		throw UsageError(std::string("--for ") + e.what());
	}
	g.proto = svc.proto;
	g.port = svc.port;
	g.flags = once ? NFKNOCK_GRANT_F_ONCE : 0;
	kernel("grant " + src + " " + service, [&] { ctx.client().add_grant(g); });
}

void do_revoke(Context &ctx, const std::string &src,
	       const std::optional<std::string> &service, bool kill)
{
	Revoke r;
	std::string what = "revoke " + src;

	r.addr = parse_address(src);
	if (service) {
		r.service = parse_service(*service, true);
		what += " " + *service;
	}
	try {
		kernel(what, [&] { ctx.client().del_grant(r); });
	} catch (const KernelError &e) {
		// No grant left: with --kill the sessions still go.
		if (!kill || e.err() != ENOENT)
			throw;
	}
	if (!kill)
		return;

	std::optional<uint16_t> port;
	if (r.service)
		port = r.service->port;
	const unsigned n = ctx.kill_sessions ? ctx.kill_sessions(r.addr, port) :
					       kill_tcp_sessions(r.addr, port);
	ctx.out << "ended " << n << " TCP session" << (n == 1 ? "" : "s")
		<< " from " << format_address(r.addr)
		<< (service ? " to " + *service : "") << "\n";
}

void do_grants(Context &ctx, bool json)
{
	auto grants = kernel("grants", [&] { return ctx.client().grants(); });

	std::sort(grants.begin(), grants.end(), [](const Grant &a, const Grant &b) {
		return std::tie(a.addr.family, a.addr.bytes, a.proto, a.port) <
		       std::tie(b.addr.family, b.addr.bytes, b.proto, b.port);
	});
	// Name the users of knock grants. Users come from a second dump; a
	// user removed meanwhile simply stays a fingerprint.
	UserNames names;
	if (std::any_of(grants.begin(), grants.end(),
			[](const Grant &g) { return !is_admin(g.user_fpr); }))
		names = user_names(kernel("users", [&] { return ctx.client().users(); }));
	if (json)
		print_json(ctx, grants_json(grants, names));
	else
		ctx.out << grants_text(grants, names);
}

void do_flush(Context &ctx)
{
	kernel("flush", [&] { ctx.client().flush(); });
}

void do_genkey(Context &ctx, const std::optional<std::string> &out_file)
{
	const PrivateKey sk = generate_private_key();

	if (out_file) {
		write_private_key_file(*out_file, sk);
		return;
	}
	// Only the real standard output has a mode to look at.
	if (&ctx.out == &std::cout) {
		const std::string warn = key_output_warning(STDOUT_FILENO);
		if (!warn.empty())
			ctx.err << "knockctl: " << warn << "\n";
	}
	std::string text = key_to_base64(sk);
	ctx.out << text << "\n";
	sodium_memzero(text.data(), text.size());
}

void do_pubkey(Context &ctx)
{
	std::istream &in = ctx.in ? *ctx.in : std::cin;
	std::string text((std::istreambuf_iterator<char>(in)),
			 std::istreambuf_iterator<char>());
	PrivateKey sk;
	const bool ok = decode_private_key(text, sk);

	sodium_memzero(text.data(), text.size());
	if (!ok)
		throw UsageError(std::string("pubkey: standard input: ") +
				 KEY_FORMAT_ERROR);
	ctx.out << key_to_base64(public_key(sk)) << "\n";
}

void do_users(Context &ctx, bool json)
{
	auto users = kernel("users", [&] { return ctx.client().users(); });

	std::sort(users.begin(), users.end(),
		  [](const User &a, const User &b) { return a.name < b.name; });
	if (json)
		print_json(ctx, users_json(users));
	else
		ctx.out << users_text(users);
}

void do_stats(Context &ctx, bool json)
{
	const Status s = kernel("stats", [&] { return ctx.client().status(); });
	auto users = kernel("stats: users", [&] { return ctx.client().users(); });

	std::sort(users.begin(), users.end(),
		  [](const User &a, const User &b) { return a.name < b.name; });
	if (json)
		print_json(ctx, stats_json(s, users));
	else
		ctx.out << stats_text(s, users);
}

void do_knock_ports(Context &ctx, bool json)
{
	auto ports = kernel("knock-ports", [&] { return ctx.client().knock_ports(); });

	std::sort(ports.begin(), ports.end(), [](const Service &a, const Service &b) {
		return std::tie(a.proto, a.port) < std::tie(b.proto, b.port);
	});
	if (json)
		print_json(ctx, knock_ports_json(ports));
	else
		ctx.out << knock_ports_text(ports);
}

} // namespace knockctl
