// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "events.hpp"

#include <linux/nfknock.h>

#include <cstring>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "address.hpp"
#include "codec.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "output.hpp"
#include "service.hpp"

namespace knockctl {

namespace {

// Names as kmod/event.c has them (its event_name and nfknock_reject_name).
const char *const EVENT_NAMES[] = {
	nullptr,
	"knock_accepted",
	"knock_rejected",
	"grant_opened",
	"grant_used",
	"grant_expired",
	"grant_revoked",
	"sequence_progress",
	"sequence_completed",
	"sequence_failed",
	"lockout_started",
	"lockout_ended",
	"config_applied",
	"config_confirmed",
	"config_rolled_back",
	"suppressed",
};
static_assert(std::size(EVENT_NAMES) == __NFKNOCK_EVENT_LAST);

const char *const REJECT_NAMES[] = {
	"ok",
	"unknown",
	"bad_auth",
	"stale",
	"replay",
	"not_allowed",
	"malformed",
	"table_full",
	"unbound",
	"wrong_step",
	"timeout",
	"locked_out",
};
static_assert(std::size(REJECT_NAMES) == __NFKNOCK_REJ_LAST);

// Every variable event_env() may set, in its order.
const char *const ENV_NAMES[] = {
	"NFKNOCK_EVENT", "NFKNOCK_TIME", "NFKNOCK_USER", "NFKNOCK_FPR",
	"NFKNOCK_SEQUENCE", "NFKNOCK_SOURCE", "NFKNOCK_UNVERIFIED",
	"NFKNOCK_REASON", "NFKNOCK_SERVICE", "NFKNOCK_ADDRESS",
	"NFKNOCK_DURATION", "NFKNOCK_TRIAL", "NFKNOCK_CONFIRM", "NFKNOCK_COUNT",
};

// Payload size of each attribute this version knows; -1: see parse_event.
int attr_size(int type)
{
	switch (type) {
	case NFKNOCK_EV_A_TYPE:
	case NFKNOCK_EV_A_REASON:
	case NFKNOCK_EV_A_PROTO:
		return 1;
	case NFKNOCK_EV_A_PORT:
		return 2;
	case NFKNOCK_EV_A_DURATION_S:
	case NFKNOCK_EV_A_FLAGS:
	case NFKNOCK_EV_A_COUNT:
		return 4;
	case NFKNOCK_EV_A_TIME_MS:
	case NFKNOCK_EV_A_FPR:
		return 8;
	case NFKNOCK_EV_A_UNVERIFIED:
		return 0;
	default:	// SOURCE, ADDR (4 or 16), USER, SEQUENCE (names)
		return -1;
	}
}

std::string attr_error(int type, const std::string &problem)
{
	return "event attribute " + std::to_string(type) + ": " + problem;
}

Address address_of(const nlattr *a, int type)
{
	const int len = nla_len(a);
	Address addr;

	if (len != 4 && len != 16)
		throw ProtocolError(attr_error(type, "address of " +
						     std::to_string(len) + " bytes"));
	addr.family = len == 4 ? AF_INET : AF_INET6;
	std::memcpy(addr.bytes.data(), nla_data(a), std::size_t(len));
	return addr;
}

// A user's or a static sequence's name: NUL-terminated, then as a user
// name must be (config.hpp, valid_user_name).
std::string name_of(const nlattr *a, int type)
{
	const char *s = static_cast<const char *>(nla_data(a));
	const int len = nla_len(a);

	if (len < 1 || s[len - 1] != '\0')
		throw ProtocolError(attr_error(type, "name without its NUL"));
	const std::string name(s, std::size_t(len - 1));
	if (!valid_user_name(name))
		throw ProtocolError(attr_error(type, "invalid name"));
	return name;
}

bool is_config_event(uint8_t type)
{
	return type == NFKNOCK_EVENT_CONFIG_APPLIED ||
	       type == NFKNOCK_EVENT_CONFIG_CONFIRMED ||
	       type == NFKNOCK_EVENT_CONFIG_ROLLED_BACK;
}

// What count= (revoked=) says. A configuration event's COUNT is the
// grants it revoked; the module leaves out a 0 on some of them.
std::optional<uint32_t> count_of(const Event &ev)
{
	if (!ev.count && is_config_event(ev.type))
		return 0;
	return ev.count;
}

// Whether the configuration was applied on trial: config_applied only
// (nullopt for every other event).
std::optional<bool> trial_of(const Event &ev)
{
	if (ev.type != NFKNOCK_EVENT_CONFIG_APPLIED)
		return std::nullopt;
	return (ev.flags & NFKNOCK_EV_F_TRIAL) != 0;
}

std::string service_text(const Event &ev)
{
	return proto_name(*ev.proto) + "/" + std::to_string(*ev.port);
}

} // namespace

std::string event_name(uint8_t type)
{
	if (type > 0 && type < std::size(EVENT_NAMES))
		return EVENT_NAMES[type];
	return "event_" + std::to_string(type);
}

std::string reject_name(uint8_t reason)
{
	if (reason < std::size(REJECT_NAMES))
		return REJECT_NAMES[reason];
	return "reason_" + std::to_string(reason);
}

Event parse_event(const nlmsghdr *nlh)
{
	auto *h = const_cast<nlmsghdr *>(nlh);	// libnl is not const-correct
	std::array<nlattr *, NFKNOCK_EV_A_MAX + 1> tb{};
	nlattr *a;
	int rem;

	if (message_cmd(nlh) != NFKNOCK_CMD_EVENT)
		throw ProtocolError("not an event (command " +
				    std::to_string(message_cmd(nlh)) + ")");
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(h));
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		const int type = nla_type(a);
		const int size = attr_size(type);

		if (type == NFKNOCK_EV_A_PAD || type > NFKNOCK_EV_A_MAX)
			continue;	// alignment, or a newer module's
		if (type == NFKNOCK_EV_A_UNSPEC)
			throw ProtocolError(attr_error(type, "unexpected"));
		if (tb[type])
			throw ProtocolError(attr_error(type, "given twice"));
		if (size >= 0 && nla_len(a) != size)
			throw ProtocolError(attr_error(type, std::to_string(nla_len(a)) +
							     " bytes, expected " +
							     std::to_string(size)));
		tb[type] = a;
	}
	if (rem > 0)
		throw ProtocolError("event: " + std::to_string(rem) +
				    " bytes after the last attribute");
	if (!tb[NFKNOCK_EV_A_TYPE] || !tb[NFKNOCK_EV_A_TIME_MS])
		throw ProtocolError("event without its type or time");
	if (!tb[NFKNOCK_EV_A_PROTO] != !tb[NFKNOCK_EV_A_PORT])
		throw ProtocolError("event with a protocol or a port alone");

	Event ev;
	ev.type = nla_get_u8(tb[NFKNOCK_EV_A_TYPE]);
	ev.time_ms = nla_get_u64(tb[NFKNOCK_EV_A_TIME_MS]);
	if ((a = tb[NFKNOCK_EV_A_REASON]))
		ev.reason = nla_get_u8(a);
	if ((a = tb[NFKNOCK_EV_A_SOURCE]))
		ev.source = address_of(a, NFKNOCK_EV_A_SOURCE);
	ev.unverified = tb[NFKNOCK_EV_A_UNVERIFIED] != nullptr;
	if ((a = tb[NFKNOCK_EV_A_USER]))
		ev.user = name_of(a, NFKNOCK_EV_A_USER);
	if ((a = tb[NFKNOCK_EV_A_FPR])) {
		ev.fpr.emplace();
		std::memcpy(ev.fpr->data(), nla_data(a), ev.fpr->size());
	}
	if ((a = tb[NFKNOCK_EV_A_SEQUENCE]))
		ev.sequence = name_of(a, NFKNOCK_EV_A_SEQUENCE);
	if ((a = tb[NFKNOCK_EV_A_ADDR]))
		ev.addr = address_of(a, NFKNOCK_EV_A_ADDR);
	if (tb[NFKNOCK_EV_A_PROTO]) {
		ev.proto = nla_get_u8(tb[NFKNOCK_EV_A_PROTO]);
		ev.port = nla_get_u16(tb[NFKNOCK_EV_A_PORT]);
	}
	if ((a = tb[NFKNOCK_EV_A_DURATION_S]))
		ev.duration_s = nla_get_u32(a);
	if ((a = tb[NFKNOCK_EV_A_FLAGS]))
		ev.flags = nla_get_u32(a);
	if ((a = tb[NFKNOCK_EV_A_COUNT]))
		ev.count = nla_get_u32(a);
	return ev;
}

std::string event_text(const Event &ev)
{
	std::string out = format_unix_ms(ev.time_ms) + " " + event_name(ev.type);
	auto field = [&out](const char *key, const std::string &value) {
		out += std::string(" ") + key + "=" + value;
	};

	if (ev.user)
		field("user", *ev.user);
	if (ev.fpr)
		field("fpr", fpr_hex(*ev.fpr));
	if (ev.sequence)
		field("sequence", *ev.sequence);
	if (ev.source)
		field("source", format_address(*ev.source));
	if (ev.unverified)
		field("unverified", "yes");
	if (ev.reason)
		field("reason", reject_name(*ev.reason));
	if (ev.proto)
		field("service", service_text(ev));
	if (ev.flags & NFKNOCK_EV_F_CLOSE)
		field("action", "close");
	if (ev.addr)
		field("address", format_address(*ev.addr));
	if (trial_of(ev).value_or(false))
		field("trial", "yes");
	// A configuration's DURATION_S is the time allowed to confirm it.
	if (ev.duration_s)
		field(is_config_event(ev.type) ? "confirm" : "duration",
		      std::to_string(*ev.duration_s) + "s");
	if (ev.flags & NFKNOCK_EV_F_ONCE)
		field("once", "yes");
	if (ev.flags & NFKNOCK_EV_F_CAPPED)
		field("capped", "yes");
	if (const auto count = count_of(ev))
		field(is_config_event(ev.type) ? "revoked" : "count",
		      std::to_string(*count));
	return out;
}

nlohmann::ordered_json event_json(const Event &ev)
{
	nlohmann::ordered_json j = {
		{"time_ms", ev.time_ms},
		{"time", format_unix_ms(ev.time_ms)},
		{"event", event_name(ev.type)},
		{"unverified", ev.unverified},
	};

	if (ev.user)
		j["user"] = *ev.user;
	if (ev.fpr)
		j["fingerprint"] = fpr_hex(*ev.fpr);
	if (ev.sequence)
		j["sequence"] = *ev.sequence;
	if (ev.source)
		j["source"] = format_address(*ev.source);
	if (ev.reason)
		j["reason"] = reject_name(*ev.reason);
	if (ev.proto) {
		j["service"] = service_text(ev);
		j["proto"] = proto_name(*ev.proto);
		j["port"] = *ev.port;
	}
	if (ev.addr)
		j["address"] = format_address(*ev.addr);
	if (const auto trial = trial_of(ev))
		j["trial"] = *trial;
	if (ev.duration_s)
		j[is_config_event(ev.type) ? "confirm_s" : "duration_s"] = *ev.duration_s;
	// What was asked of the service's grant: with the service (or with
	// flags from a module that sends them without one; a configuration
	// event's flags are its own).
	if (ev.proto || (ev.flags && !is_config_event(ev.type))) {
		j["once"] = (ev.flags & NFKNOCK_EV_F_ONCE) != 0;
		j["capped"] = (ev.flags & NFKNOCK_EV_F_CAPPED) != 0;
		j["close"] = (ev.flags & NFKNOCK_EV_F_CLOSE) != 0;
	}
	if (const auto count = count_of(ev))
		j["count"] = *count;
	return j;
}

std::vector<std::string> event_env(const Event &ev)
{
	std::vector<std::string> env;
	auto var = [&env](const char *name, const std::string &value) {
		env.push_back(std::string(name) + "=" + value);
	};

	var("NFKNOCK_EVENT", event_name(ev.type));
	var("NFKNOCK_TIME", format_unix_ms(ev.time_ms));
	if (ev.user)
		var("NFKNOCK_USER", *ev.user);
	if (ev.fpr)
		var("NFKNOCK_FPR", fpr_hex(*ev.fpr));
	if (ev.sequence)
		var("NFKNOCK_SEQUENCE", *ev.sequence);
	if (ev.source)
		var("NFKNOCK_SOURCE", format_address(*ev.source));
	var("NFKNOCK_UNVERIFIED", ev.unverified ? "1" : "0");
	if (ev.reason)
		var("NFKNOCK_REASON", reject_name(*ev.reason));
	if (ev.proto)
		var("NFKNOCK_SERVICE", service_text(ev));
	if (ev.addr)
		var("NFKNOCK_ADDRESS", format_address(*ev.addr));
	if (const auto trial = trial_of(ev))
		var("NFKNOCK_TRIAL", *trial ? "1" : "0");
	if (ev.duration_s)
		var(is_config_event(ev.type) ? "NFKNOCK_CONFIRM" : "NFKNOCK_DURATION",
		    std::to_string(*ev.duration_s));
	if (const auto count = count_of(ev))
		var("NFKNOCK_COUNT", std::to_string(*count));
	return env;
}

std::vector<std::string> child_environment(const std::vector<std::string> &inherited,
					   const std::vector<std::string> &vars)
{
	std::vector<std::string> out;

	for (const std::string &v : inherited) {
		const std::string name = v.substr(0, v.find('='));
		bool ours = false;

		for (const char *n : ENV_NAMES)
			ours = ours || name == n;
		if (!ours)
			out.push_back(v);
	}
	out.insert(out.end(), vars.begin(), vars.end());
	return out;
}

} // namespace knockctl
