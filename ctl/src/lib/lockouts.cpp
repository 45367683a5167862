// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "lockouts.hpp"

#include <algorithm>
#include <cerrno>
#include <ostream>
#include <tuple>

#include "address.hpp"
#include "duration.hpp"
#include "errors.hpp"
#include "output.hpp"

namespace knockctl {

SourceLockout lockout_source(const Address &addr)
{
	SourceLockout l;

	l.addr = addr;
	l.prefix_len = uint8_t(addr.size() * 8);
	if (addr.family == AF_INET6) {
		std::fill(l.addr.bytes.begin() + 8, l.addr.bytes.end(), 0);
		l.prefix_len = 64;
	}
	return l;
}

std::string format_source(const SourceLockout &l)
{
	const std::string addr = format_address(l.addr);

	if (l.prefix_len == l.addr.size() * 8)
		return addr;
	return addr + "/" + std::to_string(l.prefix_len);
}

std::string lockout_status_text(const LockoutStatus &s)
{
	if (!s.threshold)
		return "off (threshold 0)";
	std::string out = std::to_string(s.threshold) + " failure" +
			  (s.threshold == 1 ? "" : "s") + " in " +
			  format_duration_ms(s.window_ms) + " lock a source out for " +
			  format_duration_ms(s.duration_ms) + " (";
	// The module makes the table at apply.
	if (!s.sources_max)
		return out + "no source table until a configuration is applied)";
	return out + std::to_string(s.locked) + " locked now, table of " +
	       std::to_string(s.sources_max) + " sources)";
}

nlohmann::json lockout_status_json(const std::optional<LockoutStatus> &s)
{
	if (!s)
		return nullptr;
	return {
		{"threshold", s->threshold},
		{"window_s", s->window_ms / 1000},
		{"duration_s", s->duration_ms / 1000},
		{"sources_max", s->sources_max},
		{"locked", s->locked},
	};
}

std::string lockouts_text(const std::vector<SourceLockout> &list)
{
	if (list.empty())
		return "no sources failing or locked out\n";

	std::vector<std::vector<std::string>> rows{{"SOURCE", "FAILURES", "LOCKED"}};
	for (const SourceLockout &l : list)
		rows.push_back({format_source(l), std::to_string(l.failures),
				l.locked_ms ? format_duration_ms(l.locked_ms) : "-"});
	return table(rows);
}

nlohmann::json lockouts_json(const std::vector<SourceLockout> &list)
{
	nlohmann::json out = nlohmann::json::array();

	for (const SourceLockout &l : list)
		out.push_back({
			{"source", format_address(l.addr)},
			{"prefix_len", l.prefix_len},
			{"failures", l.failures},
			{"locked_ms", l.locked_ms},
		});
	return out;
}

void do_lockouts(Context &ctx, bool json)
{
	std::vector<SourceLockout> list;

	try {
		list = ctx.client().lockouts();
	} catch (const KernelError &e) {
		throw e.with_context("lockouts");
	}
	std::sort(list.begin(), list.end(), [](const SourceLockout &a, const SourceLockout &b) {
		return std::tie(a.addr.family, a.addr.bytes) <
		       std::tie(b.addr.family, b.addr.bytes);
	});
	if (json)
		ctx.out << lockouts_json(list).dump(2) << "\n";
	else
		ctx.out << lockouts_text(list);
}

void do_unlock(Context &ctx, const std::string &src)
{
	const Address addr = parse_address(src);
	const std::string source = format_source(lockout_source(addr));

	try {
		ctx.client().del_lockout(addr);
	} catch (const KernelError &e) {
		if (e.err() == ENOENT)
			throw Error("no failures or lockout recorded for " + source);
		throw e.with_context("unlock " + src);
	}
	ctx.out << "unlocked " << source << "\n";
}

} // namespace knockctl
