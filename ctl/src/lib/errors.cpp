// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "errors.hpp"

#include <cerrno>
#include <cstring>

namespace knockctl {

namespace {

std::string kernel_message(int err, const std::string &extack,
			   const std::string &context)
{
	if ((err == EPERM || err == EACCES) && extack.empty())
		return "permission denied: needs CAP_NET_ADMIN";
	std::string msg = context.empty() ? std::string() : context + ": ";
	const char *sys = std::strerror(err);
	if (extack.empty())
		return msg + sys;
	return msg + extack + " (" + sys + ")";
}

} // namespace

KernelError::KernelError(int err, std::string extack, std::string context)
	: Error(kernel_message(err, extack, context),
		(err == EPERM || err == EACCES) && extack.empty() ? EXIT_UNAVAILABLE :
								    EXIT_ERROR),
	  err_(err), extack_(std::move(extack)), context_(std::move(context))
{
}

} // namespace knockctl
