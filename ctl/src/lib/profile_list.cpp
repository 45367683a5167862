// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "profile_list.hpp"

#include <algorithm>
#include <ostream>

#include "errors.hpp"
#include "output.hpp"
#include "sequence.hpp"
#include "service.hpp"

namespace knockctl {

namespace {

// A profile that names no sequence parameters uses the defaults; one with
// sequence = false has none.
std::optional<Sequence> sequence_in_force(const ServerProfile &p)
{
	if (p.sequence_off)
		return std::nullopt;
	return p.sequence ? *p.sequence : default_sequence();
}

nlohmann::json text_or_null(const std::string &s)
{
	return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

std::string text_or_dash(const std::string &s)
{
	return s.empty() ? "-" : s;
}

std::string client_address_mode(const ServerProfile &p)
{
	return p.client_address.empty() ? "auto" : p.client_address;
}

} // namespace

std::string profile_host(const ServerProfile &p)
{
	return p.name.empty() ? p.address : p.name;
}

std::string profiles_text(const std::vector<ServerProfile> &list,
			  const std::string &file)
{
	if (list.empty())
		return "no profiles in " + file + "\n";

	// The SEQUENCE column only when a profile sets one, as in users:
	// most clients send single-packet knocks.
	const bool seq = std::any_of(list.begin(), list.end(), [](const ServerProfile &p) {
		return p.sequence || p.sequence_off;
	});
	std::vector<std::vector<std::string>> rows{
		{"NAME", "ADDRESS", "SERVICE", "KNOCK PORT", "CLIENT ADDRESS",
		 "DISCOVER", "KEY FILE"}};
	if (seq)
		rows[0].insert(rows[0].begin() + 6, "SEQUENCE");
	for (const ServerProfile &p : list) {
		rows.push_back({text_or_dash(p.name), text_or_dash(p.address),
				p.service ? format_service(*p.service) : "-",
				format_service(p.knock_port), client_address_mode(p),
				text_or_dash(p.discover), text_or_dash(p.key_file)});
		if (seq) {
			const std::optional<Sequence> s = sequence_in_force(p);
			rows.back().insert(rows.back().begin() + 6,
					   s ? format_sequence(*s) : "-");
		}
	}
	return table(rows);
}

nlohmann::json profiles_json(const std::vector<ServerProfile> &list)
{
	nlohmann::json out = nlohmann::json::array();

	for (const ServerProfile &p : list)
		out.push_back({
			{"name", text_or_null(p.name)},
			{"address", text_or_null(p.address)},
			{"service", p.service ? nlohmann::json(format_service(*p.service)) :
						nlohmann::json(nullptr)},
			{"knock_port", format_service(p.knock_port)},
			{"public_key", p.public_key ?
					       nlohmann::json(key_to_base64(*p.public_key)) :
					       nlohmann::json(nullptr)},
			{"key_file", text_or_null(p.key_file)},
			{"client_address", client_address_mode(p)},
			{"discover", text_or_null(p.discover)},
			{"sequence", sequence_json(sequence_in_force(p))},
		});
	return out;
}

void do_profiles(Context &ctx, const ProfilesArgs &a)
{
	const ProfileFile file = read_profile_file(a.profile);

	if (a.names) {
		for (const ServerProfile &p : file.profiles)
			ctx.out << profile_host(p) << "\n";
		return;
	}
	if (file.path.empty())
		throw Error("no profile file: neither $XDG_CONFIG_HOME nor $HOME "
			    "is set (give --profile FILE)");
	if (!file.found)
		throw Error("no profile file: " + file.path + " does not exist "
			    "(write it: knockctl(8), client.toml.example; or give "
			    "--profile FILE)");
	if (a.json)
		ctx.out << profiles_json(file.profiles).dump(2) << "\n";
	else
		ctx.out << profiles_text(file.profiles, file.path);
}

} // namespace knockctl
