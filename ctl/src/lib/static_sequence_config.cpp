// SPDX-License-Identifier: GPL-2.0 OR MIT
// The [[sequence]] tables of nfknock.conf: static port sequences, knockd's
// kind (docs/config.md, "Static sequences"):
//
//   [[sequence]]
//   name = "knockd-ssh"                             # default sequence-N
//   knock = ["tcp/7000", "udp/8000", "tcp/9000"]    # 2..16 single ports
//   opens = "tcp/22"
//   for = "30s"                                     # default 30s
//
// The limits are the uapi's (NFKNOCK_STATIC_*), the ones the kernel checks.
#include <linux/nfknock.h>

#include <algorithm>
#include <map>

#include "config_internal.hpp"
#include "service.hpp"

namespace knockctl::config_detail {

namespace {

// A single-port service string ("tcp/22").
std::optional<Service> get_port(Problems &p, const toml::node *n,
				const std::string &field)
{
	const std::string *s = get_string(p, n, field);

	if (!s)
		return std::nullopt;
	try {
		return parse_service(*s, true);
	} catch (const UsageError &e) {
		p.add(line_of(*n), field, e.what());
		return std::nullopt;
	}
}

// The steps of @t's knock, or nothing after saying what is wrong.
std::optional<std::vector<Service>> get_steps(Problems &p, const toml::table &t,
					      const std::string &field)
{
	const toml::node *n = t.get("knock");
	const std::string f = field + ".knock";

	if (!n) {
		p.add(line_of(t), f, "missing");
		return std::nullopt;
	}
	const toml::array *a = get_array(p, n, f);
	if (!a)
		return std::nullopt;

	std::vector<Service> steps;
	bool ok = true;
	if (a->size() < NFKNOCK_STATIC_STEPS_MIN || a->size() > NFKNOCK_STATIC_STEPS_MAX) {
		p.add(line_of(*n), f,
		      std::to_string(NFKNOCK_STATIC_STEPS_MIN) + " to " +
			      std::to_string(NFKNOCK_STATIC_STEPS_MAX) + " steps");
		ok = false;
	}
	for (std::size_t i = 0; i < a->size(); i++) {
		const toml::node &step = (*a)[i];
		const auto svc = get_port(p, &step, at(f, i));

		if (!svc) {
			ok = false;
		} else if (!steps.empty() && steps.back() == *svc) {
			// The kernel takes a repeat of the step just made for
			// its retransmission (a SYN sent again), not a step.
			p.add(line_of(step), at(f, i),
			      format_service(*svc) + ": same as the step before it "
						     "(a repeat is taken for a "
						     "retransmission of that step)");
			ok = false;
		}
		if (svc)
			steps.push_back(*svc);
	}
	if (!ok)
		return std::nullopt;
	return steps;
}

} // namespace

void parse_static_sequences(Problems &p, const toml::node *n, ServerConfig &cfg)
{
	std::map<std::string, std::size_t> names;
	std::vector<std::pair<std::vector<Service>, std::size_t>> knocks;
	std::size_t i = 0;

	for (const toml::table *t : tables(p, n, "sequence")) {
		const std::string field = at("sequence", i);
		StaticSequence s;

		check_keys(p, *t, field, {"name", "knock", "opens", "for"});

		const toml::node *name = t->get("name");
		if (!name) {
			s.name = "sequence-" + std::to_string(i + 1);
		} else if (const std::string *text = get_string(p, name, field + ".name")) {
			if (valid_user_name(*text))
				s.name = *text;
			else
				p.add(line_of(*name), field + ".name",
				      quoted(*text) + ": " + USER_NAME_RULE);
		}
		if (!s.name.empty()) {
			const auto [it, fresh] = names.emplace(s.name, i);
			if (!fresh)
				p.add(name ? line_of(*name) : line_of(*t), field + ".name",
				      s.name + (name ? "" : " (the default name)") +
					      ": duplicate name (" +
					      at("sequence", it->second) + ")");
		}

		if (auto steps = get_steps(p, *t, field)) {
			const auto same = std::find_if(knocks.begin(), knocks.end(),
						       [&](const auto &k) {
							       return k.first == *steps;
						       });
			if (same != knocks.end())
				p.add(line_of(*t->get("knock")), field + ".knock",
				      "the same steps as " + at("sequence", same->second));
			else
				knocks.emplace_back(*steps, i);
			s.steps = std::move(*steps);
		}

		const toml::node *opens = t->get("opens");
		if (!opens)
			p.add(line_of(*t), field + ".opens", "missing");
		else if (auto svc = get_port(p, opens, field + ".opens"))
			s.opens = *svc;

		s.duration_s = DEFAULT_STATIC_SEQ_FOR_S;
		if (auto secs = get_grant_seconds(p, t->get("for"), field + ".for"))
			s.duration_s = *secs;

		cfg.static_seqs.push_back(std::move(s));
		if (i++ == NFKNOCK_STATIC_SEQS_MAX)
			p.add(line_of(*t), "sequence",
			      "too many static sequences (" +
				      std::to_string(NFKNOCK_STATIC_SEQS_MAX) + " at most)");
	}
}

} // namespace knockctl::config_detail
