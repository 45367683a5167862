// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "profile.hpp"

#include <netinet/in.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "config.hpp"
#include "discover.hpp"
#include "errors.hpp"
#include "knock_address.hpp"
#include "sequence_config.hpp"
#include "service.hpp"

namespace knockctl {

namespace {

int line_of(const toml::node &n)
{
	return int(n.source().begin.line);
}

} // namespace

std::vector<ServerProfile> parse_profile(std::string_view text,
					 const std::string &name,
					 const std::string &home)
{
	std::vector<std::string> problems;
	std::vector<ServerProfile> out;
	toml::table root;
	const auto add = [&](int line, const std::string &field,
			     const std::string &problem) {
		problems.push_back(name + ":" + std::to_string(line) + ": " +
				   (field.empty() ? "" : field + ": ") + problem);
	};

	try {
		root = toml::parse(text, name);
	} catch (const toml::parse_error &e) {
		add(int(e.source().begin.line), "", std::string(e.description()));
		throw ConfigError(problems);
	}
	for (auto &&[k, v] : root)
		if (k.str() != "server")
			add(line_of(v), std::string(k.str()), "unknown key");

	const toml::node *servers = root.get("server");
	const toml::array *arr = servers ? servers->as_array() : nullptr;
	if (servers && !arr)
		add(line_of(*servers), "server", "expected [[server]] tables");
	for (std::size_t i = 0; arr && i < arr->size(); i++) {
		const std::string field = "server[" + std::to_string(i) + "]";
		const toml::table *t = (*arr)[i].as_table();
		ServerProfile p;

		if (!t) {
			add(line_of((*arr)[i]), field, "expected a table");
			continue;
		}
		p.knock_port = parse_service(DEFAULT_KNOCK_PORT, true);
		for (auto &&[k, v] : *t) {
			const std::string f = field + "." + std::string(k.str());
			const auto *s = v.as_string();

			// The one key that is not a string: the server's syntax.
			if (k.str() == "sequence") {
				p.sequence = parse_sequence_key(v, f, add);
				p.sequence_off = v.as_boolean() && !v.as_boolean()->get();
				continue;
			}
			if (k.str() != "name" && k.str() != "address" &&
			    k.str() != "public_key" && k.str() != "knock_port" &&
			    k.str() != "key_file" && k.str() != "service" &&
			    k.str() != "client_address" && k.str() != "discover") {
				add(line_of(v), f, "unknown key");
				continue;
			}
			if (!s) {
				add(line_of(v), f, "expected a string");
				continue;
			}
			const std::string &val = s->get();
			try {
				if (k.str() == "name") {
					p.name = val;
				} else if (k.str() == "address") {
					p.address = val;
				} else if (k.str() == "public_key") {
					p.public_key = decode_public_key(val);
					if (!p.public_key)
						add(line_of(v), f,
						    public_key_problem(
							    val, "the server's public key "
							    "(what knockctl pubkey < "
							    "server.key prints on the "
							    "server)"));
				} else if (k.str() == "knock_port") {
					p.knock_port = parse_service(val, true);
					if (p.knock_port.proto != IPPROTO_UDP)
						add(line_of(v), f,
						    val + ": a knock port must be udp");
				} else if (k.str() == "key_file") {
					p.key_file = val.rfind("~/", 0) == 0 && !home.empty() ?
							     home + val.substr(1) : val;
				} else if (k.str() == "client_address") {
					check_knock_address(val, "");
					p.client_address = val;
				} else if (k.str() == "discover") {
					try {
						parse_discovery(val);
					} catch (const UsageError &e) {
						// The field is named already.
						const std::string m = e.what();
						const std::string opt = "--discover ";
						throw UsageError(m.rfind(opt, 0) == 0 ?
									 m.substr(opt.size()) : m);
					}
					p.discover = val;
				} else {
					p.service = parse_service(val, true);
				}
			} catch (const UsageError &e) {
				add(line_of(v), f, e.what());
			}
		}
		if (p.name.empty() && p.address.empty())
			add(line_of(*t), field, "needs a name or an address");
		out.push_back(std::move(p));
	}
	if (!problems.empty())
		throw ConfigError(problems);
	return out;
}

const ServerProfile *find_profile(const std::vector<ServerProfile> &list,
				  const std::string &host)
{
	for (const ServerProfile &p : list)
		if (!p.name.empty() && p.name == host)
			return &p;
	for (const ServerProfile &p : list)
		if (!p.address.empty() && p.address == host)
			return &p;
	return nullptr;
}

std::string profile_path(const std::optional<std::string> &file)
{
	if (file)
		return *file;
	const char *xdg = std::getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/')
		return std::string(xdg) + "/" + PROFILE_RELATIVE;
	const char *home = std::getenv("HOME");
	if (home && home[0])
		return std::string(home) + "/.config/" + PROFILE_RELATIVE;
	return "";
}

ProfileFile read_profile_file(const std::optional<std::string> &file)
{
	const char *h = std::getenv("HOME");
	const std::string home = h ? h : "";
	ProfileFile out;

	out.path = profile_path(file);
	if (out.path.empty())
		return out;
	std::ifstream in(out.path, std::ios::binary);
	if (!in) {
		if (!file && errno == ENOENT)
			return out;
		throw Error(out.path + ": " + std::strerror(errno));
	}
	std::ostringstream text;
	text << in.rdbuf();
	out.found = true;
	out.profiles = parse_profile(text.str(), out.path, home);
	return out;
}

std::vector<ServerProfile> load_profiles(const std::optional<std::string> &file)
{
	return read_profile_file(file).profiles;
}

ClientKeySource client_key_source(const std::string &what,
				  const std::optional<PublicKey> &server_pk,
				  const std::optional<std::string> &key_file,
				  const ServerProfile *prof)
{
	ClientKeySource src;

	if (server_pk)
		src.server_pk = *server_pk;
	else if (prof && prof->public_key)
		src.server_pk = *prof->public_key;
	else
		throw UsageError(what + ": no server public key (--server-key or a "
					"profile)");
	src.key_file = key_file.value_or(prof ? prof->key_file : "");
	if (src.key_file.empty())
		throw UsageError(what + ": no private key file (--key or a profile)");
	return src;
}

} // namespace knockctl
