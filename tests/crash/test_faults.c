/*
 * Fault injection: one test per thing that goes wrong on a real kiosk, each
 * against the real daemon, each ending in a state a person can see (an
 * error answer, a failed job with its reason, a text marked unknown or
 * waiting) and a log line that says why, never a crash or a silent loss.
 *
 *   disk_full       an LD_PRELOAD shim (enospc_shim.c) fails the state
 *                   directory's writes with ENOSPC: the API answers 503,
 *                   nothing half-written is stored, and it recovers.
 *   db_locked       another connection holds the write lock: shorter than
 *                   the busy timeout the request waits and succeeds; longer,
 *                   it answers 503; nothing acknowledged is lost.
 *   printer_drop    the printer closes the connection halfway through a
 *                   receipt: the job ends failed with a reason, and is not
 *                   printed again behind anyone's back.
 *   gateway_hang    the SMS gateway never answers: the text becomes
 *                   "unknown", is checked with the gateway, and goes out
 *                   once when the gateway is back, never twice.
 *   dns_failure     the gateway's name does not resolve: texts wait and are
 *                   retried, the log says why, and go out once it resolves.
 *   clock_jump      libfaketime steps the wall clock forward hours, as NTP
 *                   does after a Pi boots: a reminder that becomes due in
 *                   quiet hours waits for the morning, nothing goes early or
 *                   twice.
 *
 *   crash_faults [NAME]   runs one test (all when none is named)
 */
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "crash.h"
#include "fake_gateway.h"
#include "harness.h"

#ifndef ENOSPC_SHIM
#error "ENOSPC_SHIM must name the shim library"
#endif
#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"

#define WAIT_MS 20000

typedef struct {
    char id[64], token[64];
} visit;

/* ---- the daemon ------------------------------------------------------------------ */

/* Starts the daemon with extra environment (name, value pairs, NULL-ended)
 * for it alone: the variables are set for the spawn and removed again. */
static itest_daemon *start_env(const char *conf, const char *dir, const char *const *env)
{
    itest_opts o = {.config = conf, .state_dir = dir};
    char asan[512];
    const char *old = getenv("ASAN_OPTIONS");
    itest_daemon *d;

    for (int i = 0; env && env[i]; i += 2)
        setenv(env[i], env[i + 1], 1);
    /* A preloaded library comes before the sanitizer runtime. */
    snprintf(asan, sizeof asan, "%s%sverify_asan_link_order=0", old ? old : "",
             old && *old ? ":" : "");
    if (env)
        setenv("ASAN_OPTIONS", asan, 1);
    d = itest_start(&o);
    for (int i = 0; env && env[i]; i += 2)
        unsetenv(env[i]);
    if (env && old)
        setenv("ASAN_OPTIONS", old, 1);
    else if (env)
        unsetenv("ASAN_OPTIONS");
    assert_non_null(d);
    return d;
}

static long new_visit(const itest_daemon *d, visit *v)
{
    cr_reply r;
    long status;

    memset(v, 0, sizeof *v);
    assert_int_equal(
        cr_call(d->port, "POST", "/api/v1/screenings", cr_body(0), NULL, 15000, &r), 0);
    status = r.status;
    if (status == 201) {
        snprintf(v->id, sizeof v->id, "%s",
                 json_string_value(json_object_get(r.json, "id")));
        snprintf(v->token, sizeof v->token, "%s",
                 json_string_value(json_object_get(r.json, "token")));
    } else {
        print_message("POST /api/v1/screenings: %ld %s\n", status, r.raw);
    }
    cr_reply_free(&r);
    return status;
}

/* POST on one of the visit's routes ("receipt", "sms"); the answer's field
 * `field` (if any) goes to out. */
static long visit_post(const itest_daemon *d, const visit *v, const char *what,
                       const char *body, const char *field, char *out, size_t outlen)
{
    char path[160];
    cr_reply r;
    long status;

    snprintf(path, sizeof path, "/api/v1/screenings/%s/%s", v->id, what);
    assert_int_equal(cr_call(d->port, "POST", path, body, v->token, 15000, &r), 0);
    status = r.status;
    if (out) {
        const char *s = json_string_value(json_object_get(r.json, field));
        snprintf(out, outlen, "%s", s ? s : "");
    }
    cr_reply_free(&r);
    return status;
}

static long subscribe(const itest_daemon *d, const visit *v, const char *phone)
{
    char consent[CR_CONSENT_MAX], body[400];
    assert_int_equal(cr_consent_version(d->port, consent, sizeof consent), 0);
    snprintf(body, sizeof body,
             "{\"phone\":\"%s\",\"consent\":true,\"consent_version\":\"%s\","
             "\"language\":\"en\",\"reminders\":true,\"send_list\":false}",
             phone, consent);
    return visit_post(d, v, "sms", body, NULL, NULL, 0);
}

static long long db_int(itest_daemon *d, const char *sql, const char *arg)
{
    long long v = -1;
    assert_int_equal(itest_db_int(d, sql, arg, &v), 0);
    return v;
}

static int wait_db(itest_daemon *d, const char *sql, const char *arg, long long want,
                   int ms)
{
    long long v = -1, end = cr_now_ms() + ms;
    do {
        if (itest_db_int(d, sql, arg, &v) == 0 && v == want)
            return 1;
        cr_sleep_ms(100);
    } while (cr_now_ms() < end);
    print_error("waited %d ms for [%s] = %lld, last %lld\n", ms, sql, want, v);
    itest_dump_log(d, "the wait ran out");
    return 0;
}

static int wait_log(itest_daemon *d, const char *needle, int ms)
{
    long long end = cr_now_ms() + ms;
    do {
        if (itest_log_contains(d, needle))
            return 1;
        cr_sleep_ms(100);
    } while (cr_now_ms() < end);
    print_error("the log never said \"%s\"\n", needle);
    itest_dump_log(d, "the wait ran out");
    return 0;
}

static void assert_integrity(itest_daemon *d)
{
    char ok[64] = "";
    assert_int_equal(itest_db_text(d, "PRAGMA integrity_check", NULL, ok, sizeof ok), 0);
    assert_string_equal(ok, "ok");
}

/* CreateMessage requests the fake logged for a number; answered: with 201 only. */
static int creates_to(fake_gw *gw, const char *e164, int answered)
{
    int n = 0;
    for (int i = 0; i < fgw_request_count(gw); i++) {
        const fgw_request *r = fgw_request_at(gw, i);
        const char *to = fgw_field(r, "To");
        n += !strcmp(r->method, "POST") && to && !strcmp(to, e164) &&
             (!answered || r->status == 201);
    }
    return n;
}

typedef struct {
    char dir[ITEST_PATH], conf[CR_PATH];
    itest_daemon *d;
    fake_gw *gw;
    cr_printer *printer;
} rig;

static void rig_config(rig *g, const char *gw_url, const char *sms_extra,
                       const char *extra)
{
    assert_int_equal(itest_mkdtemp(g->dir, sizeof g->dir), 0);
    assert_int_equal(cr_write_config(g->dir, g->printer ? cr_printer_port(g->printer) : 0,
                                     gw_url, sms_extra, extra, g->conf, sizeof g->conf),
                     0);
}

static void rig_free(rig *g)
{
    itest_free(g->d);
    fgw_stop(g->gw);
    cr_printer_stop(g->printer);
    if (g->dir[0])
        itest_rmtree(g->dir);
}

/* The job's status over the API, and its error text. */
static void job_status(itest_daemon *d, const visit *v, const char *job, char *st,
                       size_t stlen, char *err, size_t errlen)
{
    char path[160];
    cr_reply r;
    const char *s, *e;

    snprintf(path, sizeof path, "/api/v1/print-jobs/%s", job);
    assert_int_equal(cr_call(d->port, "GET", path, NULL, v->token, 5000, &r), 0);
    assert_int_equal(r.status, 200);
    s = json_string_value(json_object_get(r.json, "status"));
    e = json_string_value(json_object_get(r.json, "error"));
    snprintf(st, stlen, "%s", s ? s : "");
    snprintf(err, errlen, "%s", e ? e : "");
    cr_reply_free(&r);
}

static void wait_job_end(itest_daemon *d, const visit *v, const char *job, char *st,
                         size_t stlen, char *err, size_t errlen)
{
    long long end = cr_now_ms() + WAIT_MS;
    do {
        job_status(d, v, job, st, stlen, err, errlen);
        if (!strcmp(st, "done") || !strcmp(st, "failed"))
            return;
        cr_sleep_ms(100);
    } while (cr_now_ms() < end);
    itest_dump_log(d, "the job never ended");
    fail_msg("job %s never ended (last: %s, %s)", job, st, err);
}

/* ---- disk full -------------------------------------------------------------------- */

static void disk_full(void **ctx)
{
    rig g = {0};
    char trigger[ITEST_PATH + 32], job[64], why[256];
    visit a, b, c;
    FILE *f;
    (void)ctx;

    g.printer = cr_printer_start(0, 0, 0);
    assert_non_null(g.printer);
    rig_config(&g, NULL, NULL, NULL);
    snprintf(trigger, sizeof trigger, "%s.full", g.dir);
    const char *const env[] = {
        "LD_PRELOAD", ENOSPC_SHIM, "CRASH_ENOSPC_DIR", g.dir, "CRASH_ENOSPC_TRIGGER",
        trigger,      NULL};
    g.d = start_env(g.conf, g.dir, env);
    assert_int_equal(new_visit(g.d, &a), 201);
    assert_int_equal(visit_post(g.d, &a, "receipt", "", "job_id", job, sizeof job), 202);
    assert_true(
        wait_db(g.d, "SELECT count(*) FROM print_jobs WHERE id = ?1 AND status = 'done'",
                job, 1, WAIT_MS));

    /* The card fills up. */
    f = fopen(trigger, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(new_visit(g.d, &c), 503);
    assert_int_equal(visit_post(g.d, &a, "receipt", "", "error", why, sizeof why), 503);
    assert_true(wait_log(g.d, "full", 5000));
    /* Nothing half-written: what was acknowledged is there, nothing else. */
    assert_int_equal(
        db_int(g.d, "SELECT count(*) FROM screenings WHERE ?1 IS NULL", NULL), 1);
    assert_int_equal(
        db_int(g.d, "SELECT count(*) FROM print_jobs WHERE ?1 IS NULL", NULL), 1);
    assert_integrity(g.d);

    /* Space comes back: the next visit is stored without a restart. */
    assert_int_equal(unlink(trigger), 0);
    assert_int_equal(new_visit(g.d, &b), 201);
    assert_int_equal(visit_post(g.d, &b, "receipt", "", "job_id", job, sizeof job), 202);
    assert_true(
        wait_db(g.d, "SELECT count(*) FROM print_jobs WHERE id = ?1 AND status = 'done'",
                job, 1, WAIT_MS));
    assert_int_equal(itest_stop(g.d), 0);
    assert_int_equal(
        db_int(g.d, "SELECT count(*) FROM screenings WHERE id IN (?1, '')", a.id), 1);
    assert_int_equal(
        db_int(g.d, "SELECT count(*) FROM screenings WHERE id IN (?1, '')", b.id), 1);
    assert_int_equal(
        db_int(g.d, "SELECT count(*) FROM screenings WHERE ?1 IS NULL", NULL), 2);
    assert_integrity(g.d);
    rig_free(&g);
}

/* The card fills while a text is with the gateway: the answer cannot be
 * recorded.  The text must not be lost or sent twice. */
static void disk_full_mid_send(void **ctx)
{
    rig g = {0};
    char trigger[ITEST_PATH + 32];
    visit v;
    FILE *f;
    (void)ctx;

    g.gw = fgw_start();
    assert_non_null(g.gw);
    rig_config(&g, fgw_url(g.gw), NULL, NULL);
    snprintf(trigger, sizeof trigger, "%s.full", g.dir);
    const char *const env[] = {
        "LD_PRELOAD", ENOSPC_SHIM, "CRASH_ENOSPC_DIR", g.dir, "CRASH_ENOSPC_TRIGGER",
        trigger,      NULL};
    g.d = start_env(g.conf, g.dir, env);
    fgw_mode(g.gw, FGW_HANG, 1); /* the send waits out timeout_s (3 s) */
    assert_int_equal(new_visit(g.d, &v), 201);
    assert_int_equal(subscribe(g.d, &v, "2175553301"), 201);
    assert_true(wait_db(g.d,
                        "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND kind = 'reminder' AND state = 'sending'",
                        v.id, 1, WAIT_MS));
    f = fopen(trigger, "w");
    assert_non_null(f);
    fclose(f);
    assert_true(wait_log(g.d, "could not record the attempt", 10000));
    cr_sleep_ms(2000);
    assert_int_equal(unlink(trigger), 0);
    assert_true(wait_log(g.d, "could not be stored are now unknown", 10000));
    /* Space is back: the text settles (asked of the gateway, sent once). */
    if (!wait_db(g.d,
                 "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                 " AND kind = 'reminder' AND state = 'sent'",
                 v.id, 1, 15000)) {
        char st[32] = "";
        itest_db_text(g.d,
                      "SELECT state FROM sms_outbox WHERE screening_id = ?1"
                      " AND kind = 'reminder' ORDER BY due_at LIMIT 1",
                      v.id, st, sizeof st);
        print_message("without a restart the text stays '%s'\n", st);
        fail();
    }
    assert_int_equal(creates_to(g.gw, "+12175553301", 1), 1);
    assert_int_equal(itest_stop(g.d), 0);
    assert_integrity(g.d);
    rig_free(&g);
}

/* The card fills while a receipt is printing: its outcome cannot be
 * recorded at first.  The job must not stay "printing" for ever, and must
 * not print twice. */
static void disk_full_mid_print(void **ctx)
{
    rig g = {0};
    char trigger[ITEST_PATH + 32], job[64], st[32] = "", err[320];
    visit v;
    FILE *f;
    (void)ctx;

    g.printer = cr_printer_start(0, 0, 1); /* silent: 1.5 s of waiting after the bytes */
    assert_non_null(g.printer);
    rig_config(&g, NULL, NULL, NULL);
    snprintf(trigger, sizeof trigger, "%s.full", g.dir);
    const char *const env[] = {
        "LD_PRELOAD", ENOSPC_SHIM, "CRASH_ENOSPC_DIR", g.dir, "CRASH_ENOSPC_TRIGGER",
        trigger,      NULL};
    g.d = start_env(g.conf, g.dir, env);
    assert_int_equal(new_visit(g.d, &v), 201);
    assert_int_equal(visit_post(g.d, &v, "receipt", "", "job_id", job, sizeof job), 202);
    assert_true(wait_db(g.d,
                        "SELECT count(*) FROM print_jobs WHERE id = ?1"
                        " AND status = 'printing'",
                        job, 1, WAIT_MS));
    f = fopen(trigger, "w");
    assert_non_null(f);
    fclose(f);
    assert_true(wait_log(g.d, "could not record that it printed; will try again", 10000));
    cr_sleep_ms(1000);
    assert_int_equal(unlink(trigger), 0);
    assert_true(wait_log(g.d, "outcome recorded", 10000));
    /* Space is back: the job reaches its end without a restart. */
    wait_job_end(g.d, &v, job, st, sizeof st, err, sizeof err);
    print_message("after the disk filled mid-print: %s (%s)\n", st, err);
    assert_string_equal(st, "done");
    cr_sleep_ms(3500); /* past the queue's re-check: no second copy */
    assert_int_equal(cr_printer_connections(g.printer), 1);
    assert_int_equal(itest_stop(g.d), 0);
    assert_integrity(g.d);
    rig_free(&g);
}

/* ---- database locked --------------------------------------------------------------- */

typedef struct {
    sqlite3 *db;
    long ms;
} unlocker;

static void *unlock_later(void *arg)
{
    unlocker *u = arg;
    cr_sleep_ms(u->ms);
    sqlite3_exec(u->db, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

static void db_locked(void **ctx)
{
    rig g = {0};
    sqlite3 *db = NULL;
    pthread_t t;
    unlocker u;
    visit a, b, c;
    long long t0, took;
    (void)ctx;

    rig_config(&g, NULL, NULL, NULL);
    g.d = start_env(g.conf, g.dir, NULL);
    assert_int_equal(new_visit(g.d, &a), 201);
    assert_int_equal(sqlite3_open_v2(g.d->db_path, &db, SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);

    /* A lock shorter than the busy timeout (5 s): the request waits it out. */
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    u = (unlocker){db, 1500};
    assert_int_equal(pthread_create(&t, NULL, unlock_later, &u), 0);
    t0 = cr_now_ms();
    assert_int_equal(new_visit(g.d, &b), 201);
    took = cr_now_ms() - t0;
    pthread_join(t, NULL);
    print_message("short lock: answered 201 after %lld ms\n", took);
    assert_true(took >= 1000);

    /* A lock held past the busy timeout: 503, nothing stored, said in the log. */
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    t0 = cr_now_ms();
    assert_int_equal(new_visit(g.d, &c), 503);
    took = cr_now_ms() - t0;
    print_message("long lock: answered 503 after %lld ms\n", took);
    assert_true(took >= 4000 && took < 12000);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_true(wait_log(g.d, "lock", 2000));

    /* The lock is gone: business as usual, nothing acknowledged lost. */
    assert_int_equal(new_visit(g.d, &c), 201);
    assert_int_equal(itest_stop(g.d), 0);
    assert_int_equal(
        db_int(g.d, "SELECT count(*) FROM screenings WHERE ?1 IS NULL", NULL), 3);
    assert_int_equal(db_int(g.d, "SELECT count(*) FROM screenings WHERE id = ?1", a.id),
                     1);
    assert_int_equal(db_int(g.d, "SELECT count(*) FROM screenings WHERE id = ?1", b.id),
                     1);
    assert_integrity(g.d);
    rig_free(&g);
}

/* ---- the printer goes away mid-job ------------------------------------------------- */

/* The stored receipt bytes of a job; the caller frees them. */
static unsigned char *job_payload(itest_daemon *d, const char *job, size_t *len)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    unsigned char *out = NULL;

    assert_int_equal(sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_prepare_v2(db, "SELECT payload FROM print_jobs WHERE id = ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        out = malloc(*len ? *len : 1);
        if (out)
            memcpy(out, sqlite3_column_blob(st, 0), *len);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_non_null(out);
    return out;
}

#define DROP_AFTER 300

static void printer_drop(void **ctx)
{
    rig g = {0};
    char job[64], job2[64], st[32], err[320], line[128];
    unsigned char *payload, *payload2;
    size_t len = 0, len2 = 0;
    long long t0, took;
    visit v;
    (void)ctx;

    /* The first connection is dropped after DROP_AFTER bytes. */
    g.printer = cr_printer_start(DROP_AFTER, 1, 0);
    assert_non_null(g.printer);
    rig_config(&g, NULL, NULL, NULL);
    g.d = start_env(g.conf, g.dir, NULL);
    assert_int_equal(new_visit(g.d, &v), 201);
    t0 = cr_now_ms();
    assert_int_equal(visit_post(g.d, &v, "receipt", "", "job_id", job, sizeof job), 202);
    wait_job_end(g.d, &v, job, st, sizeof st, err, sizeof err);
    took = cr_now_ms() - t0;
    print_message("dropped mid-job: %s after %lld ms (%s); printer got %ld bytes\n", st,
                  took, err, cr_printer_bytes(g.printer, 0));
    /* At once, not at the write timeout ([printer] timeout_s, 20 s). */
    assert_true(took < 10000);
    payload = job_payload(g.d, job, &len);
    assert_true(len > DROP_AFTER); /* the drop really was mid-receipt */
    assert_string_equal(st, "failed");
    assert_non_null(strstr(err, "reprint"));
    snprintf(line, sizeof line, "print job %s: failed: ", job);
    assert_true(wait_log(g.d, line, 2000));
    assert_true(itest_log_contains(g.d, "Connection reset by peer"));
    /* Past the queue's re-check (3 s): nothing printed it again unasked. */
    cr_sleep_ms(4000);
    assert_int_equal(cr_printer_connections(g.printer), 1);
    assert_int_equal(cr_printer_count(g.printer, payload, len), 0);

    /* The printer is back: the next receipt prints whole, once.  Its own
     * bytes: a receipt carries the time it was made, which may have moved
     * to the next minute since the first. */
    assert_int_equal(visit_post(g.d, &v, "receipt", "", "job_id", job2, sizeof job2),
                     202);
    wait_job_end(g.d, &v, job2, st, sizeof st, err, sizeof err);
    assert_string_equal(st, "done");
    payload2 = job_payload(g.d, job2, &len2);
    assert_int_equal(cr_printer_count(g.printer, payload2, len2), 1);
    assert_int_equal(itest_stop(g.d), 0);
    free(payload);
    free(payload2);
    rig_free(&g);
}

/* ---- the gateway hangs ---------------------------------------------------------------
 */

static void gateway_hang(void **ctx)
{
    rig g = {0};
    static const char *const phones[2] = {"2175553001", "2175553002"};
    static const char *const e164[2] = {"+12175553001", "+12175553002"};
    visit v[2];
    (void)ctx;

    g.gw = fgw_start();
    assert_non_null(g.gw);
    rig_config(&g, fgw_url(g.gw), NULL, NULL);
    g.d = start_env(g.conf, g.dir, NULL);
    fgw_mode(g.gw, FGW_HANG, -1); /* every request hangs: sends and look-ups alike */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(new_visit(g.d, &v[i]), 201);
        assert_int_equal(subscribe(g.d, &v[i], phones[i]), 201);
    }
    for (int i = 0; i < 2; i++)
        assert_true(wait_db(g.d,
                            "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND kind = 'reminder' AND state = 'unknown'",
                            v[i].id, 1, WAIT_MS));
    assert_true(
        wait_log(g.d, "no answer came (Timeout was reached): may have been sent", 2000));
    /* While the gateway cannot say whether it took them, nothing is resent. */
    cr_sleep_ms(5000);
    for (int i = 0; i < 2; i++)
        assert_int_equal(creates_to(g.gw, e164[i], 0), 1);
    assert_int_equal(db_int(g.d,
                            "SELECT count(*) FROM sms_outbox WHERE state IN ('unknown',"
                            " 'sending') AND kind = 'reminder' AND ?1 IS NULL",
                            NULL),
                     2);

    /* The gateway answers again: asked, it has no record, so each goes once. */
    fgw_mode(g.gw, FGW_OK, -1);
    for (int i = 0; i < 2; i++)
        assert_true(wait_db(g.d,
                            "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND kind = 'reminder' AND state = 'sent'",
                            v[i].id, 1, 30000));
    assert_true(wait_log(g.d, "not sent, queued again", 1000));
    cr_sleep_ms(1000);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(creates_to(g.gw, e164[i], 1), 1);
        assert_int_equal(creates_to(g.gw, e164[i], 0),
                         2); /* the hung one, the real one */
    }
    assert_int_equal(itest_stop(g.d), 0);
    assert_integrity(g.d);
    rig_free(&g);
}

/* ---- DNS fails ------------------------------------------------------------------------
 */

static void dns_failure(void **ctx)
{
    rig g = {0};
    char err[256] = "";
    long long tries;
    visit v;
    (void)ctx;

    rig_config(&g, "http://gateway.invalid", NULL, NULL);
    g.d = start_env(g.conf, g.dir, NULL);
    assert_int_equal(new_visit(g.d, &v), 201);
    assert_int_equal(subscribe(g.d, &v, "2175553101"), 201);
    /* It tries, fails to resolve, and waits to try again: scheduled, not failed. */
    assert_true(
        wait_db(g.d,
                "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                " AND kind = 'reminder' AND attempts >= 2 AND state = 'scheduled'",
                v.id, 1, WAIT_MS));
    assert_int_equal(itest_db_text(g.d,
                                   "SELECT error FROM sms_outbox WHERE screening_id = ?1"
                                   " AND kind = 'reminder' ORDER BY due_at LIMIT 1",
                                   v.id, err, sizeof err),
                     0);
    print_message("the text waits: %s\n", err);
    assert_non_null(strstr(err, "resolve"));
    assert_true(wait_log(g.d, "resolve", 1000));
    tries = db_int(g.d,
                   "SELECT attempts FROM sms_outbox WHERE screening_id = ?1"
                   " AND kind = 'reminder' ORDER BY due_at LIMIT 1",
                   v.id);
    assert_int_equal(itest_stop(g.d), 0);
    itest_free(g.d);
    g.d = NULL;

    /* The name resolves again (here: the config is fixed): it goes out once. */
    g.gw = fgw_start();
    assert_non_null(g.gw);
    assert_int_equal(
        cr_write_config(g.dir, 0, fgw_url(g.gw), NULL, NULL, g.conf, sizeof g.conf), 0);
    g.d = start_env(g.conf, g.dir, NULL);
    assert_true(wait_db(g.d,
                        "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND kind = 'reminder' AND state = 'sent'",
                        v.id, 1, WAIT_MS));
    assert_int_equal(creates_to(g.gw, "+12175553101", 0), 1);
    print_message("sent after %lld failed tries\n", tries);
    assert_int_equal(itest_stop(g.d), 0);
    rig_free(&g);
}

/* ---- the clock jumps
 * -------------------------------------------------------------------- */

/* Seconds from now to a wall-clock moment given in UTC. */
static long offset_to(int year, int mon, int day, int hour, int min)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    return (long)(timegm(&tm) - time(NULL));
}

static void set_clock(const char *file, long offset)
{
    char text[64];
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    snprintf(text, sizeof text, "%+ld\n", offset);
    fputs(text, f);
    fclose(f);
}

/* Replaces the first `from` in text (of capacity cap) with `to`. */
static void replace(char *text, size_t cap, const char *from, const char *to)
{
    char rest[4096];
    char *p = strstr(text, from);

    assert_non_null(p);
    snprintf(rest, sizeof rest, "%s", p + strlen(from));
    snprintf(p, cap - (size_t)(p - text), "%s%s", to, rest);
}

/* Rewrites the config: reminders 5 s and 30 min after consent, and texts
 * only between 08:00 and 20:00 clinic time. */
static void use_clock_policy(const char *dir, char *conf, size_t conflen)
{
    char text[4096];
    size_t n;
    FILE *f = fopen(conf, "r");

    assert_non_null(f);
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    replace(text, sizeof text, "reminders = 1s,1h", "reminders = 5s,30m");
    replace(text, sizeof text, "quiet_hours = 00:00-24:00", "quiet_hours = 08:00-20:00");
    assert_int_equal(itest_write_file(dir, "signpost.conf", text, conf, conflen), 0);
}

static void clock_jump(void **ctx)
{
    rig g = {0};
    char clock_file[ITEST_PATH + 32];
    long base;
    long long due;
    visit v, w;
    (void)ctx;

    if (access(FAKETIME_LIB, R_OK) != 0) {
        print_message("%s missing: apt-get install libfaketime\n", FAKETIME_LIB);
        skip();
    }
    g.gw = fgw_start();
    assert_non_null(g.gw);
    rig_config(&g, fgw_url(g.gw), NULL, NULL);
    use_clock_policy(g.dir, g.conf, sizeof g.conf);
    snprintf(clock_file, sizeof clock_file, "%s.clock", g.dir);
    /* 19:00 in Chicago (CST, UTC-6) on 1 December 2026. */
    base = offset_to(2026, 12, 2, 1, 0);
    set_clock(clock_file, base);
    const char *const env[] = {"LD_PRELOAD",
                               FAKETIME_LIB,
                               "FAKETIME_TIMESTAMP_FILE",
                               clock_file,
                               "FAKETIME_NO_CACHE",
                               "1",
                               "FAKETIME_DONT_FAKE_MONOTONIC",
                               "1",
                               NULL};
    g.d = start_env(g.conf, g.dir, env);
    assert_int_equal(new_visit(g.d, &v), 201);
    assert_int_equal(subscribe(g.d, &v, "2175553201"), 201);
    assert_true(wait_db(g.d,
                        "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'sent'",
                        v.id, 1, WAIT_MS));

    /* NTP steps the clock 2 h forward: 21:00, quiet hours.  The 30-minute
     * reminder is now overdue, but must wait for the morning. */
    set_clock(clock_file, base + 2 * 3600);
    assert_int_equal(new_visit(g.d, &w), 201); /* the kiosk goes on working */
    cr_sleep_ms(4000);
    assert_int_equal(creates_to(g.gw, "+12175553201", 0), 1);
    assert_int_equal(db_int(g.d,
                            "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND state = 'scheduled'",
                            v.id),
                     1);
    due = db_int(g.d,
                 "SELECT due_at FROM sms_outbox WHERE screening_id = ?1"
                 " AND state = 'scheduled'",
                 v.id);
    /* 08:00 Chicago on 2 December is 14:00 UTC. */
    print_message("deferred to %lld (08:00 clinic time is %lld)\n", due,
                  (long long)(time(NULL) + offset_to(2026, 12, 2, 14, 0)));
    assert_true(due >= time(NULL) + offset_to(2026, 12, 2, 14, 0) - 1);

    /* Morning: 08:30.  The reminder goes, once; the first never again. */
    set_clock(clock_file, base + 13 * 3600 + 1800);
    assert_true(wait_db(g.d,
                        "SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'sent'",
                        v.id, 2, WAIT_MS));
    cr_sleep_ms(2000);
    assert_int_equal(creates_to(g.gw, "+12175553201", 0), 2);
    assert_int_equal(itest_stop(g.d), 0);
    assert_integrity(g.d);
    unlink(clock_file);
    rig_free(&g);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(disk_full),           cmocka_unit_test(disk_full_mid_send),
        cmocka_unit_test(disk_full_mid_print), cmocka_unit_test(db_locked),
        cmocka_unit_test(printer_drop),        cmocka_unit_test(gateway_hang),
        cmocka_unit_test(dns_failure),         cmocka_unit_test(clock_jump),
    };
    int rc;

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    if (itest_init())
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    itest_cleanup();
    return rc;
}
