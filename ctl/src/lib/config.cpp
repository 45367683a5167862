// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "config.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "config_internal.hpp"
#include "duration.hpp"
#include "policy.h"
#include "sequence_config.hpp"
#include "service.hpp"

namespace knockctl {

namespace {

std::string join_problems(const std::vector<std::string> &problems)
{
	std::string out;
	std::size_t n = 0;

	for (const std::string &p : problems) {
		if (n == CONFIG_MAX_ERRORS)
			break;
		out += (n ? "\nknockctl: " : "") + p;
		n++;
	}
	if (problems.size() > n)
		out += "\nknockctl: " + std::to_string(problems.size() - n) +
		       " more error" + (problems.size() - n > 1 ? "s" : "");
	return out;
}

} // namespace

// The readers config_internal.hpp declares (and describes).
namespace config_detail {

int line_of(const toml::node &n)
{
	return int(n.source().begin.line);
}

std::string sub(const std::string &prefix, std::string_view key)
{
	return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string at(const std::string &field, std::size_t i)
{
	return field + "[" + std::to_string(i) + "]";
}

bool listed(std::string_view key, std::initializer_list<std::string_view> list)
{
	return std::find(list.begin(), list.end(), key) != list.end();
}

void check_keys(Problems &p, const toml::table &t, const std::string &prefix,
		std::initializer_list<std::string_view> known)
{
	for (auto &&[k, v] : t) {
		const int line = k.source().begin.line ? int(k.source().begin.line) :
							 line_of(v);

		if (!listed(k.str(), known))
			p.add(line, sub(prefix, k.str()), "unknown key");
	}
}

const std::string *get_string(Problems &p, const toml::node *n,
			      const std::string &field)
{
	if (!n)
		return nullptr;
	if (const auto *s = n->as_string())
		return &s->get();
	p.add(line_of(*n), field, "expected a string");
	return nullptr;
}

std::optional<bool> get_bool(Problems &p, const toml::node *n,
			     const std::string &field)
{
	if (!n)
		return std::nullopt;
	if (const auto *b = n->as_boolean())
		return b->get();
	p.add(line_of(*n), field, "expected true or false");
	return std::nullopt;
}

std::optional<uint32_t> get_integer(Problems &p, const toml::node *n,
				    const std::string &field, int64_t min,
				    int64_t max)
{
	if (!n)
		return std::nullopt;
	const auto *i = n->as_integer();
	if (!i) {
		p.add(line_of(*n), field, "expected an integer");
		return std::nullopt;
	}
	if (i->get() < min || i->get() > max) {
		p.add(line_of(*n), field,
		      std::to_string(i->get()) + ": out of range (" +
			      std::to_string(min) + " to " + std::to_string(max) + ")");
		return std::nullopt;
	}
	return uint32_t(i->get());
}

std::string quoted(std::string_view s)
{
	static const char hex[] = "0123456789abcdef";
	std::string out = "\"";

	for (const char c : s) {
		const auto b = static_cast<unsigned char>(c);

		if (c == '"' || c == '\\') {
			out += '\\';
			out += c;
		} else if (b < 0x20 || b > 0x7e) {
			out += "\\x";
			out += hex[b >> 4];
			out += hex[b & 15];
		} else {
			out += c;
		}
	}
	return out + "\"";
}

const toml::array *get_array(Problems &p, const toml::node *n,
			     const std::string &field)
{
	if (!n)
		return nullptr;
	if (const auto *a = n->as_array())
		return a;
	p.add(line_of(*n), field, "expected an array of strings");
	return nullptr;
}

std::optional<uint32_t> get_duration(Problems &p, const toml::node *n,
				     const std::string &field, uint32_t min_ms,
				     uint32_t max_ms, const char *range)
{
	const std::string *s = get_string(p, n, field);
	uint32_t ms;

	if (!s)
		return std::nullopt;
	try {
		ms = parse_duration_ms(*s);
	} catch (const UsageError &e) {
		p.add(line_of(*n), field, e.what());
		return std::nullopt;
	}
	if (ms < min_ms || ms > max_ms) {
		p.add(line_of(*n), field, *s + ": out of range (" + range + ")");
		return std::nullopt;
	}
	return ms;
}

std::vector<std::pair<std::string, const toml::node *>>
string_items(Problems &p, const toml::array *a, const std::string &field)
{
	std::vector<std::pair<std::string, const toml::node *>> out;

	if (!a)
		return out;
	for (std::size_t i = 0; i < a->size(); i++) {
		const toml::node &n = (*a)[i];

		if (const auto *s = n.as_string())
			out.push_back({s->get(), &n});
		else
			p.add(line_of(n), at(field, i), "expected a string");
	}
	return out;
}

std::optional<uint32_t> get_whole_seconds(Problems &p, const toml::node *n,
					  const std::string &field, uint32_t min_ms,
					  uint32_t max_ms, const char *range)
{
	const auto ms = get_duration(p, n, field, min_ms, max_ms, range);

	if (!ms)
		return std::nullopt;
	if (*ms % 1000) {
		p.add(line_of(*n), field,
		      *n->value<std::string>() + ": not a whole number of seconds");
		return std::nullopt;
	}
	return ms;
}

std::optional<uint32_t> get_grant_seconds(Problems &p, const toml::node *n,
					  const std::string &field)
{
	static_assert(NFKNOCK_DURATION_MAX_S == 65535, "the range text");
	const auto ms = get_whole_seconds(p, n, field, 1000,
					  NFKNOCK_DURATION_MAX_S * 1000U,
					  "1s to 65535s");

	return ms ? std::optional<uint32_t>(*ms / 1000) : std::nullopt;
}

std::vector<const toml::table *> tables(Problems &p, const toml::node *n,
					const std::string &field)
{
	std::vector<const toml::table *> out;
	const toml::array *a = n ? n->as_array() : nullptr;

	if (!n)
		return out;
	if (!a) {
		p.add(line_of(*n), field, "expected [[" + field + "]] tables");
		return out;
	}
	for (std::size_t i = 0; i < a->size(); i++) {
		const toml::table *t = (*a)[i].as_table();

		if (t)
			out.push_back(t);
		else
			p.add(line_of((*a)[i]), at(field, i), "expected a table");
	}
	return out;
}

} // namespace config_detail

namespace {

using namespace config_detail;

void parse_server(Problems &p, const toml::table &t, ServerConfig &cfg)
{
	check_keys(p, t, "server",
		   {"private_key_file", "next_private_key_file", "knock_ports",
		    "skew", "knock_packets", "guard_action", "udp_idle"});

	const auto path = [&p, &t](const char *key, int &line) -> const std::string * {
		const toml::node *n = t.get(key);
		const std::string field = sub("server", key);

		if (!n)
			return nullptr;
		line = line_of(*n);
		const std::string *s = get_string(p, n, field);
		if (s && s->empty()) {
			p.add(line, field, "empty path");
			return nullptr;
		}
		return s;
	};
	if (const std::string *s = path("private_key_file", cfg.key_file_line))
		cfg.private_key_file = *s;
	if (const std::string *s = path("next_private_key_file", cfg.next_key_file_line))
		cfg.next_private_key_file = *s;

	if (const toml::node *n = t.get("knock_ports")) {
		const toml::array *a = get_array(p, n, "server.knock_ports");

		if (a && (a->empty() || a->size() > NFKNOCK_KNOCK_PORTS_MAX))
			p.add(line_of(*n), "server.knock_ports",
			      "1 to " + std::to_string(NFKNOCK_KNOCK_PORTS_MAX) +
				      " knock ports");
		std::size_t i = 0;
		for (const auto &[text, node] : string_items(p, a, "server.knock_ports")) {
			const std::string field = at("server.knock_ports", i++);
			Service svc;

			try {
				svc = parse_service(text, true);
			} catch (const UsageError &e) {
				p.add(line_of(*node), field, e.what());
				continue;
			}
			if (svc.proto != IPPROTO_UDP) {
				p.add(line_of(*node), field,
				      text + ": a knock port must be udp");
				continue;
			}
			if (std::find(cfg.knock_ports.begin(), cfg.knock_ports.end(),
				      svc) != cfg.knock_ports.end()) {
				p.add(line_of(*node), field, text + ": duplicate knock port");
				continue;
			}
			cfg.knock_ports.push_back(svc);
		}
	}

	if (auto ms = get_duration(p, t.get("skew"), "server.skew", 1,
				   NFKNOCK_SKEW_MAX_MS, "1ms to 10m"))
		cfg.skew_ms = *ms;
	if (auto ms = get_duration(p, t.get("udp_idle"), "server.udp_idle", 1,
				   NFKNOCK_TIMEOUT_MAX_MS, "1ms to 7d"))
		cfg.udp_idle_ms = *ms;

	const toml::node *n = t.get("knock_packets");
	if (const std::string *s = get_string(p, n, "server.knock_packets")) {
		if (*s == "pass")
			cfg.knock_packets = NFKNOCK_KNOCK_PASS;
		else if (*s == "drop")
			cfg.knock_packets = NFKNOCK_KNOCK_DROP;
		else
			p.add(line_of(*n), "server.knock_packets",
			      *s + ": expected pass or drop");
	}
	n = t.get("guard_action");
	if (const std::string *s = get_string(p, n, "server.guard_action")) {
		if (*s == "drop")
			cfg.guard_action = NFKNOCK_ACTION_DROP;
		else if (*s == "reset")
			cfg.guard_action = NFKNOCK_ACTION_RESET;
		else
			p.add(line_of(*n), "server.guard_action",
			      *s + ": expected drop or reset");
	}
}

void parse_limits(Problems &p, const toml::table &t, ServerConfig &cfg)
{
	check_keys(p, t, "limits", {"grants", "progress", "sources"});

	if (auto v = get_integer(p, t.get("grants"), "limits.grants", 1,
				 NFKNOCK_GRANTS_LIMIT))
		cfg.grants = *v;
	if (auto v = get_integer(p, t.get("progress"), "limits.progress",
				 NFKNOCK_PROGRESS_MIN, NFKNOCK_PROGRESS_LIMIT))
		cfg.progress = *v;
	// The module also caps it at NFKNOCK_USERNS_SOURCES_LIMIT (4096) in
	// a namespace of an unprivileged user namespace, which a file cannot
	// know: apply then fails with the module's message.
	if (auto v = get_integer(p, t.get("sources"), "limits.sources",
				 NFKNOCK_SOURCES_MIN, NFKNOCK_SOURCES_LIMIT))
		cfg.sources = *v;
}

void parse_guards(Problems &p, const toml::node *n, ServerConfig &cfg)
{
	std::vector<int> lines;
	std::size_t i = 0;

	for (const toml::table *t : tables(p, n, "guard")) {
		const std::string field = at("guard", i++);
		const toml::node *svc_node = t->get("service");

		check_keys(p, *t, field, {"service"});
		if (!svc_node) {
			p.add(line_of(*t), field + ".service", "missing");
			continue;
		}
		const std::string *s = get_string(p, svc_node, field + ".service");
		if (!s)
			continue;
		Service svc;
		try {
			svc = parse_service(*s);
		} catch (const UsageError &e) {
			p.add(line_of(*svc_node), field + ".service", e.what());
			continue;
		}
		if (std::find(cfg.guards.begin(), cfg.guards.end(), svc) !=
		    cfg.guards.end()) {
			p.add(line_of(*svc_node), field + ".service",
			      *s + ": duplicate guard");
			continue;
		}
		cfg.guards.push_back(svc);
		lines.push_back(line_of(*svc_node));
	}
	if (cfg.guards.size() > NFKNOCK_GUARDS_MAX)
		p.add(lines[NFKNOCK_GUARDS_MAX], "guard",
		      "too many guards (" + std::to_string(NFKNOCK_GUARDS_MAX) +
			      " at most)");
}

void parse_user(Problems &p, const toml::table &t, const std::string &field,
		ConfigUser &u)
{
	check_keys(p, t, field,
		   {"name", "public_key", "public_keys", "allow", "max_duration",
		    "max_grants", "sources", "require_address",
		    "require_source_match", "enabled", "expires", "sequence"});
	u.line = line_of(t);

	const toml::node *n = t.get("name");
	if (!n)
		p.add(u.line, field + ".name", "missing");
	if (const std::string *s = get_string(p, n, field + ".name")) {
		u.name_line = line_of(*n);
		if (valid_user_name(*s))
			u.name = *s;
		else
			p.add(line_of(*n), field + ".name",
			      quoted(*s) + ": " + USER_NAME_RULE);
	}

	parse_user_keys(p, t, field, u);

	n = t.get("allow");
	if (!n)
		p.add(u.line, field + ".allow", "missing");
	if (const toml::array *a = get_array(p, n, field + ".allow")) {
		if (a->empty() || a->size() > NFKNOCK_USER_SERVICES_MAX)
			p.add(line_of(*n), field + ".allow",
			      "1 to " + std::to_string(NFKNOCK_USER_SERVICES_MAX) +
				      " services");
		std::size_t i = 0;
		for (const auto &[text, node] : string_items(p, a, field + ".allow")) {
			const std::string f = at(field + ".allow", i++);

			try {
				u.allow.push_back(parse_service(text));
			} catch (const UsageError &e) {
				p.add(line_of(*node), f, e.what());
			}
		}
	}

	// A sequence opens one single-port service (the port is part of its
	// derivation); a user whose allow has none could never use one.
	if ((n = t.get("sequence"))) {
		u.seq = parse_sequence_key(
			*n, field + ".sequence",
			[&p](int line, const std::string &f, const std::string &problem) {
				p.add(line, f, problem);
			});
		if (u.seq && !u.allow.empty() &&
		    std::none_of(u.allow.begin(), u.allow.end(),
				 [](const Service &s) { return s.port == s.port_end; }))
			p.add(line_of(*n), field + ".sequence",
			      "needs a single-port service in allow (ranges have "
			      "no sequence)");
	}

	if (auto secs = get_grant_seconds(p, t.get("max_duration"),
					  field + ".max_duration"))
		u.max_duration_s = *secs;

	if (auto v = get_integer(p, t.get("max_grants"), field + ".max_grants", 1,
				 NFKNOCK_USER_GRANTS_LIMIT))
		u.max_grants = *v;

	n = t.get("sources");
	if (const toml::array *a = get_array(p, n, field + ".sources")) {
		if (a->empty() || a->size() > NFKNOCK_USER_PREFIXES_MAX)
			p.add(line_of(*n), field + ".sources",
			      "1 to " + std::to_string(NFKNOCK_USER_PREFIXES_MAX) +
				      " prefixes");
		std::size_t i = 0;
		for (const auto &[text, node] : string_items(p, a, field + ".sources")) {
			const std::string f = at(field + ".sources", i++);

			try {
				u.sources.push_back(parse_prefix(text));
			} catch (const UsageError &e) {
				p.add(line_of(*node), f, e.what());
			}
		}
	} else if (!n) {
		u.sources = {parse_prefix("0.0.0.0/0"), parse_prefix("::/0")};
	}

	// The key of 0.1 before binding: its meaning changed, so no alias.
	if (const toml::node *old = t.get("require_source_match"))
		p.add(line_of(*old), field + ".require_source_match",
		      "replaced by require_address (default true: a knock must "
		      "carry its sender's address and come from it)");
	if (auto b = get_bool(p, t.get("require_address"),
			      field + ".require_address"))
		u.require_address = *b;
	if (auto b = get_bool(p, t.get("enabled"), field + ".enabled"))
		u.enabled = *b;

	n = t.get("expires");
	if (n) {
		try {
			if (const auto *s = n->as_string()) {
				u.expires_s = parse_rfc3339(s->get());
			} else if (const auto *d = n->as_date()) {
				std::ostringstream text;
				text << d->get();
				u.expires_s = parse_rfc3339(text.str());
			} else if (const auto *dt = n->as_date_time()) {
				std::ostringstream text;
				text << dt->get();
				u.expires_s = parse_rfc3339(text.str());
			} else {
				p.add(line_of(*n), field + ".expires",
				      "expected an RFC 3339 date or date-time");
			}
		} catch (const UsageError &e) {
			p.add(line_of(*n), field + ".expires", e.what());
		}
	}
}

void parse_users(Problems &p, const toml::node *n, ServerConfig &cfg)
{
	std::map<std::string, std::size_t> names;
	std::size_t i = 0;

	for (const toml::table *t : tables(p, n, "user")) {
		const std::string field = at("user", i);
		ConfigUser u;

		parse_user(p, *t, field, u);
		if (!u.name.empty()) {
			const auto [it, fresh] = names.emplace(u.name, i);
			if (!fresh)
				p.add(line_of(*t->get("name")), field + ".name",
				      u.name + ": duplicate name (" +
					      at("user", it->second) + ")");
		}
		cfg.users.push_back(std::move(u));
		if (i++ == NFKNOCK_USERS_MAX)
			p.add(line_of(*t), "user",
			      "too many users (" + std::to_string(NFKNOCK_USERS_MAX) +
				      " at most)");
	}
	check_user_keys(p, cfg);
}

bool all_digits(std::string_view s)
{
	return !s.empty() && std::all_of(s.begin(), s.end(),
					 [](char c) { return c >= '0' && c <= '9'; });
}

int num(std::string_view s, std::size_t pos, std::size_t len)
{
	std::string_view d = s.substr(pos, len);

	if (d.size() != len || !all_digits(d))
		return -1;
	int v = 0;
	for (char c : d)
		v = v * 10 + (c - '0');
	return v;
}

} // namespace

bool valid_user_name(std::string_view name)
{
	return !name.empty() && name.size() <= NFKNOCK_NAME_MAX &&
	       std::all_of(name.begin(), name.end(), [](char c) {
		       return c >= 0x21 && c <= 0x7e;
	       });
}

ConfigError::ConfigError(std::vector<std::string> problems)
	: Error(join_problems(problems)), problems_(std::move(problems))
{
}

Prefix parse_prefix(std::string_view text)
{
	const std::string s(text);
	const auto slash = s.find('/');
	const std::string addr = s.substr(0, slash);
	struct nfk_prefix np {};
	Prefix p;

	if (s.find('\0') != std::string::npos)
		throw UsageError(s + ": invalid address");
	if (inet_pton(AF_INET, addr.c_str(), np.addr) == 1) {
		np.family = 4;
		p.addr.family = AF_INET;
	} else if (inet_pton(AF_INET6, addr.c_str(), np.addr) == 1) {
		np.family = 6;
		p.addr.family = AF_INET6;
	} else {
		throw UsageError(s + ": invalid address");
	}
	const int max = np.family == 4 ? 32 : 128;
	int len = max;
	if (slash != std::string::npos) {
		const std::string l = s.substr(slash + 1);

		len = l.size() <= 3 && all_digits(l) ? std::stoi(l) : -1;
		if (len < 0 || len > max)
			throw UsageError(s + ": invalid prefix length");
	}
	np.len = uint8_t(len);
	if (!nfk_prefix_valid(&np))
		throw UsageError(s + ": host bits set");
	std::memcpy(p.addr.bytes.data(), np.addr, 16);
	p.len = np.len;
	return p;
}

std::string format_prefix(const Prefix &p)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(p.addr.family == AF_INET6 ? AF_INET6 : AF_INET,
		       p.addr.bytes.data(), buf, sizeof(buf)))
		return "?";
	return std::string(buf) + "/" + std::to_string(p.len);
}

uint64_t parse_rfc3339(std::string_view text)
{
	const std::string what(text);
	const auto bad = [&what] {
		return UsageError(what + ": invalid date (expected RFC 3339, e.g. "
					 "2027-01-01 or 2027-01-01T00:00:00Z)");
	};
	std::tm tm{};
	int offset_min = 0;

	if (text.size() < 10 || text[4] != '-' || text[7] != '-')
		throw bad();
	tm.tm_year = num(text, 0, 4) - 1900;
	tm.tm_mon = num(text, 5, 2) - 1;
	tm.tm_mday = num(text, 8, 2);
	if (tm.tm_year < 70 - 1 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1)
		throw bad();
	if (text.size() > 10) {
		std::size_t i = 19;

		if ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
		    text.size() < 19 || text[13] != ':' || text[16] != ':')
			throw bad();
		tm.tm_hour = num(text, 11, 2);
		tm.tm_min = num(text, 14, 2);
		tm.tm_sec = num(text, 17, 2);
		if (tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 ||
		    tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
			throw bad();
		if (i < text.size() && text[i] == '.') {
			i++;
			const std::size_t start = i;
			while (i < text.size() && text[i] >= '0' && text[i] <= '9')
				i++;
			if (i == start)
				throw bad();
		}
		const std::string_view zone = text.substr(i);
		if (zone == "Z" || zone == "z") {
			offset_min = 0;
		} else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
			   zone[3] == ':') {
			const int h = num(zone, 1, 2), m = num(zone, 4, 2);

			if (h < 0 || h > 23 || m < 0 || m > 59)
				throw bad();
			offset_min = (zone[0] == '-' ? -1 : 1) * (h * 60 + m);
		} else if (zone.empty()) {
			throw UsageError(what + ": needs a time zone (Z or +HH:MM)");
		} else {
			throw bad();
		}
	}

	std::tm check = tm;
	const time_t t = timegm(&check);
	if (t == time_t(-1) || check.tm_mday != tm.tm_mday || check.tm_mon != tm.tm_mon)
		throw bad();
	const int64_t v = int64_t(t) - int64_t(offset_min) * 60;
	if (v <= 0)
		throw UsageError(what + ": before 1970");
	return uint64_t(v);
}

std::string format_rfc3339(uint64_t unix_s)
{
	const time_t t = time_t(unix_s);
	std::tm tm{};
	char buf[32];

	gmtime_r(&t, &tm);
	std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

ServerConfig parse_config(std::string_view text, const std::string &name)
{
	Problems p(name);
	ServerConfig cfg;
	toml::table root;

	try {
		root = toml::parse(text, name);
	} catch (const toml::parse_error &e) {
		p.add(int(e.source().begin.line), "", std::string(e.description()));
		p.raise();
	}

	check_keys(p, root, "",
		   {"server", "limits", "lockout", "guard", "user", "sequence"});
	if (const toml::node *n = root.get("server")) {
		if (const toml::table *t = n->as_table())
			parse_server(p, *t, cfg);
		else
			p.add(line_of(*n), "server", "expected a table ([server])");
	}
	if (cfg.knock_ports.empty() &&
	    !(root["server"]["knock_ports"].as_array()))
		cfg.knock_ports.push_back(parse_service(DEFAULT_KNOCK_PORT, true));
	if (const toml::node *n = root.get("limits")) {
		if (const toml::table *t = n->as_table())
			parse_limits(p, *t, cfg);
		else
			p.add(line_of(*n), "limits", "expected a table ([limits])");
	}
	if (const toml::node *n = root.get("lockout"))
		parse_lockout(p, *n, cfg);
	parse_guards(p, root.get("guard"), cfg);
	parse_users(p, root.get("user"), cfg);
	parse_static_sequences(p, root.get("sequence"), cfg);

	// A knock port that is also guarded could never be knocked.
	if (const toml::array *a = root["server"]["knock_ports"].as_array()) {
		for (std::size_t i = 0; i < a->size(); i++) {
			const auto *s = (*a)[i].as_string();
			Service k;

			try {
				if (!s)
					continue;
				k = parse_service(s->get(), true);
			} catch (const UsageError &) {
				continue;
			}
			for (const Service &g : cfg.guards)
				if (covers(g, k.proto, k.port))
					p.add(line_of((*a)[i]), at("server.knock_ports", i),
					      s->get() + ": also guarded (" +
						      format_service(g) + ")");
		}
	}
	if (!p.empty())
		p.raise();
	return cfg;
}

LoadedConfig load_config(const ServerConfig &cfg, const std::string &name,
			 const KeyLoader &load_key)
{
	Problems p(name);
	LoadedConfig out;
	PrivateKey sk;
	std::optional<PrivateKey> next;

	try {
		sk = load_key(cfg.private_key_file);
	} catch (const Error &e) {
		p.add(cfg.key_file_line ? cfg.key_file_line : 1,
		      "server.private_key_file", e.what());
	}
	if (cfg.next_private_key_file) {
		const std::string &path = *cfg.next_private_key_file;

		try {
			next = load_key(path);
			if (p.empty() && public_key(*next) == public_key(sk))
				p.add(cfg.next_key_file_line, "server.next_private_key_file",
				      path + ": the same key as server.private_key_file");
		} catch (const Error &e) {
			p.add(cfg.next_key_file_line, "server.next_private_key_file",
			      e.what());
		}
	}
	if (!p.empty())
		p.raise();

	out.params.guard_action = cfg.guard_action;
	out.params.udp_idle_ms = cfg.udp_idle_ms;
	if (cfg.grants)
		out.params.grants_max = *cfg.grants;
	if (cfg.progress)
		out.params.progress_max = *cfg.progress;
	// The lockout always (so that status shows what the file says), the
	// source table's size only when given (the module's default depends
	// on the namespace).
	out.params.lockout_threshold = cfg.lockout_threshold;
	out.params.lockout_window_ms = cfg.lockout_window_ms;
	out.params.lockout_duration_ms = cfg.lockout_duration_ms;
	if (cfg.sources)
		out.params.sources_max = *cfg.sources;
	out.params.skew_ms = cfg.skew_ms;
	out.params.knock_packets = cfg.knock_packets;
	out.guards = cfg.guards;
	out.knock_ports = cfg.knock_ports;
	out.static_seqs = cfg.static_seqs;

	load_users(p, cfg, sk, next, out);
	if (!p.empty())
		p.raise();
	return out;
}

LoadedConfig load_config_file(const std::string &path, const KeyLoader &load_key)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream text;

	if (!in)
		throw Error(path + ": " + std::strerror(errno));
	text << in.rdbuf();
	if (in.bad())
		throw Error(path + ": read error");
	return load_config(parse_config(text.str(), path), path, load_key);
}

} // namespace knockctl
