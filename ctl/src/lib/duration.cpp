// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "duration.hpp"

#include <linux/nfknock.h>

#include "errors.hpp"

namespace knockctl {

namespace {

struct Unit {
	std::string_view suffix;
	uint64_t ms;
};

constexpr Unit units[] = {
	{"ms", 1}, {"s", 1000}, {"m", 60 * 1000},
	{"h", 3600 * 1000}, {"d", 24 * 3600 * 1000},
};

} // namespace

uint32_t parse_duration_ms(std::string_view text, uint32_t max_ms)
{
	const std::string what(text);
	std::size_t digits = 0;
	uint64_t value = 0;
	bool overflow = false;

	while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
		value = value * 10 + uint64_t(text[digits] - '0');
		if (value > max_ms)
			overflow = true;	// keep scanning: still validate the unit
		digits++;
	}
	if (digits == 0)
		throw UsageError(what + ": invalid duration");

	std::string_view suffix = text.substr(digits);
	uint64_t scale = 0;
	if (suffix.empty()) {
		scale = 1000;
	} else {
		for (const Unit &u : units)
			if (suffix == u.suffix)
				scale = u.ms;
	}
	if (scale == 0)
		throw UsageError(what + ": invalid duration");
	if (value == 0)
		throw UsageError(what + ": duration must be greater than zero");
	if (overflow || value * scale > max_ms)
		throw UsageError(what + ": duration too long (at most " +
				 format_duration_ms(max_ms) + ")");
	return uint32_t(value * scale);
}

std::string format_duration_ms(uint64_t ms)
{
	if (ms < 1000)
		return std::to_string(ms) + "ms";

	uint64_t s = (ms + 999) / 1000;
	const uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
	s %= 60;

	std::string out;
	if (d)
		out += std::to_string(d) + "d";
	if (h)
		out += std::to_string(h) + "h";
	if (m)
		out += std::to_string(m) + "m";
	if (s)
		out += std::to_string(s) + "s";
	return out;
}

} // namespace knockctl
