// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "context.hpp"

#include "genl.hpp"

namespace knockctl {

Client &Context::client()
{
	if (!client_) {
		transport_ = factory_();
		client_ = std::make_unique<Client>(*transport_);
	}
	return *client_;
}

Context::TransportFactory genl_factory()
{
	return [] { return std::make_unique<GenlTransport>(); };
}

} // namespace knockctl
