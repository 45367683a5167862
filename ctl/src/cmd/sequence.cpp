// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl sequence [HOST] SERVICE [--server-key B64] [--key FILE]
//   [--profile FILE] [--window current|next] [--json]
#include <memory>
#include <string>

#include "commands.hpp"
#include "show_sequence.hpp"

namespace knockctl {

void register_sequence(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"sequence", "Print the ports of the derived sequence that opens "
			    "SERVICE for this client in the current window, for "
			    "any client to send (nc -z); needs no root");
	auto a = std::make_shared<SequenceArgs>();
	struct Text {
		std::string host, service, server_key, key, profile;
	};
	auto text = std::make_shared<Text>();

	auto *host = sub->add_option("HOST", text->host,
				     "Profile name or address of the server: its "
				     "profile gives keys, parameters and service");
	auto *service = sub->add_option("SERVICE", text->service,
					"tcp/PORT or udp/PORT to open (default: the "
					"profile's service)");
	auto keys = add_client_key_options(sub, text->server_key, text->key,
					   text->profile);
	sub->add_option("--window", a->window,
			"The current window's sequence, or the next one's")
		->type_name("current|next")
		->capture_default_str();
	sub->add_flag("--json", a->json, "Print a JSON object");

	sub->callback([&ctx, a, text, host, service, keys] {
		SequenceArgs args = *a;
		const auto take = [](CLI::Option *opt, const std::string &v) {
			return opt->count() ? std::optional<std::string>(v) :
					      std::nullopt;
		};

		args.host = take(host, text->host);
		args.service = take(service, text->service);
		args.server_key = take(keys.server_key, text->server_key);
		args.key_file = take(keys.key, text->key);
		args.profile = take(keys.profile, text->profile);
		do_sequence(ctx, args);
	});
}

} // namespace knockctl
