// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "app.hpp"

#include <cerrno>
#include <cstring>
#include <new>
#include <ostream>

#include "errors.hpp"

namespace knockctl {

namespace {

// CLI11 ends the footer without a newline.
std::string with_newline(std::string text)
{
	if (!text.empty() && text.back() != '\n')
		text += '\n';
	return text;
}

// A command group ("guard", "set", or knockctl itself) given without one
// of its subcommands. CLI11's require_subcommand would hide an unknown
// word behind "A subcommand is required"; this keeps "unexpected argument:
// frob".
void check_complete(const CLI::App &app)
{
	const CLI::App *cur = &app;
	std::string path;

	while (!cur->get_subcommands().empty()) {
		cur = cur->get_subcommands().front();
		path += (path.empty() ? "" : " ") + cur->get_name();
	}
	auto all = cur->get_subcommands([](const CLI::App *) { return true; });
	if (all.empty())
		return;
	if (path.empty())
		throw UsageError("missing command (see knockctl --help)");

	std::string names;
	for (const CLI::App *sub : all)
		names += (names.empty() ? "" : ", ") + sub->get_name();
	throw UsageError(path + ": missing subcommand (" + names + ")");
}

// One command per invocation: "knockctl status flush" or "guard add tcp/22
// del tcp/22" must not run two commands.
void limit_to_one_subcommand(CLI::App &app)
{
	auto subs = app.get_subcommands([](CLI::App *) { return true; });

	if (subs.empty())
		return;
	app.require_subcommand(0, 1);
	for (CLI::App *sub : subs)
		limit_to_one_subcommand(*sub);
}

} // namespace

void build_app(CLI::App &app, Context &ctx, const Registrar &registrar)
{
	app.name("knockctl");
	app.description("Control nfknock, in-kernel port knocking: load keys "
			"and policy, guard services, grant and revoke access, "
			"read state; and knock, as a client.");
	app.set_version_flag("--version", std::string("knockctl ") + KNOCKCTL_VERSION,
			     "Print the version and exit");
	app.footer("Exit codes: 0 ok, 1 error (the kernel refused), 2 usage, "
		   "3 module not loaded or no permission.");
	registrar(app, ctx);
	limit_to_one_subcommand(app);
}

namespace {

int run_command(Context &ctx, int argc, const char *const *argv,
		const Registrar &registrar)
{
	CLI::App app;

	try {
		build_app(app, ctx, registrar);
		app.parse(argc, argv);
		check_complete(app);
	} catch (const CLI::CallForHelp &) {
		ctx.out << with_newline(app.help());
		return EXIT_OK;
	} catch (const CLI::CallForAllHelp &) {
		ctx.out << with_newline(app.help("", CLI::AppFormatMode::All));
		return EXIT_OK;
	} catch (const CLI::CallForVersion &e) {
		ctx.out << with_newline(e.what());
		return EXIT_OK;
	} catch (const CLI::ExtrasError &e) {
		// CLI11 lists extras of a subcommand in reverse; say it in order.
		std::vector<std::string> extras = app.remaining(true);
		std::string list;

		for (const std::string &x : extras)
			list += (list.empty() ? "" : " ") + x;
		if (list.empty())
			ctx.err << "knockctl: " << e.what() << "\n";
		else
			ctx.err << "knockctl: unexpected argument"
				<< (extras.size() > 1 ? "s: " : ": ") << list << "\n";
		return EXIT_USAGE;
	} catch (const CLI::ParseError &e) {
		if (e.get_exit_code() == 0)
			return EXIT_OK;
		ctx.err << "knockctl: " << e.what() << "\n";
		return EXIT_USAGE;
	} catch (const Error &e) {
		ctx.err << "knockctl: " << e.what() << "\n";
		return e.exit_code();
	} catch (const std::bad_alloc &) {
		ctx.err << "knockctl: out of memory\n";
		return EXIT_ERROR;
	} catch (const std::exception &e) {
		ctx.err << "knockctl: " << e.what() << "\n";
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

} // namespace

int run(Context &ctx, int argc, const char *const *argv,
	const Registrar &registrar)
{
	const int rc = run_command(ctx, argc, argv, registrar);

	// Output that never arrived is a failure (`genkey > /dev/full` must
	// not exit 0 with no key written): flush, and say why it failed.
	errno = 0;
	ctx.out.flush();
	if (ctx.out || ctx.reader_gone)
		return rc;
	const int e = errno;
	ctx.err << "knockctl: cannot write the output" << (e ? std::string(": ") + std::strerror(e) : "")
		<< "\n";
	return rc == EXIT_OK ? EXIT_ERROR : rc;
}

int run(Context &ctx, const std::vector<std::string> &args,
	const Registrar &registrar)
{
	std::vector<const char *> argv{"knockctl"};

	for (const std::string &a : args)
		argv.push_back(a.c_str());
	argv.push_back(nullptr);
	return run(ctx, int(argv.size() - 1), argv.data(), registrar);
}

} // namespace knockctl
