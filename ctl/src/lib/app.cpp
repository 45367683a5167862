// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "app.hpp"

#include <new>
#include <ostream>

#include "errors.hpp"

namespace knockctl {

void build_app(CLI::App &app, Context &ctx, const Registrar &registrar)
{
	app.name("knockctl");
	app.description("Control nfknock, in-kernel port knocking: guard "
			"services, grant and revoke access, read state.");
	app.footer("Exit codes: 0 ok, 1 error (the kernel refused), 2 usage, "
		   "3 module not loaded or no permission.");
	app.require_subcommand(1);
	registrar(app, ctx);
}

int run(Context &ctx, int argc, const char *const *argv,
	const Registrar &registrar)
{
	CLI::App app;

	try {
		build_app(app, ctx, registrar);
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &) {
		ctx.out << app.help();
		return EXIT_OK;
	} catch (const CLI::CallForAllHelp &) {
		ctx.out << app.help("", CLI::AppFormatMode::All);
		return EXIT_OK;
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
	ctx.out.flush();
	return EXIT_OK;
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
