// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "monitor.hpp"

#include <linux/nfknock.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ostream>

#include "codec.hpp"
#include "duration.hpp"
#include "errors.hpp"
#include "event_source.hpp"
#include "events.hpp"
#include "output.hpp"

extern char **environ;

namespace knockctl {

namespace {

uint64_t parse_count(const std::string &text)
{
	const char *end = text.data() + text.size();
	uint64_t n = 0;
	const auto [p, ec] = std::from_chars(text.data(), end, n);

	if (text.empty() || ec != std::errc() || p != end || n == 0)
		throw UsageError("--count " + text + ": expected a whole number above 0");
	return n;
}

std::vector<std::string> own_environment()
{
	std::vector<std::string> env;

	for (char **e = environ; e && *e; e++)
		env.emplace_back(*e);
	return env;
}

// A line to standard output, flushed at once (a pipe to a log collector
// gets each event as it happens). False once the reader is gone (EPIPE).
bool print_line(Context &ctx, const std::string &line)
{
	ctx.out << line << "\n";
	ctx.out.flush();
	if (ctx.out)
		return true;
	if (errno == EPIPE) {
		ctx.reader_gone = true;
		return false;
	}
	throw Error(std::string("monitor: cannot write the output: ") +
		    std::strerror(errno));
}

// The real source. A reader of our standard output that goes away
// (monitor | head) makes writes fail with EPIPE instead of killing
// knockctl, which then ends quietly.
std::unique_ptr<EventSource> real_source()
{
	signal(SIGPIPE, SIG_IGN);
	return open_event_source();
}

} // namespace

std::string run_event_command(const std::string &cmd, const std::vector<std::string> &env)
{
	std::vector<char *> envp;
	for (const std::string &v : env)
		envp.push_back(const_cast<char *>(v.c_str()));
	envp.push_back(nullptr);
	const char *argv[] = {"sh", "-c", cmd.c_str(), nullptr};

	// SIGPIPE is ignored here (see real_source); the command gets it back.
	posix_spawnattr_t attr;
	sigset_t dflt;
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	const int err = posix_spawn(&pid, "/bin/sh", nullptr, &attr,
				    const_cast<char *const *>(argv), envp.data());
	posix_spawnattr_destroy(&attr);
	if (err)
		return std::string("could not be started: ") + std::strerror(err);

	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return std::string("could not be waited for: ") +
			       std::strerror(errno);
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ?
			       "" :
			       "exited with status " + std::to_string(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return "killed by signal " + std::to_string(WTERMSIG(status));
	return "ended with wait status " + std::to_string(status);
}

void do_monitor(Context &ctx, const MonitorOptions &opts)
{
	using namespace std::chrono;
	std::optional<uint64_t> count;
	std::optional<steady_clock::time_point> deadline;

	if (opts.count)
		count = parse_count(*opts.count);
	if (opts.timeout) {
		try {
			deadline = steady_clock::now() +
				   milliseconds(parse_duration_ms(*opts.timeout));
		} catch (const UsageError &e) {
			throw UsageError(std::string("--timeout ") + e.what());
		}
	}

	auto source = ctx.event_source ? ctx.event_source() : real_source();
	const std::vector<std::string> inherited =
		opts.exec ? own_environment() : std::vector<std::string>();
	uint64_t seen = 0;

	while (!count || seen < *count) {
		int wait = -1;
		if (deadline) {
			const auto left = duration_cast<milliseconds>(
				*deadline - steady_clock::now()).count();
			if (left <= 0)
				return;
			wait = int(left);
		}

		Received r = source->next(wait);
		if (r.kind == Received::TIMEOUT)
			return;
		if (r.kind == Received::LOST) {
			ctx.err << "knockctl: events lost (socket buffer overrun)\n";
			const uint64_t now = ctx.unix_ms();
			if (opts.json && !opts.quiet &&
			    !print_line(ctx, nlohmann::ordered_json{
						     {"time_ms", now},
						     {"time", format_unix_ms(now)},
						     {"event", "lost"}}.dump()))
				return;
			continue;
		}
		Event ev;
		try {
			// Only events are sent to the group; anything else (from
			// a newer module) is not for this version.
			if (message_cmd(nlmsg_hdr(r.msg.get())) != NFKNOCK_CMD_EVENT)
				continue;
			ev = parse_event(nlmsg_hdr(r.msg.get()));
		} catch (const ProtocolError &e) {
			ctx.err << "knockctl: " << e.what() << " (event skipped)\n";
			continue;
		}
		seen++;
		if (!opts.quiet &&
		    !print_line(ctx, opts.json ? event_json(ev).dump() : event_text(ev)))
			return;
		if (!opts.exec)
			continue;
		const std::string failed = run_event_command(
			*opts.exec, child_environment(inherited, event_env(ev)));
		if (!failed.empty())
			ctx.err << "knockctl: --exec: " << failed << " ("
				<< event_name(ev.type) << " at "
				<< format_unix_ms(ev.time_ms) << ")\n";
	}
}

} // namespace knockctl
