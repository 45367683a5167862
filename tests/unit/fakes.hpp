// SPDX-License-Identifier: GPL-2.0 OR MIT
// Fixtures shared by the CLI tests: a fake module behind knockctl's
// Transport (records every request, plays canned replies and refusals),
// a temporary directory, and an environment variable set for a scope.
#pragma once

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codec.hpp"
#include "errors.hpp"
#include "transport.hpp"

namespace knockctl::test {

constexpr int FAMILY = 0x1d;

// What the fake module does and what it saw.
struct FakeKernel {
	bool loaded = true;
	// Refuse with refuse_errno/refuse_extack: the refuse_at-th request
	// (0-based), or every request while refuse_at is -1.
	int refuse_errno = 0;
	int refuse_at = -1;
	std::string refuse_extack;
	std::map<uint8_t, std::function<std::vector<MsgPtr>()>> replies;

	// Refuse request @at (0-based; -1: every one) with @err and @extack.
	void refuse(int at, int err, const std::string &extack = {})
	{
		refuse_at = at;
		refuse_errno = err;
		refuse_extack = extack;
	}

	int opened = 0;			// transports created
	std::vector<MsgPtr> requests;	// copies of what was sent
};

// What the fake module answers to @cmd: one message per item of @items,
// each carrying @encode's attributes of it (a status reply, a dump).
template <typename T>
std::function<std::vector<MsgPtr>()> encoded_replies(uint8_t cmd,
						      void (*encode)(nl_msg *, const T &),
						      std::vector<T> items)
{
	return [cmd, encode, items] {
		std::vector<MsgPtr> v;
		for (const T &item : items) {
			MsgPtr m = build_request(FAMILY, cmd);
			encode(m.get(), item);
			v.push_back(std::move(m));
		}
		return v;
	};
}

class FakeTransport : public Transport {
public:
	explicit FakeTransport(FakeKernel &k) : k_(k) { k_.opened++; }

	int family() override
	{
		if (!k_.loaded)
			throw ModuleMissing();
		return FAMILY;
	}

	std::vector<MsgPtr> exchange(nl_msg *request) override
	{
		k_.requests.emplace_back(nlmsg_convert(nlmsg_hdr(request)));
		const int n = int(k_.requests.size()) - 1;
		if (k_.refuse_errno && (k_.refuse_at == -1 || k_.refuse_at == n))
			throw KernelError(k_.refuse_errno, k_.refuse_extack);
		auto it = k_.replies.find(message_cmd(nlmsg_hdr(request)));
		if (it == k_.replies.end())
			return {};
		return it->second();
	}

private:
	FakeKernel &k_;
};

struct Result {
	int code;
	std::string out;
	std::string err;
};

// A fresh directory under /tmp, removed with its files at the end.
struct TempDir {
	std::string path;

	TempDir()
	{
		char tmpl[] = "/tmp/knockctl-test-XXXXXX";
		REQUIRE(mkdtemp(tmpl));
		path = tmpl;
	}
	~TempDir()
	{
		const std::string cmd = "rm -rf '" + path + "'";
		(void)!std::system(cmd.c_str());
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;

	std::string file(const std::string &name) const { return path + "/" + name; }
	// Writes @text to file @name with @mode and returns its path.
	std::string write(const std::string &name, const std::string &text,
			  mode_t mode = 0644) const
	{
		std::ofstream(file(name)) << text;
		REQUIRE(chmod(file(name).c_str(), mode) == 0);
		return file(name);
	}
};

// One environment variable set (or, with nullopt, unset) for a scope and
// put back after it: tests of files found through $HOME or
// $XDG_CONFIG_HOME must never read the files of whoever runs them.
struct ScopedEnv {
	std::string name;
	std::optional<std::string> old;

	ScopedEnv(std::string n, const std::optional<std::string> &value) : name(std::move(n))
	{
		if (const char *v = std::getenv(name.c_str()))
			old = v;
		REQUIRE(set(value) == 0);
	}
	~ScopedEnv() { set(old); }
	ScopedEnv(const ScopedEnv &) = delete;
	ScopedEnv &operator=(const ScopedEnv &) = delete;

	int set(const std::optional<std::string> &value) const
	{
		return value ? setenv(name.c_str(), value->c_str(), 1) :
			       unsetenv(name.c_str());
	}
};

} // namespace knockctl::test
