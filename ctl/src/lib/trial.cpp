// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "trial.hpp"

#include <linux/nfknock.h>

#include <cerrno>
#include <ostream>

#include <nlohmann/json.hpp>

#include "duration.hpp"
#include "errors.hpp"

namespace knockctl {

uint32_t parse_confirm_ms(const std::string &text)
{
	uint32_t ms = 0;

	try {
		ms = parse_duration_ms(text, NFKNOCK_CONFIRM_MAX_MS);
	} catch (const UsageError &e) {
		throw UsageError(std::string("--confirm ") + e.what());
	}
	// The module's events count in seconds; a whole one is at least
	// NFKNOCK_CONFIRM_MIN_MS.
	static_assert(NFKNOCK_CONFIRM_MIN_MS <= 1000);
	if (ms % 1000)
		throw UsageError("--confirm " + text + ": not a whole number of seconds");
	return ms;
}

std::string trial_line(uint64_t left_ms)
{
	return "on trial: rolls back in " + std::to_string((left_ms + 999) / 1000) +
	       " s unless `knockctl confirm`";
}

void do_confirm(Context &ctx, bool json)
{
	uint32_t revoked = 0;

	try {
		revoked = ctx.client().confirm();
	} catch (const KernelError &e) {
		if (e.err() == ENOENT)
			throw Error("nothing to confirm: no configuration is on trial");
		throw e.with_context("confirm");
	}
	if (json)
		ctx.out << nlohmann::json{{"confirmed", true}, {"revoked", revoked}}.dump(2)
			<< "\n";
	else
		ctx.out << "confirmed; " << revoked << " grants revoked\n";
}

} // namespace knockctl
