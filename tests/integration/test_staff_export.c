/*
 * The staff exports end to end: the real daemon with its staff listener
 * on loopback (plain http, [staff] tls = off), accounts made with the real
 * `signpost user add`, visits posted through the kiosk API, a receipt
 * printed to a file, a consent whose reminder goes out through the log
 * gateway, and the referral work staff do written into the tables the
 * way the console writes them.  Then each export as a user would fetch
 * it: the submissions CSV parsed back and every column of one row
 * checked, phone numbers (admin only, audited), the referrals CSV, FHIR
 * for one visit and for a range (byte-identical twice, and valid for the
 * FHIR R4 schema: tests/fhir/validate.js, which must also reject broken
 * Bundles), the audit log, roles, bad queries and the size caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"
#include "signpost/csv.h"
#include "staff_client.h"

#ifndef SIGNPOST_BIN
#error "SIGNPOST_BIN must name the daemon binary"
#endif

#define PW "correct horse battery"
#define EXPORT "/staff/api/v1/export/"
#define PHONE_E164 "+12175550123"
#define VALIDATOR SOURCE_DIR "/tests/fhir/validate.js"

static itest_daemon *d;
static char state[ITEST_PATH], conf[ITEST_PATH + 32];
static int staff_port;
static char range[64]; /* "from=...&to=..." around today */
static char visit_a[40], visit_b[40];
static char ref_domain[64], ref_service[128];

typedef sc_session session;
static session admin, nav, viewer;

/* ---- HTTP: the staff client (staff_client.h) ------------------------ */

/* Exports can be megabytes, so each answer's whole body is its own. */
typedef struct {
    long status;
    char *body; /* NUL-terminated, malloc'ed */
    size_t len;
} resp;

static sc_resp head; /* the latest answer's headers (large: one, reused) */

/* One request as s (exports only read, so no CSRF token); the headers of
 * the answer are in head until the next request. */
static long request(const char *method, const char *path, const char *json,
                    const session *s, resp *r)
{
    sc_target t = {staff_port, NULL};

    r->status = sc_request_all(&t, method, path, json, s ? s->cookie : NULL, NULL, &head,
                               &r->body, &r->len);
    if (!r->body)
        fail_msg("out of memory for the answer to %s %s", method, path);
    return r->status;
}

static void resp_free(resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* GET path as s; asserts the status; the caller frees the answer. */
static void get_ok(const char *path, const session *s, long status, resp *r)
{
    request("GET", path, NULL, s, r);
    if (r->status != status)
        print_error("GET %s: %ld %s\n", path, r->status, r->body);
    assert_int_equal(r->status, status);
}

/* The error's field of a JSON error answer ("" when none). */
static void assert_error(const char *path, const session *s, long status,
                         const char *field)
{
    resp r;
    json_t *j;

    get_ok(path, s, status, &r);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    if (field)
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(j, "error"), "field")),
            field);
    json_decref(j);
    resp_free(&r);
}

/* ---- accounts and the database ------------------------------------ */

static void login(const char *name, const char *role, session *s)
{
    sc_target t = {staff_port, NULL};

    assert_int_equal(sc_user(state, conf, PW "\n", NULL, 0, "add", name, "--role", role),
                     0);
    assert_int_equal(sc_login(&t, name, PW, NULL, s, &head), 200);
    assert_non_null(strstr(s->cookie, "="));
}

static long long db_int(const char *sql, const char *arg)
{
    long long v = -1;
    assert_int_equal(itest_db_int(d, sql, arg, &v), 0);
    return v;
}

/* Runs sql read-write on the daemon's file, as an operator's shell would. */
static void db_exec(const char *sql)
{
    char msg[256];
    int rc = sc_db_exec(d, sql, msg, sizeof msg);

    if (rc != SQLITE_OK)
        print_error("%s: %s\n", sql, msg);
    assert_int_equal(rc, SQLITE_OK);
}

static int wait_db(const char *sql, const char *arg, long long want)
{
    long long v = -1;
    for (int waited = 0; waited <= ITEST_WAIT_MS; waited += 100) {
        if (itest_db_int(d, sql, arg, &v) == 0 && v == want)
            return 1;
        usleep(100 * 1000);
    }
    print_error("waited for [%s] = %lld, last %lld\n", sql, want, v);
    return 0;
}

/* ---- the visits ----------------------------------------------------- */

static void post_visit(const char *body, sc_visit *v)
{
    json_t *j = sc_new_visit(d, body, v);

    assert_non_null(j);
    json_decref(j);
}

/* Visit A: Spanish, housing and food needs, two home problems, transport
 * skipped, safety complete (4 points), help with food and housing; a
 * receipt, a consent with a reminder sent, a reply, and staff work on
 * its first resource.  Visit B: every answer negative, help not asked. */
static void make_visits(void)
{
    static const char a[] =
        "{\"language\":\"es\",\"answers\":{\"71802-3\":\"LA31994-9\","
        "\"96778-6\":[\"LA31996-4\",\"LA28580-1\"],\"88122-7\":\"LA28397-0\","
        "\"88123-5\":\"LA28398-8\",\"96779-4\":\"LA32-8\",\"95618-5\":\"LA6270-8\","
        "\"95617-7\":\"LA6270-8\",\"95616-9\":\"LA6270-8\",\"95615-1\":\"LA6270-8\"},"
        "\"skipped\":[\"93030-5\"],\"wants_help\":true,"
        "\"help_domains\":[\"food\",\"housing_instability\"]}";
    static const char b[] =
        "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31993-1\",\"96778-6\":[\"LA9-"
        "3\"],"
        "\"88122-7\":\"LA28398-8\",\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA32-8\","
        "\"96779-4\":\"LA32-8\",\"95618-5\":\"LA6270-8\",\"95617-7\":\"LA6270-8\","
        "\"95616-9\":\"LA6270-8\",\"95615-1\":\"LA6270-8\"}}";
    char path[128];
    sc_visit va, vb;
    itest_resp r;

    post_visit(a, &va);
    post_visit(b, &vb);
    snprintf(visit_a, sizeof visit_a, "%s", va.id);
    snprintf(visit_b, sizeof visit_b, "%s", vb.id);
    snprintf(path, sizeof path, "/api/v1/screenings/%s/receipt", visit_a);
    assert_int_equal(itest_post_json(d, path, "{}", va.token, &r), 0);
    assert_int_equal(r.status, 202);
    itest_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/screenings/%s/sms", visit_a);
    assert_int_equal(
        itest_post_json(d, path,
                        "{\"phone\":\"(217) 555-0123\",\"consent\":true,"
                        "\"consent_version\":\"2026-11-29.1\",\"language\":\"es\","
                        "\"reminders\":true,\"send_list\":false}",
                        va.token, &r),
        0);
    if (r.status != 201)
        print_error("sms consent: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    itest_resp_free(&r);
    assert_true(wait_db("SELECT count(*) FROM print_jobs WHERE screening_id = ?1"
                        " AND status = 'done'",
                        visit_a, 1));
    assert_true(wait_db("SELECT count(*) > 0 FROM sms_outbox WHERE screening_id = ?1"
                        " AND state IN ('sent', 'delivered')",
                        visit_a, 1));
}

/* What staff and a patient's reply would have written: the first resource
 * of A contacted, assigned to nav, with two notes; one reply by text. */
static void staff_work(void)
{
    char sql[2048];

    assert_int_equal(itest_db_text(d,
                                   "SELECT domain FROM screening_resources"
                                   " WHERE screening_id = ?1 ORDER BY rank LIMIT 1",
                                   visit_a, ref_domain, sizeof ref_domain),
                     0);
    assert_int_equal(itest_db_text(d,
                                   "SELECT service_id FROM screening_resources"
                                   " WHERE screening_id = ?1 ORDER BY rank LIMIT 1",
                                   visit_a, ref_service, sizeof ref_service),
                     0);
    snprintf(
        sql, sizeof sql,
        "INSERT INTO referrals(screening_id, domain, service_id, status, assigned_to,"
        " next_follow_up, updated_at, updated_by) VALUES ('%s', '%s', '%s', 'contacted',"
        " (SELECT id FROM staff_users WHERE username = 'nav'), '2026-12-03',"
        " '2026-11-30T15:02:00Z', 'nav');"
        "INSERT INTO referral_events(referral_id, at, source, username, status, note)"
        " VALUES (last_insert_rowid(), '2026-11-30T15:00:00Z', 'staff', 'nav', "
        "'referred',"
        " 'first note');"
        "INSERT INTO referral_events(referral_id, at, source, username, status, note)"
        " SELECT id, '2026-11-30T15:02:00Z', 'staff', 'nav', 'contacted',"
        " '=SUM(1,2), said \"call Tuesday\"' FROM referrals WHERE screening_id = '%s';"
        "INSERT INTO sms_inbound(gateway_id, phone_hash, screening_id, received_at, "
        "reply,"
        " body_box) VALUES ('SMtest1', 'x', '%s', strftime('%%s','now'), 'connected',"
        " x'00');",
        visit_a, ref_domain, ref_service, visit_a, visit_a);
    db_exec(sql);
}

/* A range of local dates around now, so a run across midnight still holds the visits. */
static void make_range(void)
{
    time_t now = time(NULL);
    char from[16], to[16];
    struct tm tm;
    time_t a = now - 86400, b = now + 86400;

    localtime_r(&a, &tm);
    strftime(from, sizeof from, "%Y-%m-%d", &tm);
    localtime_r(&b, &tm);
    strftime(to, sizeof to, "%Y-%m-%d", &tm);
    snprintf(range, sizeof range, "from=%s&to=%s", from, to);
}

static void write_config(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[clinic]\nname = Riverton Community Clinic\nphone = (217) 555-0100\n"
             "timezone = America/Chicago\n"
             "[kiosk]\nid = lobby-1\n"
             "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
             "[directory]\nimport = %s/data/demo-directory\n"
             "[printer]\ntransport = file\npath = %s/receipts.bin\n"
             "[sms]\ngateway = log\nreminders = 1s\nquiet_hours = 00:00-24:00\n"
             "max_per_day = 10\nmax_per_week = 30\n",
             SOURCE_DIR, state);
    assert_int_equal(itest_write_file(state, "signpost.conf", text, conf, sizeof conf),
                     0);
}

static int setup(void **ctx)
{
    (void)ctx;
    setenv("TZ", "America/Chicago", 1); /* the clinic's, for local dates here too */
    tzset();
    assert_int_equal(itest_init(), 0);
    assert_int_equal(itest_mkdtemp(state, sizeof state), 0);
    write_config();
    assert_non_null(d = sc_start(conf, state, &staff_port));
    login("ana", "admin", &admin);
    login("nav", "navigator", &nav);
    login("cy", "viewer", &viewer);
    make_visits();
    staff_work();
    make_range();
    return 0;
}

static int teardown(void **ctx)
{
    int rc;
    (void)ctx;
    /* A clean stop, and no sanitizer report from the daemon's export paths. */
    rc = itest_stop(d);
    if (rc != 0 || itest_log_contains(d, "Sanitizer") ||
        itest_log_contains(d, "runtime error"))
        itest_dump_log(d, "the daemon did not stop cleanly");
    assert_int_equal(rc, 0);
    assert_false(itest_log_contains(d, "Sanitizer"));
    assert_false(itest_log_contains(d, "runtime error"));
    itest_free(d);
    itest_rmtree(state);
    itest_cleanup();
    return 0;
}

/* ---- CSV read back ---------------------------------------------------- */

#define MAX_ROWS 64

typedef struct {
    int nrows; /* the header is row 0 */
    int ncols[MAX_ROWS];
    char *cell[MAX_ROWS][CSV_MAX_FIELDS];
} table;

static void parse_csv(const char *text, size_t len, table *t)
{
    csv_reader r;
    sg_rc rc;

    memset(t, 0, sizeof *t);
    assert_memory_equal(text, "\xEF\xBB\xBF", 3); /* so spreadsheets read UTF-8 */
    csv_init(&r, text, len);
    while ((rc = csv_next(&r)) == SG_OK) {
        assert_true(t->nrows < MAX_ROWS);
        t->ncols[t->nrows] = (int)r.nfields;
        for (size_t i = 0; i < r.nfields; i++)
            t->cell[t->nrows][i] = strdup(r.fields[i]);
        t->nrows++;
    }
    if (rc != SG_ENOTFOUND)
        print_error("CSV: %s\n", r.error);
    assert_int_equal(rc, SG_ENOTFOUND);
    csv_free(&r);
    /* Every row has the header's width, and every line ends in CRLF. */
    for (int i = 1; i < t->nrows; i++)
        assert_int_equal(t->ncols[i], t->ncols[0]);
    assert_true(len >= 2 && text[len - 2] == '\r' && text[len - 1] == '\n');
}

static void table_free(table *t)
{
    for (int i = 0; i < t->nrows; i++)
        for (int k = 0; k < t->ncols[i]; k++)
            free(t->cell[i][k]);
}

static int col(const table *t, const char *name)
{
    for (int k = 0; k < t->ncols[0]; k++)
        if (!strcmp(t->cell[0][k], name))
            return k;
    return -1;
}

/* The first row whose column name holds value; -1 when none. */
static int row_where(const table *t, const char *name, const char *value)
{
    int k = col(t, name);
    for (int i = 1; k >= 0 && i < t->nrows; i++)
        if (!strcmp(t->cell[i][k], value))
            return i;
    return -1;
}

static void get_csv(const char *route, const char *query, const session *s, table *t)
{
    char path[512];
    resp r;

    snprintf(path, sizeof path, EXPORT "%s?%s", route, query);
    get_ok(path, s, 200, &r);
    assert_memory_equal(head.content_type, "text/csv; charset=utf-8", 23);
    assert_non_null(strstr(head.disposition, "attachment; filename=\"signpost-"));
    parse_csv(r.body, r.len, t);
    resp_free(&r);
}

static void db_str(const char *sql, const char *arg, char *out, size_t len)
{
    assert_int_equal(itest_db_text(d, sql, arg, out, len), 0);
}

static long long audits(const char *action, const char *user, const char *detail_like)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = '%s' AND username = '%s'"
             " AND coalesce(detail, '') LIKE ?1",
             action, user);
    return db_int(sql, detail_like);
}

/* ---- the tests ------------------------------------------------------------ */

static const char *const sub_columns[] = {
    "id",
    "created_at",
    "local_date",
    "kiosk_id",
    "language",
    "instrument_id",
    "instrument_version",
    "scoring_rule",
    "safety_score",
    "wants_help",
    "housing_instability",
    "housing_quality",
    "food",
    "transportation",
    "utilities",
    "safety",
    "help_domains",
    "resources_given",
    "referrals_suggested",
    "referrals_referred",
    "referrals_contacted",
    "referrals_connected",
    "referrals_declined",
    "referrals_unreachable",
    "receipt_printed",
    "sms_consent",
    "texts_sent",
    "replies",
    "71802-3",
    "96778-6",
    "88122-7",
    "88123-5",
    "93030-5",
    "96779-4",
    "95618-5",
    "95617-7",
    "95616-9",
    "95615-1",
};
#define NSUBCOLS (sizeof sub_columns / sizeof sub_columns[0])

static void expect_row(const table *t, int row, const char *const *want)
{
    for (size_t k = 0; k < NSUBCOLS; k++) {
        int c = col(t, sub_columns[k]);
        assert_true(c >= 0);
        if (strcmp(t->cell[row][c], want[k]))
            print_error("column %s: got [%s] want [%s]\n", sub_columns[k],
                        t->cell[row][c], want[k]);
        assert_string_equal(t->cell[row][c], want[k]);
    }
}

static void submissions_csv_every_column(void **ctx)
{
    char created[32], local[16], rule[128], given[24], suggested[24], sent[24];
    long long n;
    table t;
    int a, b;
    (void)ctx;

    get_csv("submissions.csv", range, &nav, &t);
    assert_int_equal(t.ncols[0], (int)NSUBCOLS); /* no phone column */
    for (size_t k = 0; k < NSUBCOLS; k++)
        assert_string_equal(t.cell[0][k], sub_columns[k]);
    assert_int_equal(t.nrows, 3);
    a = row_where(&t, "id", visit_a);
    b = row_where(&t, "id", visit_b);
    assert_true(a > 0 && b > 0);
    db_str("SELECT created_at FROM screenings WHERE id = ?1", visit_a, created,
           sizeof created);
    db_str("SELECT date(created_at, 'localtime') FROM screenings WHERE id = ?1", visit_a,
           local, sizeof local);
    db_str("SELECT scoring_rule FROM screenings WHERE id = ?1", visit_a, rule,
           sizeof rule);
    n = db_int("SELECT count(*) FROM screening_resources WHERE screening_id = ?1",
               visit_a);
    assert_true(n >= 2);
    snprintf(given, sizeof given, "%lld", n);
    snprintf(suggested, sizeof suggested, "%lld", n - 1);
    snprintf(sent, sizeof sent, "%lld",
             db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                    " AND state IN ('sent', 'delivered')",
                    visit_a));
    const char *want_a[NSUBCOLS] = {visit_a,
                                    created,
                                    local,
                                    "lobby-1",
                                    "es",
                                    "ahc-hrsn-core",
                                    "2018-01",
                                    rule,
                                    "4",
                                    "1",
                                    "1",
                                    "1",
                                    "1",
                                    "0",
                                    "0",
                                    "0",
                                    "housing_instability;food",
                                    given,
                                    suggested,
                                    "0",
                                    "1",
                                    "0",
                                    "0",
                                    "0",
                                    "1",
                                    "1",
                                    sent,
                                    "1",
                                    "LA31994-9",
                                    "LA31996-4;LA28580-1",
                                    "LA28397-0",
                                    "LA28398-8",
                                    "",
                                    "LA32-8",
                                    "LA6270-8",
                                    "LA6270-8",
                                    "LA6270-8",
                                    "LA6270-8"};
    expect_row(&t, a, want_a);
    assert_int_equal(strtol(sent, NULL, 10) >= 1, 1);
    db_str("SELECT created_at FROM screenings WHERE id = ?1", visit_b, created,
           sizeof created);
    db_str("SELECT date(created_at, 'localtime') FROM screenings WHERE id = ?1", visit_b,
           local, sizeof local);
    const char *want_b[NSUBCOLS] = {
        visit_b,     created,     local,    "lobby-1", "en",        "ahc-hrsn-core",
        "2018-01",   rule,        "4",      "",        "0",         "0",
        "0",         "0",         "0",      "0",       "",          "0",
        "0",         "0",         "0",      "0",       "0",         "0",
        "0",         "0",         "0",      "0",       "LA31993-1", "LA9-3",
        "LA28398-8", "LA28398-8", "LA32-8", "LA32-8",  "LA6270-8",  "LA6270-8",
        "LA6270-8",  "LA6270-8"};
    expect_row(&t, b, want_b);
    table_free(&t);
    assert_int_equal(audits("export.csv", "nav", "from=____-__-__ to=____-__-__"), 1);
}

static void phone_numbers_are_for_admins(void **ctx)
{
    char path[512];
    table t;
    int p;
    (void)ctx;

    snprintf(path, sizeof path, EXPORT "submissions.csv?%s&phones=1", range);
    assert_error(path, &nav, 403, "phones");
    assert_int_equal(audits("denied", "nav", "phones=1"), 1);
    assert_int_equal(audits("export.csv.phones", "nav", "%"), 0);
    snprintf(path, sizeof path, "%s&phones=1", range);
    get_csv("submissions.csv", path, &admin, &t);
    p = col(&t, "phone");
    assert_int_equal(p, col(&t, "replies") + 1); /* after the follow-up columns */
    /* Opened with the vault, and guarded: "+1..." is a formula to a spreadsheet. */
    assert_string_equal(t.cell[row_where(&t, "id", visit_a)][p], "'" PHONE_E164);
    assert_string_equal(t.cell[row_where(&t, "id", visit_b)][p], "");
    table_free(&t);
    assert_int_equal(audits("export.csv.phones", "ana", "from=%"), 1);
    /* phones=0 is the plain export. */
    snprintf(path, sizeof path, "%s&phones=0", range);
    get_csv("submissions.csv", path, &admin, &t);
    assert_int_equal(col(&t, "phone"), -1);
    table_free(&t);
}

static void referrals_csv(void **ctx)
{
    static const char *const cols[] = {"submission_id", "local_date",   "domain",
                                       "service_id",    "service_name", "rank",
                                       "status",        "assigned_to",  "next_follow_up",
                                       "updated_at",    "updated_by",   "last_note"};
    char shown[256], created[32];
    table t;
    int r;
    (void)ctx;

    get_csv("referrals.csv", range, &nav, &t);
    assert_int_equal(t.ncols[0], 12);
    for (int k = 0; k < 12; k++)
        assert_string_equal(t.cell[0][k], cols[k]);
    assert_int_equal(
        t.nrows - 1,
        db_int("SELECT count(*) FROM screening_resources WHERE screening_id = ?1",
               visit_a));
    assert_int_equal(row_where(&t, "submission_id", visit_b), -1); /* gave nothing */
    r = row_where(&t, "service_id", ref_service);
    assert_true(r > 0);
    db_str("SELECT json_extract(result_json, '$.resources[0].name') FROM screenings"
           " WHERE id = ?1",
           visit_a, shown, sizeof shown);
    assert_string_equal(t.cell[r][0], visit_a);
    assert_string_equal(t.cell[r][2], ref_domain);
    assert_string_equal(t.cell[r][4], shown); /* the directory's name */
    assert_string_equal(t.cell[r][5], "1");
    assert_string_equal(t.cell[r][6], "contacted");
    assert_string_equal(t.cell[r][7], "nav");
    assert_string_equal(t.cell[r][8], "2026-12-03");
    assert_string_equal(t.cell[r][9], "2026-11-30T15:02:00Z");
    assert_string_equal(t.cell[r][10], "nav");
    assert_string_equal(t.cell[r][11], "'=SUM(1,2), said \"call Tuesday\"");
    db_str("SELECT created_at FROM screenings WHERE id = ?1", visit_a, created,
           sizeof created);
    for (int i = 1; i < t.nrows; i++) {
        assert_true(t.cell[i][4][0] != '\0'); /* every service has its name */
        assert_true(strtol(t.cell[i][5], NULL, 10) >= 1);
        if (i == r)
            continue;
        assert_string_equal(t.cell[i][6], "suggested");
        assert_string_equal(t.cell[i][9], created);
        assert_string_equal(t.cell[i][10], "kiosk");
        assert_string_equal(t.cell[i][11], "");
    }
    table_free(&t);
    assert_int_equal(audits("export.referrals", "nav", "from=%"), 1);
}

/* ---- FHIR ---------------------------------------------------------------------- */

static int count_type(json_t *bundle, const char *type)
{
    size_t i;
    json_t *e;
    int n = 0;
    json_array_foreach(json_object_get(bundle, "entry"), i, e) n +=
        !strcmp(json_string_value(
                    json_object_get(json_object_get(e, "resource"), "resourceType")),
                type);
    return n;
}

static json_t *get_fhir(const char *query, const session *s, char **text)
{
    char path[512];
    json_t *j;
    resp r;

    snprintf(path, sizeof path, EXPORT "fhir?%s", query);
    get_ok(path, s, 200, &r);
    assert_memory_equal(head.content_type, "application/fhir+json", 21);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "resourceType")), "Bundle");
    assert_string_equal(json_string_value(json_object_get(j, "type")), "collection");
    if (text)
        *text = r.body;
    else
        resp_free(&r);
    return j;
}

/* Runs the validator on path; its exit code (output to the test's log). */
static int validate(const char *path)
{
    char cmd[2048];
    int status;

    snprintf(cmd, sizeof cmd, "node '%s' '%s' 2>&1", VALIDATOR, path);
    fflush(stdout);
    status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* 1 when node is here; installs the validator's pinned packages once. */
static int validator_ready(void)
{
    if (system("command -v node >/dev/null 2>&1") != 0)
        return 0;
    if (access(SOURCE_DIR "/tests/fhir/node_modules/ajv/package.json", R_OK) != 0)
        assert_int_equal(system("cd '" SOURCE_DIR
                                "/tests/fhir' && npm ci --no-audit --no-fund"
                                " >/dev/null 2>&1"),
                         0);
    return 1;
}

static void write_json(json_t *j, const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", state, name);
    assert_int_equal(json_dump_file(j, path, JSON_COMPACT), 0);
}

static json_t *task_for(json_t *bundle, const char *sr_url)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(bundle, "entry"), i, e)
    {
        json_t *r = json_object_get(e, "resource");
        const char *focus =
            json_string_value(json_object_get(json_object_get(r, "focus"), "reference"));
        if (focus && !strcmp(focus, sr_url))
            return r;
    }
    return NULL;
}

static void fhir_one_submission(void **ctx)
{
    char query[128], *one, *two;
    json_t *b, *e, *t2;
    size_t i, n;
    int contacted = 0;
    (void)ctx;

    snprintf(query, sizeof query, "id=%s", visit_a);
    b = get_fhir(query, &nav, &one);
    json_decref(get_fhir(query, &nav, &two));
    assert_string_equal(one, two); /* the same export is the same bytes */
    free(one);
    free(two);
    n = (size_t)db_int("SELECT count(*) FROM screening_resources WHERE screening_id = ?1",
                       visit_a);
    assert_int_equal(count_type(b, "Organization"), 1);
    assert_int_equal(count_type(b, "Patient"), 1);
    assert_int_equal(count_type(b, "QuestionnaireResponse"), 1);
    assert_int_equal(count_type(b, "Observation"), 9 + 1 + 1); /* items, score, panel */
    assert_int_equal(count_type(b, "ServiceRequest"), (int)n);
    assert_int_equal(count_type(b, "Task"), (int)n);
    json_array_foreach(json_object_get(b, "entry"), i, e)
    {
        json_t *r = json_object_get(e, "resource");
        if (strcmp(json_string_value(json_object_get(r, "resourceType")),
                   "ServiceRequest"))
            continue;
        t2 = task_for(b, json_string_value(json_object_get(e, "fullUrl")));
        assert_non_null(t2);
        if (!strcmp(json_string_value(json_object_get(t2, "status")), "in-progress"))
            contacted++;
        else
            assert_string_equal(json_string_value(json_object_get(t2, "status")),
                                "draft");
    }
    assert_int_equal(contacted, 1);
    json_decref(b);
    assert_int_equal(db_int("SELECT count(*) FROM audit_log WHERE action = 'export.fhir'"
                            " AND target = ?1 AND detail = 'id=' || ?1",
                            visit_a),
                     2);
}

static void fhir_is_valid_r4(void **ctx)
{
    char path[ITEST_PATH + 64];
    json_t *b, *broken;
    (void)ctx;

    if (!validator_ready()) {
        print_message(
            "SKIPPED: node is not installed, so the FHIR R4 schema check cannot run\n");
        skip();
    }
    b = get_fhir(range, &nav, NULL);
    assert_int_equal(count_type(b, "Patient"), 2);
    write_json(b, "range.fhir.json", path, sizeof path);
    assert_int_equal(validate(path), 0);
    /* The validator is not a rubber stamp: a wrong status, a missing
     * resourceType, a dangling reference each fail it. */
    broken = json_deep_copy(b);
    json_object_set_new(
        json_object_get(
            json_array_get(json_object_get(broken, "entry"),
                           json_array_size(json_object_get(broken, "entry")) - 1),
            "resource"),
        "status", json_string("finished"));
    write_json(broken, "bad-status.fhir.json", path, sizeof path);
    assert_int_equal(validate(path), 1);
    json_decref(broken);
    broken = json_deep_copy(b);
    json_object_del(
        json_object_get(json_array_get(json_object_get(broken, "entry"), 2), "resource"),
        "resourceType");
    write_json(broken, "no-type.fhir.json", path, sizeof path);
    assert_int_equal(validate(path), 1);
    json_decref(broken);
    broken = json_deep_copy(b);
    json_array_remove(json_object_get(broken, "entry"),
                      1); /* a Patient others point to */
    write_json(broken, "dangling.fhir.json", path, sizeof path);
    assert_int_equal(validate(path), 1);
    json_decref(broken);
    json_decref(b);
    /* The unit tests' golden Bundle is valid too. */
    assert_int_equal(validate(SOURCE_DIR "/tests/fhir/golden-bundle.json"), 0);
}

/* ---- the audit log, roles, bad queries, empty ranges, caps ---------------------- */

static void audit_csv(void **ctx)
{
    table t;
    int act;
    (void)ctx;

    get_csv("audit.csv", range, &admin, &t);
    act = col(&t, "action");
    assert_true(act >= 0);
    assert_true(row_where(&t, "action", "export.csv") > 0);
    assert_true(row_where(&t, "action", "export.csv.phones") > 0);
    assert_true(row_where(&t, "action", "export.referrals") > 0);
    /* Written before the file was read, so the file shows it. */
    assert_true(row_where(&t, "action", "export.audit") > 0);
    assert_int_equal(t.nrows - 1, db_int("SELECT count(*) FROM audit_log", NULL));
    table_free(&t);
    assert_int_equal(audits("export.audit", "ana", "from=%"), 1);
}

static void roles_and_bad_queries(void **ctx)
{
    static const char *const routes[] = {"submissions.csv", "referrals.csv", "fhir",
                                         "audit.csv"};
    char path[512];
    resp r;
    (void)ctx;

    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, EXPORT "%s?%s", routes[i], range);
        assert_error(path, &viewer, 403, NULL);
        assert_error(path, NULL, 401, NULL);
    }
    snprintf(path, sizeof path, EXPORT "audit.csv?%s", range);
    assert_error(path, &nav, 403, NULL);
    assert_error(EXPORT "submissions.csv?from=yesterday", &nav, 400, "from");
    assert_error(EXPORT "submissions.csv?to=2026-02-30", &nav, 400, "to");
    assert_error(EXPORT "submissions.csv?from=2026-13-01&to=2026-12-01", &nav, 400,
                 "from");
    assert_error(EXPORT "submissions.csv?from=2999-01-01", &nav, 400,
                 "to"); /* after today */
    assert_error(EXPORT "referrals.csv?from=2026-11-02&to=2026-11-01", &nav, 400, "to");
    assert_error(EXPORT "fhir?id=not-an-id", &nav, 400, "id");
    snprintf(path, sizeof path, EXPORT "fhir?id=%s&from=2026-11-01&to=2026-11-02",
             visit_a);
    assert_error(path, &nav, 400, "id");
    assert_error(EXPORT "fhir?id=00000000000000000000000000000000", &nav, 404, "id");
    snprintf(path, sizeof path, EXPORT "submissions.csv?%s&phones=yes", range);
    assert_error(path, &admin, 400, "phones");
    assert_error(EXPORT "patients.csv", &admin, 404, NULL);
    snprintf(path, sizeof path, EXPORT "submissions.csv?%s", range);
    assert_int_equal(request("POST", path, "{}", &admin, &r), 405);
    resp_free(&r);
    /* Refused requests export nothing, so they leave no export row. */
    assert_int_equal(audits("export.csv", "cy", "%"), 0);
}

static void empty_range(void **ctx)
{
    json_t *b;
    table t;
    (void)ctx;

    /* No dates at all: the last 30 days, which hold both visits. */
    get_csv("submissions.csv", "", &nav, &t);
    assert_int_equal(t.nrows, 3);
    table_free(&t);

    get_csv("submissions.csv", "from=2020-01-01&to=2020-01-31", &nav, &t);
    assert_int_equal(t.nrows, 1);
    table_free(&t);
    b = get_fhir("from=2020-01-01&to=2020-01-31", &nav, NULL);
    assert_int_equal(json_array_size(json_object_get(b, "entry")), 1); /* the clinic */
    json_decref(b);
}

/* n copies of visit B at noon UTC of day (YYYY-MM-DD), in one statement. */
static void bulk_visits(const char *day, int n)
{
    char sql[2048];
    snprintf(
        sql, sizeof sql,
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d)"
        " INSERT INTO screenings(id, created_at, kiosk_id, instrument_id,"
        " instrument_version, language, scoring_rule, safety_score, safety_complete,"
        " wants_help, help_at, answers, domains, resources, result_json)"
        " SELECT printf('%%08x', i) || substr(replace('%s', '-', ''), 1, 8) ||"
        " substr(s.id, 17), '%sT12:00:00Z', s.kiosk_id, s.instrument_id,"
        " s.instrument_version, s.language, s.scoring_rule, s.safety_score,"
        " s.safety_complete, s.wants_help, s.help_at, s.answers, s.domains, s.resources,"
        " s.result_json FROM k, screenings s WHERE s.id = '%s'",
        n, day, day, visit_b);
    db_exec(sql);
}

/* The rows of a CSV too long for a table (header included). */
static int csv_rows(const char *path)
{
    csv_reader cr;
    int n = 0;
    resp r;

    get_ok(path, &nav, 200, &r);
    csv_init(&cr, r.body, r.len);
    while (csv_next(&cr) == SG_OK)
        n++;
    csv_free(&cr);
    resp_free(&r);
    return n;
}

static void size_caps(void **ctx)
{
    json_t *b;
    long long before;
    (void)ctx;

    bulk_visits("2025-01-15", 501); /* FHIR's cap is 500 */
    assert_error(EXPORT "fhir?from=2025-01-15&to=2025-01-15", &nav, 422, "from");
    b = get_fhir("from=2025-01-14&to=2025-01-14", &nav, NULL);
    json_decref(b);
    assert_int_equal(csv_rows(EXPORT "submissions.csv?from=2025-01-15&to=2025-01-15"),
                     1 + 501);
    bulk_visits("2025-01-16", 10001); /* the CSVs' cap is 10,000 */
    before = db_int("SELECT count(*) FROM audit_log WHERE action LIKE 'export.%'", NULL);
    assert_error(EXPORT "submissions.csv?from=2025-01-16&to=2025-01-16", &nav, 422,
                 "from");
    assert_error(EXPORT "referrals.csv?from=2025-01-15&to=2025-01-16", &nav, 422, "from");
    /* Nothing was exported, so nothing was recorded as exported. */
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE action LIKE 'export.%'", NULL),
        before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(submissions_csv_every_column),
        cmocka_unit_test(phone_numbers_are_for_admins),
        cmocka_unit_test(referrals_csv),
        cmocka_unit_test(fhir_one_submission),
        cmocka_unit_test(fhir_is_valid_r4),
        cmocka_unit_test(audit_csv),
        cmocka_unit_test(roles_and_bad_queries),
        cmocka_unit_test(empty_range),
        cmocka_unit_test(size_caps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
