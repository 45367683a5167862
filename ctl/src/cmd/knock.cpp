// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock HOST (--open SERVICE | --close SERVICE) [--for DUR] [--once]
//   [--address auto|observed|A] [--discover stun:H[:P]|https://URL] [--port udp/N] [--server-key B64] [--key FILE]
//   [--profile FILE] [--wait[=DUR]] [--probe PAYLOAD] [-4|-6] [-v]
// knockctl knock HOST --sequence [--open SERVICE] [--gap DUR] [--server-key
//   B64] [--key FILE] [--profile FILE] [--wait[=DUR]] [--probe PAYLOAD]
//   [-4|-6] [-v]
#include <sys/socket.h>

#include <memory>
#include <string>

#include "commands.hpp"
#include "duration.hpp"
#include "knock.hpp"
#include "knock_sequence.hpp"
#include "knock_wait.hpp"

namespace knockctl {

void register_knock(CLI::App &app, Context &ctx)
{
	auto *sub = app.add_subcommand(
		"knock", "Send a single-packet knock (one UDP datagram) asking "
			 "HOST to open SERVICE for this address, or with "
			 "--sequence the derived port sequence that opens it; "
			 "needs no root");
	auto a = std::make_shared<KnockArgs>();
	// Option storage; an option not given stays nullopt in KnockArgs.
	struct Text {
		std::string open, close, address, discover, port, server_key,
			key, profile, wait, probe, gap;
	};
	auto text = std::make_shared<Text>();

	sub->add_option("HOST", a->host,
			"Profile name (knockctl profiles lists them), host name "
			"or address of the server")
		->required();
	auto *open = sub->add_option("--open", text->open,
				     "Ask for tcp/PORT or udp/PORT (default: the "
				     "profile's service)")
			     ->type_name("SERVICE");
	auto *close = sub->add_option("--close", text->close,
				      "Ask to close the grant for SERVICE instead")
			      ->type_name("SERVICE")
			      ->excludes(open);
	auto *duration = sub->add_option("--for", a->duration,
					 "How long the grant lasts: whole seconds, 1s "
					 "to 65535s (30s, 5m, 2h, or a number of "
					 "seconds)")
				 ->type_name("DURATION")
				 ->capture_default_str();
	sub->add_flag("--once", a->once,
		      "One-shot: the grant is consumed by the first connection");
	auto *address = sub->add_option(
				    "--address", text->address,
				    "The address the server will see, put into the "
				    "datagram so that only it can use the knock: auto "
				    "(default: this host's source address, or the "
				    "--discover answer when that is private and the "
				    "server's is not), an IPv4 or IPv6 address, or "
				    "observed (none: whoever sends the datagram first "
				    "gets the grant)")
				->type_name("ADDRESS");
	auto *discover = sub->add_option(
				     "--discover", text->discover,
				     "Where --address auto learns this host's address "
				     "behind a NAT: stun:HOST[:PORT] (STUN binding "
				     "request, port 3478 by default) or https://URL "
				     "(the address as text)")
				 ->type_name("URL");
	auto *port = sub->add_option("--port", text->port,
				     "Knock port of the server (default: the "
				     "profile's, else udp/62201)")
			     ->type_name("udp/N");
	auto keys = add_client_key_options(sub, text->server_key, text->key,
					   text->profile);
	auto *wait = sub->add_option(
				 "--wait", text->wait,
				 std::string("Then try the service until it is open, "
					     "for at most DURATION (default ") +
					 KNOCK_WAIT_DEFAULT +
					 "); exit 0 only if it opened. Give it "
					 "after HOST, or as --wait=DURATION")
			     ->type_name("[DURATION]")
			     ->expected(0, 1);
	auto *probe = sub->add_option(
				  "--probe", text->probe,
				  "What --wait sends to a udp service, which is open "
				  "when it answers: text, or hex:HEXDIGITS")
			      ->type_name("PAYLOAD");
	auto *v4 = sub->add_flag_callback(
		"-4", [a] { a->family = AF_INET; },
		"Knock (and --wait) over IPv4 only");
	sub->add_flag_callback("-6", [a] { a->family = AF_INET6; },
			       "Knock (and --wait) over IPv6 only")
		->excludes(v4);
	sub->add_flag("--sequence", a->sequence,
		      "Send the derived port sequence that opens SERVICE instead "
		      "(what knockctl sequence prints: TCP SYNs or UDP datagrams "
		      "to its ports, with the profile's sequence parameters); it "
		      "opens SERVICE for the user's max_duration, for the address "
		      "the steps come from");
	auto *gap = sub->add_option("--gap", text->gap,
				    std::string("Pause between --sequence steps "
						"(default ") +
					    SEQUENCE_GAP_DEFAULT + ", at most " +
					    format_duration_ms(SEQUENCE_GAP_MAX_MS) + ")")
			    ->type_name("DURATION");
	sub->add_flag("-v,--verbose", a->verbose, "Say what was sent");

	sub->callback([&ctx, a, text, open, close, duration, address, discover,
		       port, keys, wait, probe, gap] {
		KnockArgs args = *a;
		const auto take = [](CLI::Option *opt, const std::string &v) {
			return opt->count() ? std::optional<std::string>(v) :
					      std::nullopt;
		};

		args.open = take(open, text->open);
		args.close = take(close, text->close);
		args.address = take(address, text->address);
		args.discover = take(discover, text->discover);
		args.port = take(port, text->port);
		args.server_key = take(keys.server_key, text->server_key);
		args.key_file = take(keys.key, text->key);
		args.profile = take(keys.profile, text->profile);
		args.wait = take(wait, text->wait);
		args.probe = take(probe, text->probe);
		args.gap = take(gap, text->gap);
		args.duration_given = duration->count() > 0;
		do_knock(ctx, args);
	});
}

} // namespace knockctl
