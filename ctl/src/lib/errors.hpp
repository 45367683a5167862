// SPDX-License-Identifier: GPL-2.0 OR MIT
// Errors knockctl reports, each with the exit code of docs/protocol.md.
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
// EPERM/EACCES without an extack message are the generic netlink core's
// refusal of a caller without CAP_NET_ADMIN: "permission denied: needs
// CAP_NET_ADMIN", EXIT_UNAVAILABLE. With a message (the module refusing
// what an unprivileged namespace may not do) they are a refusal like any
// other: context, message, errno text, EXIT_ERROR.
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

// A dump during which the kernel's state changed: a message of it carried
// NLM_F_DUMP_INTR. The whole dump was read; starting over gives a
// consistent one (Client does, a few times).
class DumpInterrupted : public Error {
public:
	DumpInterrupted()
		: Error("the kernel's state kept changing during the dump; try again") {}
};

// A reply that does not follow the uapi (missing or malformed attribute).
class ProtocolError : public Error {
public:
	explicit ProtocolError(const std::string &msg)
		: Error("malformed reply from the kernel: " + msg, EXIT_ERROR) {}
};

} // namespace knockctl
