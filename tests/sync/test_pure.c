/*
 * The pure parts of directory sync, without a network: request URLs (the
 * escaping of modified_after, a base with a query or a trailing slash),
 * HSDS Page objects and where a listing ends, Retry-After in both forms,
 * full-jitter backoff, HTTP status classes, timestamps and the mark.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "signpost/sync.h"

static const char *url(const char *base, const char *since, int page)
{
    static sg_buf b;
    static int init;
    if (!init) {
        sg_buf_init(&b, 4096);
        init = 1;
    }
    if (sync_build_url(base, since, page, 100, &b))
        return NULL;
    return b.data;
}

static void test_url_first_run(void **st)
{
    (void)st;
    assert_string_equal(
        url("https://hsds.example.org/api", NULL, 1),
        "https://hsds.example.org/api/services?page=1&per_page=100&full=true");
    assert_string_equal(
        url("https://hsds.example.org/api/", "", 2),
        "https://hsds.example.org/api/services?page=2&per_page=100&full=true");
}

static void test_url_escapes_modified_after(void **st)
{
    (void)st;
    /* "+" would read as a space and ":" is reserved: both are escaped. */
    assert_string_equal(
        url("https://x.org", "2024-05-01T12:00:00.000+02:00", 3),
        "https://x.org/services?modified_after=2024-05-01T12%3A00%3A00.000"
        "%2B02%3A00&page=3&per_page=100&full=true");
    assert_string_equal(url("https://x.org", "a b&c=d/é", 1),
                        "https://x.org/services?modified_after=a%20b%26c%3Dd%2F%C3%A9"
                        "&page=1&per_page=100&full=true");
}

static void test_url_keeps_base_query(void **st)
{
    (void)st;
    assert_string_equal(url("https://x.org/hsds/?api_key=K1&region=3", "2024-01-01", 1),
                        "https://x.org/hsds/services?api_key=K1&region=3&modified_after="
                        "2024-01-01&page=1&per_page=100&full=true");
    assert_string_equal(url("https://x.org/hsds#frag", NULL, 1),
                        "https://x.org/hsds/services?page=1&per_page=100&full=true");
}

static void test_url_rejects(void **st)
{
    sg_buf small;
    (void)st;
    assert_null(url("ftp://x.org", NULL, 1));
    assert_null(url("x.org/api", NULL, 1));
    assert_null(url("https://x.org/a b", NULL, 1));
    assert_null(url("https://x.org", NULL, 0));
    sg_buf_init(&small, 20);
    assert_int_equal(sync_build_url("https://x.org/api", NULL, 1, 100, &small),
                     SG_ETOOBIG);
    sg_buf_free(&small);
}

static void test_url_display(void **st)
{
    char out[128];
    (void)st;
    sync_url_display("https://user:secret@x.org/api?api_key=K", out, sizeof out);
    assert_string_equal(out, "https://x.org/api");
    sync_url_display("http://x.org:8080/a/b#f", out, sizeof out);
    assert_string_equal(out, "http://x.org:8080/a/b");
}

static void test_page_object(void **st)
{
    static const char body[] =
        "{\"total_items\":250,\"total_pages\":3,\"page_number\":2,\"size\":100,"
        "\"first_page\":false,\"last_page\":false,\"empty\":false,"
        "\"contents\":[{\"id\":\"a\"},{\"id\":\"b\"}]}";
    sync_page p;
    char err[256];
    (void)st;
    assert_int_equal(sync_page_parse(body, strlen(body), &p, err, sizeof err), SG_OK);
    assert_int_equal(json_array_size(p.contents), 2);
    assert_int_equal(p.page_number, 2);
    assert_int_equal(p.total_pages, 3);
    assert_int_equal(p.last_page, 0);
    assert_int_equal(p.empty, 0);
    assert_false(sync_page_is_last(&p, 2, 2));
    sync_page_free(&p);
    sync_page_free(&p); /* twice is harmless */
}

/* Paging numbers no real page has are treated as absent, never wrapped. */
static void test_page_numbers_out_of_range(void **st)
{
    static const char body[] = "{\"total_pages\":-3,\"page_number\":9223372036854775807,"
                               "\"contents\":[{\"id\":\"a\"}]}";
    sync_page p;
    char err[256];
    (void)st;
    assert_int_equal(sync_page_parse(body, strlen(body), &p, err, sizeof err), SG_OK);
    assert_int_equal(p.total_pages, -1);
    assert_true(p.page_number == -1 || p.page_number == LONG_MAX); /* LONG_MAX on 64 bits */
    sync_page_free(&p);
}

static int last_of(const char *body, int requested, int per_page)
{
    sync_page p;
    char err[256];
    int last;
    assert_int_equal(sync_page_parse(body, strlen(body), &p, err, sizeof err), SG_OK);
    last = sync_page_is_last(&p, requested, per_page);
    sync_page_free(&p);
    return last;
}

static void test_page_end(void **st)
{
    (void)st;
    /* last_page wins; then page_number against total_pages. */
    assert_true(last_of("{\"last_page\":true,\"contents\":[{\"id\":\"a\"}]}", 1, 1));
    assert_true(last_of(
        "{\"total_pages\":3,\"page_number\":3,\"contents\":[{\"id\":\"a\"}]}", 3, 1));
    assert_false(last_of(
        "{\"total_pages\":3,\"page_number\":2,\"contents\":[{\"id\":\"a\"}]}", 2, 1));
    /* total_pages without page_number: the page asked for. */
    assert_true(last_of("{\"total_pages\":2,\"contents\":[{\"id\":\"a\"}]}", 2, 1));
    /* Empty contents or "empty" end it whatever else is said. */
    assert_true(last_of("{\"total_pages\":9,\"page_number\":1,\"contents\":[]}", 1, 100));
    assert_true(last_of(
        "{\"empty\":true,\"last_page\":false,\"contents\":[{\"id\":\"a\"}]}", 1, 100));
    /* No paging fields (a bare array too): a short page is the last one. */
    assert_true(last_of("[{\"id\":\"a\"}]", 1, 100));
    assert_false(last_of("[{\"id\":\"a\"},{\"id\":\"b\"}]", 1, 2));
    assert_true(last_of("{\"contents\":[{\"id\":\"a\"}]}", 1, 100));
}

static void test_page_malformed(void **st)
{
    sync_page p;
    char err[256];
    (void)st;
    assert_int_equal(sync_page_parse("{\"contents\":[", 13, &p, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "not JSON"));
    assert_null(p.root);
    assert_int_equal(sync_page_parse("{\"items\":[]}", 12, &p, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "contents"));
    assert_null(p.root);
    assert_int_equal(sync_page_parse("{\"contents\":{}}", 15, &p, err, sizeof err),
                     SG_EINVAL);
    assert_int_equal(sync_page_parse("\"x\"", 3, &p, err, sizeof err), SG_EINVAL);
    assert_int_equal(sync_page_parse("", 0, &p, err, sizeof err), SG_EINVAL);
}

static void test_retry_after(void **st)
{
    time_t now = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */
    (void)st;
    assert_int_equal(sync_retry_after("1", now), 1);
    assert_int_equal(sync_retry_after(" 120 ", now), 120);
    assert_int_equal(sync_retry_after("0", now), 0);
    assert_int_equal(sync_retry_after("99999999999999", now), 999999999L);
    assert_int_equal(sync_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), 30);
    assert_int_equal(sync_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), 60);
    assert_int_equal(sync_retry_after("Wed Oct 21 07:28:05 2015", now), 5);
    assert_int_equal(sync_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now),
                     0); /* past */
    assert_int_equal(sync_retry_after("", now), -1);
    assert_int_equal(sync_retry_after("-5", now), -1);
    assert_int_equal(sync_retry_after("soon", now), -1);
    assert_int_equal(sync_retry_after("1.5", now), -1);
}

static void test_backoff(void **st)
{
    (void)st;
    /* Full jitter: [0, base * 2^(n-1)], capped. */
    assert_int_equal(sync_backoff_ms(1, 1000, 30000, -1, 0), 0);
    assert_int_equal(sync_backoff_ms(1, 1000, 30000, -1, 1000), 1000);
    assert_int_equal(sync_backoff_ms(1, 1000, 30000, -1, 1001), 0);
    assert_int_equal(sync_backoff_ms(2, 1000, 30000, -1, 2000), 2000);
    assert_int_equal(sync_backoff_ms(3, 1000, 30000, -1, 4000), 4000);
    assert_int_equal(sync_backoff_ms(3, 1000, 30000, -1, 4001), 0);
    for (uint32_t r = 0; r < 100000; r += 997)
        assert_in_range(sync_backoff_ms(3, 1000, 30000, -1, r), 0, 4000);
    assert_int_equal(sync_backoff_ms(10, 1000, 30000, -1, 30000), 30000);
    assert_int_equal(sync_backoff_ms(40, 1000, 30000, -1, UINT32_MAX),
                     UINT32_MAX % 30001u);
    assert_in_range(sync_backoff_ms(40, 1000, 30000, -1, UINT32_MAX), 0, 30000);
    /* Retry-After is a floor, and may go past the cap. */
    assert_int_equal(sync_backoff_ms(1, 1000, 30000, 1000, 0), 1000);
    assert_int_equal(sync_backoff_ms(1, 1000, 30000, 500, 900), 900);
    assert_int_equal(sync_backoff_ms(1, 1000, 30000, 60000, 5), 60000);
    assert_int_equal(sync_backoff_ms(1, 0, 0, -1, 12345), 0);
}

static void test_classify(void **st)
{
    (void)st;
    assert_int_equal(sync_http_classify(200), SYNC_HTTP_OK);
    assert_int_equal(sync_http_classify(204), SYNC_HTTP_OK);
    assert_int_equal(sync_http_classify(429), SYNC_HTTP_RETRY);
    assert_int_equal(sync_http_classify(408), SYNC_HTTP_RETRY);
    assert_int_equal(sync_http_classify(500), SYNC_HTTP_RETRY);
    assert_int_equal(sync_http_classify(503), SYNC_HTTP_RETRY);
    assert_int_equal(sync_http_classify(504), SYNC_HTTP_RETRY);
    assert_int_equal(sync_http_classify(304), SYNC_HTTP_FAIL);
    assert_int_equal(sync_http_classify(400), SYNC_HTTP_FAIL);
    assert_int_equal(sync_http_classify(401), SYNC_HTTP_FAIL);
    assert_int_equal(sync_http_classify(404), SYNC_HTTP_FAIL);
    assert_int_equal(sync_http_classify(0), SYNC_HTTP_FAIL);
}

static int64_t t(const char *s)
{
    int64_t ms = -2;
    if (sync_time_parse(s, &ms))
        return -1;
    return ms;
}

static void test_time_parse(void **st)
{
    (void)st;
    assert_int_equal(t("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(t("2023-03-15T10:30:45.123Z"), 1678876245123LL);
    assert_int_equal(t("2023-03-15T12:30:45.123+02:00"), 1678876245123LL);
    assert_int_equal(t("2023-03-15T05:30:45.123-0500"), 1678876245123LL);
    assert_int_equal(t("2023-03-15t10:30:45.123456z"), 1678876245123LL);
    assert_int_equal(t("2023-03-15 10:30:45.1Z"), 1678876245100LL);
    assert_int_equal(t("2023-03-15T10:30Z"), 1678876200000LL);
    assert_int_equal(t("2023-03-15T10:30:45"), 1678876245000LL); /* no zone: UTC */
    assert_int_equal(t("2023-03-15"), 1678838400000LL);
    assert_int_equal(t("2024-02-29T00:00:00Z"), 1709164800000LL);
    assert_int_equal(t(""), -1);
    assert_int_equal(t("2023-3-15"), -1);
    assert_int_equal(t("2023-13-01"), -1);
    assert_int_equal(t("2023-02-31"), -1); /* no such day: not 3 March */
    assert_int_equal(t("2023-02-29"), -1); /* 2023 is not a leap year */
    assert_int_equal(t("1900-02-29"), -1); /* nor is 1900 */
    assert_int_equal(t("2000-02-29"), 951782400000LL);
    assert_int_equal(t("2023-04-31"), -1);
    assert_int_equal(t("2023-12-31"), 1703980800000LL);
    assert_int_equal(t("2023-03-15T25:00:00Z"), -1);
    assert_int_equal(t("2023-03-15T10:30:45.Z"), -1);
    assert_int_equal(t("2023-03-15T10:30:45Zjunk"), -1);
    assert_int_equal(t("yesterday"), -1);
}

static void test_time_format(void **st)
{
    char out[SYNC_TIME_LEN];
    int64_t samples[] = {0, 1678876245123LL, 951782400000LL /* 2000-02-29 */,
                         4102444799999LL /* 2099-12-31T23:59:59.999 */};
    (void)st;
    sync_time_format(1678876245123LL, out);
    assert_string_equal(out, "2023-03-15T10:30:45.123Z");
    sync_time_format(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        sync_time_format(samples[i], out);
        assert_int_equal(t(out), samples[i]);
    }
}

static void test_next_mark(void **st)
{
    (void)st;
    /* The server's clock at the start of the pass, less the margin... */
    assert_int_equal(sync_next_mark(1000000, 5000, 10, 300000), 700000);
    /* ...even when every service has an older, bulk last_modified... */
    assert_int_equal(sync_next_mark(1000000, 999999, 10, 300000), 700000);
    /* ...else the newest last_modified seen, else the old mark. */
    assert_int_equal(sync_next_mark(-1, 5000, 10, 300000), 5000);
    assert_int_equal(sync_next_mark(-1, -1, 10, 300000), 10);
    assert_int_equal(sync_next_mark(-1, -1, -1, 300000), -1);
    assert_int_equal(sync_next_mark(100, -1, -1, 300000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_first_run),
        cmocka_unit_test(test_url_escapes_modified_after),
        cmocka_unit_test(test_url_keeps_base_query),
        cmocka_unit_test(test_url_rejects),
        cmocka_unit_test(test_url_display),
        cmocka_unit_test(test_page_object),
        cmocka_unit_test(test_page_numbers_out_of_range),
        cmocka_unit_test(test_page_end),
        cmocka_unit_test(test_page_malformed),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_next_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
