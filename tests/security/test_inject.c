/*
 * Injection, against the real daemon: SQL in every parameter of every route
 * of both listeners, and CR/LF in every value that could end up in a
 * response header.
 *
 * SQL: each parameter (query string, path segment, JSON field, login
 * fields) gets each of a list of payloads (quotes, comments,
 * UNION, stacked statements, LIKE and FTS5 wildcards, huge and negative
 * numbers).  A request must get a 4xx, or for a read a normal answer (200);
 * never a 5xx and never a database error in the body; and after each route
 * has had every payload, the fingerprint of every stored row (sec_common.h)
 * must be what it was.  Free-text fields (a referral's note, a resource's
 * notes) are meant to be stored: there a payload must come back exactly as
 * sent, and the schema and the screenings must be unchanged.
 *
 * Headers: CR/LF (encoded, and raw where the parser lets them through) in
 * the CSV export's dates (its file name), the paths that redirect, the
 * login's username (the cookie), the language parameters; the raw answer
 * must hold no header the request tried to add and at most one Set-Cookie.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "sec_common.h"

static sec_env env;
static char service_id[128], domain_name[64];

static const char *const payloads[] = {
    "'",
    "\"",
    "' OR '1'='1",
    "' OR 1=1 --",
    "1 OR 1=1",
    "'; DROP TABLE screenings; --",
    "x' UNION SELECT name, sql FROM sqlite_schema --",
    "1) UNION SELECT 1,2,3,4,5 --",
    "/*",
    "*/ OR 1=1 /*",
    "%",
    "_",
    "\\",
    "food\" OR \"x\"=\"x",
    "NEAR(a b) OR c*",
    "\"unterminated",
    "1e999",
    "-1",
    "99999999999999999999",
    "2026-01-01' --",
    "en'||'",
    "0x41; SELECT load_extension('x')",
};
#define NPAYLOADS (sizeof payloads / sizeof payloads[0])

/* ---- filling templates ------------------------------------------------------- */

/* %-encodes every byte but unreserved ones. */
static void url_encode(const char *in, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *in && o + 4 < outlen; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

/* The payload as a JSON string literal, quotes included. */
static void json_encode(const char *in, char *out, size_t outlen)
{
    json_t *s = json_string(in);
    char *text = json_dumps(s, JSON_ENCODE_ANY);

    snprintf(out, outlen, "%s", text ? text : "\"\"");
    free(text);
    json_decref(s);
}

/* Copies tmpl into out, replacing each {U}, {J}, {id}, {sid}, {domain}. */
static void fill(const char *tmpl, const char *payload, char *out, size_t outlen)
{
    char u[1024], j[1024];
    const char *keys[] = {"{U}", "{J}", "{id}", "{sid}", "{domain}"};
    const char *vals[] = {u, j, env.visit.id, service_id, domain_name};
    size_t o = 0;

    url_encode(payload, u, sizeof u);
    json_encode(payload, j, sizeof j);
    while (*tmpl && o + 1 < outlen) {
        size_t k = 0;
        for (; k < 5; k++)
            if (!strncmp(tmpl, keys[k], strlen(keys[k])))
                break;
        if (k == 5) {
            out[o++] = *tmpl++;
            continue;
        }
        size_t n = strlen(vals[k]);
        if (o + n + 1 >= outlen)
            break;
        memcpy(out + o, vals[k], n);
        o += n;
        tmpl += strlen(keys[k]);
    }
    out[o] = '\0';
}

/* ---- the routes --------------------------------------------------------------- */

enum who { KIOSK, KIOSK_TOKEN, STAFF_ADMIN, STAFF_NAV, STAFF_NONE };

typedef struct {
    enum who who;
    const char *method;
    const char *path; /* {U}: the payload url-encoded */
    const char *body; /* {J}: the payload as a JSON string; NULL: none */
    int free_text;    /* 1: the payload is meant to be stored as text */
} route;

static const route routes[] = {
    /* the kiosk listener */
    {KIOSK, "GET", "/api/v1/instrument?lang={U}", NULL, 0},
    {KIOSK, "GET", "/api/v1/sms/consent?lang={U}", NULL, 0},
    {KIOSK, "POST", "/api/v1/screenings", "{\"language\":{J},\"answers\":{}}", 0},
    {KIOSK, "POST", "/api/v1/screenings",
     "{\"language\":\"en\",\"answers\":{{J}:\"LA33-6\"}}", 0},
    {KIOSK, "POST", "/api/v1/screenings",
     "{\"language\":\"en\",\"answers\":{\"71802-3\":{J}}}", 0},
    {KIOSK, "POST", "/api/v1/screenings",
     "{\"language\":\"en\",\"answers\":{\"96778-6\":[{J}]}}", 0},
    {KIOSK, "POST", "/api/v1/screenings",
     "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31994-9\"},\"wants_help\":{J}}",
     0},
    {KIOSK_TOKEN, "GET", "/api/v1/screenings/{U}", NULL, 0},
    {KIOSK_TOKEN, "POST", "/api/v1/screenings/{id}/help",
     "{\"wants_help\":true,\"domains\":[{J}]}", 0},
    {KIOSK_TOKEN, "POST", "/api/v1/screenings/{U}/receipt", NULL, 0},
    {KIOSK_TOKEN, "GET", "/api/v1/print-jobs/{U}", NULL, 0},
    {KIOSK_TOKEN, "POST", "/api/v1/screenings/{id}/sms",
     "{\"phone\":{J},\"consent\":true,\"consent_version\":\"x\",\"language\":\"en\"}", 0},
    {KIOSK_TOKEN, "POST", "/api/v1/screenings/{id}/sms",
     "{\"phone\":\"2175550188\",\"consent\":true,\"consent_version\":{J},\"language\":"
     "\"en\"}",
     0},
    {KIOSK_TOKEN, "POST", "/api/v1/screenings/{id}/sms",
     "{\"phone\":\"2175550188\",\"consent\":true,\"consent_version\":\"x\",\"language\":{"
     "J}}",
     0},
    {KIOSK_TOKEN, "DELETE", "/api/v1/screenings/{U}/token", NULL, 0},
    /* the staff listener: signing in */
    {STAFF_NONE, "POST", "/staff/api/v1/login", "{\"username\":{J},\"password\":\"x\"}",
     0},
    {STAFF_NONE, "POST", "/staff/api/v1/login",
     "{\"username\":\"nobody\",\"password\":{J}}", 0},
    /* the queue and one submission */
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions?from={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions?to={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions?need={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions?status={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions?assigned={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions?limit={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions?before={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions/{U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/submissions/{id}?lang={U}", NULL, 0},
    {STAFF_NAV, "POST", "/staff/api/v1/submissions/{id}/referrals",
     "{\"domain\":{J},\"service_id\":\"{sid}\",\"status\":\"referred\"}", 0},
    {STAFF_NAV, "POST", "/staff/api/v1/submissions/{id}/referrals",
     "{\"domain\":\"{domain}\",\"service_id\":{J},\"status\":\"referred\"}", 0},
    {STAFF_NAV, "POST", "/staff/api/v1/submissions/{id}/referrals",
     "{\"domain\":\"{domain}\",\"service_id\":\"{sid}\",\"status\":{J}}", 0},
    {STAFF_NAV, "POST", "/staff/api/v1/submissions/{U}/reprint", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/follow-up?limit={U}", NULL, 0},
    /* the directory */
    {STAFF_ADMIN, "GET", "/staff/api/v1/resources?q={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/resources?domain={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/resources?stale={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/resources?hidden={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/resources?limit={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/resources?offset={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/resources/{U}", NULL, 0},
    {STAFF_NAV, "POST", "/staff/api/v1/resources/{U}/verify", NULL, 0},
    {STAFF_NAV, "POST", "/staff/api/v1/resources/{U}", "{\"notes\":\"x\"}", 0},
    /* reports, exports, the audit log */
    {STAFF_ADMIN, "GET", "/staff/api/v1/reports?from={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/reports?to={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/export/submissions.csv?from={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/export/submissions.csv?to={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/export/submissions.csv?phones={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/export/referrals.csv?from={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/export/fhir?id={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/export/fhir?from={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/export/audit.csv?from={U}", NULL, 0},
    {STAFF_ADMIN, "GET", "/staff/api/v1/audit?limit={U}", NULL, 0},
};

/* What a database error would leave in a body that echoes it. */
static int leaks_sql_error(const char *body)
{
    static const char *const marks[] = {"SQLITE",        "sqlite3",
                                        "syntax error",  "no such column",
                                        "no such table", "unrecognized token",
                                        "fts5:"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(body, marks[i]))
            return 1;
    return 0;
}

/* Sends one filled request; its status, with the body in *body (static, capped). */
static long send_one(const route *rt, const char *path, const char *json,
                     const char **body)
{
    static sc_resp r;
    static itest_resp ir;
    const sc_session *s = rt->who == STAFF_NAV ? &env.navigator : &env.admin;

    if (rt->who == KIOSK || rt->who == KIOSK_TOKEN) {
        /* The visit's own valid token: the payload must fail on its own merits. */
        const char *bearer = rt->who == KIOSK_TOKEN ? env.visit.token : NULL;
        itest_req rq = {rt->method,
                        path,
                        json ? "application/json" : NULL,
                        json,
                        json ? strlen(json) : 0,
                        bearer};
        itest_resp_free(&ir);
        if (itest_http(env.d, &rq, &ir) != 0)
            return 0;
        *body = ir.body;
        return ir.status;
    }
    sc_request(&env.staff, rt->method, path, json,
               rt->who == STAFF_NONE ? NULL : s->cookie,
               rt->who == STAFF_NONE ? NULL : s->csrf, &r);
    *body = r.body;
    return r.status;
}

static void every_parameter_of_every_route_refuses_sql(void **ctx)
{
    char path[2048], json[2048];
    const char *body = "";
    int failures = 0;
    (void)ctx;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *rt = &routes[i];
        uint64_t before = sec_db_fingerprint(env.d);
        assert_true(before != 0);
        int is_read = !strcmp(rt->method, "GET");
        for (size_t p = 0; p < NPAYLOADS; p++) {
            fill(rt->path, payloads[p], path, sizeof path);
            if (rt->body)
                fill(rt->body, payloads[p], json, sizeof json);
            long st = send_one(rt, path, rt->body ? json : NULL, &body);
            int ok = st >= 400 && st < 500 ? 1 : (is_read && st == 200);
            if (!ok || leaks_sql_error(body)) {
                print_error("%s %s %s: %ld %.300s\n", rt->method, path,
                            rt->body ? json : "", st, body);
                failures++;
            }
        }
        if (sec_db_fingerprint(env.d) != before) {
            print_error("%s %s: the database changed\n", rt->method, rt->path);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Payloads in free text are stored as text, byte for byte, and run as nothing. */
static void free_text_is_stored_verbatim(void **ctx)
{
    char path[512], json[1024], enc[512];
    long long screenings_before = 0, screenings_after = -1;
    sc_resp *r = malloc(sizeof *r);
    json_t *j;
    (void)ctx;

    assert_non_null(r);
    assert_int_equal(
        itest_db_int(env.d, "SELECT count(*) FROM screenings", NULL, &screenings_before),
        0);
    for (size_t p = 0; p < NPAYLOADS; p++) {
        char stored[512] = "";
        json_encode(payloads[p], enc, sizeof enc);
        snprintf(path, sizeof path, "/staff/api/v1/resources/%s", service_id);
        snprintf(json, sizeof json, "{\"notes\":%s}", enc);
        assert_int_equal(sc_request(&env.staff, "POST", path, json, env.navigator.cookie,
                                    env.navigator.csrf, r),
                         200);
        assert_int_equal(
            sc_request(&env.staff, "GET", path, NULL, env.admin.cookie, NULL, r), 200);
        j = json_loads(r->body, 0, NULL);
        assert_non_null(j);
        json_t *notes = json_object_get(json_object_get(j, "curation"), "notes");
        if (!notes)
            notes = json_object_get(j, "notes");
        snprintf(stored, sizeof stored, "%s",
                 json_string_value(notes) ? json_string_value(notes) : "(none)");
        json_decref(j);
        if (strcmp(stored, payloads[p]) != 0)
            print_error("notes sent %s came back %s\n", payloads[p], stored);
        assert_string_equal(stored, payloads[p]);
    }
    assert_int_equal(
        itest_db_int(env.d, "SELECT count(*) FROM screenings", NULL, &screenings_after),
        0);
    assert_int_equal(screenings_after, screenings_before);
    assert_int_equal(
        itest_db_int(env.d,
                     "SELECT count(*) FROM sqlite_schema WHERE name = 'screenings'", NULL,
                     &screenings_after),
        0);
    assert_int_equal(screenings_after, 1);
    free(r);
}

/* ---- header injection ----------------------------------------------------------- */

/* 1 when the raw answer's header block holds a header named name. */
static int has_header(const char *raw, const char *name)
{
    const char *end = strstr(raw, "\r\n\r\n");
    char needle[128];
    const char *p;

    snprintf(needle, sizeof needle, "\r\n%s:", name);
    for (p = raw; (p = strcasestr(p, needle)) != NULL; p++)
        if (!end || p < end)
            return 1;
    return 0;
}

static int count_header(const char *raw, const char *name)
{
    const char *end = strstr(raw, "\r\n\r\n");
    char needle[128];
    int n = 0;

    snprintf(needle, sizeof needle, "\r\n%s:", name);
    for (const char *p = raw; (p = strcasestr(p, needle)) != NULL && (!end || p < end);
         p++)
        n++;
    return n;
}

/* GET path on port with the admin's cookie (staff) by raw bytes; the status. */
static int raw_get(int port, const char *path, int with_cookie, char *out, size_t outlen)
{
    char req[4096];
    snprintf(req, sizeof req,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sConnection: close\r\n\r\n",
             path, with_cookie ? "Cookie: " : "", with_cookie ? env.admin.cookie : "",
             with_cookie ? "\r\n" : "");
    return sec_raw(port, req, strlen(req), out, outlen, ITEST_WAIT_MS);
}

static void crlf_never_reaches_a_header(void **ctx)
{
    static const char *const crlf[] = {"%0d%0aX-Injected:%20yes", "%0aX-Injected:%20yes",
                                       "%0dX-Injected:%20yes",
                                       "%E5%98%8A%E5%98%8DX-Injected:%20yes"};
    static const struct {
        int staff;
        const char *prefix;
    } where[] = {
        {1, "/staff/api/v1/export/submissions.csv?from=2026-01-01"},
        {1, "/staff/api/v1/export/submissions.csv?from=2026-01-01&to=2026-01-02"},
        {1, "/staff/api/v1/export/referrals.csv?to=2026-12-31"},
        {1, "/staff/api/v1/export/audit.csv?from=2026-01-01"},
        {1, "/staff/api/v1/export/fhir?id="},
        {1, "/staff"},
        {1, "/staff/"},
        {1, "/staff/api/v1/submissions/"},
        {0, "/"},
        {0, "/api/v1/instrument?lang=en"},
        {0, "/api/v1/sms/consent?lang="},
        {0, "/api/v1/screenings/"},
    };
    char *raw = malloc(SEC_RAW_CAP);
    char path[1024];
    int failures = 0;
    (void)ctx;

    assert_non_null(raw);
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++)
        for (size_t c = 0; c < sizeof crlf / sizeof crlf[0]; c++) {
            snprintf(path, sizeof path, "%s%s", where[w].prefix, crlf[c]);
            int st = raw_get(where[w].staff ? env.staff.port : env.d->port, path,
                             where[w].staff, raw, SEC_RAW_CAP);
            if (st <= 0 || st >= 500 || has_header(raw, "X-Injected")) {
                print_error("GET %s: %d\n%.600s\n", path, st, raw);
                failures++;
            }
        }
    /* The same bytes raw in the request line: a 400, never a split answer. */
    snprintf(path, sizeof path,
             "GET /staff/api/v1/export/submissions.csv?from=2026-01-01\r\nX-Injected: "
             "yes HTTP/1.1\r\n"
             "Host: x\r\nCookie: %s\r\nConnection: close\r\n\r\n",
             env.admin.cookie);
    int st = sec_raw(env.staff.port, path, strlen(path), raw, SEC_RAW_CAP, ITEST_WAIT_MS);
    if (has_header(raw, "X-Injected") || (st != 400 && st != 401 && st != 0)) {
        print_error("raw CR/LF in the request line: %d\n%.600s\n", st, raw);
        failures++;
    }
    free(raw);
    assert_int_equal(failures, 0);
}

/* A username with CR/LF never adds a header or a second cookie. */
static void crlf_in_the_login_sets_no_header(void **ctx)
{
    static const char *const names[] = {"ada\\r\\nSet-Cookie: sg_session=planted",
                                        "ada\\nX-Injected: yes", "ada\\r\\n\\r\\n<html>"};
    char req[1024], body[256];
    char *raw = malloc(SEC_RAW_CAP);
    (void)ctx;

    assert_non_null(raw);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"username\":\"%s\",\"password\":\"" SEC_PASSWORD "\"}", names[i]);
        snprintf(req, sizeof req,
                 "POST /staff/api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                 "application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                 strlen(body), body);
        int st =
            sec_raw(env.staff.port, req, strlen(req), raw, SEC_RAW_CAP, ITEST_WAIT_MS);
        assert_true(st >= 400 && st < 500);
        assert_false(has_header(raw, "X-Injected"));
        assert_true(count_header(raw, "Set-Cookie") <= 1);
        assert_null(strstr(raw, "planted"));
    }
    free(raw);
}

/* ---- set-up -------------------------------------------------------------------- */

/* A service and domain the visit was given, for the referral routes. */
static int find_referral_target(void)
{
    char path[256];
    sc_resp *r = malloc(sizeof *r);
    json_t *j = NULL, *refs, *first;
    int rc = -1;

    if (!r)
        return -1;
    snprintf(path, sizeof path, "/staff/api/v1/submissions/%s", env.visit.id);
    if (sc_request(&env.staff, "GET", path, NULL, env.admin.cookie, NULL, r) == 200)
        j = json_loads(r->body, 0, NULL);
    refs = json_object_get(j, "referrals");
    first = json_array_get(refs, 0);
    if (!first)
        first = json_array_get(json_object_get(j, "resources"), 0);
    if (json_string_value(json_object_get(first, "service_id")) &&
        json_string_value(json_object_get(first, "domain"))) {
        snprintf(service_id, sizeof service_id, "%s",
                 json_string_value(json_object_get(first, "service_id")));
        snprintf(domain_name, sizeof domain_name, "%s",
                 json_string_value(json_object_get(first, "domain")));
        rc = 0;
    } else {
        fprintf(stderr, "no referral in %.500s\n", r->body);
    }
    json_decref(j);
    free(r);
    return rc;
}

static int setup(void **ctx)
{
    (void)ctx;
    if (sec_start(&env, NULL) != 0 || find_referral_target() != 0) {
        sec_stop(&env);
        return -1;
    }
    return 0;
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
        cmocka_unit_test(every_parameter_of_every_route_refuses_sql),
        cmocka_unit_test(free_text_is_stored_verbatim),
        cmocka_unit_test(crlf_never_reaches_a_header),
        cmocka_unit_test(crlf_in_the_login_sets_no_header),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
