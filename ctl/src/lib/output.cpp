// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "output.hpp"

#include <linux/nfknock.h>

#include <algorithm>

#include "address.hpp"
#include "duration.hpp"
#include "service.hpp"

namespace knockctl {

namespace {

std::string grant_flags(uint32_t flags)
{
	std::string out;

	if (flags & NFKNOCK_GRANT_F_ONCE)
		out += "once";
	if (flags & NFKNOCK_GRANT_F_USED)
		out += out.empty() ? "used" : ",used";
	return out.empty() ? "-" : out;
}

Service grant_service(const Grant &g)
{
	return Service{g.proto, g.port, g.port};
}

} // namespace

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

nlohmann::json status_json(const Status &s)
{
	return {
		{"api_version", s.api_version},
		{"hooked", s.hooked},
		{"guard_action", action_name(s.guard_action)},
		{"udp_idle_ms", s.udp_idle_ms},
		{"grants_max", s.grants_max},
		{"grants_count", s.grants_count},
		{"guards_count", s.guards_count},
		{"stats", {
			{"guarded", s.stats.guarded},
			{"passed_grant", s.stats.passed_grant},
			{"passed_stateless", s.stats.passed_stateless},
			{"refused", s.stats.refused},
			{"truncated", s.stats.truncated},
			{"grants_added", s.stats.grants_added},
			{"grants_expired", s.stats.grants_expired},
			{"grants_full", s.stats.grants_full},
		}},
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

nlohmann::json grants_json(const std::vector<Grant> &grants)
{
	nlohmann::json out = nlohmann::json::array();

	for (const Grant &g : grants)
		out.push_back({
			{"address", format_address(g.addr)},
			{"family", family_name(g.addr)},
			{"service", format_service(grant_service(g))},
			{"proto", proto_name(g.proto)},
			{"port", g.port},
			{"expires_ms", g.timeout_ms},
			{"once", (g.flags & NFKNOCK_GRANT_F_ONCE) != 0},
			{"used", (g.flags & NFKNOCK_GRANT_F_USED) != 0},
		});
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

std::string status_text(const Status &s)
{
	const Stats &st = s.stats;
	auto n = [](uint64_t v) { return std::to_string(v); };

	return table({
		{"api version", n(s.api_version)},
		{"hooked", s.hooked ? "yes" : "no"},
		{"guard action", action_name(s.guard_action)},
		{"udp idle", format_duration_ms(s.udp_idle_ms)},
		{"guards", n(s.guards_count)},
		{"grants", n(s.grants_count) + " of " + n(s.grants_max)},
	}) + "stats:\n" + table({
		{"  guarded", n(st.guarded)},
		{"  passed by grant", n(st.passed_grant)},
		{"  passed stateless", n(st.passed_stateless)},
		{"  refused", n(st.refused)},
		{"  truncated", n(st.truncated)},
		{"  grants added", n(st.grants_added)},
		{"  grants expired", n(st.grants_expired)},
		{"  grants refused (full)", n(st.grants_full)},
	});
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

std::string grants_text(const std::vector<Grant> &grants)
{
	if (grants.empty())
		return "no grants\n";

	std::vector<std::vector<std::string>> rows{
		{"ADDRESS", "SERVICE", "LEFT", "FLAGS"}};
	for (const Grant &g : grants)
		rows.push_back({format_address(g.addr),
				format_service(grant_service(g)),
				format_duration_ms(g.timeout_ms),
				grant_flags(g.flags)});
	return table(rows);
}

} // namespace knockctl
