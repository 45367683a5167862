// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "apply.hpp"

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

void do_check(Context &ctx, const std::string &file, const KeyLoader &load_key)
{
	const LoadedConfig cfg = load_config_file(file, load_key);

	ctx.out << file << ": ok (" << summary(cfg) << ")\n";
}

void apply_loaded(Context &ctx, const LoadedConfig &cfg)
{
	Client &c = ctx.client();

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
		c.txn_commit();
	} catch (const KernelError &e) {
		abort_quietly(c);
		throw e.with_context(what);
	} catch (...) {
		abort_quietly(c);
		throw;
	}
}

void do_apply(Context &ctx, const std::string &file, const KeyLoader &load_key)
{
	const LoadedConfig cfg = load_config_file(file, load_key);

	apply_loaded(ctx, cfg);
	ctx.out << "applied " << file << ": " << summary(cfg) << "\n";
}

} // namespace knockctl
