/*
 * The kiosk's bearer tokens, on every route that takes one: a token opens
 * only the screening it was issued for (receipt, texts, print progress,
 * help, reset), and an expired token opens nothing.  A refused request
 * answers 401 invalid_token with WWW-Authenticate: Bearer and stores
 * nothing.  integration.api covers GET and help with another visit's token
 * and the reset; this adds the routes that write (receipt, texts), print
 * progress, and expiry, which needs [kiosk] token_ttl_s at its least (30 s)
 * and so a wait of just over that.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "sec_common.h"

#define TTL_S 30

static sec_env env;

static const char sms_body[] =
    "{\"phone\":\"2175550177\",\"consent\":true,\"consent_version\":\"%s\","
    "\"language\":\"en\",\"reminders\":true}";

static void sleep_s(int s)
{
    struct timespec ts = {s, 0};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* method path with bearer (and a JSON body or none); the answer in *r. */
static long ask(const char *method, const char *path, const char *json,
                const char *bearer, itest_resp *r)
{
    itest_req rq = {
        method, path, json ? "application/json" : NULL, json, json ? strlen(json) : 0,
        bearer};
    if (itest_http(env.d, &rq, r) != 0)
        return 0;
    return r->status;
}

/* Asserts a 401 invalid_token with its WWW-Authenticate. */
static void assert_refused(const char *method, const char *path, const char *json,
                           const char *bearer)
{
    itest_resp r;
    long st = ask(method, path, json, bearer, &r);

    if (st != 401)
        print_error("%s %s: %ld %s\n", method, path, st, r.body);
    assert_int_equal(st, 401);
    assert_non_null(strstr(r.body, "invalid_token"));
    assert_non_null(itest_header(&r, "WWW-Authenticate"));
    itest_resp_free(&r);
}

/* The consent text's version, as the kiosk fetches it before asking. */
static void consent_version(char *out, size_t outlen)
{
    itest_resp r;
    json_t *j;

    assert_int_equal(itest_get(env.d, "/api/v1/sms/consent?lang=en", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    j = itest_resp_json(&r);
    assert_non_null(json_string_value(json_object_get(j, "version")));
    snprintf(out, outlen, "%s", json_string_value(json_object_get(j, "version")));
    json_decref(j);
    itest_resp_free(&r);
}

/* Every route that takes a token, for visit v, asked with bearer: refused. */
static void every_token_route_refuses(const sc_visit *v, const char *job_id,
                                      const char *bearer)
{
    char path[256], sms[512], version[64];

    consent_version(version, sizeof version);
    snprintf(sms, sizeof sms, sms_body, version);
    snprintf(path, sizeof path, "/api/v1/screenings/%s", v->id);
    assert_refused("GET", path, NULL, bearer);
    snprintf(path, sizeof path, "/api/v1/screenings/%s/receipt", v->id);
    assert_refused("POST", path, NULL, bearer);
    snprintf(path, sizeof path, "/api/v1/screenings/%s/sms", v->id);
    assert_refused("POST", path, sms, bearer);
    snprintf(path, sizeof path, "/api/v1/screenings/%s/help", v->id);
    assert_refused("POST", path, "{\"wants_help\":false}", bearer);
    if (job_id) {
        snprintf(path, sizeof path, "/api/v1/print-jobs/%s", job_id);
        assert_refused("GET", path, NULL, bearer);
    }
    snprintf(path, sizeof path, "/api/v1/screenings/%s/token", v->id);
    assert_refused("DELETE", path, NULL, bearer);
}

/* Waits (bounded) until the print worker is done with job: the rows stop changing. */
static void wait_printed(const char *job)
{
    long long n = 0;

    for (int i = 0; i < 100; i++) {
        if (itest_db_int(env.d,
                         "SELECT count(*) FROM print_jobs WHERE id = ?1"
                         " AND status IN ('done', 'failed')",
                         job, &n) == 0 &&
            n == 1)
            return;
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fail_msg("print job %s never finished", job);
}

/* Queues visit v's receipt with its own token; the job id into out. */
static void print_receipt(const sc_visit *v, char *out, size_t outlen)
{
    char path[256];
    itest_resp r;
    json_t *j;

    snprintf(path, sizeof path, "/api/v1/screenings/%s/receipt", v->id);
    assert_int_equal(ask("POST", path, NULL, v->token, &r), 202);
    j = itest_resp_json(&r);
    assert_non_null(json_string_value(json_object_get(j, "job_id")));
    snprintf(out, outlen, "%s", json_string_value(json_object_get(j, "job_id")));
    json_decref(j);
    itest_resp_free(&r);
}

static void a_token_opens_only_its_own_visit_on_every_route(void **ctx)
{
    sc_visit b;
    char job[64], path[256];
    json_t *jb;
    uint64_t before;
    itest_resp r;
    (void)ctx;

    jb = sc_new_visit(env.d, SC_VISIT_NEEDS_HELP, &b);
    assert_non_null(jb);
    json_decref(jb);
    print_receipt(&env.visit, job, sizeof job);
    wait_printed(job);
    before = sec_db_fingerprint(env.d);
    assert_true(before != 0);
    every_token_route_refuses(&env.visit, job, b.token);
    assert_true(sec_db_fingerprint(env.d) == before);
    /* Both tokens still work for their own visits. */
    snprintf(path, sizeof path, "/api/v1/print-jobs/%s", job);
    assert_int_equal(ask("GET", path, NULL, env.visit.token, &r), 200);
    itest_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/screenings/%s", b.id);
    assert_int_equal(ask("GET", path, NULL, b.token, &r), 200);
    itest_resp_free(&r);
}

static void an_expired_token_opens_nothing(void **ctx)
{
    sc_visit v;
    char path[256];
    json_t *jv;
    uint64_t before;
    itest_resp r;
    (void)ctx;

    jv = sc_new_visit(env.d, SC_VISIT_NEEDS_HELP, &v);
    assert_non_null(jv);
    assert_int_equal(json_integer_value(json_object_get(jv, "expires_in")), TTL_S);
    json_decref(jv);
    snprintf(path, sizeof path, "/api/v1/screenings/%s", v.id);
    assert_int_equal(ask("GET", path, NULL, v.token, &r), 200);
    itest_resp_free(&r);
    sleep_s(TTL_S + 1);
    before = sec_db_fingerprint(env.d);
    every_token_route_refuses(&v, NULL, v.token);
    assert_true(sec_db_fingerprint(env.d) == before);
    /* The screening itself stays stored for staff. */
    long long n = 0;
    assert_int_equal(
        itest_db_int(env.d, "SELECT count(*) FROM screenings WHERE id = ?1", v.id, &n),
        0);
    assert_int_equal(n, 1);
}

static int setup(void **ctx)
{
    (void)ctx;
    return sec_start(&env, "[kiosk]\ntoken_ttl_s = 30\n");
}

static int teardown(void **ctx)
{
    (void)ctx;
    sec_stop(&env);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_token_opens_only_its_own_visit_on_every_route),
        cmocka_unit_test(an_expired_token_opens_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
