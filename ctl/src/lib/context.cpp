// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "context.hpp"

#include <chrono>
#include <thread>

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

uint64_t Context::unix_ms() const
{
	using namespace std::chrono;

	if (now_ms)
		return now_ms();
	return uint64_t(duration_cast<milliseconds>(
				system_clock::now().time_since_epoch()).count());
}

void Context::sleep(uint32_t ms) const
{
	if (sleep_ms)
		sleep_ms(ms);
	else
		std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

Context::TransportFactory genl_factory()
{
	return [] { return std::make_unique<GenlTransport>(); };
}

} // namespace knockctl
