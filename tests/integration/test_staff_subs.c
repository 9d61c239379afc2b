/*
 * The staff console's submissions, referrals and follow-up end to end: the
 * real daemon with the bundled demo directory, a file printer, the Twilio
 * adapter pointed at the fake gateway, and its staff listener on loopback
 * (plain http, [staff] tls = off).  Patients' screenings go in through the
 * kiosk API; staff accounts are made with `signpost user add`; navigators
 * and a viewer log in and work the queue.  Checked from what a user sees
 * and what is stored: the queue's order, filters and pages, one submission
 * in both languages (a skipped answer, names from the directory, never the
 * patient's number), a referral moved suggested -> referred -> connected
 * with its notes and history, refusals (role, CSRF, bad fields) that store
 * nothing, audit rows, reprinting, the follow-up lists, and a patient's
 * "1" by text closing the loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <sqlite3.h>

#include "fake_gateway.h"
#include "harness.h"
#include "signpost/sms_gateway.h"
#include "staff_client.h"

#ifndef SIGNPOST_BIN
#error "SIGNPOST_BIN must name the daemon binary"
#endif

#define PW "correct horse battery"
#define SID "AC0123456789abcdef0123456789abcdef"
#define TOKEN "test-auth-token-0123456789"
#define PUBLIC_URL "https://kiosk.example.org"
#define API "/staff/api/v1"
#define PHONE "2175550142"
#define PHONE_E164 "+12175550142"

static fake_gw *fake;
static itest_daemon *d;
static char state[ITEST_PATH], conf[ITEST_PATH + 32];
static int staff_port;

/* ---- the staff client (staff_client.h), aimed at this daemon ------------- */

typedef sc_session session;

static sc_resp last; /* the latest answer; tests read it right after asking */

static void add_user(const char *name, const char *role)
{
    assert_int_equal(sc_user(state, conf, PW "\n", NULL, 0, "add", name, "--role", role),
                     0);
}

/* One request; with s, its cookie, and with csrf its token too. */
static long call(const char *method, const char *path, const char *json, const session *s,
                 int csrf)
{
    sc_target t = {staff_port, NULL};

    sc_request(&t, method, path, json, s ? s->cookie : NULL, s && csrf ? s->csrf : NULL,
               &last);
    if (last.truncated)
        fail_msg("%s %s: the answer outgrew SC_BODY_MAX", method, path);
    return last.status;
}

/* GET path as s; asserts 200 and returns the answer (caller decrefs). */
static json_t *get_ok(const char *path, const session *s)
{
    json_t *j;
    if (call("GET", path, NULL, s, 0) != 200)
        print_error("GET %s answered %ld: %s\n", path, last.status, last.body);
    assert_int_equal(last.status, 200);
    j = json_loads(last.body, 0, NULL);
    assert_non_null(j);
    return j;
}

/* The field an error answer names ("" when none). */
static const char *error_field(void)
{
    static char field[64];
    json_t *j = json_loads(last.body, 0, NULL);
    const char *f =
        json_string_value(json_object_get(json_object_get(j, "error"), "field"));
    snprintf(field, sizeof field, "%s", f ? f : "");
    json_decref(j);
    return field;
}

static void login(const char *name, session *s)
{
    sc_target t = {staff_port, NULL};
    assert_int_equal(sc_login(&t, name, PW, NULL, s, &last), 200);
}

/* ---- the database ------------------------------------------------------------ */

static long long db_int(const char *sql, const char *arg)
{
    long long v = -1;
    if (itest_db_int(d, sql, arg, &v) != 0)
        print_error("no value for %s [%s]\n", sql, arg ? arg : "");
    return v;
}

static void db_exec(const char *sql)
{
    char msg[256];
    if (sc_db_exec(d, sql, msg, sizeof msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static int wait_db(const char *sql, const char *arg, long long want, int ms)
{
    long long v = -1;
    for (int waited = 0; waited <= ms; waited += 100) {
        if (itest_db_int(d, sql, arg, &v) == 0 && v == want)
            return 1;
        usleep(100 * 1000);
    }
    print_error("waited %d ms for [%s] = %lld, last %lld\n", ms, sql, want, v);
    return 0;
}

/* ---- dates in the clinic's zone -------------------------------------------------- */

/* The local date `days` from today as YYYY-MM-DD (the test runs in the
 * clinic's zone, set in setup). */
static void local_day(int days, char out[11])
{
    time_t t = time(NULL);
    struct tm tm;

    localtime_r(&t, &tm);
    tm.tm_mday += days;
    tm.tm_hour = 12; /* noon: clear of any DST change */
    tm.tm_isdst = -1;
    t = mktime(&tm);
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- set-up --------------------------------------------------------------------- */

static void write_config(void)
{
    char text[2048], tok[ITEST_PATH + 32];

    assert_int_equal(itest_write_file(state, "twilio.token", TOKEN "\n", tok, sizeof tok),
                     0);
    snprintf(text, sizeof text,
             "[clinic]\nname = Riverton Community Clinic\nphone = (217) 555-0100\n"
             "timezone = America/Chicago\n"
             "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
             "[printer]\ntransport = file\npath = %s/receipts.bin\n"
             "[directory]\nimport = " SOURCE_DIR "/data/demo-directory\n"
             "[sms]\ngateway = twilio\nfrom = +12175550100\nreminders = 1s,7d\n"
             "quiet_hours = 00:00-24:00\nmax_per_day = 10\nmax_per_week = 30\n"
             "public_url = " PUBLIC_URL "\n"
             "[sms.twilio]\naccount_sid = " SID "\nauth_token_file = %s\nbase_url = %s\n",
             state, tok, fgw_url(fake));
    assert_int_equal(itest_write_file(state, "signpost.conf", text, conf, sizeof conf),
                     0);
}

static int setup(void **ctx)
{
    (void)ctx;
    setenv("TZ", "America/Chicago", 1);
    tzset();
    assert_int_equal(itest_init(), 0);
    fake = fgw_start();
    assert_non_null(fake);
    assert_int_equal(itest_mkdtemp(state, sizeof state), 0);
    write_config();
    assert_non_null(d = sc_start(conf, state, &staff_port));
    add_user("nina", "navigator");
    add_user("omar", "navigator");
    add_user("vic", "viewer");
    add_user("old", "navigator");
    assert_int_equal(sc_user(state, conf, NULL, NULL, 0, "disable", "old", NULL, NULL),
                     0);
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    sc_stop(d, state); /* the daemon first, so it never calls a stopped fake */
    fgw_stop(fake);
    return 0;
}

/* ---- the patients ------------------------------------------------------------------ */

typedef sc_visit visit;

/* S1: housing and food needs, wants help with both, safety skipped (en).
 * S2: food only, does not want help, in Spanish.  S3: nothing positive,
 * two days ago. */
static visit s1, s2, s3;

static void post_visit(const char *body, visit *v)
{
    json_t *j = sc_new_visit(d, body, v);

    assert_non_null(j);
    json_decref(j);
}

static void kiosk_post(const visit *v, const char *what, const char *json, long want)
{
    char path[128];
    itest_resp r;

    snprintf(path, sizeof path, "/api/v1/screenings/%s/%s", v->id, what);
    assert_int_equal(itest_post_json(d, path, json, v->token, &r), 0);
    if (r.status != want)
        print_error("POST %s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, want);
    itest_resp_free(&r);
}

static void patients_visit(void)
{
    char sql[256];

    post_visit(
        "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31994-9\","
        "\"96778-6\":[\"LA9-3\"],\"88122-7\":\"LA28397-0\",\"88123-5\":\"LA28398-8\","
        "\"93030-5\":\"LA32-8\",\"96779-4\":\"LA32-8\"},\"wants_help\":true}",
        &s1);
    post_visit(
        "{\"language\":\"es\",\"answers\":{\"71802-3\":\"LA31993-1\","
        "\"96778-6\":[\"LA9-3\"],\"88122-7\":\"LA28397-0\",\"88123-5\":\"LA28398-8\","
        "\"93030-5\":\"LA32-8\",\"96779-4\":\"LA32-8\",\"95618-5\":\"LA6270-8\","
        "\"95617-7\":\"LA6270-8\",\"95616-9\":\"LA6270-8\",\"95615-1\":\"LA6270-8\"},"
        "\"wants_help\":false}",
        &s2);
    post_visit(
        "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31993-1\","
        "\"96778-6\":[\"LA9-3\"],\"88122-7\":\"LA28398-8\",\"88123-5\":\"LA28398-8\","
        "\"93030-5\":\"LA32-8\",\"96779-4\":\"LA32-8\"}}",
        &s3);
    snprintf(
        sql, sizeof sql,
        "UPDATE screenings SET created_at = strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now',"
        " '-2 days') WHERE id = '%s'",
        s3.id);
    db_exec(sql);
    kiosk_post(&s1, "receipt", "{}", 202);
    kiosk_post(&s1, "sms",
               "{\"phone\":\"" PHONE
               "\",\"consent\":true,\"consent_version\":\"2026-11-29.1\","
               "\"language\":\"en\",\"reminders\":true,\"send_list\":false}",
               201);
}

/* ---- tests ----------------------------------------------------------------------------
 */

static const char *item_id(json_t *list, size_t i)
{
    return json_string_value(json_object_get(json_array_get(list, i), "id"));
}

static void queue_order_and_filters(void **ctx)
{
    char path[256], next[128], day[11];
    session v;
    json_t *j, *items, *first;
    (void)ctx;

    patients_visit();
    login("vic", &v);
    j = get_ok(API "/submissions", &v);
    items = json_object_get(j, "submissions");
    assert_int_equal(json_array_size(items), 3);
    /* Today first, wanting help first; S3 is two days old. */
    assert_string_equal(item_id(items, 0), s1.id);
    assert_string_equal(item_id(items, 1), s2.id);
    assert_string_equal(item_id(items, 2), s3.id);
    assert_true(json_is_null(json_object_get(j, "next")));
    first = json_array_get(items, 0);
    assert_true(json_is_true(json_object_get(first, "wants_help")));
    assert_string_equal(json_string_value(json_object_get(first, "status")), "new");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(first, "positive_domains"), 0)),
        "housing_instability");
    assert_int_equal(json_array_size(json_object_get(first, "help_domains")), 2);
    assert_string_not_equal(json_string_value(json_object_get(first, "receipt")), "none");
    /* The 7-day check-in waits whatever happened to the first. */
    assert_true(json_integer_value(
                    json_object_get(json_object_get(first, "texts"), "scheduled")) >= 1);
    assert_true(json_is_false(json_object_get(json_array_get(items, 1), "wants_help")));
    assert_true(json_is_null(json_object_get(json_array_get(items, 2), "wants_help")));
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 2), "receipt")), "none");
    json_decref(j);

    /* Pages of one, following "next". */
    assert_int_equal(call("GET", API "/submissions?limit=1", NULL, &v, 0), 200);
    j = json_loads(last.body, 0, NULL);
    assert_string_equal(item_id(json_object_get(j, "submissions"), 0), s1.id);
    snprintf(next, sizeof next, "%s", json_string_value(json_object_get(j, "next")));
    json_decref(j);
    snprintf(path, sizeof path, API "/submissions?limit=1&before=%s", next);
    j = get_ok(path, &v);
    assert_string_equal(item_id(json_object_get(j, "submissions"), 0), s2.id);
    snprintf(next, sizeof next, "%s", json_string_value(json_object_get(j, "next")));
    json_decref(j);
    snprintf(path, sizeof path, API "/submissions?limit=1&before=%s", next);
    j = get_ok(path, &v);
    assert_string_equal(item_id(json_object_get(j, "submissions"), 0), s3.id);
    assert_true(json_is_null(json_object_get(j, "next")));
    json_decref(j);

    /* Filters. */
    j = get_ok(API "/submissions?need=housing_instability", &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 1);
    assert_string_equal(item_id(json_object_get(j, "submissions"), 0), s1.id);
    json_decref(j);
    local_day(-2, day);
    snprintf(path, sizeof path, API "/submissions?from=%s&to=%s", day, day);
    j = get_ok(path, &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 1);
    assert_string_equal(item_id(json_object_get(j, "submissions"), 0), s3.id);
    json_decref(j);
    j = get_ok(API "/submissions?status=closed", &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 0);
    json_decref(j);
    j = get_ok(API "/submissions?status=new&assigned=none", &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 3);
    json_decref(j);
    j = get_ok(API "/submissions?assigned=omar", &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 0);
    json_decref(j);

    /* Bad filters name the field. */
    static const char *const bad[][2] = {
        {"from=2026-02-30", "from"},
        {"to=yesterday", "to"},
        {"from=2026-12-02&to=2026-12-01", "from"},
        {"need=money", "need"},
        {"status=done", "status"},
        {"assigned=nobody-here", "assigned"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"before=20261129-1-x", "before"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, API "/submissions?%s", bad[i][0]);
        assert_int_equal(call("GET", path, NULL, &v, 0), 400);
        assert_string_equal(error_field(), bad[i][1]);
    }
    assert_int_equal(call("GET", API "/submissions", NULL, NULL, 0), 401);
    assert_int_equal(call("POST", API "/submissions", "{}", &v, 1), 405);
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'submission.list'"
                       " AND username = ?1",
                       "vic") >= 5);
}

/* The answer entry for item code (the first, for a multi item). */
static json_t *answer_for(json_t *detail, const char *code)
{
    json_t *a;
    size_t i;
    json_array_foreach(
        json_object_get(detail, "answers"), i,
        a) if (!strcmp(json_string_value(json_object_get(a, "code")), code)) return a;
    fail_msg("no answer for %s", code);
    return NULL;
}

static const char *text_of(json_t *o, const char *part, const char *who)
{
    return json_string_value(json_object_get(json_object_get(o, part), who));
}

static void detail_in_both_languages(void **ctx)
{
    char path[256];
    session v;
    json_t *j, *a, *ref;
    size_t i;
    long long views =
        db_int("SELECT count(*) FROM audit_log WHERE action = 'submission.view'"
               " AND target = ?1",
               s2.id);
    (void)ctx;

    login("vic", &v);
    snprintf(path, sizeof path, API "/submissions/%s?lang=en", s2.id);
    j = get_ok(path, &v);
    assert_string_equal(json_string_value(json_object_get(j, "language")), "es");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "instrument"), "id")),
        "ahc-hrsn-core");
    assert_int_equal(json_integer_value(json_object_get(j, "safety_score")), 4);
    assert_true(json_is_true(json_object_get(j, "safety_complete")));
    a = answer_for(j, "71802-3");
    assert_string_equal(text_of(a, "question", "staff"),
                        "What is your living situation today?");
    assert_string_equal(text_of(a, "question", "patient"),
                        "¿Cuál es su situación de vivienda hoy?");
    assert_string_equal(text_of(a, "answer", "staff"), "I have a steady place to live");
    assert_string_equal(text_of(a, "answer", "patient"),
                        "Tengo un lugar estable donde vivir");
    assert_true(json_is_false(json_object_get(a, "skipped")));
    /* The food domain is positive; every resource is a suggested referral. */
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(j, "positive_domains"), 0)),
        "food");
    assert_true(json_array_size(json_object_get(j, "referrals")) >= 1);
    json_array_foreach(json_object_get(j, "referrals"), i, ref)
    {
        assert_string_equal(json_string_value(json_object_get(ref, "domain")), "food");
        assert_string_equal(json_string_value(json_object_get(ref, "status")),
                            "suggested");
        assert_non_null(json_string_value(json_object_get(ref, "name")));
        assert_int_equal(json_integer_value(json_object_get(ref, "rank")),
                         (json_int_t)i + 1);
        assert_int_equal(json_array_size(json_object_get(ref, "events")), 0);
    }
    assert_true(json_is_null(json_object_get(json_object_get(j, "sms"), "consent")));
    json_decref(j);

    /* The staff member's language switches; the patient's stays. */
    snprintf(path, sizeof path, API "/submissions/%s?lang=es", s2.id);
    j = get_ok(path, &v);
    a = answer_for(j, "71802-3");
    assert_string_equal(text_of(a, "question", "staff"),
                        "¿Cuál es su situación de vivienda hoy?");
    json_decref(j);
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'submission.view'"
               " AND target = ?1 AND username = 'vic'",
               s2.id),
        views + 2);

    /* S1 skipped the safety items; it gave its consent, but no number shows. */
    snprintf(path, sizeof path, API "/submissions/%s", s1.id);
    j = get_ok(path, &v);
    a = answer_for(j, "95618-5");
    assert_true(json_is_true(json_object_get(a, "skipped")));
    assert_true(json_is_null(json_object_get(a, "answer")));
    assert_non_null(text_of(a, "question", "patient"));
    assert_true(json_is_null(json_object_get(j, "safety_score")));
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(j, "sms"), "consent"), "version")),
        "2026-11-29.1");
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "sms"), "texts")),
                     2);
    assert_true(json_array_size(json_object_get(j, "prints")) == 1);
    assert_null(strstr(last.body, "555-0142"));
    assert_null(strstr(last.body, "5550142"));
    json_decref(j);

    snprintf(path, sizeof path, API "/submissions/%s?lang=fr", s1.id);
    assert_int_equal(call("GET", path, NULL, &v, 0), 400);
    assert_string_equal(error_field(), "lang");
    assert_int_equal(
        call("GET", API "/submissions/0123456789abcdef0123456789abcdef", NULL, &v, 0),
        404);
    assert_int_equal(call("GET", API "/submissions/not-an-id", NULL, &v, 0), 404);
    assert_int_equal(call("GET", API "/referrals", NULL, &v, 0), 404);
}

/* The first referral of S1 for domain, as GET shows it (caller decrefs). */
static json_t *referral_of(const char *id, const char *domain, int nth)
{
    char path[256];
    session v;
    json_t *j, *r, *found = NULL;
    size_t i;

    login("vic", &v);
    snprintf(path, sizeof path, API "/submissions/%s", id);
    j = get_ok(path, &v);
    json_array_foreach(
        json_object_get(j, "referrals"), i,
        r) if (!strcmp(json_string_value(json_object_get(r, "domain")), domain) &&
               nth-- == 0) found = json_incref(r);
    json_decref(j);
    assert_non_null(found);
    return found;
}

static long post_referral(const session *s, const char *id, const char *json, int csrf)
{
    char path[256];
    snprintf(path, sizeof path, API "/submissions/%s/referrals", id);
    return call("POST", path, json, s, csrf);
}

static void a_referral_moves_to_connected(void **ctx)
{
    char json[4096], service[80], note[2100];
    session nav, v;
    json_t *r, *ev;
    long long events = db_int("SELECT count(*) FROM referral_events", NULL);
    (void)ctx;

    login("nina", &nav);
    login("vic", &v);
    r = referral_of(s1.id, "food", 0);
    snprintf(service, sizeof service, "%s",
             json_string_value(json_object_get(r, "service_id")));
    json_decref(r);

    /* Refused: a viewer, no CSRF token, bad fields.  Nothing is stored. */
    snprintf(json, sizeof json,
             "{\"domain\":\"food\",\"service_id\":\"%s\",\"status\":\"referred\"}",
             service);
    assert_int_equal(post_referral(&v, s1.id, json, 1), 403);
    assert_int_equal(post_referral(&nav, s1.id, json, 0), 403);
    static const char *const bad[][3] = {
        {"{\"domain\":\"food\",\"service_id\":\"%s\",\"colour\":1}", "400", "colour"},
        {"{\"service_id\":\"%s\",\"status\":\"referred\"}", "400", "domain"},
        {"{\"domain\":\"food\",\"service_id\":\"%s\",\"status\":\"done\"}", "422",
         "status"},
        {"{\"domain\":\"food\",\"service_id\":\"%s\",\"status\":7}", "400", "status"},
        {"{\"domain\":\"food\",\"service_id\":\"%s\",\"assigned_to\":\"old\"}", "422",
         "assigned_to"},
        {"{\"domain\":\"food\",\"service_id\":\"%s\",\"assigned_to\":\"nobody\"}", "422",
         "assigned_to"},
        {"{\"domain\":\"food\",\"service_id\":\"%s\",\"next_follow_up\":\"2026-02-30\"}",
         "422", "next_follow_up"},
        {"{\"domain\":\"utilities\",\"service_id\":\"%s\",\"status\":\"referred\"}",
         "422", "service_id"},
        {"{\"domain\":\"food\",\"service_id\":\"%s\"}", "422", "status"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *at = strstr(bad[i][0], "%s"); /* where the service id goes */
        snprintf(json, sizeof json, "%.*s%s%s", (int)(at - bad[i][0]), bad[i][0], service,
                 at + 2);
        assert_int_equal(post_referral(&nav, s1.id, json, 1),
                         strtol(bad[i][1], NULL, 10));
        assert_string_equal(error_field(), bad[i][2]);
    }
    memset(note, 'n', 2001);
    note[2001] = '\0';
    snprintf(json, sizeof json,
             "{\"domain\":\"food\",\"service_id\":\"%s\",\"note\":\"%s\"}", service,
             note);
    assert_int_equal(post_referral(&nav, s1.id, json, 1), 422);
    assert_string_equal(error_field(), "note");
    assert_int_equal(
        post_referral(
            &nav, "0123456789abcdef0123456789abcdef",
            "{\"domain\":\"food\",\"service_id\":\"x\",\"status\":\"referred\"}", 1),
        404);
    assert_int_equal(db_int("SELECT count(*) FROM referral_events", NULL), events);
    assert_int_equal(
        db_int("SELECT count(*) FROM referrals WHERE screening_id = ?1", s1.id), 0);

    /* suggested -> referred (assigned to omar) -> contacted -> connected. */
    snprintf(json, sizeof json,
             "{\"domain\":\"food\",\"service_id\":\"%s\",\"status\":\"referred\","
             "\"assigned_to\":\"omar\",\"note\":\"Called the pantry; they expect her "
             "Tuesday\"}",
             service);
    assert_int_equal(post_referral(&nav, s1.id, json, 1), 200);
    r = json_loads(last.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "status")), "referred");
    assert_string_equal(json_string_value(json_object_get(r, "assigned_to")), "omar");
    assert_string_equal(json_string_value(json_object_get(r, "updated_by")), "nina");
    assert_non_null(json_string_value(json_object_get(r, "name")));
    assert_int_equal(json_array_size(json_object_get(r, "events")), 1);
    json_decref(r);
    snprintf(json, sizeof json,
             "{\"domain\":\"food\",\"service_id\":\"%s\",\"status\":\"contacted\"}",
             service);
    assert_int_equal(post_referral(&nav, s1.id, json, 1), 200);
    snprintf(json, sizeof json,
             "{\"domain\":\"food\",\"service_id\":\"%s\",\"status\":\"connected\","
             "\"note\":\"She got a food box \\u2713\"}",
             service);
    assert_int_equal(post_referral(&nav, s1.id, json, 1), 200);

    r = referral_of(s1.id, "food", 0);
    assert_string_equal(json_string_value(json_object_get(r, "status")), "connected");
    assert_string_equal(json_string_value(json_object_get(r, "assigned_to")), "omar");
    assert_int_equal(json_array_size(json_object_get(r, "events")), 3);
    ev = json_array_get(json_object_get(r, "events"), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "status")), "referred");
    assert_string_equal(json_string_value(json_object_get(ev, "source")), "staff");
    assert_string_equal(json_string_value(json_object_get(ev, "username")), "nina");
    assert_string_equal(json_string_value(json_object_get(ev, "note")),
                        "Called the pantry; they expect her Tuesday");
    ev = json_array_get(json_object_get(r, "events"), 2);
    assert_string_equal(json_string_value(json_object_get(ev, "note")),
                        "She got a food box ✓");
    json_decref(r);

    /* One audit row per change, and no note text in it. */
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'referral.update'"
               " AND target = ?1 AND username = 'nina'",
               s1.id),
        3);
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE instr(detail, 'pantry;') > 0"
               " OR instr(detail, 'food box') > 0",
               NULL),
        0);
    assert_false(itest_log_contains(d, "food box"));
    /* The viewer's refusal was recorded as denied. */
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'denied'"
                       " AND username = ?1",
                       "vic") >= 1);

    /* The queue now calls S1 open and assigned to omar, for omar "me". */
    login("vic", &v);
    json_t *j = get_ok(API "/submissions?assigned=omar", &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(j, "submissions"), 0), "status")),
        "open");
    json_decref(j);
    session omar;
    login("omar", &omar);
    j = get_ok(API "/submissions?assigned=me", &omar);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 1);
    assert_string_equal(item_id(json_object_get(j, "submissions"), 0), s1.id);
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_array_get(json_object_get(j, "submissions"), 0),
                            "assigned"),
            0)),
        "omar");
    json_decref(j);
    j = get_ok(API "/submissions?assigned=me", &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 0);
    json_decref(j);
}

static void follow_up_lists(void **ctx)
{
    char json[512], service[80], yesterday[11], today[11];
    session nav, v;
    json_t *r, *j, *due, *over;
    (void)ctx;

    login("nina", &nav);
    login("vic", &v);
    local_day(-1, yesterday);
    local_day(0, today);
    r = referral_of(s1.id, "housing_instability", 0);
    snprintf(service, sizeof service, "%s",
             json_string_value(json_object_get(r, "service_id")));
    json_decref(r);
    snprintf(json, sizeof json,
             "{\"domain\":\"housing_instability\",\"service_id\":\"%s\",\"status\":"
             "\"referred\","
             "\"next_follow_up\":\"%s\"}",
             service, yesterday);
    assert_int_equal(post_referral(&nav, s1.id, json, 1), 200);
    r = referral_of(s2.id, "food", 0);
    snprintf(service, sizeof service, "%s",
             json_string_value(json_object_get(r, "service_id")));
    json_decref(r);
    snprintf(json, sizeof json,
             "{\"domain\":\"food\",\"service_id\":\"%s\",\"assigned_to\":\"nina\","
             "\"next_follow_up\":\"%s\"}",
             service, today);
    assert_int_equal(post_referral(&nav, s2.id, json, 1), 200);

    j = get_ok(API "/follow-up", &v);
    assert_string_equal(json_string_value(json_object_get(j, "today")), today);
    due = json_object_get(j, "due_today");
    over = json_object_get(j, "overdue");
    assert_int_equal(json_array_size(due), 1);
    assert_int_equal(json_array_size(over), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(due, 0), "submission_id")),
        s2.id);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(due, 0), "status")),
        "suggested");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(due, 0), "assigned_to")),
        "nina");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(over, 0), "submission_id")),
        s1.id);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(over, 0), "next_follow_up")),
        yesterday);
    assert_non_null(json_string_value(json_object_get(json_array_get(over, 0), "name")));
    assert_int_equal(json_array_size(json_object_get(j, "no_answer")), 0);
    json_decref(j);

    /* The first check-in went out; pretend it was three days ago. */
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND kind = 'reminder' AND state IN ('sent', 'delivered')",
                        s1.id, 1, 15000));
    db_exec("UPDATE sms_outbox SET sent_at = sent_at - 3 * 86400"
            " WHERE kind = 'reminder' AND state IN ('sent', 'delivered')");
    j = get_ok(API "/follow-up", &v);
    assert_int_equal(json_array_size(json_object_get(j, "no_answer")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(j, "no_answer"), 0), "submission_id")),
        s1.id);
    json_decref(j);
    assert_int_equal(call("GET", API "/follow-up?limit=500", NULL, &v, 0), 400);
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'followup.view'",
                       NULL) >= 2);
}

/* ---- the patient's text
 * ----------------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* A signed Twilio inbound webhook to the staff listener; its status. */
static long text_reply(const char *from, const char *text, const char *sid)
{
    gw_param p[] = {{"AccountSid", SID}, {"Body", text},    {"From", from},
                    {"MessageSid", sid}, {"NumMedia", "0"}, {"To", "+12175550100"}};
    size_t np = sizeof p / sizeof p[0];
    char url[256], signed_url[256], body[1024] = "", sig[128], header[200];
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    long status = 0;

    for (size_t i = 0; i < np; i++) {
        char *n = curl_easy_escape(c, p[i].name, 0),
             *v = curl_easy_escape(c, p[i].value, 0);
        size_t used = strlen(body);
        snprintf(body + used, sizeof body - used, "%s%s=%s", i ? "&" : "", n, v);
        curl_free(n);
        curl_free(v);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hooks/twilio/inbound", staff_port);
    snprintf(signed_url, sizeof signed_url, PUBLIC_URL "/hooks/twilio/inbound");
    assert_int_equal(gw_twilio_sign(TOKEN, signed_url, p, np, sig, sizeof sig), 0);
    snprintf(header, sizeof header, "X-Twilio-Signature: %s", sig);
    h = curl_slist_append(h, header);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static void a_text_reply_closes_the_loop(void **ctx)
{
    char path[256], sql[512];
    session v;
    json_t *j, *r, *ev;
    size_t i;
    (void)ctx;

    r = referral_of(s1.id, "food", 0);
    snprintf(
        sql, sizeof sql,
        "SELECT count(*) FROM referral_events e JOIN referrals r ON r.id = e.referral_id"
        " WHERE r.screening_id = ?1 AND r.service_id = '%s' AND e.source = 'sms'",
        json_string_value(json_object_get(r, "service_id")));
    json_decref(r);

    assert_int_equal(text_reply(PHONE_E164, "1", "SMsubs000000000000000000000000001"),
                     200);
    assert_int_equal(text_reply(PHONE_E164, "1", "SMsubs000000000000000000000000001"),
                     200);
    login("vic", &v);
    snprintf(path, sizeof path, API "/submissions/%s", s1.id);
    j = get_ok(path, &v);
    /* Every referral of S1 is connected now: the housing one by the text. */
    json_array_foreach(json_object_get(j, "referrals"), i, r)
        assert_string_equal(json_string_value(json_object_get(r, "status")), "connected");
    r = NULL;
    json_array_foreach(json_object_get(j, "referrals"), i,
                       ev) if (!strcmp(json_string_value(json_object_get(ev, "domain")),
                                       "housing_instability")) r = ev;
    assert_non_null(r);
    ev = json_array_get(json_object_get(r, "events"),
                        json_array_size(json_object_get(r, "events")) - 1);
    assert_string_equal(json_string_value(json_object_get(ev, "source")), "sms");
    assert_true(json_is_null(json_object_get(ev, "username")));
    assert_string_equal(json_string_value(json_object_get(ev, "status")), "connected");
    assert_string_equal(json_string_value(json_object_get(ev, "note")),
                        "Patient replied 1 (yes)");
    assert_string_equal(json_string_value(json_object_get(r, "updated_by")), "sms");
    /* The food one staff connected already gets no event from the text. */
    assert_int_equal(db_int(sql, s1.id), 0);
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(j, "sms"), "replies")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(j, "sms"), "replies"), 0),
            "reply")),
        "connected");
    json_decref(j);

    /* In the queue: closed, with the reply counted; no longer unanswered. */
    j = get_ok(API "/submissions?status=closed", &v);
    assert_int_equal(json_array_size(json_object_get(j, "submissions")), 1);
    r = json_array_get(json_object_get(j, "submissions"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "id")), s1.id);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r, "texts"), "replies")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "texts"), "last_reply")),
        "connected");
    json_decref(j);
    j = get_ok(API "/follow-up", &v);
    assert_int_equal(json_array_size(json_object_get(j, "no_answer")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "overdue")), 0);
    json_decref(j);
}

static void reprint_and_the_staff_list(void **ctx)
{
    char path[256];
    session nav, v;
    json_t *j, *u;
    size_t i;
    int seen_old = 0, seen_omar = 0;
    (void)ctx;

    login("nina", &nav);
    login("vic", &v);
    snprintf(path, sizeof path, API "/submissions/%s/reprint", s1.id);
    assert_int_equal(call("POST", path, NULL, &v, 1), 403);
    assert_int_equal(call("POST", path, NULL, &nav, 0), 403);
    assert_int_equal(call("POST", path, NULL, &nav, 1), 202);
    j = json_loads(last.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "queued");
    assert_int_equal(db_int("SELECT count(*) FROM print_jobs WHERE id = ?1",
                            json_string_value(json_object_get(j, "job_id"))),
                     1);
    json_decref(j);
    assert_int_equal(
        db_int("SELECT count(*) FROM print_jobs WHERE screening_id = ?1", s1.id), 2);
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'receipt.reprint'"
               " AND target = ?1",
               s1.id),
        1);
    assert_int_equal(call("POST",
                          API "/submissions/0123456789abcdef0123456789abcdef/reprint",
                          NULL, &nav, 1),
                     404);

    j = get_ok(API "/staff", &v);
    json_array_foreach(json_object_get(j, "staff"), i, u)
    {
        seen_old |= !strcmp(json_string_value(json_object_get(u, "username")), "old");
        if (!strcmp(json_string_value(json_object_get(u, "username")), "omar")) {
            seen_omar = 1;
            assert_string_equal(json_string_value(json_object_get(u, "role")),
                                "navigator");
        }
    }
    assert_true(seen_omar);
    assert_false(seen_old); /* disabled accounts cannot be assigned work */
    json_decref(j);
}

/* The main daemon while the printerless one runs, put back by
 * restore_main even when an assertion ends the test early. */
static itest_daemon *main_daemon;
static int main_port;
static char second_dir[ITEST_PATH];

static int restore_main(void **ctx)
{
    (void)ctx;
    if (main_daemon) {
        itest_free(d);
        d = main_daemon;
        staff_port = main_port;
        main_daemon = NULL;
        itest_rmtree(second_dir);
    }
    return 0;
}

/* A kiosk without a printer refuses a reprint with 409. */
static void reprint_without_a_printer(void **ctx)
{
    char *dir = second_dir, cfg[ITEST_PATH + 32], path[256];
    session nav;
    visit v;
    (void)ctx;

    assert_int_equal(itest_mkdtemp(dir, sizeof second_dir), 0);
    assert_int_equal(
        itest_write_file(dir, "signpost.conf",
                         "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
                         "[printer]\ntransport = none\n[sms]\ngateway = none\n",
                         cfg, sizeof cfg),
        0);
    assert_int_equal(
        sc_user(dir, cfg, PW "\n", NULL, 0, "add", "nina", "--role", "navigator"), 0);
    main_daemon = d;
    main_port = staff_port;
    d = sc_start(cfg, dir, &staff_port);
    assert_non_null(d);
    post_visit("{\"language\":\"en\",\"answers\":{\"88122-7\":\"LA28397-0\"}}", &v);
    login("nina", &nav);
    snprintf(path, sizeof path, API "/submissions/%s/reprint", v.id);
    assert_int_equal(call("POST", path, NULL, &nav, 1), 409);
    assert_non_null(strstr(last.body, "\"printing_off\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_order_and_filters),
        cmocka_unit_test(detail_in_both_languages),
        cmocka_unit_test(a_referral_moves_to_connected),
        cmocka_unit_test(follow_up_lists),
        cmocka_unit_test(a_text_reply_closes_the_loop),
        cmocka_unit_test(reprint_and_the_staff_list),
        cmocka_unit_test_teardown(reprint_without_a_printer, restore_main),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
