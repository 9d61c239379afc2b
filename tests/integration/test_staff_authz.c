/*
 * The staff console's authorization matrix: every console route, asked by
 * every kind of caller, gets the right status, and a refused request
 * changes nothing.  Callers: nobody (no cookie), a viewer, a navigator and
 * an admin with their CSRF token, the navigator and the admin without it,
 * a session that went idle, and the kiosk listener (which must not know
 * the route at all).  "Nothing changed" is checked on a fingerprint of
 * every table a console route can write, taken before and after each
 * refused request (sessions aside: asking with an idle session ends it,
 * which is the point).
 *
 * The table below is the contract: a new route is added here with the
 * least role that may use it and whether it changes state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "staff_client.h"

#define PW "correct horse battery"

typedef enum { ROLE_VIEWER, ROLE_NAVIGATOR, ROLE_ADMIN } role;

typedef struct {
    const char *method;
    const char *path; /* {id} and {sid}: a submission and one of its services */
    role least;       /* the least role allowed */
    int changes;      /* needs the CSRF token */
    const char *body; /* JSON for a POST, {domain} and {sid} filled in */
} route;

static const route routes[] = {
    {"GET", "/staff/api/v1/me", ROLE_VIEWER, 0, NULL},
    {"GET", "/staff/api/v1/audit?limit=5", ROLE_ADMIN, 0, NULL},
    {"GET", "/staff/api/v1/submissions", ROLE_VIEWER, 0, NULL},
    {"GET", "/staff/api/v1/submissions/{id}", ROLE_VIEWER, 0, NULL},
    {"POST", "/staff/api/v1/submissions/{id}/referrals", ROLE_NAVIGATOR, 1,
     "{\"domain\":\"{domain}\",\"service_id\":\"{sid}\",\"status\":\"referred\","
     "\"note\":\"called together\"}"},
    {"POST", "/staff/api/v1/submissions/{id}/reprint", ROLE_NAVIGATOR, 1, NULL},
    {"GET", "/staff/api/v1/follow-up", ROLE_VIEWER, 0, NULL},
    {"GET", "/staff/api/v1/staff", ROLE_VIEWER, 0, NULL},
    {"GET", "/staff/api/v1/resources?q=food", ROLE_VIEWER, 0, NULL},
    {"GET", "/staff/api/v1/resources/{sid}", ROLE_VIEWER, 0, NULL},
    {"POST", "/staff/api/v1/resources/{sid}", ROLE_NAVIGATOR, 1,
     "{\"notes\":\"checked by phone\"}"},
    {"POST", "/staff/api/v1/resources/{sid}/verify", ROLE_NAVIGATOR, 1, NULL},
    {"GET", "/staff/api/v1/reports", ROLE_VIEWER, 0, NULL},
    {"GET", "/staff/api/v1/export/submissions.csv", ROLE_NAVIGATOR, 0, NULL},
    {"GET", "/staff/api/v1/export/submissions.csv?phones=1", ROLE_ADMIN, 0, NULL},
    {"GET", "/staff/api/v1/export/referrals.csv", ROLE_NAVIGATOR, 0, NULL},
    {"GET", "/staff/api/v1/export/fhir?id={id}", ROLE_NAVIGATOR, 0, NULL},
    {"GET", "/staff/api/v1/export/audit.csv", ROLE_ADMIN, 0, NULL},
};

/* Everything a console route can write, as one string. */
static const char fingerprint_sql[] =
    "SELECT (SELECT count(*) FROM referrals) || '/' ||"
    " (SELECT count(*) FROM referral_events) || '/' ||"
    " (SELECT coalesce(group_concat(service_id || notes || verified_on || updated_at), '')"
    "  FROM service_curation) || '/' ||"
    " (SELECT count(*) FROM print_jobs) || '/' ||"
    " (SELECT group_concat(username || role || disabled || pw_hash) FROM staff_users)";

static itest_daemon *d;
static char state[ITEST_PATH], conf[ITEST_PATH + 32];
static sc_target staff;
static sc_session who[3], expired;
static char sub_id[40], service_id[128], domain[64];

/* ---- set-up ------------------------------------------------------ */

static void write_config(void)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
             "[directory]\nimport = %s/data/demo-directory\n"
             "[printer]\ntransport = file\npath = %s/receipts.bin\n"
             "[sms]\ngateway = none\n",
             SOURCE_DIR, state);
    assert_int_equal(itest_write_file(state, "signpost.conf", text, conf, sizeof conf), 0);
}

/* A visit with food and housing needs that wants help; keeps its first
 * resource for the routes that name one. */
static void new_visit(void)
{
    sc_visit v;
    json_t *j = sc_new_visit(d, SC_VISIT_NEEDS_HELP, &v), *first;

    assert_non_null(j);
    first = json_array_get(json_object_get(j, "resources"), 0);
    assert_non_null(first);
    snprintf(sub_id, sizeof sub_id, "%s", v.id);
    snprintf(service_id, sizeof service_id, "%s",
             json_string_value(json_object_get(first, "service_id")));
    snprintf(domain, sizeof domain, "%s", json_string_value(json_object_get(first, "domain")));
    json_decref(j);
}

static void add_user(const char *name, const char *r)
{
    assert_int_equal(sc_user(state, conf, PW "\n", NULL, 0, "add", name, "--role", r), 0);
}

static void login(const char *name, sc_session *s)
{
    static sc_resp r;
    assert_int_equal(sc_login(&staff, name, PW, NULL, s, &r), 200);
}

/* A fresh admin session, then sixteen minutes without a request
 * ([staff] session_idle_min = 15): the first request with it ends it. */
static void idle_session(sc_session *s)
{
    char sql[256];

    login("idle", s);
    snprintf(sql, sizeof sql,
             "UPDATE staff_sessions SET last_seen_at = last_seen_at - 960 WHERE user_id ="
             " (SELECT id FROM staff_users WHERE username = 'idle')");
    assert_int_equal(sc_db_exec(d, sql, NULL, 0), 0);
}

static int setup(void **ctx)
{
    (void)ctx;

    assert_int_equal(itest_init(), 0);
    assert_int_equal(itest_mkdtemp(state, sizeof state), 0);
    write_config();
    assert_non_null(d = sc_start(conf, state, &staff.port));
    add_user("vic", "viewer");
    add_user("nat", "navigator");
    add_user("ada", "admin");
    add_user("idle", "admin");
    login("vic", &who[ROLE_VIEWER]);
    login("nat", &who[ROLE_NAVIGATOR]);
    login("ada", &who[ROLE_ADMIN]);
    new_visit();
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    sc_stop(d, state);
    return 0;
}

/* ---- the matrix -------------------------------------------------- */

/* Copies tmpl into out with {id}, {sid} and {domain} filled in. */
static void fill(const char *tmpl, char *out, size_t outlen)
{
    static const char *const keys[] = {"{id}", "{sid}", "{domain}"};
    const char *vals[] = {sub_id, service_id, domain};
    size_t w = 0;

    while (*tmpl && w + 1 < outlen) {
        size_t k = 0;
        while (k < 3 && strncmp(tmpl, keys[k], strlen(keys[k])))
            k++;
        if (k < 3) {
            w += (size_t)snprintf(out + w, outlen - w, "%s", vals[k]);
            tmpl += strlen(keys[k]);
        } else {
            out[w++] = *tmpl++;
        }
    }
    out[w < outlen ? w : outlen - 1] = '\0';
}

static void fingerprint(char *out, size_t outlen)
{
    assert_int_equal(itest_db_text(d, fingerprint_sql, NULL, out, outlen), 0);
}

/* Asks rt as one caller; a status other than want fails the test, and a
 * refused request (want >= 400) must leave the fingerprint unchanged. */
static void ask(const route *rt, const char *caller, const sc_session *s, int csrf,
                int kiosk, long want)
{
    char path[512], body[512], before[4096], after[4096];
    static sc_resp r;
    long got;

    fill(rt->path, path, sizeof path);
    if (rt->body)
        fill(rt->body, body, sizeof body);
    fingerprint(before, sizeof before);
    if (kiosk) {
        sc_target k = {d->port, NULL};
        got = sc_request(&k, rt->method, path, rt->body ? body : NULL, NULL, NULL, &r);
    } else {
        got = sc_request(&staff, rt->method, path, rt->body ? body : NULL,
                         s ? s->cookie : NULL, s && csrf ? s->csrf : NULL, &r);
    }
    if (want >= 400 ? got != want : (got < 200 || got > 299)) {
        print_error("%s %s as %s: %ld, expected %s%ld\n%.400s\n", rt->method, path, caller,
                    got, want >= 400 ? "" : "2xx like ", want, r.body);
        fail();
    }
    if (want >= 400) {
        fingerprint(after, sizeof after);
        if (strcmp(before, after)) {
            print_error("%s %s as %s was refused but changed the store\n", rt->method, path,
                        caller);
            fail();
        }
    }
}

static void every_route_by_every_caller(void **ctx)
{
    static const char *const names[] = {"viewer", "navigator", "admin"};
    (void)ctx;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *rt = &routes[i];
        ask(rt, "nobody", NULL, 0, 0, 401);
        idle_session(&expired);
        ask(rt, "an idle session", &expired, 1, 0, 401);
        ask(rt, "the kiosk listener", NULL, 0, 1, 404);
        for (int w = ROLE_VIEWER; w <= ROLE_ADMIN; w++) {
            if (rt->changes && w >= (int)rt->least)
                ask(rt, "a session without its CSRF token", &who[w], 0, 0, 403);
            ask(rt, names[w], &who[w], 1, 0, w >= (int)rt->least ? 200 : 403);
        }
    }
}

/* Logout is last: it ends the session it is asked with. */
static void logout_needs_a_session_and_its_token(void **ctx)
{
    static const route out = {"POST", "/staff/api/v1/logout", ROLE_VIEWER, 1, NULL};
    (void)ctx;

    ask(&out, "nobody", NULL, 0, 0, 401);
    ask(&out, "the kiosk listener", NULL, 0, 1, 404);
    ask(&out, "a session without its CSRF token", &who[ROLE_VIEWER], 0, 0, 403);
    ask(&out, "viewer", &who[ROLE_VIEWER], 1, 0, 204);
    ask(&out, "a session that logged out", &who[ROLE_VIEWER], 1, 0, 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_by_every_caller),
        cmocka_unit_test(logout_needs_a_session_and_its_token),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
