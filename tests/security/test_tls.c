/*
 * The staff listener's TLS, with the certificate the daemon makes on first
 * start: TLS 1.2 and 1.3 are spoken (and the certificate verifies against
 * the file the daemon wrote), TLS 1.0 and 1.1 are refused even by a client
 * that would accept any cipher, and plain HTTP on the TLS port gets no
 * answer from the console.  HSTS is sent only with a certificate the
 * clinic configured ([staff] tls_cert), never with the self-signed one,
 * whose warning a browser must still let staff past.
 */
#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "staff_client.h"

#define HTTPS_MARK "staff listening on https://127.0.0.1:"

static char dir[ITEST_PATH], ca[ITEST_PATH + 32];
static itest_daemon *d;
static int port;

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data, (void)arg;
    return size * n;
}

/*
 * GET /healthz over HTTPS with the versions from min to max (CURL_SSLVERSION_*,
 * max with CURL_SSLVERSION_MAX_*) and any cipher (@SECLEVEL=0), so that a
 * refusal is the server's.  The HTTP status, or 0 when the handshake failed.
 */
static long get_with(long min, long max)
{
    char url[128];
    long status = 0;
    CURL *c = curl_easy_init();
    CURLcode cc;

    assert_non_null(c);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/healthz", port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ITEST_WAIT_MS);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, min | max);
    curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        print_message("TLS %lx..%lx: %s\n", min, max >> 16, curl_easy_strerror(cc));
    curl_easy_cleanup(c);
    return status;
}

static void tls_1_2_and_1_3_are_spoken(void **ctx)
{
    (void)ctx;
    assert_int_equal(get_with(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2), 200);
    assert_int_equal(get_with(CURL_SSLVERSION_TLSv1_3, CURL_SSLVERSION_MAX_TLSv1_3), 200);
}

static void tls_1_0_and_1_1_are_refused(void **ctx)
{
    (void)ctx;
    assert_int_equal(get_with(CURL_SSLVERSION_TLSv1_0, CURL_SSLVERSION_MAX_TLSv1_0), 0);
    assert_int_equal(get_with(CURL_SSLVERSION_TLSv1_1, CURL_SSLVERSION_MAX_TLSv1_1), 0);
    /* The listener is still there for a client that speaks 1.2. */
    assert_int_equal(get_with(CURL_SSLVERSION_TLSv1_0, CURL_SSLVERSION_MAX_TLSv1_2), 200);
}

static void plain_http_on_the_tls_port_gets_no_console(void **ctx)
{
    itest_daemon fake = {0};
    itest_resp r;
    (void)ctx;

    /* The harness speaks plain HTTP to whatever port it is given. */
    fake.port = port;
    if (itest_get(&fake, "/staff/api/v1/me", NULL, &r) == 0) {
        assert_true(r.status == 0 || r.status >= 400);
        assert_null(strstr(r.body, "csrf_token"));
    }
    itest_resp_free(&r);
}

/* The staff listener's Strict-Transport-Security header on /healthz. */
static void hsts_of(int p, const char *cafile, char *out, size_t outlen)
{
    static sc_resp r;
    sc_target t = {p, cafile};

    assert_int_equal(sc_request(&t, "GET", "/healthz", NULL, NULL, NULL, &r), 200);
    snprintf(out, outlen, "%s", r.hsts);
}

static void hsts_only_with_the_clinics_certificate(void **ctx)
{
    char own[ITEST_PATH], conf[ITEST_PATH + 32], text[3 * ITEST_PATH], hsts[128];
    itest_daemon *t;
    int p;
    (void)ctx;

    hsts_of(port, ca, hsts, sizeof hsts);
    assert_string_equal(hsts, ""); /* the self-signed default */

    /* The same pair named in the configuration, as a clinic's own would be. */
    assert_int_equal(itest_mkdtemp(own, sizeof own), 0);
    snprintf(text, sizeof text,
             "[staff]\nlisten = 127.0.0.1:0\ntls_cert = %s/staff-tls.crt\n"
             "tls_key = %s/staff-tls.key\n",
             dir, dir);
    assert_int_equal(itest_write_file(own, "signpost.conf", text, conf, sizeof conf), 0);
    itest_opts o = {.config = conf, .state_dir = own};
    assert_non_null(t = itest_start(&o));
    assert_true((p = sc_find_port(t, HTTPS_MARK)) > 0);
    hsts_of(p, ca, hsts, sizeof hsts);
    assert_string_equal(hsts, "max-age=31536000");
    sc_stop(t, own);
}

static int setup(void **ctx)
{
    char conf[ITEST_PATH + 32];
    (void)ctx;

    if (itest_init() || itest_mkdtemp(dir, sizeof dir) ||
        itest_write_file(dir, "signpost.conf",
                         "[staff]\nlisten = 127.0.0.1:0\ntls = auto\n", conf,
                         sizeof conf))
        return -1;
    itest_opts o = {.config = conf, .state_dir = dir};
    d = itest_start(&o);
    if (!d || (port = sc_find_port(d, HTTPS_MARK)) <= 0)
        return -1;
    snprintf(ca, sizeof ca, "%s/staff-tls.crt", dir);
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    sc_stop(d, dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls_1_2_and_1_3_are_spoken),
        cmocka_unit_test(tls_1_0_and_1_1_are_refused),
        cmocka_unit_test(plain_http_on_the_tls_port_gets_no_console),
        cmocka_unit_test(hsts_only_with_the_clinics_certificate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
