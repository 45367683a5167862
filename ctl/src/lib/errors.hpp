// SPDX-License-Identifier: GPL-2.0 OR MIT
// Errors knockctl reports, each with the exit code of DESIGN §4.
#pragma once

#include <stdexcept>
#include <string>

namespace knockctl {

enum ExitCode : int {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		// the kernel refused, or something failed
	EXIT_USAGE = 2,		// bad argument text; nothing was sent
	EXIT_UNAVAILABLE = 3,	// module not loaded or no permission
};

// Base: what() is the one-line reason printed after "knockctl: ".
class Error : public std::runtime_error {
public:
	Error(const std::string &msg, int code = EXIT_ERROR)
		: std::runtime_error(msg), code_(code) {}
	int exit_code() const { return code_; }

private:
	int code_;
};

// Bad argument text, found before anything is sent.
class UsageError : public Error {
public:
	explicit UsageError(const std::string &msg) : Error(msg, EXIT_USAGE) {}
};

// The generic netlink family "nfknock" does not resolve.
class ModuleMissing : public Error {
public:
	ModuleMissing()
		: Error("nfknock module not loaded (modprobe nfknock)",
			EXIT_UNAVAILABLE) {}
};

// The kernel answered a request with an error (positive errno here) and
// possibly an extack message. Callers add what was being done (context).
class KernelError : public Error {
public:
	KernelError(int err, std::string extack, std::string context = {});

	int err() const { return err_; }
	const std::string &extack() const { return extack_; }
	const std::string &context() const { return context_; }
	// Same error with "guard add tcp/22" (etc.) in front of the text.
	KernelError with_context(const std::string &context) const
	{
		return KernelError(err_, extack_, context);
	}

private:
	int err_;
	std::string extack_;
	std::string context_;
};

// A reply that does not follow the uapi (missing or malformed attribute).
class ProtocolError : public Error {
public:
	explicit ProtocolError(const std::string &msg)
		: Error("malformed reply from the kernel: " + msg, EXIT_ERROR) {}
};

} // namespace knockctl
