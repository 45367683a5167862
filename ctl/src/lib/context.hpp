// SPDX-License-Identifier: GPL-2.0 OR MIT
// What every command gets: output streams and a lazily opened connection
// to the module. Tests build one with string streams and a fake transport.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>

#include "client.hpp"
#include "transport.hpp"

namespace knockctl {

class Context {
public:
	using TransportFactory = std::function<std::unique_ptr<Transport>()>;

	Context(std::ostream &out, std::ostream &err, TransportFactory factory)
		: out(out), err(err), factory_(std::move(factory)) {}

	// Opens the transport on first use (nothing is opened for --help or a
	// usage error).
	Client &client();

	std::ostream &out;
	std::ostream &err;

private:
	TransportFactory factory_;
	std::unique_ptr<Transport> transport_;
	std::unique_ptr<Client> client_;
};

// The real thing: a GenlTransport.
Context::TransportFactory genl_factory();

} // namespace knockctl
