/*
 * Directory upkeep and the clinic's report, end to end: the real daemon
 * with the bundled demo directory, a navigator and a viewer made with the
 * real `signpost user` command, the staff listener on loopback, and the
 * database checked directly.
 *
 * What staff rely on: a search box that finds food pantries by a word or
 * the start of one; a service's whole record; curation changes that are
 * stored whole, audited, refused field by field when wrong (nothing
 * written), refused to viewers and to requests without the CSRF token,
 * and offered to the very next patient without a restart; a verification
 * that takes a service off the stale list; and a report whose numbers are
 * exactly what the kiosk stored, per day, per domain, per language, down
 * the referral funnel and through SMS, including days that only
 * daily_counts remember.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "staff_client.h"

#define PW "correct horse battery"
#define RES "/staff/api/v1/resources"
#define REPORTS "/staff/api/v1/reports"
#define CLIENT_CHOICE                                                                    \
    "49101183-81f6-4882-b146-06fc20545389" /* Client Choice Food Pantry */
#define WEEKEND                                                                          \
    "84500210-b74c-487b-848e-1e1368e6794d" /* Weekend Food Pantry, 2026-03-12 */

static itest_daemon *d;
static char state[ITEST_PATH], conf[ITEST_PATH + 32];
static sc_target staff;
static sc_session nav, vi;
static sc_resp r; /* large: one, reused */

/* ---- helpers ----------------------------------------------------- */

static long get(const sc_session *s, const char *path)
{
    return sc_request(&staff, "GET", path, NULL, s ? s->cookie : NULL, NULL, &r);
}

static long post(const sc_session *s, const char *path, const char *json, int with_csrf)
{
    return sc_request(&staff, "POST", path, json, s ? s->cookie : NULL,
                      s && with_csrf ? s->csrf : NULL, &r);
}

static json_t *body(void)
{
    json_t *j = json_loads(r.body, 0, NULL);
    if (!j)
        fail_msg("not JSON: %.300s", r.body);
    return j;
}

static long long jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s: not an integer", key);
    return json_integer_value(v);
}

/* A rate: -1 for null. */
static double jrate(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_null(v))
        return -1;
    if (!json_is_real(v))
        fail_msg("%s: not a number", key);
    return json_real_value(v);
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The refusal's status and the field it names. */
static void refused(long status, long want, const char *field)
{
    json_t *j;

    if (status != want)
        fail_msg("status %ld, not %ld: %.300s", status, want, r.body);
    j = body();
    assert_string_equal(jstr(json_object_get(j, "error"), "field"), field);
    json_decref(j);
}

static long long db_int(const char *sql, const char *arg)
{
    long long v = -1;
    assert_int_equal(itest_db_int(d, sql, arg, &v), 0);
    return v;
}

static void db_exec(const char *sql)
{
    char msg[256];
    if (sc_db_exec(d, sql, msg, sizeof msg))
        fail_msg("%s: %s", sql, msg);
}

/* Today in the clinic's time zone (the default, America/Chicago). */
static void local_today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;

    setenv("TZ", "America/Chicago", 1);
    tzset();
    localtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Posts a screening to the kiosk API; its answer (caller decrefs). */
static json_t *screening(const char *json)
{
    json_t *j = sc_new_visit(d, json, NULL);

    assert_non_null(j);
    return j;
}

/* The entry of array whose service_id is id, or NULL. */
static json_t *find(json_t *array, const char *id)
{
    json_t *one;
    size_t i;

    json_array_foreach(array, i, one)
    {
        if (!strcmp(jstr(one, "service_id"), id))
            return one;
    }
    return NULL;
}

/* The resource a kiosk answer offers for service id, or NULL. */
static json_t *offered(json_t *answer, const char *id)
{
    return find(json_object_get(answer, "resources"), id);
}

/* The item of a list answer for service id, or NULL. */
static json_t *listed(json_t *list, const char *id)
{
    return find(json_object_get(list, "items"), id);
}

/* ---- set-up ------------------------------------------------------ */

static int setup(void **ctx)
{
    char text[1024];
    (void)ctx;

    assert_int_equal(itest_init(), 0);
    assert_int_equal(itest_mkdtemp(state, sizeof state), 0);
    snprintf(text, sizeof text,
             "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
             "[directory]\nimport = %s/data/demo-directory\n"
             "[printer]\ntransport = none\n[sms]\ngateway = none\n",
             SOURCE_DIR);
    assert_int_equal(itest_write_file(state, "signpost.conf", text, conf, sizeof conf),
                     0);
    assert_non_null(d = sc_start(conf, state, &staff.port));
    assert_int_equal(
        sc_user(state, conf, PW "\n", NULL, 0, "add", "nav", "--role", "navigator"), 0);
    assert_int_equal(
        sc_user(state, conf, PW "\n", NULL, 0, "add", "vi", "--role", "viewer"), 0);
    assert_int_equal(sc_login(&staff, "nav", PW, NULL, &nav, &r), 200);
    assert_int_equal(sc_login(&staff, "vi", PW, NULL, &vi, &r), 200);
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    sc_stop(d, state);
    return 0;
}

/* ---- the report (first: it counts every screening there is) ------ */

#define S1                                                                               \
    "{\"language\":\"es\",\"answers\":{\"71802-3\":\"LA31994-9\",\"88122-7\":\"LA28397-" \
    "0\","                                                                               \
    "\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA32-8\",\"96779-4\":\"LA32-8\"},"          \
    "\"wants_help\":true,\"help_domains\":[\"food\"]}"
#define S2                                                                               \
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31993-1\",\"88122-7\":\"LA6729-"  \
    "3\","                                                                               \
    "\"88123-5\":\"LA28398-8\"},\"wants_help\":false}"
#define S3                                                                               \
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31993-1\",\"88122-7\":\"LA28398-" \
    "8\","                                                                               \
    "\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA32-8\",\"96779-4\":\"LA32-8\","           \
    "\"96778-6\":[\"LA9-3\"]}}"

/* A referral of the answer's first resource, with the statuses it went through. */
static void refer(json_t *answer, const char *status, const char *history)
{
    json_t *first = json_array_get(json_object_get(answer, "resources"), 0);
    char *sql;

    assert_non_null(first);
    sql = sqlite3_mprintf(
        "INSERT INTO referrals(screening_id, domain, service_id, status, updated_at,"
        " updated_by) VALUES (%Q, %Q, %Q, %Q, '2026-01-01T00:00:00Z', 'nav');"
        "INSERT INTO referral_events(referral_id, at, source, username, status)"
        " SELECT (SELECT id FROM referrals WHERE screening_id = %Q AND service_id = %Q),"
        " '2026-01-01T00:00:00Z', 'staff', 'nav', value FROM json_each(%Q);",
        jstr(answer, "id"), jstr(first, "domain"), jstr(first, "service_id"), status,
        jstr(answer, "id"), jstr(first, "service_id"), history);
    db_exec(sql);
    sqlite3_free(sql);
}

static void texts_for(json_t *answer)
{
    char *sql = sqlite3_mprintf(
        "INSERT INTO sms_contacts VALUES (%Q, 'h1', x'00', 'es', 'v1', "
        "strftime('%%s','now'),"
        " 1, 0, NULL, NULL);"
        "INSERT INTO sms_outbox(id, screening_id, phone_hash, phone_box, kind, body_box, "
        "state,"
        " due_at, expires_at, created_at, updated_at) VALUES"
        " ('t1', %Q, 'h1', x'00', 'reminder', x'00', 'delivered', 0, 0,"
        "  strftime('%%s','now'), 0),"
        " ('t2', %Q, 'h1', x'00', 'reminder', x'00', 'failed', 0, 0, "
        "strftime('%%s','now'), 0);"
        "INSERT INTO sms_inbound VALUES ('g1', 'h1', %Q, strftime('%%s','now'), "
        "'connected',"
        " x'00');"
        "INSERT INTO sms_optouts VALUES ('h9', strftime('%%s','now'), 'reply');",
        jstr(answer, "id"), jstr(answer, "id"), jstr(answer, "id"), jstr(answer, "id"));
    db_exec(sql);
    sqlite3_free(sql);
}

static void check_domains(json_t *rep)
{
    static const struct {
        const char *name;
        long positive;
        double rate;
    } want[] = {{"housing_instability", 1, 0.3333},
                {"housing_quality", 0, 0.0},
                {"food", 2, 0.6667},
                {"transportation", 0, 0.0},
                {"utilities", 0, 0.0},
                {"safety", 0, 0.0}};
    json_t *pos = json_object_get(rep, "positive_rate");

    assert_int_equal(json_array_size(pos), 6); /* instrument order */
    for (size_t i = 0; i < 6; i++) {
        json_t *one = json_array_get(pos, i);
        assert_string_equal(jstr(one, "domain"), want[i].name);
        assert_int_equal(jint(one, "positive"), want[i].positive);
        assert_int_equal(jint(one, "screened"), 3);
        assert_true(fabs(jrate(one, "rate") - want[i].rate) < 1e-9);
    }
}

static void check_days(json_t *rep, const char *today)
{
    json_t *days = json_object_get(rep, "screenings_per_day"), *last;
    long long sum = 0;
    size_t i;
    json_t *one;

    assert_string_equal(jstr(rep, "to"), today);
    assert_int_equal(json_array_size(days), 30);
    json_array_foreach(days, i, one)
    {
        sum += jint(one, "count");
    }
    last = json_array_get(days, 29);
    assert_string_equal(jstr(last, "day"), today);
    assert_int_equal(jint(last, "count"), 3);
    assert_int_equal(sum, 3);
    assert_string_equal(jstr(json_array_get(days, 0), "day"), jstr(rep, "from"));
}

static void check_rest(json_t *rep, long long given)
{
    json_t *help = json_object_get(rep, "wants_help"),
           *f = json_object_get(rep, "funnel");
    json_t *sms = json_object_get(rep, "sms"), *q = json_object_get(rep, "quality");
    json_t *langs = json_object_get(rep, "languages");

    assert_int_equal(jint(rep, "screenings"), 3);
    assert_int_equal(jint(help, "yes"), 1);
    assert_int_equal(jint(help, "no"), 1);
    assert_int_equal(jint(help, "unknown"), 1);
    assert_true(fabs(jrate(help, "rate") - 0.5) < 1e-9);
    assert_int_equal(jint(f, "suggested"), given);
    assert_int_equal(jint(f, "referred"), 2);
    assert_int_equal(jint(f, "contacted"), 2);
    assert_int_equal(jint(f, "connected"), 1);
    assert_int_equal(jint(f, "declined"), 1);
    assert_int_equal(jint(f, "unreachable"), 0);
    assert_int_equal(jint(sms, "consents"), 1);
    assert_int_equal(jint(sms, "sent"), 1);
    assert_int_equal(jint(sms, "delivered"), 1);
    assert_int_equal(jint(sms, "failed"), 1);
    assert_int_equal(jint(sms, "expired"), 0);
    assert_int_equal(jint(sms, "replies"), 1);
    assert_true(fabs(jrate(sms, "reply_rate") - 1.0) < 1e-9);
    assert_int_equal(jint(sms, "opt_outs"), 1);
    assert_int_equal(json_array_size(langs), 2);
    assert_string_equal(jstr(json_array_get(langs, 0), "language"), "en");
    assert_int_equal(jint(json_array_get(langs, 0), "count"), 2);
    assert_string_equal(jstr(json_array_get(langs, 1), "language"), "es");
    assert_int_equal(jint(json_array_get(langs, 1), "count"), 1);
    assert_int_equal(jint(q, "screened"), 3);
    assert_int_equal(jint(q, "positive_any"), 2);
    assert_true(fabs(jrate(q, "positive_any_rate") - 0.6667) < 1e-9);
    assert_int_equal(jint(q, "referred_any"), 2);
    assert_int_equal(jint(q, "connected_any"), 1);
    assert_true(fabs(jrate(q, "closed_loop_rate") - 0.5) < 1e-9);
}

static void report_counts_what_the_kiosk_stored(void **ctx)
{
    json_t *a1, *a2, *a3, *rep;
    long long given;
    char today[11];
    (void)ctx;

    assert_int_equal(db_int("SELECT count(*) FROM screenings", NULL), 0);
    a1 = screening(S1);
    a2 = screening(S2);
    a3 = screening(S3);
    given = (long long)(json_array_size(json_object_get(a1, "resources")) +
                        json_array_size(json_object_get(a2, "resources")) +
                        json_array_size(json_object_get(a3, "resources")));
    assert_true(given > 0);
    assert_int_equal(json_array_size(json_object_get(a3, "resources")), 0);
    /* S1: referred, contacted, connected; S2: contacted, then declined. */
    refer(a1, "connected", "[\"referred\",\"contacted\",\"connected\"]");
    refer(a2, "declined", "[\"contacted\",\"declined\"]");
    texts_for(a1);

    local_today(today);
    assert_int_equal(get(&vi, REPORTS), 200);
    assert_non_null(strstr(r.cache_control, "no-store"));
    rep = body();
    check_days(rep, today);
    check_domains(rep);
    check_rest(rep, given);
    json_decref(rep);
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'report.view'"
                       " AND username = ?",
                       "vi") == 1);
    json_decref(a1);
    json_decref(a2);
    json_decref(a3);
}

static void report_over_days_retention_emptied(void **ctx)
{
    json_t *rep, *f, *langs;
    (void)ctx;

    db_exec(
        "INSERT INTO daily_counts VALUES ('2020-01-15', 'screenings', 4),"
        " ('2020-01-15', 'language:vi', 4), ('2020-01-15', 'positive:food', 1),"
        " ('2020-01-15', 'funnel:suggested', 3), ('2020-01-15', 'funnel:connected', 1),"
        " ('2020-02-01', 'screenings', 50)");
    assert_int_equal(get(&vi, REPORTS "?from=2020-01-01&to=2020-01-31"), 200);
    rep = body();
    assert_string_equal(jstr(rep, "from"), "2020-01-01");
    assert_int_equal(json_array_size(json_object_get(rep, "screenings_per_day")), 31);
    assert_int_equal(
        jint(json_array_get(json_object_get(rep, "screenings_per_day"), 14), "count"), 4);
    assert_int_equal(jint(rep, "screenings"), 4);
    langs = json_object_get(rep, "languages");
    assert_string_equal(jstr(json_array_get(langs, 0), "language"), "vi");
    assert_true(
        fabs(jrate(json_array_get(json_object_get(rep, "positive_rate"), 2), "rate") -
             0.25) < 1e-9);
    f = json_object_get(rep, "funnel");
    assert_int_equal(jint(f, "suggested"), 3);
    assert_int_equal(jint(f, "referred"), 1); /* connected implies the stages before it */
    assert_int_equal(jint(f, "contacted"), 1);
    assert_true(jrate(json_object_get(rep, "wants_help"), "rate") <
                0); /* null: none asked */
    json_decref(rep);
}

static void report_refuses_bad_ranges(void **ctx)
{
    (void)ctx;
    refused(get(&vi, REPORTS "?from=2026-02-30"), 400, "from");
    refused(get(&vi, REPORTS "?to=last-week"), 400, "to");
    refused(get(&vi, REPORTS "?from=2026-11-29&to=2026-11-01"), 422, "from");
    refused(get(&vi, REPORTS "?from=2025-01-01&to=2026-06-01"), 422, "from");
    assert_int_equal(get(NULL, REPORTS), 401);
    assert_int_equal(post(&nav, REPORTS, "{}", 1), 405);
    assert_int_equal(get(&vi, REPORTS "/daily"), 404);
}

/* ---- search and one service --------------------------------------- */

static void search_finds_food_pantries(void **ctx)
{
    json_t *j, *one;
    size_t i;
    (void)ctx;

    assert_int_equal(get(&vi, RES "?q=food"), 200);
    j = body();
    assert_true(jint(j, "total") >= 3);
    assert_non_null(listed(j, CLIENT_CHOICE));
    assert_int_equal(jint(j, "limit"), 50);
    json_decref(j);

    /* The start of a word is enough, and every word must match. */
    assert_int_equal(get(&vi, RES "?q=pantr%20weekend"), 200);
    j = body();
    assert_int_equal(jint(j, "total"), 1);
    assert_non_null(listed(j, WEEKEND));
    one = json_array_get(json_object_get(j, "items"), 0);
    assert_string_equal(jstr(one, "name"), "Weekend Food Pantry");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(one, "domains"), 0)), "food");
    assert_true(json_is_boolean(json_object_get(one, "stale")));
    json_decref(j);

    /* A domain's services, all of them, and only them. */
    assert_int_equal(get(&vi, RES "?domain=food&limit=200"), 200);
    j = body();
    assert_int_equal(jint(j, "total"),
                     (long long)json_array_size(json_object_get(j, "items")));
    json_array_foreach(json_object_get(j, "items"), i, one)
    {
        json_t *doms = json_object_get(one, "domains"), *dv;
        size_t k;
        int food = 0;
        json_array_foreach(doms, k, dv)
        {
            food |= !strcmp(json_string_value(dv), "food");
        }
        assert_true(food);
    }
    json_decref(j);
}

static void search_pages_and_refusals(void **ctx)
{
    char first[80], path[600];
    json_t *j;
    (void)ctx;

    assert_int_equal(get(&vi, RES "?q=food&limit=2"), 200);
    j = body();
    assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
    snprintf(first, sizeof first, "%s",
             jstr(json_array_get(json_object_get(j, "items"), 0), "service_id"));
    json_decref(j);
    assert_int_equal(get(&vi, RES "?q=food&limit=2&offset=2"), 200);
    j = body();
    assert_null(listed(j, first));
    json_decref(j);

    refused(get(&vi, RES "?limit=0"), 400, "limit");
    refused(get(&vi, RES "?limit=201"), 400, "limit");
    refused(get(&vi, RES "?offset=-1"), 400, "offset");
    refused(get(&vi, RES "?stale=yes"), 400, "stale");
    refused(get(&vi, RES "?hidden=2"), 400, "hidden");
    refused(get(&vi, RES "?domain=groceries"), 422, "domain");
    refused(get(&vi, RES
                "?q=a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m%20n%20o%20p%20q"),
            400, "q");
    snprintf(path, sizeof path, RES "?q=%0201d", 0);
    refused(get(&vi, path), 400, "q");
    assert_int_equal(get(NULL, RES), 401);
    assert_int_equal(post(&nav, RES, "{}", 1), 405);
}

static void one_service_whole(void **ctx)
{
    json_t *j, *dir, *cur, *out;
    (void)ctx;

    assert_int_equal(get(&vi, RES "/" CLIENT_CHOICE), 200);
    j = body();
    assert_string_equal(jstr(j, "service_id"), CLIENT_CHOICE);
    dir = json_object_get(j, "directory");
    assert_string_equal(jstr(dir, "name"), "Client Choice Food Pantry");
    assert_non_null(strstr(jstr(dir, "description"), "groceries"));
    assert_true(json_array_size(json_object_get(dir, "phones")) >= 1);
    assert_non_null(jstr(dir, "hours"));
    assert_true(strstr(jstr(dir, "hours"), " am") || strstr(jstr(dir, "hours"), " pm"));
    assert_true(json_is_array(json_object_get(dir, "languages")));
    cur = json_object_get(j, "curation");
    assert_int_equal(jint(cur, "priority"), 0);
    assert_true(json_is_null(json_object_get(cur, "verified_on")));
    out = json_object_get(j, "outcomes");
    assert_int_equal(jint(out, "given"),
                     db_int("SELECT count(*) FROM screenings s, json_each(s.resources) j"
                            " WHERE json_extract(j.value, '$[1]') = ?",
                            CLIENT_CHOICE));
    assert_int_equal(jint(out, "connected"),
                     db_int("SELECT count(*) FROM referrals WHERE status = 'connected'"
                            " AND service_id = ?",
                            CLIENT_CHOICE));
    json_decref(j);

    assert_int_equal(get(&vi, RES "/no-such-service"), 404);
    assert_int_equal(get(&vi, RES "/bad%20id"), 404);
    assert_int_equal(get(&vi, RES "/" CLIENT_CHOICE "/history"), 404);
    assert_int_equal(sc_request(&staff, "DELETE", RES "/" CLIENT_CHOICE, NULL, nav.cookie,
                                nav.csrf, &r),
                     405);
}

/* ---- curation ---------------------------------------------------- */

#define EDIT                                                                             \
    "{\"contact_name\":\"Rosa D\\u00edaz\",\"contact_phone\":\"(217) 555-0199\","        \
    "\"ask_for\":{\"en\":\"the emergency box\",\"es\":\"la caja de emergencia\"},"       \
    "\"priority\":4,\"pinned\":true,\"notes\":\"Ask at the side door\"}"
#define PATH_CC RES "/" CLIENT_CHOICE
#define UPDATES                                                                          \
    "SELECT count(*) FROM audit_log WHERE action = 'resource.update' AND target = ?"

static void curation_is_stored_and_audited(void **ctx)
{
    char text[64];
    json_t *j;
    (void)ctx;

    assert_int_equal(post(&vi, PATH_CC, EDIT, 1), 403);  /* a viewer */
    assert_int_equal(post(&nav, PATH_CC, EDIT, 0), 403); /* no CSRF token */
    assert_int_equal(post(NULL, PATH_CC, EDIT, 0), 401);
    assert_int_equal(db_int(UPDATES, CLIENT_CHOICE), 0);
    assert_int_equal(db_int("SELECT count(*) FROM service_curation WHERE service_id = ?",
                            CLIENT_CHOICE),
                     0);

    assert_int_equal(post(&nav, PATH_CC, EDIT, 1), 200);
    j = body();
    assert_int_equal(jint(json_object_get(j, "curation"), "priority"), 4);
    assert_string_equal(
        jstr(json_object_get(json_object_get(j, "curation"), "ask_for"), "es"),
        "la caja de emergencia");
    json_decref(j);
    assert_int_equal(db_int("SELECT priority * 10 + pinned FROM service_curation"
                            " WHERE service_id = ?",
                            CLIENT_CHOICE),
                     41);
    assert_int_equal(itest_db_text(d,
                                   "SELECT contact_name || '|' || contact_phone || '|' ||"
                                   " json_extract(ask_for, '$.en') FROM service_curation"
                                   " WHERE service_id = ?",
                                   CLIENT_CHOICE, text, sizeof text),
                     0);
    assert_string_equal(text, "Rosa D\xc3\xad"
                              "az|(217) 555-0199|the emergency box");
    assert_int_equal(db_int(UPDATES " AND username = 'nav' AND detail LIKE '%priority%'"
                                    " AND detail NOT LIKE '%side door%'",
                            CLIENT_CHOICE),
                     1);
}

static void bad_changes_name_their_field(void **ctx)
{
    char notes[800];
    (void)ctx;

    refused(post(&nav, PATH_CC, "{\"priority\":10}", 1), 422, "priority");
    refused(post(&nav, PATH_CC, "{\"priority\":1,\"pinned\":\"yes\"}", 1), 422, "pinned");
    refused(post(&nav, PATH_CC, "{\"contact_phone\":\"call me\"}", 1), 422,
            "contact_phone");
    refused(post(&nav, PATH_CC, "{\"ask_for\":{\"English\":\"x\"}}", 1), 422,
            "ask_for.English");
    refused(post(&nav, PATH_CC, "{\"nickname\":\"x\",\"priority\":1}", 1), 400,
            "nickname");
    refused(post(&nav, PATH_CC, "{}", 1), 400, "body");
    snprintf(notes, sizeof notes, "{\"notes\":\"%0700d\"}", 0);
    refused(post(&nav, PATH_CC, notes, 1), 422, "notes");
    assert_int_equal(post(&nav, PATH_CC, "{\"priority\":", 1), 400); /* not JSON */
    assert_int_equal(post(&nav, RES "/no-such-service", "{\"priority\":1}", 1), 404);
    /* Nothing of any of it was written. */
    assert_int_equal(db_int("SELECT priority FROM service_curation WHERE service_id = ?",
                            CLIENT_CHOICE),
                     4);
    assert_int_equal(db_int(UPDATES, CLIENT_CHOICE), 1);
    assert_int_equal(db_int(UPDATES, "no-such-service"), 0);
}

#define FOOD_ES "{\"language\":\"es\",\"answers\":{\"88122-7\":\"LA28397-0\"}}"

static void the_next_patient_sees_the_change(void **ctx)
{
    json_t *a, *cc;
    (void)ctx;

    /* Pinned: offered first for food, with the clinic's contact and
     * what to ask for in the patient's language. */
    a = screening(FOOD_ES);
    cc = offered(a, CLIENT_CHOICE);
    assert_non_null(cc);
    assert_ptr_equal(cc, json_array_get(json_object_get(a, "resources"), 0));
    assert_non_null(strstr(jstr(cc, "contact"), "Rosa D\xc3\xad"
                                                "az"));
    assert_string_equal(jstr(cc, "ask_for"), "la caja de emergencia");
    json_decref(a);

    /* Hidden: never offered, from the next screening on. */
    assert_int_equal(post(&nav, PATH_CC, "{\"hidden\":true}", 1), 200);
    a = screening(FOOD_ES);
    assert_null(offered(a, CLIENT_CHOICE));
    json_decref(a);
    assert_int_equal(get(&vi, RES "?hidden=1&limit=200"), 200);
    a = body();
    assert_int_equal(jint(a, "total"), 1);
    assert_non_null(listed(a, CLIENT_CHOICE));
    json_decref(a);
    assert_int_equal(post(&nav, PATH_CC, "{\"hidden\":false}", 1), 200);
    assert_int_equal(db_int("SELECT hidden * 10 + pinned FROM service_curation"
                            " WHERE service_id = ?",
                            CLIENT_CHOICE),
                     1); /* the rest of the record kept */
}

/* ---- verification and the stale list ----------------------------- */

static void stale_count_agrees(void)
{
    json_t *all, *stale, *one;
    long long n = 0;
    size_t i;

    assert_int_equal(get(&vi, RES "?limit=200"), 200);
    all = body();
    json_array_foreach(json_object_get(all, "items"), i, one)
    {
        n += json_is_true(json_object_get(one, "stale"));
    }
    assert_int_equal(get(&vi, RES "?stale=1&limit=200"), 200);
    stale = body();
    assert_int_equal(jint(stale, "total"), n);
    json_array_foreach(json_object_get(stale, "items"), i, one)
    {
        assert_true(json_is_true(json_object_get(one, "stale")));
    }
    json_decref(all);
    json_decref(stale);
}

static void verifying_takes_it_off_the_stale_list(void **ctx)
{
    char today[11], path[160], text[80], want[80];
    json_t *j, *cur;
    (void)ctx;

    local_today(today);
    snprintf(path, sizeof path, RES "/%s/verify", WEEKEND);
    assert_int_equal(get(&vi, RES "?stale=1&limit=200"), 200);
    j = body();
    assert_non_null(listed(j, WEEKEND)); /* the publisher checked it in March */
    json_decref(j);
    stale_count_agrees();

    assert_int_equal(post(&vi, path, NULL, 1), 403);
    assert_int_equal(post(&nav, path, NULL, 0), 403);
    assert_int_equal(sc_request(&staff, "GET", path, NULL, nav.cookie, nav.csrf, &r),
                     405);
    assert_int_equal(post(&nav, path, NULL, 1), 200);
    j = body();
    cur = json_object_get(j, "curation");
    assert_string_equal(jstr(cur, "verified_on"), today);
    assert_string_equal(jstr(cur, "verified_by"), "nav");
    assert_true(json_is_false(json_object_get(j, "stale")));
    json_decref(j);
    assert_int_equal(itest_db_text(d,
                                   "SELECT verified_on || ' ' || verified_by"
                                   " FROM service_curation WHERE service_id = ?",
                                   WEEKEND, text, sizeof text),
                     0);
    snprintf(want, sizeof want, "%s nav", today);
    assert_string_equal(text, want);
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'resource.verify'"
               " AND target = ?",
               WEEKEND),
        1);

    assert_int_equal(get(&vi, RES "?stale=1&limit=200"), 200);
    j = body();
    assert_null(listed(j, WEEKEND));
    json_decref(j);
    assert_int_equal(get(&vi, RES "?stale=0&q=weekend"), 200);
    j = body();
    assert_non_null(listed(j, WEEKEND));
    assert_string_equal(jstr(listed(j, WEEKEND), "verified_on"), today);
    json_decref(j);
    stale_count_agrees();
    assert_int_equal(post(&nav, RES "/no-such-service/verify", NULL, 1), 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_counts_what_the_kiosk_stored),
        cmocka_unit_test(report_over_days_retention_emptied),
        cmocka_unit_test(report_refuses_bad_ranges),
        cmocka_unit_test(search_finds_food_pantries),
        cmocka_unit_test(search_pages_and_refusals),
        cmocka_unit_test(one_service_whole),
        cmocka_unit_test(curation_is_stored_and_audited),
        cmocka_unit_test(bad_changes_name_their_field),
        cmocka_unit_test(the_next_patient_sees_the_change),
        cmocka_unit_test(verifying_takes_it_off_the_stale_list),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
