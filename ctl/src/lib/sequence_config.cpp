// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "sequence_config.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "duration.hpp"
#include "errors.hpp"
#include "sequence.hpp"

namespace knockctl {

namespace {

int line_of(const toml::node &n)
{
	return int(n.source().begin.line);
}

// 1..5 decimal digits, else -1.
long port_number(const std::string &s)
{
	if (s.empty() || s.size() > 5 ||
	    !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
		return -1;
	return std::stol(s);
}

} // namespace

std::pair<uint16_t, uint16_t> parse_sequence_range(const std::string &text)
{
	const auto dash = text.find('-');

	if (dash == std::string::npos)
		throw UsageError(text + ": expected FIRST-LAST (e.g. " +
				 std::to_string(NFK_SEQ_LO_DEFAULT) + "-" +
				 std::to_string(NFK_SEQ_HI_DEFAULT) + ")");
	const long lo = port_number(text.substr(0, dash));
	const long hi = port_number(text.substr(dash + 1));
	if (lo < 0 || hi < 0)
		throw UsageError(text + ": expected FIRST-LAST (e.g. " +
				 std::to_string(NFK_SEQ_LO_DEFAULT) + "-" +
				 std::to_string(NFK_SEQ_HI_DEFAULT) + ")");
	if (lo < 1 || hi > 65535)
		throw UsageError(text + ": port out of range (1 to 65535)");
	if (lo > hi)
		throw UsageError(text + ": first port above last");
	if (hi - lo + 1 < NFK_SEQ_RANGE_MIN)
		throw UsageError(text + ": " + std::to_string(hi - lo + 1) +
				 " ports, at least " +
				 std::to_string(NFK_SEQ_RANGE_MIN) +
				 " (fewer make a sequence guessable)");
	return {uint16_t(lo), uint16_t(hi)};
}

std::optional<Sequence> parse_sequence_key(const toml::node &n,
					   const std::string &field,
					   const ProblemSink &add)
{
	if (const auto *b = n.as_boolean())
		return b->get() ? std::optional<Sequence>(default_sequence()) :
				  std::nullopt;
	const toml::table *t = n.as_table();
	if (!t) {
		add(line_of(n), field, "expected true, false or a table "
				       "({ length = 4, range = \"10000-65000\", "
				       "proto = \"tcp\", window = \"30s\" })");
		return std::nullopt;
	}

	Sequence s = default_sequence();
	bool ok = true;
	const auto bad = [&](const toml::node &v, const std::string &f,
			     const std::string &problem) {
		add(line_of(v), field + "." + f, problem);
		ok = false;
	};
	// A string field: its text, or nullptr after saying so.
	const auto text = [&](const toml::node &v, const char *f) -> const std::string * {
		if (const auto *str = v.as_string())
			return &str->get();
		bad(v, f, "expected a string");
		return nullptr;
	};

	for (auto &&[k, v] : *t) {
		const std::string key(k.str());

		if (key == "length") {
			const auto *i = v.as_integer();
			if (!i) {
				bad(v, key, "expected an integer");
			} else if (i->get() < NFK_SEQ_LEN_MIN || i->get() > NFK_SEQ_LEN_MAX) {
				bad(v, key, std::to_string(i->get()) + ": out of range (" +
						    std::to_string(NFK_SEQ_LEN_MIN) + " to " +
						    std::to_string(NFK_SEQ_LEN_MAX) + ")");
			} else {
				s.length = uint8_t(i->get());
			}
		} else if (key == "range") {
			if (const std::string *r = text(v, "range")) {
				try {
					std::tie(s.lo, s.hi) = parse_sequence_range(*r);
				} catch (const UsageError &e) {
					bad(v, key, e.what());
				}
			}
		} else if (key == "proto") {
			if (const std::string *p = text(v, "proto")) {
				if (*p == "tcp")
					s.proto = IPPROTO_TCP;
				else if (*p == "udp")
					s.proto = IPPROTO_UDP;
				else
					bad(v, key, *p + ": expected tcp or udp");
			}
		} else if (key == "window") {
			const std::string *w = text(v, "window");
			uint32_t ms = 0;
			if (!w)
				continue;
			try {
				ms = parse_duration_ms(*w);
			} catch (const UsageError &e) {
				bad(v, key, e.what());
				continue;
			}
			if (ms < NFK_SEQ_WINDOW_MIN_S * 1000U ||
			    ms > NFK_SEQ_WINDOW_MAX_S * 1000U)
				bad(v, key, *w + ": out of range (" +
						    format_duration_ms(NFK_SEQ_WINDOW_MIN_S * 1000U) +
						    " to " +
						    format_duration_ms(NFK_SEQ_WINDOW_MAX_S * 1000U) +
						    ")");
			else if (ms % 1000)
				bad(v, key, *w + ": not a whole number of seconds");
			else
				s.window_s = ms / 1000;
		} else {
			const int line = k.source().begin.line ? int(k.source().begin.line) :
								 line_of(v);
			add(line, field + "." + key, "unknown key");
			ok = false;
		}
	}
	if (!ok)
		return std::nullopt;
	// Each field was checked against the core's limits; the core has the
	// last word, as the kernel will.
	if (!valid_sequence(s)) {
		add(line_of(n), field, "invalid sequence parameters");
		return std::nullopt;
	}
	return s;
}

} // namespace knockctl
