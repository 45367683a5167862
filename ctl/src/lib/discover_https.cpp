// SPDX-License-Identifier: GPL-2.0 OR MIT
// knockctl knock --discover https://URL: one GET with libcurl whose body
// is the address the service saw.
//
// libcurl is opened with dlopen() the first time a knock asks an https
// service, not linked: linked, it and the ~30 libraries it needs (TLS,
// Kerberos, LDAP, ...) were loaded and relocated by every knockctl run,
// most of a knock's start-up, for a feature few knocks use.
#include "discover.hpp"

#include <dlfcn.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>

#include "discover_internal.hpp"
#include "errors.hpp"

namespace knockctl::discover_detail {

namespace {

constexpr std::size_t ECHO_BODY_MAX = 256;	// an address and some spaces
constexpr long ECHO_TIMEOUT_MS = 5000;
constexpr long ECHO_MAX_REDIRECTS = 3;
// libcurl's soname (Debian's libcurl4); the functions below keep their ABI
// within it.
constexpr const char *CURL_SONAME = "libcurl.so.4";

// The libcurl functions https_discover() uses, resolved once.
struct CurlApi {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)();
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	curl_slist *(*slist_append)(curl_slist *, const char *);
	void (*slist_free_all)(curl_slist *);
};

std::once_flag curl_once;
CurlApi curl_api;
std::string curl_load_error;	// empty when curl_api is usable

template <typename F> bool resolve(void *lib, const char *name, F &fn)
{
	fn = reinterpret_cast<F>(dlsym(lib, name));
	if (!fn)
		curl_load_error = std::string(CURL_SONAME) + " has no " + name;
	return fn != nullptr;
}

void curl_load()
{
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		curl_load_error = why ? why : CURL_SONAME;
		return;
	}
	CurlApi a{};
	if (!(resolve(lib, "curl_global_init", a.global_init) &&
	      resolve(lib, "curl_easy_init", a.easy_init) &&
	      resolve(lib, "curl_easy_setopt", a.easy_setopt) &&
	      resolve(lib, "curl_easy_perform", a.easy_perform) &&
	      resolve(lib, "curl_easy_getinfo", a.easy_getinfo) &&
	      resolve(lib, "curl_easy_cleanup", a.easy_cleanup) &&
	      resolve(lib, "curl_easy_strerror", a.easy_strerror) &&
	      resolve(lib, "curl_slist_append", a.slist_append) &&
	      resolve(lib, "curl_slist_free_all", a.slist_free_all)))
		return;	// the library stays open: harmless, once per process
	const CURLcode rc = a.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		curl_load_error = std::string("cannot initialise libcurl: ") + a.easy_strerror(rc);
		return;
	}
	curl_api = a;
}

const CurlApi &curl_ready(const std::string &url)
{
	std::call_once(curl_once, curl_load);
	if (!curl_load_error.empty())
		throw Error(url + ": --discover https:// needs libcurl (" + curl_load_error +
			    "); install libcurl4, or use --discover stun:HOST");
	return curl_api;
}

struct CurlFree {
	void operator()(CURL *h) const { curl_api.easy_cleanup(h); }
};

struct SlistFree {
	void operator()(curl_slist *l) const { curl_api.slist_free_all(l); }
};

struct EchoBody {
	std::string text;
	bool too_long = false;
};

// Returning less than given makes libcurl stop with CURLE_WRITE_ERROR.
size_t collect_body(char *p, size_t size, size_t n, void *user)
{
	auto *b = static_cast<EchoBody *>(user);
	const size_t len = size * n;

	if (len > ECHO_BODY_MAX - b->text.size()) {
		b->too_long = true;
		return 0;
	}
	b->text.append(p, len);
	return len;
}

} // namespace

Address https_discover(const Discovery &d, int family)
{
	const std::string &url = d.url;

	const CurlApi &curl = curl_ready(url);
	std::unique_ptr<CURL, CurlFree> h(curl.easy_init());
	if (!h)
		throw Error(url + ": cannot create a libcurl handle");
	std::unique_ptr<curl_slist, SlistFree> headers(
		curl.slist_append(nullptr, "Accept: text/plain"));
	if (!headers)
		throw Error(url + ": out of memory");

	EchoBody body;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc = CURLE_OK;
	auto set = [&rc](CURLcode c) {
		if (rc == CURLE_OK)
			rc = c;
	};
	CURL *c = h.get();
	set(curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf));
	set(curl.easy_setopt(c, CURLOPT_URL, url.c_str()));
	// The answer names the address a grant is for: it must come from
	// the service the user named, authenticated, so https only, on
	// every hop, and certificates always verified.
	set(curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https"));
	set(curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https"));
	set(curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L));
	set(curl.easy_setopt(c, CURLOPT_MAXREDIRS, ECHO_MAX_REDIRECTS));
	set(curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L));
	set(curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L));
	// Through a proxy the service would see the proxy's address, not
	// the one the knock (plain UDP, no proxy) comes from.
	set(curl.easy_setopt(c, CURLOPT_PROXY, ""));
	// The knock goes out in @family: ask in it, so the service sees it.
	set(curl.easy_setopt(c, CURLOPT_IPRESOLVE,
			     family == AF_INET6 ? long(CURL_IPRESOLVE_V6) : long(CURL_IPRESOLVE_V4)));
	set(curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, ECHO_TIMEOUT_MS));
	set(curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L));	// no SIGALRM in a library
	set(curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(ECHO_BODY_MAX)));
	set(curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body));
	set(curl.easy_setopt(c, CURLOPT_WRITEDATA, &body));
	set(curl.easy_setopt(c, CURLOPT_USERAGENT, "knockctl/" KNOCKCTL_VERSION));
	set(curl.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get()));
	if (rc != CURLE_OK)
		throw Error(url + ": cannot set up libcurl: " + curl.easy_strerror(rc));

	rc = curl.easy_perform(c);
	if (body.too_long || rc == CURLE_FILESIZE_EXCEEDED)
		throw Error(url + ": the answer is longer than " + std::to_string(ECHO_BODY_MAX) +
			    " bytes (an echo service answers with just the address)");
	if (rc != CURLE_OK) {
		std::string msg = errbuf[0] ? errbuf : curl.easy_strerror(rc);
		if (rc == CURLE_UNSUPPORTED_PROTOCOL)
			msg += " (only https is used, also when redirected)";
		throw Error(url + ": " + msg);
	}
	long status = 0;
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299)
		throw Error(url + ": HTTP status " + std::to_string(status));
	return parse_echo_body(body.text, url);
}

} // namespace knockctl::discover_detail
