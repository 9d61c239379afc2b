/*
 * libzip, loaded on first use.
 *
 * Only importing a directory package given as a .zip reads archives
 * (src/directory/hsds_zip.c), yet a linked libzip is mapped into every
 * daemon from start-up, and it brings OpenSSL's libcrypto (1.4 MB of
 * resident pages on its own) for the encryption a directory never uses.
 * So signpost_core does not link libzip: this file defines the libzip
 * functions the importer calls, with the exact prototypes of <zip.h>
 * (included, so the compiler checks them), each forwarding to the real
 * function found once with dlopen("libzip.so.4") and dlsym.  A kiosk that
 * never imports a .zip never maps libzip.  See src/util/dl_curl.c for the
 * same treatment of libcurl, and for why a test program that links the
 * real library as well still gets one libzip, whichever definition the
 * linker picks.
 *
 * When the library cannot be loaded, the error is logged once and zip_open
 * fails with ZIP_ER_INTERNAL, whose message (zip_error_strerror) is then
 * the loader's reason, so `signpost import x.zip` says what is missing.
 * The package must depend on libzip4 explicitly: dpkg-shlibdeps cannot see
 * a dlopen.  A libzip function the importer starts to use that is not
 * defined here is a link error of the daemon: add it below.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

#include "signpost/log.h"

#define ZIP_SONAME "libzip.so.4" /* Debian 12: package libzip4 */

/* Every function forwarded, as (return type, name, parameters). */
#define ZIP_API(X)                                                               \
    X(zip_t *, zip_open, (const char *, int, int *))                             \
    X(int, zip_close, (zip_t *))                                                 \
    X(void, zip_discard, (zip_t *))                                              \
    X(zip_int64_t, zip_get_num_entries, (zip_t *, zip_flags_t))                  \
    X(const char *, zip_get_name, (zip_t *, zip_uint64_t, zip_flags_t))          \
    X(zip_int64_t, zip_name_locate, (zip_t *, const char *, zip_flags_t))        \
    X(int, zip_stat_index, (zip_t *, zip_uint64_t, zip_flags_t, zip_stat_t *))   \
    X(zip_file_t *, zip_fopen_index, (zip_t *, zip_uint64_t, zip_flags_t))       \
    X(zip_int64_t, zip_fread, (zip_file_t *, void *, zip_uint64_t))              \
    X(int, zip_fclose, (zip_file_t *))                                           \
    X(const char *, zip_strerror, (zip_t *))                                     \
    X(const char *, zip_file_strerror, (zip_file_t *))                           \
    X(void, zip_error_init_with_code, (zip_error_t *, int))                      \
    X(const char *, zip_error_strerror, (zip_error_t *))                         \
    X(void, zip_error_fini, (zip_error_t *))

#define DECLARE(ret, name, params) ret(*name) params;
static struct {
    ZIP_API(DECLARE)
} api;
#undef DECLARE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static atomic_bool loaded; /* set (release) once every pointer is resolved */
static char load_error[300];

static void load(void)
{
    void *h = dlopen(ZIP_SONAME, RTLD_NOW | RTLD_LOCAL);
    const char *why = h ? NULL : dlerror();
    int ok = h != NULL;

    /* The library's own scope only: never the executable's definitions. */
#define RESOLVE(ret, name, params)                                               \
    if (ok && !(api.name = (ret(*) params)dlsym(h, #name))) {                    \
        ok = 0;                                                                  \
        why = dlerror();                                                         \
    }
    ZIP_API(RESOLVE)
#undef RESOLVE
    if (!ok) {
        snprintf(load_error, sizeof load_error, "%s could not be loaded: %s", ZIP_SONAME,
                 why ? why : "a symbol is missing");
        sg_error("%s; importing a .zip package needs it (Debian package libzip4)",
                 load_error);
        return;
    }
    atomic_store_explicit(&loaded, true, memory_order_release);
}

/* Loads libzip on the first call; 1 when it is usable. */
static int zip_ready(void)
{
    pthread_once(&load_once, load);
    return atomic_load_explicit(&loaded, memory_order_acquire);
}

zip_t *zip_open(const char *path, int flags, int *errorp)
{
    if (zip_ready())
        return api.zip_open(path, flags, errorp);
    if (errorp)
        *errorp = ZIP_ER_INTERNAL;
    return NULL;
}

/* The functions taking a zip_t or a zip_file_t are reached with what
   zip_open or zip_fopen_index returned, so libzip is loaded by then; they
   check all the same (a pthread_once that has run, and an atomic load). */

int zip_close(zip_t *za)
{
    return zip_ready() ? api.zip_close(za) : -1;
}

void zip_discard(zip_t *za)
{
    if (za && zip_ready())
        api.zip_discard(za);
}

zip_int64_t zip_get_num_entries(zip_t *za, zip_flags_t flags)
{
    return zip_ready() ? api.zip_get_num_entries(za, flags) : -1;
}

const char *zip_get_name(zip_t *za, zip_uint64_t index, zip_flags_t flags)
{
    return zip_ready() ? api.zip_get_name(za, index, flags) : NULL;
}

zip_int64_t zip_name_locate(zip_t *za, const char *fname, zip_flags_t flags)
{
    return zip_ready() ? api.zip_name_locate(za, fname, flags) : -1;
}

int zip_stat_index(zip_t *za, zip_uint64_t index, zip_flags_t flags, zip_stat_t *st)
{
    return zip_ready() ? api.zip_stat_index(za, index, flags, st) : -1;
}

zip_file_t *zip_fopen_index(zip_t *za, zip_uint64_t index, zip_flags_t flags)
{
    return zip_ready() ? api.zip_fopen_index(za, index, flags) : NULL;
}

zip_int64_t zip_fread(zip_file_t *zf, void *buf, zip_uint64_t nbytes)
{
    return zip_ready() ? api.zip_fread(zf, buf, nbytes) : -1;
}

int zip_fclose(zip_file_t *zf)
{
    return zip_ready() ? api.zip_fclose(zf) : ZIP_ER_INTERNAL;
}

const char *zip_strerror(zip_t *za)
{
    return zip_ready() ? api.zip_strerror(za) : load_error;
}

const char *zip_file_strerror(zip_file_t *zf)
{
    return zip_ready() ? api.zip_file_strerror(zf) : load_error;
}

/*
 * A zip_error_t is the caller's, so these three are reached after a failed
 * zip_open too, which may have been the loader's failure: then the error
 * is filled in here (struct zip_error is public), and its text is why the
 * library could not be loaded.
 */
void zip_error_init_with_code(zip_error_t *error, int ze)
{
    if (zip_ready()) {
        api.zip_error_init_with_code(error, ze);
        return;
    }
    memset(error, 0, sizeof *error);
    error->zip_err = ze;
}

const char *zip_error_strerror(zip_error_t *error)
{
    return zip_ready() ? api.zip_error_strerror(error) : load_error;
}

void zip_error_fini(zip_error_t *error)
{
    if (zip_ready())
        api.zip_error_fini(error);
}
