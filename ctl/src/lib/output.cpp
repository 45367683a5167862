// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "output.hpp"

#include <linux/nfknock.h>

#include <algorithm>
#include <cstdio>

#include "address.hpp"
#include "config.hpp"
#include "duration.hpp"
#include "lockouts.hpp"
#include "sequence.hpp"
#include "service.hpp"
#include "stats.hpp"
#include "trial.hpp"

namespace knockctl {

namespace {

std::string grant_flags(uint32_t flags)
{
	std::string out;

	if (flags & NFKNOCK_GRANT_F_ONCE)
		out += "once";
	if (flags & NFKNOCK_GRANT_F_USED)
		out += out.empty() ? "used" : ",used";
	if (flags & NFKNOCK_GRANT_F_STATIC)
		out += out.empty() ? "static" : ",static";
	return out.empty() ? "-" : out;
}

Service grant_service(const Grant &g)
{
	return Service{g.proto, g.port, g.port};
}



std::string services_text(const std::vector<Service> &list)
{
	std::string out;

	for (const Service &s : list)
		out += (out.empty() ? "" : ",") + format_service(s);
	return out;
}

std::string prefixes_text(const std::vector<Prefix> &list)
{
	std::string out;

	for (const Prefix &p : list)
		out += (out.empty() ? "" : ",") + format_prefix(p);
	return out;
}

// A value an older module does not send: null.
nlohmann::json optional_json(const std::optional<uint32_t> &v)
{
	return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// "LIVE/CAP" ("2/16"), "-" from a module without per-user caps.
std::string grants_of_cap(const User &u)
{
	if (!u.max_grants)
		return "-";
	return std::to_string(u.grants.value_or(0)) + "/" +
	       std::to_string(*u.max_grants);
}

} // namespace

nlohmann::json sequence_json(const std::optional<Sequence> &s)
{
	if (!s)
		return nullptr;
	return {
		{"length", s->length},
		{"range", std::to_string(s->lo) + "-" + std::to_string(s->hi)},
		{"proto", proto_name(s->proto)},
		{"window_s", s->window_s},
	};
}

std::string fpr_hex(const std::array<uint8_t, 8> &fpr)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;

	for (uint8_t b : fpr) {
		out += digits[b >> 4];
		out += digits[b & 15];
	}
	return out;
}

std::string format_unix_ms(uint64_t ms)
{
	const std::string s = format_rfc3339(ms / 1000);
	char frac[8];

	std::snprintf(frac, sizeof(frac), ".%03u", unsigned(ms % 1000));
	return s.substr(0, s.size() - 1) + frac + "Z";
}

bool is_admin(const std::array<uint8_t, 8> &fpr)
{
	return fpr == std::array<uint8_t, 8>{};
}

UserNames user_names(const std::vector<User> &users)
{
	UserNames names;

	for (const User &u : users)
		names[u.fpr] = u.name;
	return names;
}

std::string grant_user(const std::array<uint8_t, 8> &fpr, const UserNames &names)
{
	if (is_admin(fpr))
		return "admin";
	auto it = names.find(fpr);
	return it != names.end() ? it->second : fpr_hex(fpr);
}

std::string knock_packets_name(uint8_t value)
{
	switch (value) {
	case NFKNOCK_KNOCK_PASS:
		return "pass";
	case NFKNOCK_KNOCK_DROP:
		return "drop";
	default:
		return "unknown-" + std::to_string(value);
	}
}

nlohmann::json users_json(const std::vector<User> &users)
{
	nlohmann::json out = nlohmann::json::array();

	for (const User &u : users) {
		nlohmann::json allow = nlohmann::json::array();
		nlohmann::json sources = nlohmann::json::array();

		for (const Service &s : u.allow)
			allow.push_back(format_service(s));
		for (const Prefix &p : u.sources)
			sources.push_back(format_prefix(p));
		out.push_back({
			{"name", u.name},
			{"fingerprint", fpr_hex(u.fpr)},
			{"allow", allow},
			{"sources", sources},
			{"max_duration_s", u.max_duration_s},
			{"expires", u.expires_s ? nlohmann::json(format_rfc3339(u.expires_s)) :
						  nlohmann::json(nullptr)},
			{"expires_s", u.expires_s},
			{"enabled", !(u.flags & NFKNOCK_USER_F_DISABLED)},
			{"require_address",
			 (u.flags & NFKNOCK_USER_F_REQUIRE_ADDRESS) != 0},
			{"max_grants", optional_json(u.max_grants)},
			{"grants", optional_json(u.grants)},
			{"sequence", sequence_json(u.seq)},
			{"last_ts_ms", u.last_ts_ms},
			{"knocks", u.knocks},
		});
	}
	return out;
}

nlohmann::json knock_ports_json(const std::vector<Service> &ports)
{
	nlohmann::json out = nlohmann::json::array();

	for (const Service &p : ports)
		out.push_back({
			{"service", format_service(p)},
			{"proto", proto_name(p.proto)},
			{"port", p.port},
		});
	return out;
}

std::string users_text(const std::vector<User> &users)
{
	if (users.empty())
		return "no users\n";

	// The SEQUENCE column only when some user has sequences: most
	// configurations have none.
	const bool seq = std::any_of(users.begin(), users.end(),
				     [](const User &u) { return u.seq.has_value(); });
	std::vector<std::vector<std::string>> rows{
		{"NAME", "FINGERPRINT", "ALLOW", "SOURCES", "MAX", "EXPIRES",
		 "FLAGS", "GRANTS", "LAST KNOCK", "KNOCKS"}};
	if (seq)
		rows[0].insert(rows[0].begin() + 7, "SEQUENCE");
	for (const User &u : users) {
		std::string flags;

		if (u.flags & NFKNOCK_USER_F_DISABLED)
			flags = "disabled";
		if (!(u.flags & NFKNOCK_USER_F_REQUIRE_ADDRESS))
			flags += (flags.empty() ? "" : ",") + std::string("unbound");
		rows.push_back({u.name, fpr_hex(u.fpr), services_text(u.allow),
				prefixes_text(u.sources),
				format_duration_ms(uint64_t(u.max_duration_s) * 1000),
				u.expires_s ? format_rfc3339(u.expires_s) : "never",
				flags.empty() ? "-" : flags,
				grants_of_cap(u),
				u.knocks ? format_unix_ms(u.last_ts_ms) : "-",
				std::to_string(u.knocks)});
		if (seq)
			rows.back().insert(rows.back().begin() + 7,
					   u.seq ? format_sequence(*u.seq) : "-");
	}
	return table(rows);
}

std::string knock_ports_text(const std::vector<Service> &ports)
{
	if (ports.empty())
		return "no knock ports\n";

	std::vector<std::vector<std::string>> rows{{"KNOCK PORT"}};
	for (const Service &p : ports)
		rows.push_back({format_service(p)});
	return table(rows);
}

std::string action_name(uint8_t action)
{
	switch (action) {
	case NFKNOCK_ACTION_DROP:
		return "drop";
	case NFKNOCK_ACTION_RESET:
		return "reset";
	default:
		return "unknown-" + std::to_string(action);
	}
}

std::string static_seq_text(const StaticSequence &s)
{
	std::string out = "static sequence " + s.name + ":";

	for (const Service &step : s.steps)
		out += " " + format_service(step);
	return out + " -> " + format_service(s.opens) + " for " +
	       format_duration_ms(uint64_t(s.duration_s) * 1000);
}

nlohmann::json status_json(const Status &s, const StaticSeqs &seqs)
{
	nlohmann::json list = nullptr;

	if (seqs) {
		list = nlohmann::json::array();
		for (const StaticSequence &q : *seqs) {
			nlohmann::json knock = nlohmann::json::array();

			for (const Service &step : q.steps)
				knock.push_back(format_service(step));
			list.push_back({
				{"name", q.name},
				{"knock", knock},
				{"opens", format_service(q.opens)},
				{"for_s", q.duration_s},
			});
		}
	}
	return {
		{"api_version", s.api_version},
		{"hooked", s.hooked},
		{"guard_action", action_name(s.guard_action)},
		{"udp_idle_ms", s.udp_idle_ms},
		{"grants_max", s.grants_max},
		{"grants_count", s.grants_count},
		{"guards_count", s.guards_count},
		{"skew_ms", s.skew_ms},
		{"knock_packets", knock_packets_name(s.knock_packets)},
		{"users_count", s.users_count},
		{"knock_ports_count", s.knock_ports_count},
		{"limited", s.limited},
		{"grant_buckets", s.grant_buckets},
		{"progress_max", optional_json(s.progress_max)},
		{"progress_count", optional_json(s.progress_count)},
		{"static_sequences_count", optional_json(s.static_seqs_count)},
		{"static_sequences", list},
		{"lockout", lockout_status_json(s.lockout)},
		{"confirm_left_ms", optional_json(s.confirm_left_ms)},
		{"stats", counters_json(s)},
	};
}

nlohmann::json guards_json(const std::vector<Service> &guards)
{
	nlohmann::json out = nlohmann::json::array();

	for (const Service &g : guards)
		out.push_back({
			{"service", format_service(g)},
			{"proto", proto_name(g.proto)},
			{"port", g.port},
			{"port_end", g.port_end},
		});
	return out;
}

nlohmann::json grants_json(const std::vector<Grant> &grants, const UserNames &names)
{
	nlohmann::json out = nlohmann::json::array();

	for (const Grant &g : grants) {
		auto name = names.find(g.user_fpr);
		out.push_back({
			{"address", format_address(g.addr)},
			{"family", family_name(g.addr)},
			{"service", format_service(grant_service(g))},
			{"proto", proto_name(g.proto)},
			{"port", g.port},
			{"expires_ms", g.timeout_ms},
			{"once", (g.flags & NFKNOCK_GRANT_F_ONCE) != 0},
			{"used", (g.flags & NFKNOCK_GRANT_F_USED) != 0},
			{"static", (g.flags & NFKNOCK_GRANT_F_STATIC) != 0},
			{"user", is_admin(g.user_fpr) ? nlohmann::json(nullptr) :
							nlohmann::json(fpr_hex(g.user_fpr))},
			{"user_name", is_admin(g.user_fpr) || name == names.end() ?
					      nlohmann::json(nullptr) :
					      nlohmann::json(name->second)},
		});
	}
	return out;
}

std::string table(const std::vector<std::vector<std::string>> &rows)
{
	std::vector<std::size_t> width;
	std::string out;

	for (const auto &row : rows)
		for (std::size_t i = 0; i < row.size(); i++) {
			if (width.size() <= i)
				width.push_back(0);
			width[i] = std::max(width[i], row[i].size());
		}
	for (const auto &row : rows) {
		std::string line;

		for (std::size_t i = 0; i < row.size(); i++) {
			line += row[i];
			if (i + 1 < row.size())
				line += std::string(width[i] - row[i].size() + 2, ' ');
		}
		out += line + "\n";
	}
	return out;
}

std::string status_text(const Status &s, const StaticSeqs &seqs)
{
	auto n = [](uint64_t v) { return std::to_string(v); };

	std::vector<std::vector<std::string>> params{
		{"api version", n(s.api_version)},
		{"hooked", s.hooked ? "yes" : "no"},
		{"guard action", action_name(s.guard_action)},
		{"udp idle", format_duration_ms(s.udp_idle_ms)},
		{"guards", n(s.guards_count)},
		{"grants", n(s.grants_count) + " of " + n(s.grants_max) +
				   (s.grant_buckets ? " (" + n(s.grant_buckets) +
							      " buckets)" :
						      std::string())},
		{"knock ports", n(s.knock_ports_count)},
		{"users", n(s.users_count)},
		{"skew", format_duration_ms(s.skew_ms)},
		{"knock packets", knock_packets_name(s.knock_packets)},
	};
	// From a module that has static sequences.
	if (s.static_seqs_count)
		params.push_back({"static sequences", n(*s.static_seqs_count)});
	// Sequence attempts in flight and the progress table's size, from a
	// module that has one.
	if (s.progress_max)
		params.push_back({"progress", n(s.progress_count.value_or(0)) +
						      " of " + n(*s.progress_max)});
	// From a module that has lockout.
	if (s.lockout)
		params.push_back({"lockout", lockout_status_text(*s.lockout)});

	// A configuration on trial: what the administrator must not miss.
	std::string lines = s.confirm_left_ms ? trial_line(*s.confirm_left_ms) + "\n" :
						std::string();
	if (seqs)
		for (const StaticSequence &q : *seqs)
			lines += static_seq_text(q) + "\n";

	return table(params) + lines +
	       (s.limited ? "limits: unprivileged namespace (max " +
				  n(NFKNOCK_USERNS_GRANTS_LIMIT) + " grants, " +
				  n(NFKNOCK_USERNS_USERS_MAX) + " users)\n" :
			  std::string()) +
	       "stats:\n" + counters_text(s, false);
}

std::string guards_text(const std::vector<Service> &guards)
{
	if (guards.empty())
		return "no guards\n";

	std::vector<std::vector<std::string>> rows{{"SERVICE", "PORTS"}};
	for (const Service &g : guards)
		rows.push_back({format_service(g),
				std::to_string(g.port_end - g.port + 1)});
	return table(rows);
}

std::string grants_text(const std::vector<Grant> &grants, const UserNames &names)
{
	if (grants.empty())
		return "no grants\n";

	std::vector<std::vector<std::string>> rows{
		{"ADDRESS", "SERVICE", "LEFT", "FLAGS", "USER"}};
	for (const Grant &g : grants)
		rows.push_back({format_address(g.addr),
				format_service(grant_service(g)),
				format_duration_ms(g.timeout_ms),
				grant_flags(g.flags),
				// A static sequence's grant has no user, and
				// no administrator made it.
				g.flags & NFKNOCK_GRANT_F_STATIC ?
					"-" :
					grant_user(g.user_fpr, names)});
	return table(rows);
}

} // namespace knockctl
