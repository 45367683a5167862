// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "stats.hpp"

#include <sstream>

#include "output.hpp"

namespace knockctl {

std::vector<Counter> counters(const Status &s)
{
	const Stats &st = s.stats;
	const KnockStats &k = s.knocks;

	return {
		{"guards", "guarded", "guarded", "guarded", false, st.guarded},
		{"guards", "passed_grant", "passed by grant", "passed by grant", false,
		 st.passed_grant},
		{"guards", "passed_stateless", "passed stateless", "passed stateless",
		 false, st.passed_stateless},
		{"guards", "passed_scope", "passed out of scope", "passed out of scope",
		 false, st.passed_scope},
		{"guards", "refused", "refused", "refused", false, st.refused},
		{"guards", "refused_stray", "of which stray", "of which stray", true,
		 st.refused_stray},
		{"guards", "truncated", "truncated", "truncated", false, st.truncated},
		{"grants", "grants_added", "grants added", "added", false,
		 st.grants_added},
		{"grants", "grants_expired", "grants expired", "expired", false,
		 st.grants_expired},
		{"grants", "grants_full", "grants refused (full)", "refused (full)",
		 false, st.grants_full},
		{"grants", "grants_user_full", "grants refused (user)",
		 "refused (user)", false, st.grants_user_full},
		{"grants", "grants_revoked", "grants revoked", "revoked", false,
		 st.grants_revoked},
		{"knocks", "knocks_accepted", "knocks accepted", "accepted", false,
		 k.accepted},
		{"knocks", "knocks_unknown", "knocks unknown", "unknown", false,
		 k.unknown},
		{"knocks", "knocks_bad_auth", "knocks bad auth", "bad auth", false,
		 k.bad_auth},
		{"knocks", "knocks_stale", "knocks stale", "stale", false, k.stale},
		{"knocks", "knocks_replay", "knocks replayed", "replayed", false,
		 k.replay},
		{"knocks", "knocks_not_allowed", "knocks not allowed", "not allowed",
		 false, k.not_allowed},
		{"knocks", "knocks_malformed", "knocks malformed", "malformed", false,
		 k.malformed},
		{"knocks", "knocks_unbound", "knocks unbound", "unbound", false,
		 k.unbound},
		{"sequences", "seq_steps", "sequence steps", "steps", false,
		 s.seq.steps},
		{"sequences", "seq_completed", "sequences completed", "completed",
		 false, s.seq.completed},
		{"sequences", "seq_failed", "sequences failed", "failed", false,
		 s.seq.failed},
		{"sequences", "seq_timeout", "sequences timed out", "timed out", false,
		 s.seq.timeout},
		{"sequences", "seq_evicted", "sequences evicted", "evicted", false,
		 s.seq.evicted},
		{"sequences", "seq_not_allowed", "sequences not allowed",
		 "not allowed", false, s.seq.not_allowed},
		{"lockout", "lockouts", "lockouts started", "started", false,
		 s.lockouts.started},
		{"lockout", "lockout_refused", "lockout steps refused",
		 "steps refused", false, s.lockouts.refused},
		{"lockout", "lockout_evicted", "lockout evictions", "sources evicted",
		 false, s.lockouts.evicted},
	};
}

nlohmann::json counters_json(const Status &s)
{
	nlohmann::json out = nlohmann::json::object();

	for (const Counter &c : counters(s))
		out[c.key] = c.value;
	return out;
}

std::string counters_text(const Status &s, bool grouped)
{
	const std::vector<Counter> list = counters(s);
	std::vector<std::vector<std::string>> rows;

	for (const Counter &c : list)
		rows.push_back({std::string(c.part ? 4 : 2, ' ') +
					(grouped ? c.item : c.label),
				std::to_string(c.value)});
	if (!grouped)
		return table(rows);

	// One table, so the values line up across the groups.
	std::istringstream lines(table(rows));
	std::string out, line, group;
	for (const Counter &c : list) {
		std::getline(lines, line);
		if (group != c.group)
			out += std::string(c.group) + ":\n";
		group = c.group;
		out += line + "\n";
	}
	return out;
}

std::string stats_text(const Status &s, const std::vector<User> &users)
{
	std::string out = counters_text(s, true);

	if (users.empty())
		return out + "users: none\n";

	std::vector<std::vector<std::string>> rows{
		{"  NAME", "FINGERPRINT", "KNOCKS", "GRANTS"}};
	for (const User &u : users)
		rows.push_back({"  " + u.name, fpr_hex(u.fpr), std::to_string(u.knocks),
				u.grants ? std::to_string(*u.grants) : "-"});
	return out + "users:\n" + table(rows);
}

nlohmann::json stats_json(const Status &s, const std::vector<User> &users)
{
	nlohmann::json list = nlohmann::json::array();

	for (const User &u : users)
		list.push_back({
			{"name", u.name},
			{"fingerprint", fpr_hex(u.fpr)},
			{"knocks", u.knocks},
			{"grants", u.grants ? nlohmann::json(*u.grants) :
					      nlohmann::json(nullptr)},
		});
	return {{"counters", counters_json(s)}, {"users", list}};
}

} // namespace knockctl
