/*
 * Path traversal in static file serving, on both listeners, by raw bytes
 * (libcurl would squash dot segments and refuse a NUL).  The daemon serves
 * a ui_dir made here, beside which lies a file it must never serve; every
 * way of climbing out (plain, %-encoded in each case, double-encoded,
 * overlong UTF-8, backslashes, doubled slashes, NUL bytes, ";" segments)
 * and every over-long path must get a 4xx or a closed connection, never
 * that file, never /etc/passwd, never a 5xx, and the daemon must go on
 * serving its real files afterwards.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "sec_common.h"

#define SECRET "TOPSECRET-not-for-the-web"

static sec_env env;
static char ui_parent[ITEST_PATH];

/* Climbs from the served root to the file beside it, or to /etc/passwd. */
static const char *const climbs[] = {
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/%c0%ae%c0%ae%c0%afsecret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/..%5csecret.txt",
    "/..%255csecret.txt",
    "//secret.txt",
    "//etc/passwd",
    "/.//../secret.txt",
    "/app.js/../../secret.txt",
    "/....//secret.txt",
    "/..;/secret.txt",
    "/%2e%2e;/secret.txt",
    "/index.html%00.txt",
    "/%00../secret.txt",
    "/.env",
    "/%2eenv",
    "/ui/../secret.txt",
    "/secret.txt",
};

/* GET path (len bytes: it may hold a NUL) on port by raw bytes; the status. */
static int get_raw(int port, const char *path, size_t len, char *out, size_t outlen)
{
    static const char tail[] =
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    size_t cap = len + sizeof tail + 8;
    char *req = malloc(cap);
    int st;

    assert_non_null(req);
    memcpy(req, "GET ", 4);
    memcpy(req + 4, path, len);
    memcpy(req + 4 + len, tail, sizeof tail);
    st = sec_raw(port, req, 4 + len + sizeof tail - 1, out, outlen, ITEST_WAIT_MS);
    free(req);
    return st;
}

/*
 * A refused path: 4xx or closed, and neither secret in what came back.
 * A NUL byte, raw or encoded (%00), is the one exception: libmicrohttpd
 * hands the daemon the decoded path as a C string, so "/index.html%00.txt"
 * is "/index.html" to it, and it may answer with that page of its own
 * (never anything else: the check of the path applies to what is opened).
 */
static int refused(int port, const char *path, size_t len, char *raw)
{
    int st = get_raw(port, path, len, raw, SEC_RAW_CAP);
    int own_page = strstr(raw, "kiosk-page") || strstr(raw, "staff-page");
    int nul = memmem(path, len, "%00", 3) != NULL || memchr(path, 0, len) != NULL;
    int ok = (st == 0 || (st >= 400 && st < 500) || (nul && st == 200 && own_page)) &&
             !strstr(raw, SECRET) && !strstr(raw, "root:x:0:0");

    if (!ok)
        print_error("GET %.*s on port %d: %d\n%.400s\n", (int)(len > 200 ? 200 : len),
                    path, port, st, raw);
    return ok;
}

static void climbing_out_is_refused_on_both_listeners(void **ctx)
{
    char *raw = malloc(SEC_RAW_CAP), path[512];
    int failures = 0;
    (void)ctx;

    assert_non_null(raw);
    for (size_t i = 0; i < sizeof climbs / sizeof climbs[0]; i++) {
        failures += !refused(env.d->port, climbs[i], strlen(climbs[i]), raw);
        /* The staff listener serves /staff/...: climb from there too. */
        snprintf(path, sizeof path, "/staff%s", climbs[i]);
        failures += !refused(env.staff.port, path, strlen(path), raw);
        snprintf(path, sizeof path, "/staff/x/..%s", climbs[i]);
        failures += !refused(env.staff.port, path, strlen(path), raw);
    }
    /* A NUL byte itself in the path, on both. */
    static const char nul_kiosk[] = "/index.html\0/../../secret.txt";
    static const char nul_staff[] = "/staff/index.html\0/../../secret.txt";
    failures += !refused(env.d->port, nul_kiosk, sizeof nul_kiosk - 1, raw);
    failures += !refused(env.staff.port, nul_staff, sizeof nul_staff - 1, raw);
    assert_int_equal(failures, 0);
    free(raw);
}

static void long_paths_are_refused_and_the_daemon_goes_on(void **ctx)
{
    static const size_t lengths[] = {201, 1024, 8 * 1024, 60 * 1024, 200 * 1024};
    char *raw = malloc(SEC_RAW_CAP);
    int failures = 0;
    (void)ctx;

    assert_non_null(raw);
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        char *path = malloc(lengths[i] + 1);
        assert_non_null(path);
        path[0] = '/';
        for (size_t k = 1; k < lengths[i]; k++)
            path[k] = k % 3 == 0 ? '/' : 'a';
        failures += !refused(env.d->port, path, lengths[i], raw);
        memcpy(path, "/staff/", 7);
        failures += !refused(env.staff.port, path, lengths[i], raw);
        /* The same length climbing out: nothing more reachable. */
        for (size_t k = 0; k + 3 < lengths[i]; k += 3)
            memcpy(path + k, "/..", 3);
        failures += !refused(env.d->port, path, lengths[i], raw);
        free(path);
    }
    /* Still serving: the real file on both listeners. */
    assert_int_equal(get_raw(env.d->port, "/index.html", 11, raw, SEC_RAW_CAP), 200);
    assert_non_null(strstr(raw, "kiosk-page"));
    assert_int_equal(get_raw(env.staff.port, "/staff/index.html", 17, raw, SEC_RAW_CAP),
                     200);
    assert_non_null(strstr(raw, "staff-page"));
    free(raw);
    assert_int_equal(failures, 0);
}

/* What each listener serves of the other's files: nothing. */
static void each_listener_serves_only_its_own_files(void **ctx)
{
    char *raw = malloc(SEC_RAW_CAP);
    (void)ctx;

    assert_non_null(raw);
    assert_true(refused(env.d->port, "/staff/index.html", 17, raw));
    assert_int_equal(get_raw(env.staff.port, "/index.html", 11, raw, SEC_RAW_CAP) / 100,
                     4);
    assert_null(strstr(raw, "kiosk-page"));
    free(raw);
}

/* ---- set-up -------------------------------------------------------------------- */

static int make_ui(char *conf_out, size_t outlen)
{
    char ui[ITEST_PATH + 8], staff[ITEST_PATH + 16], path[ITEST_PATH + 64];

    if (itest_mkdtemp(ui_parent, sizeof ui_parent))
        return -1;
    snprintf(ui, sizeof ui, "%s/ui", ui_parent);
    snprintf(staff, sizeof staff, "%s/staff", ui);
    if (mkdir(ui, 0700) || mkdir(staff, 0700) ||
        itest_write_file(ui_parent, "secret.txt", SECRET "\n", path, sizeof path) ||
        itest_write_file(ui, "index.html", "<!doctype html><title>kiosk-page</title>\n",
                         path, sizeof path) ||
        itest_write_file(ui, "app.js", "export {};\n", path, sizeof path) ||
        itest_write_file(ui, ".env", SECRET "\n", path, sizeof path) ||
        itest_write_file(staff, "index.html",
                         "<!doctype html><title>staff-page</title>\n", path,
                         sizeof path) ||
        itest_write_file(staff, ".env", SECRET "\n", path, sizeof path))
        return -1;
    snprintf(conf_out, outlen, "[paths]\nui_dir = %s\n", ui);
    return 0;
}

static int setup(void **ctx)
{
    char extra[ITEST_PATH + 64];
    (void)ctx;
    if (make_ui(extra, sizeof extra) || sec_start(&env, extra)) {
        sec_stop(&env);
        return -1;
    }
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    sec_stop(&env);
    itest_rmtree(ui_parent); /* ui/staff/ is two levels down: within reach */
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(climbing_out_is_refused_on_both_listeners),
        cmocka_unit_test(long_paths_are_refused_and_the_daemon_goes_on),
        cmocka_unit_test(each_listener_serves_only_its_own_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
