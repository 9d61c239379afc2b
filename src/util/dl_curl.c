/*
 * libcurl, loaded on first use.
 *
 * The daemon needs libcurl only for directory sync and the twilio, http
 * and kannel SMS gateways.  Linked at start-up, libcurl maps its whole
 * dependency chain (OpenSSL's libcrypto and libssl, Kerberos, LDAP,
 * libssh2, nghttp2, rtmp, psl, idn2 ...): about 3 MB of resident pages in
 * every kiosk, which is the difference between meeting and missing the
 * 8 MB idle budget (docs/performance.md).  So signpost_core does not link
 * libcurl.  This file defines the libcurl functions the code base calls,
 * with the exact prototypes of <curl/curl.h> (included, so the compiler
 * checks them), and each forwards to the real function, found once with
 * dlopen("libcurl.so.4") and dlsym on the first call from any thread.  A
 * kiosk that never syncs and sends no text through an HTTP gateway never
 * maps libcurl at all.
 *
 * When the library cannot be loaded, the error is logged once and every
 * function fails the way libcurl itself reports a failure (curl_easy_init
 * NULL, curl_global_init CURLE_FAILED_INIT, ...), so callers need no code
 * of their own for it.  The package must therefore depend on libcurl4
 * explicitly: dpkg-shlibdeps cannot see a dlopen.
 *
 * A function the code base starts to use that is not defined here is a
 * link error of the daemon (nothing else provides it), never a silent
 * fallback: add it below.
 *
 * Test programs that use libcurl themselves as a client link the real
 * libcurl.so (PkgConfig::CURL) beside signpost_core, and both ways work;
 * which one the linker picks depends on the order of the link line:
 *  - libsignpost_core.a before libcurl.so (what CMake writes for
 *    integration_sms: the harness's curl_* references are still undefined
 *    when the archive is scanned): this object is pulled in and every call,
 *    the test's own included, comes through here.  Debian's gcc links with
 *    --as-needed, so libcurl.so is then dropped from NEEDED and loaded by
 *    the dlopen below, as in the daemon.  Under -fsanitize gcc does not pass
 *    --as-needed: libcurl.so stays NEEDED, the dlopen returns that same
 *    instance, and since a shared library defines the same names the
 *    linker exports these definitions, so libcurl's own internal calls to
 *    its public functions (curl_free, curl_slist_append ...) come through
 *    here too.  They are forwarded to what dlsym found in libcurl's own
 *    scope (a handle's lookup never includes the executable): one more
 *    indirect jump, no recursion (checked with LD_DEBUG=bindings).
 *  - libcurl.so first (integration tests that do not link signpost_core,
 *    or a test listing PkgConfig::CURL before it): libcurl defines every
 *    curl_* name, this object is never extracted, and all calls go to
 *    libcurl directly, as before.
 * Either way there is one libcurl in the process, with one global state.
 */
#define CURL_DISABLE_TYPECHECK /* curl.h would make curl_easy_setopt a macro */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "signpost/log.h"

#define CURL_SONAME "libcurl.so.4" /* Debian 12: package libcurl4 */

/*
 * Every function forwarded, as (return type, name, parameters).  The
 * pointers live in one struct, one per function, named like it.
 */
#define CURL_API_BASE(X)                                                         \
    X(CURLcode, curl_global_init, (long))                                        \
    X(void, curl_global_cleanup, (void))                                         \
    X(char *, curl_version, (void))                                              \
    X(curl_version_info_data *, curl_version_info, (CURLversion))                \
    X(CURL *, curl_easy_init, (void))                                            \
    X(CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...))                     \
    X(CURLcode, curl_easy_perform, (CURL *))                                     \
    X(void, curl_easy_cleanup, (CURL *))                                         \
    X(CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...))                      \
    X(CURL *, curl_easy_duphandle, (CURL *))                                     \
    X(void, curl_easy_reset, (CURL *))                                           \
    X(CURLcode, curl_easy_pause, (CURL *, int))                                  \
    X(CURLcode, curl_easy_upkeep, (CURL *))                                      \
    X(const char *, curl_easy_strerror, (CURLcode))                              \
    X(char *, curl_easy_escape, (CURL *, const char *, int))                     \
    X(char *, curl_easy_unescape, (CURL *, const char *, int, int *))            \
    X(char *, curl_escape, (const char *, int))                                  \
    X(char *, curl_unescape, (const char *, int))                                \
    X(void, curl_free, (void *))                                                 \
    X(struct curl_slist *, curl_slist_append, (struct curl_slist *, const char *)) \
    X(void, curl_slist_free_all, (struct curl_slist *))                          \
    X(time_t, curl_getdate, (const char *, const time_t *))                      \
    X(curl_mime *, curl_mime_init, (CURL *))                                     \
    X(void, curl_mime_free, (curl_mime *))                                       \
    X(curl_mimepart *, curl_mime_addpart, (curl_mime *))                         \
    X(CURLcode, curl_mime_name, (curl_mimepart *, const char *))                 \
    X(CURLcode, curl_mime_filename, (curl_mimepart *, const char *))             \
    X(CURLcode, curl_mime_type, (curl_mimepart *, const char *))                 \
    X(CURLcode, curl_mime_data, (curl_mimepart *, const char *, size_t))         \
    X(CURLcode, curl_mime_headers, (curl_mimepart *, struct curl_slist *, int))  \
    X(CURLU *, curl_url, (void))                                                 \
    X(void, curl_url_cleanup, (CURLU *))                                         \
    X(CURLU *, curl_url_dup, (CURLU *))                                          \
    X(CURLUcode, curl_url_get, (CURLU *, CURLUPart, char **, unsigned int))      \
    X(CURLUcode, curl_url_set, (CURLU *, CURLUPart, const char *, unsigned int))

/* Newer than the rest: curl_url_strerror 7.80, the header API 7.83. */
#if LIBCURL_VERSION_NUM >= 0x075300
#define CURL_API(X)                                                              \
    CURL_API_BASE(X)                                                             \
    X(const char *, curl_url_strerror, (CURLUcode))                              \
    X(CURLHcode, curl_easy_header,                                               \
      (CURL *, const char *, size_t, unsigned int, int, struct curl_header **))  \
    X(struct curl_header *, curl_easy_nextheader,                                \
      (CURL *, unsigned int, int, struct curl_header *))
#else
#define CURL_API(X) CURL_API_BASE(X)
#endif

#define DECLARE(ret, name, params) ret(*name) params;
static struct {
    CURL_API(DECLARE)
} api;
#undef DECLARE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/* Set (release) once every pointer is resolved; read where a call must
   not load the library just to find there is nothing to release. */
static atomic_bool loaded;
/* Why loading failed: what curl_easy_strerror says from then on. */
static char load_error[300];

static void load(void)
{
    void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    const char *why = h ? NULL : dlerror();
    int ok = h != NULL;

    /* dlsym(h, ...) searches libcurl and its dependencies only, never the
       executable, which may define these very names (this file). */
#define RESOLVE(ret, name, params)                                               \
    if (ok && !(api.name = (ret(*) params)dlsym(h, #name))) {                    \
        ok = 0;                                                                  \
        why = dlerror();                                                         \
    }
    CURL_API(RESOLVE)
#undef RESOLVE
    if (!ok) {
        snprintf(load_error, sizeof load_error, "%s could not be loaded: %s", CURL_SONAME,
                 why ? why : "a symbol is missing");
        sg_error("%s; directory sync and the twilio, http and kannel SMS gateways "
                 "need it (Debian package libcurl4)",
                 load_error);
        /* A library with a missing symbol stays mapped: dlclose could run
           the destructors of a library in an unknown state, for no gain. */
        return;
    }
    atomic_store_explicit(&loaded, true, memory_order_release);
}

/* Loads libcurl on the first call; 1 when it is usable. */
static int curl_ready(void)
{
    pthread_once(&load_once, load);
    return atomic_load_explicit(&loaded, memory_order_acquire);
}

/* 1 when an earlier call loaded libcurl; never loads it. */
static int curl_was_loaded(void)
{
    return atomic_load_explicit(&loaded, memory_order_acquire);
}

/* ---- Global ---------------------------------------------------------------- */

CURLcode curl_global_init(long flags)
{
    return curl_ready() ? api.curl_global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
    if (curl_was_loaded()) /* nothing to clean up otherwise */
        api.curl_global_cleanup();
}

char *curl_version(void)
{
    static char none[] = "libcurl (not loaded)";
    return curl_ready() ? api.curl_version() : none;
}

curl_version_info_data *curl_version_info(CURLversion v)
{
    return curl_ready() ? api.curl_version_info(v) : NULL;
}

/* ---- Easy handles ---------------------------------------------------------- */

CURL *curl_easy_init(void)
{
    return curl_ready() ? api.curl_easy_init() : NULL;
}

/*
 * The third argument's type follows from the option's number, as in
 * libcurl itself: long below CURLOPTTYPE_OBJECTPOINT, then a data pointer,
 * a function pointer, a curl_off_t, and a struct curl_blob pointer.  It is
 * read with that type and passed on with the same type, so the callee's
 * va_arg finds exactly what the caller passed.  Function pointers travel
 * as a generic function pointer type: every ABI Debian supports passes all
 * function pointers alike, and libcurl reads them back as its own types.
 */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    typedef void (*any_fn)(void);
    va_list ap;
    CURLcode rc;

    if (!curl_ready())
        return CURLE_FAILED_INIT;
    va_start(ap, option);
    if (option < CURLOPTTYPE_OBJECTPOINT)
        rc = api.curl_easy_setopt(curl, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT)
        rc = api.curl_easy_setopt(curl, option, va_arg(ap, void *));
    else if (option < CURLOPTTYPE_OFF_T)
        rc = api.curl_easy_setopt(curl, option, va_arg(ap, any_fn));
    else if (option < CURLOPTTYPE_BLOB)
        rc = api.curl_easy_setopt(curl, option, va_arg(ap, curl_off_t));
    else
        rc = api.curl_easy_setopt(curl, option, va_arg(ap, struct curl_blob *));
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *curl)
{
    return curl_ready() ? api.curl_easy_perform(curl) : CURLE_FAILED_INIT;
}

void curl_easy_cleanup(CURL *curl)
{
    if (curl && curl_ready()) /* a handle means libcurl is loaded */
        api.curl_easy_cleanup(curl);
}

/* Every CURLINFO takes a pointer to where the answer goes; its type is in
   the info's CURLINFO_TYPEMASK bits. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    va_list ap;
    CURLcode rc;

    if (!curl_ready())
        return CURLE_FAILED_INIT;
    va_start(ap, info);
    switch ((unsigned)info & CURLINFO_TYPEMASK) {
    case CURLINFO_STRING:
        rc = api.curl_easy_getinfo(curl, info, va_arg(ap, char **));
        break;
    case CURLINFO_LONG:
        rc = api.curl_easy_getinfo(curl, info, va_arg(ap, long *));
        break;
    case CURLINFO_DOUBLE:
        rc = api.curl_easy_getinfo(curl, info, va_arg(ap, double *));
        break;
    case CURLINFO_OFF_T:
        rc = api.curl_easy_getinfo(curl, info, va_arg(ap, curl_off_t *));
        break;
    case CURLINFO_SOCKET:
        rc = api.curl_easy_getinfo(curl, info, va_arg(ap, curl_socket_t *));
        break;
    default: /* CURLINFO_SLIST and CURLINFO_PTR (the same bits) */
        rc = api.curl_easy_getinfo(curl, info, va_arg(ap, void *));
        break;
    }
    va_end(ap);
    return rc;
}

CURL *curl_easy_duphandle(CURL *curl)
{
    return curl_ready() ? api.curl_easy_duphandle(curl) : NULL;
}

void curl_easy_reset(CURL *curl)
{
    if (curl && curl_ready())
        api.curl_easy_reset(curl);
}

CURLcode curl_easy_pause(CURL *handle, int bitmask)
{
    return curl_ready() ? api.curl_easy_pause(handle, bitmask) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_upkeep(CURL *curl)
{
    return curl_ready() ? api.curl_easy_upkeep(curl) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode code)
{
    return curl_ready() ? api.curl_easy_strerror(code) : load_error;
}

/* ---- Strings, lists, dates ------------------------------------------------- */

char *curl_easy_escape(CURL *handle, const char *string, int length)
{
    return curl_ready() ? api.curl_easy_escape(handle, string, length) : NULL;
}

char *curl_easy_unescape(CURL *handle, const char *string, int length, int *outlength)
{
    return curl_ready() ? api.curl_easy_unescape(handle, string, length, outlength) : NULL;
}

char *curl_escape(const char *string, int length)
{
    return curl_ready() ? api.curl_escape(string, length) : NULL;
}

char *curl_unescape(const char *string, int length)
{
    return curl_ready() ? api.curl_unescape(string, length) : NULL;
}

void curl_free(void *p)
{
    if (p && curl_ready()) /* only libcurl hands out what curl_free frees */
        api.curl_free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data)
{
    return curl_ready() ? api.curl_slist_append(list, data) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
    if (list && curl_ready())
        api.curl_slist_free_all(list);
}

time_t curl_getdate(const char *p, const time_t *unused)
{
    return curl_ready() ? api.curl_getdate(p, unused) : (time_t)-1;
}

/* ---- MIME (multipart/form-data) -------------------------------------------- */

curl_mime *curl_mime_init(CURL *easy)
{
    return curl_ready() ? api.curl_mime_init(easy) : NULL;
}

void curl_mime_free(curl_mime *mime)
{
    if (mime && curl_ready())
        api.curl_mime_free(mime);
}

curl_mimepart *curl_mime_addpart(curl_mime *mime)
{
    return curl_ready() ? api.curl_mime_addpart(mime) : NULL;
}

CURLcode curl_mime_name(curl_mimepart *part, const char *name)
{
    return curl_ready() ? api.curl_mime_name(part, name) : CURLE_FAILED_INIT;
}

CURLcode curl_mime_filename(curl_mimepart *part, const char *filename)
{
    return curl_ready() ? api.curl_mime_filename(part, filename) : CURLE_FAILED_INIT;
}

CURLcode curl_mime_type(curl_mimepart *part, const char *mimetype)
{
    return curl_ready() ? api.curl_mime_type(part, mimetype) : CURLE_FAILED_INIT;
}

CURLcode curl_mime_data(curl_mimepart *part, const char *data, size_t datasize)
{
    return curl_ready() ? api.curl_mime_data(part, data, datasize) : CURLE_FAILED_INIT;
}

CURLcode curl_mime_headers(curl_mimepart *part, struct curl_slist *headers,
                           int take_ownership)
{
    return curl_ready() ? api.curl_mime_headers(part, headers, take_ownership)
                        : CURLE_FAILED_INIT;
}

/* ---- URL API --------------------------------------------------------------- */

CURLU *curl_url(void)
{
    return curl_ready() ? api.curl_url() : NULL;
}

void curl_url_cleanup(CURLU *handle)
{
    if (handle && curl_ready())
        api.curl_url_cleanup(handle);
}

CURLU *curl_url_dup(CURLU *in)
{
    return curl_ready() ? api.curl_url_dup(in) : NULL;
}

CURLUcode curl_url_get(CURLU *handle, CURLUPart what, char **part, unsigned int flags)
{
    return curl_ready() ? api.curl_url_get(handle, what, part, flags) : CURLUE_BAD_HANDLE;
}

CURLUcode curl_url_set(CURLU *handle, CURLUPart what, const char *part, unsigned int flags)
{
    return curl_ready() ? api.curl_url_set(handle, what, part, flags) : CURLUE_BAD_HANDLE;
}

#if LIBCURL_VERSION_NUM >= 0x075300
const char *curl_url_strerror(CURLUcode code)
{
    return curl_ready() ? api.curl_url_strerror(code) : load_error;
}

/* ---- Response headers (7.83) ----------------------------------------------- */

CURLHcode curl_easy_header(CURL *easy, const char *name, size_t index, unsigned int origin,
                           int request, struct curl_header **hout)
{
    return curl_ready() ? api.curl_easy_header(easy, name, index, origin, request, hout)
                        : CURLHE_NOT_BUILT_IN;
}

struct curl_header *curl_easy_nextheader(CURL *easy, unsigned int origin, int request,
                                         struct curl_header *prev)
{
    return curl_ready() ? api.curl_easy_nextheader(easy, origin, request, prev) : NULL;
}
#endif
