// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock HOST (--open SERVICE | --close SERVICE) [--for DUR] [--once]
//   [--address A] [--port udp/N] [--server-key B64] [--key FILE]
//   [--profile FILE] [-v]
#include <memory>
#include <string>

#include "commands.hpp"
#include "knock.hpp"

namespace knockctl {

void register_knock(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"knock", "Send a single-packet knock (one UDP datagram) asking "
			 "HOST to open SERVICE for this address; needs no root");
	auto a = std::make_shared<KnockArgs>();
	// Option storage; an option not given stays nullopt in KnockArgs.
	struct Text {
		std::string open, close, address, port, server_key, key, profile;
	};
	auto text = std::make_shared<Text>();

	sub->add_option("HOST", a->host,
			"Profile name, host name or address of the server")
		->required();
	auto *open = sub->add_option("--open", text->open,
				     "Ask for tcp/PORT or udp/PORT (default: the "
				     "profile's service)")
			     ->type_name("SERVICE");
	auto *close = sub->add_option("--close", text->close,
				      "Ask to close the grant for SERVICE instead")
			      ->type_name("SERVICE")
			      ->excludes(open);
	sub->add_option("--for", a->duration,
			"How long the grant lasts: whole seconds, 1s to 65535s "
			"(30s, 5m, 2h, or a number of seconds)")
		->type_name("DURATION")
		->capture_default_str();
	sub->add_flag("--once", a->once,
		      "One-shot: the grant is consumed by the first connection");
	auto *address = sub->add_option("--address", text->address,
					"Grant this address instead of the "
					"packet's source (IPv4 or IPv6)")
				->type_name("ADDRESS");
	auto *port = sub->add_option("--port", text->port,
				     "Knock port of the server (default: the "
				     "profile's, else udp/62201)")
			     ->type_name("udp/N");
	auto *server_key = sub->add_option("--server-key", text->server_key,
					   "The server's public key (base64)")
				   ->type_name("B64");
	auto *key = sub->add_option("--key", text->key,
				    "Own private key file (mode 0600)")
			    ->type_name("FILE");
	auto *profile = sub->add_option("--profile", text->profile,
					"Client profile (default "
					"~/.config/nfknock/client.toml)")
				->type_name("FILE");
	sub->add_flag("-v,--verbose", a->verbose, "Say what was sent");

	sub->callback([&ctx, a, text, open, close, address, port, server_key, key,
		       profile] {
		KnockArgs args = *a;
		const auto take = [](CLI::Option *opt, const std::string &v) {
			return opt->count() ? std::optional<std::string>(v) :
					      std::nullopt;
		};

		args.open = take(open, text->open);
		args.close = take(close, text->close);
		args.address = take(address, text->address);
		args.port = take(port, text->port);
		args.server_key = take(server_key, text->server_key);
		args.key_file = take(key, text->key);
		args.profile = take(profile, text->profile);
		do_knock(ctx, args);
	});
}

} // namespace knockctl
